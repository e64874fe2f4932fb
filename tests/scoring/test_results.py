"""One results view: the results page, the PDF report and the API say the same of a result."""

from __future__ import annotations

import html
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from reports.rendering import html_to_pdf, report_html
from reports.selectors import report_content
from scoring.results import results_view
from scoring.templatetags.figures import figure
from scoring.wording import question_text
from tests.helpers import answer_file, established_organization, submit_filling_gaps

pytestmark = pytest.mark.django_db


def submitted(
    version: FrameworkVersion, organization: Organization, owner: User, name: str, **options: Any
) -> Assessment:
    assessment = assessment_create(organization=organization, framework_version=version, created_by=owner, **options)
    answers_upsert(assessment=assessment, items=answer_file(name), answered_by=owner)
    return submit_filling_gaps(assessment, owner)


def with_peers(version: FrameworkVersion, choices: str) -> None:
    """Other organisations of the same sector and province, each answering only F5 (A 0 … E 10 points)."""
    for n, choice in enumerate(choices):
        peer = User.objects.create_user(f"peer{n}@example.com", "pw-peer-12345")
        organization = established_organization(peer, f"同行 {n}", n + 1)
        assessment = assessment_create(organization=organization, framework_version=version, created_by=peer)
        answers_upsert(assessment=assessment, items=[{"question": "F5", "choice": choice}], answered_by=peer)
        submit_filling_gaps(assessment, peer)


def words(markup: str) -> str:
    """Text of a page or PDF with tags dropped and whitespace collapsed: table cells read in a row."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def pdf_words(assessment: Assessment, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(html_to_pdf(report_html(report_content(assessment, "en"))))
    # In drawing order: a cell's wrapped lines stay together (-layout interleaves the cells beside them).
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_the_page_the_pdf_and_the_api_agree_on_every_figure(
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
    client: Client,
    tmp_path: Path,
) -> None:
    earlier = submitted(miit, organization, owner, "miit-28.125.json")
    later = submitted(miit, organization, owner, "miit-58.125.json", previous=earlier)
    with_peers(miit, "ABCDE")
    owner_client = APIClient()
    owner_client.force_authenticate(owner)
    api = json.loads(owner_client.get(f"/api/v1/assessments/{later.pk}/results/").content, parse_float=Decimal)
    client.force_login(owner)
    page = words(client.get(reverse("web:results", args=[later.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    pdf = pdf_words(later, tmp_path)
    view = results_view(later, language="en")
    thresholds = view.thresholds

    assert api["total"] == Decimal("58.125")
    shown = figure(api["total"], thresholds)
    assert shown == "58.13"
    for text in (page, pdf):
        assert f"{view.level.name}" in text
        assert f"Total {shown} 100" in text or f"{shown} / 100" in text
        for row in api["dimensions"]:
            name = view.texts.dimension_names[row["key"]]
            if row["max"]:
                assert f"{name} {figure(row['score'])} {figure(row['max'])}" in text, name
            else:  # judged by scenario levels: their average level out of 4
                levels = list(api["scenario_levels"].values())
                average = figure(Decimal(sum(levels)) / len(levels))
                assert f"{name} average scenario level {average} / 4" in text, name
        score_gate = api["gates"][0]
        assert figure(score_gate["required"]) in text
        assert figure(score_gate["actual"], score_gate["required"]) in text
        path = api["next_level_path"]
        assert figure(path["total_after"], thresholds) in text
        for step in path["improvements"]:
            assert question_text(view.texts, step["question"]) in text  # by its words: keys are never shown
            if step["points"]:
                assert f"+{figure(step['points'])}" in text, step["question"]
        for standing in api["peers"]["standings"]:
            if standing["key"] != "operations":
                assert str(round(standing["percentile"])) in text, standing["key"]
        assert figure(view.previous.total, thresholds) == "28.13"
        assert "28.13" in text
    assert f"{figure(score_gate['shortfall'])} more points" in pdf  # the summary says what holds the level back
    assert "Holding you back:" in page


def test_an_eu_dma_result_at_the_base_band_is_named(
    eu_dma: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = assessment_create(organization=organization, framework_version=eu_dma, created_by=owner)
    view = results_view(assessment, language="en")
    assert (view.level.number, view.level.name) == (1, "Basic")
    assert view.next_level is not None
    assert view.next_level.name == "Average"
    assert results_view(assessment, language="zh-Hans").level.name == "初级"


def test_a_radar_has_an_axis_per_dimension_with_scenario_judged_ones_by_their_average_level(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = submitted(miit, organization, owner, "miit-58.125.json")
    view = results_view(assessment, language="en")
    shares = {axis.key: axis.share for axis in view.radar}
    levels = view.card.scenario_levels.values()
    assert shares == {
        "foundation": Decimal("27.5") / 50,
        "operations": Decimal(sum(levels)) / len(levels) / 4,
        "management": Decimal("20.625") / 30,
        "outcomes": Decimal(10) / 20,
    }
    assert [step.points for step in view.steps if step.question.startswith("S")] == [0] * sum(
        1 for step in view.steps if step.question.startswith("S")
    )
