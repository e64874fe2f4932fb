"""Reports read back from the PDF: nothing runs past the page's margins, in both languages and both frameworks,
and the text is set in Noto Sans and Noto Sans CJK SC (not the Japanese CJK variant, not DejaVu)."""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

import pytest

from assessment.models import Assessment, FrameworkVersion, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from reports.rendering import html_to_pdf, report_html
from reports.selectors import report_content
from tests.helpers import answer_file, submit_filling_gaps
from tests.reports.test_samples import re_assessment

__all__ = ["re_assessment"]  # the samples' re-assessment among peers, a fixture

pytestmark = pytest.mark.django_db

MARGIN = 18 / 25.4 * 72  # reports/assets/report.css: @page margin, left and right, in pt
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>')


@pytest.fixture
def eu_dma_assessment(eu_dma: FrameworkVersion, owner: User) -> Assessment:
    firm = organization_create(owner=owner, name="Brightline Tooling Ltd", sector="C", size_band="small", province="32")
    assessment = assessment_create(organization=firm, framework_version=eu_dma, created_by=owner)
    answers_upsert(assessment=assessment, answered_by=owner, items=answer_file("eu-dma-25+1-504.json"))
    return submit_filling_gaps(assessment, owner)


def report_pdf(assessment: Assessment, language: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{assessment.pk}-{language}.pdf"
    path.write_bytes(html_to_pdf(report_html(report_content(assessment, language))))
    return path


def words_outside_the_margins(pdf: Path) -> list[str]:
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    outside = []
    for number, (width, _, words) in enumerate(PAGE.findall(bbox), start=1):
        for left, right, word in WORD.findall(words):
            if float(left) < MARGIN - 1 or float(right) > float(width) - MARGIN + 1:
                outside.append(f"page {number}: {unescape(word)!r} at {float(left):.1f}–{float(right):.1f} pt")
    return outside


def fonts(pdf: Path) -> set[str]:
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0].split("+", 1)[-1] for line in listing.splitlines()[2:]}


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_a_miit_report_stays_inside_its_margins(re_assessment: Assessment, language: str, tmp_path: Path) -> None:
    pdf = report_pdf(re_assessment, language, tmp_path)
    assert words_outside_the_margins(pdf) == []
    assert {"Noto-Sans", "Noto-Sans-CJK-SC"} <= fonts(pdf)  # the firm's Chinese name is on the English cover
    assert not {f for f in fonts(pdf) if "JP" in f or "DejaVu" in f}


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_an_eu_dma_report_stays_inside_its_margins(
    eu_dma_assessment: Assessment, language: str, tmp_path: Path
) -> None:
    pdf = report_pdf(eu_dma_assessment, language, tmp_path)
    assert words_outside_the_margins(pdf) == []
    expected = {"Noto-Sans", "Noto-Sans-CJK-SC"} if language == "zh-Hans" else {"Noto-Sans"}
    assert expected <= fonts(pdf)
    assert not {f for f in fonts(pdf) if "JP" in f or "DejaVu" in f}
