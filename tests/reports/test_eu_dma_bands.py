"""EU DMA reports name the band reached, from Basic (the base level) to Advanced, in both languages."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from reports.rendering import html_to_pdf, report_html
from reports.selectors import report_content
from scoring.engine.framework import Question
from scoring.selectors import framework_structure
from tests.helpers import answer_file, lowest_item

pytestmark = pytest.mark.django_db


def best_item(question: Question) -> dict[str, Any]:
    if question.kind == "single_choice":
        return {"question": question.key, "choice": max(question.options, key=lambda o: o.points).key}
    return {"question": question.key, "choices": [o.key for o in question.options if not o.exclusive]}


def best_in(version: FrameworkVersion, dimensions: int) -> list[dict[str, Any]]:
    """Full marks in the first `dimensions` of the six dimensions, the lowest answers in the rest."""
    framework = framework_structure(version)
    best = {q for d in framework.dimensions[:dimensions] for q in _keys(d)}
    return [best_item(q) if q.key in best else lowest_item(q) for q in framework.questions.values()]


def _keys(node: Any) -> list[str]:
    return [q.key for q in node.questions] + [k for child in node.children for k in _keys(child)]


def pdf_text(assessment: Assessment, language: str, tmp_path: Path) -> str:
    path = tmp_path / f"{assessment.pk}-{language}.pdf"
    path.write_bytes(html_to_pdf(report_html(report_content(assessment, language))))
    return " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )


@pytest.mark.parametrize(
    ("answers", "total", "band", "chinese"),
    [
        (lambda version: [], "0", "Basic", "初级"),
        (lambda version: answer_file("eu-dma-25+1-504.json"), "25.002", "Average", "中等"),
        (lambda version: best_in(version, 4), "66.67", "Moderately advanced", "较先进"),
        (lambda version: best_in(version, 6), "100", "Advanced", "先进"),
    ],
)
def test_an_eu_dma_report_names_its_band_in_both_languages(
    answers: Any,
    total: str,
    band: str,
    chinese: str,
    eu_dma: FrameworkVersion,
    organization: Organization,
    owner: User,
    tmp_path: Path,
) -> None:
    assessment = assessment_create(organization=organization, framework_version=eu_dma, created_by=owner)
    answers_upsert(assessment=assessment, items=answers(eu_dma), answered_by=owner)
    english = pdf_text(assessment, "en", tmp_path)
    assert f"Level {band}" in english  # the cover's "Level" line
    assert f"{band} {total} / 100 points" in english  # the summary: the band, and a total that does not contradict it
    if band != "Advanced":  # what holds the next band back reads the total the same way
        assert f"the total is {total}, the level needs" in english
    assert f"等级 {chinese}" in pdf_text(assessment, "zh-Hans", tmp_path)
