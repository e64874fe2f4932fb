"""The consultant-verified report: after sign-off the stamp, the verified level beside the self-assessed one,
the self vs verified table, every difference with its reason and the consultant's signed statement; before it,
no verified figure at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from assessment.models import Assessment, ConsultantAssignment, User
from reports.models import Report
from reports.rendering import html_to_pdf, report_html
from reports.selectors import report_content
from reports.services import report_render, report_request
from review.models import Verification
from review.services import consultant_profile_save, review_finalize, review_item_set, review_start
from scoring.selectors import assessment_answers
from tests.reports.test_pipeline import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("assignment")]

# Four scenarios rated lower leave five at level 2 or above, one short of level 2's six: the level drops.
ADJUSTED = {
    "F2": ({"choice": "B"}, "设备台账显示120台设备中仅15台联网"),
    "S02": ({"level": 1}, "Process data is still kept on paper"),
    "S04": ({"level": 1}, "No MES in use on the shop floor"),
    "S05": ({"level": 1}, "Scheduling is done in spreadsheets"),
    "S12": ({"level": 1}, "No supplier portal was shown"),
}
UNVERIFIABLE = {"S01": "现场未见设计数据记录"}


def review(assessment: Assessment, consultant: User) -> None:
    """Start the review and give every answer a verdict: most verified, the ADJUSTED ones adjusted."""
    review_start(assessment=assessment, consultant=consultant)
    for key in assessment_answers(assessment):
        verdict: dict[str, Any] = {"verdict": "verified"}
        if key in ADJUSTED:
            answer, reason = ADJUSTED[key]
            verdict = {"verdict": "adjusted", "answer": answer, "reason": reason}
        elif key in UNVERIFIABLE:
            verdict = {"verdict": "unverifiable", "reason": UNVERIFIABLE[key]}
        review_item_set(assessment=assessment, reviewer=consultant, question_key=key, **verdict)


def render(assessment: Assessment, language: str, owner: User, tmp_path: Path) -> str:
    report, _ = report_request(assessment=assessment, language=language, requested_by=owner)
    rendered = report_render(report_id=report.pk)
    assert rendered is not None
    assert rendered.status == Report.Status.READY, rendered.error
    return " ".join(pdf_text(rendered.file.read(), tmp_path).split())


@pytest.mark.parametrize(
    ("language", "family", "given", "name", "levels"),
    [
        ("zh-Hans", "王", "立", "王立", "等级 二级 一级"),
        ("en", "Wang", "Li", "Li Wang", "Level Level 2 Level 1"),
    ],
)
def test_a_signed_off_report_names_the_consultant_the_verified_level_and_every_reason(
    submitted: Assessment,
    consultant: User,
    owner: User,
    tmp_path: Path,
    language: str,
    family: str,
    given: str,
    name: str,
    levels: str,
) -> None:
    consultant_profile_save(
        user=consultant,
        family_name=family,
        given_name=given,
        qualification="苏州市数字化评估师",
        certificate_number="SZ-2026-0042",
    )
    review(submitted, consultant)
    verification = review_finalize(
        assessment=submitted, consultant=consultant, statement="经现场核查，除所列调整外填报属实。"
    )

    text = render(submitted, language, owner, tmp_path)
    assert name in text
    assert "苏州市数字化评估师" in text
    assert "SZ-2026-0042" in text
    assert "经现场核查，除所列调整外填报属实。" in text
    assert timezone.localtime(verification.signed_at).strftime("%Y-%m-%d") in text
    assert levels in text  # the self vs verified table: self-assessed level 2, verified level 1
    for _, reason in ADJUSTED.values():
        assert reason in text
    assert UNVERIFIABLE["S01"] in text
    if language == "en":
        assert "Self-assessment, verified by a consultant" in text
        assert "Wang Li" not in text
        assert "Total 58.13 53.63 100" in text  # F2's adjustment costs 4.5 points


def test_under_review_the_report_shows_no_verified_figure(
    submitted: Assessment, consultant: User, owner: User, tmp_path: Path
) -> None:
    review(submitted, consultant)  # every verdict given, nothing signed
    content = report_content(submitted, "en")
    assert (content["verification"].state, content["verification"].signed) == ("in_progress", None)
    text = render(submitted, "en", owner, tmp_path)
    assert "Verification in progress: a consultant is checking the answers." in text
    assert "Consultant verification" not in text  # no chapter of verified figures yet
    for _, reason in ADJUSTED.values():
        assert reason not in text
    assert "王立" not in text
    assert "Self-assessed and verified" not in text
    assert "Verified level" not in text


def test_a_draft_or_an_unreviewed_submission_has_no_verification_chapter(
    submitted: Assessment, owner: User, tmp_path: Path
) -> None:
    assert report_content(submitted, "en")["verification"].state is None
    text = render(submitted, "en", owner, tmp_path)
    assert "Consultant verification" not in text
    assert "Consultant-verified" not in text


def test_sign_off_makes_a_new_version_of_the_report(submitted: Assessment, consultant: User, owner: User) -> None:
    review(submitted, consultant)
    before, _ = report_request(assessment=submitted, language="zh-Hans", requested_by=owner)
    review_finalize(assessment=submitted, consultant=consultant, statement="属实")
    after, created = report_request(assessment=submitted, language="zh-Hans", requested_by=owner)
    assert (created, after.version) == (True, before.version + 1)


def test_the_statement_and_reasons_stay_text_in_the_pdf(
    submitted: Assessment, consultant: User, tmp_path: Path
) -> None:
    review(submitted, consultant)
    statement = "<img src=http://x> 经核查属实 <script>alert(1)</script>"
    review_finalize(assessment=submitted, consultant=consultant, statement=statement)
    html = report_html(report_content(submitted, "zh-Hans"))
    assert "<img" not in html
    assert "<script" not in html
    assert "&lt;img src=http://x&gt; 经核查属实" in html
    # The renderer fetches nothing but its bundled assets: an <img> that slipped through would fail the render.
    text = " ".join(pdf_text(html_to_pdf(html), tmp_path).split())
    assert "<img src=http://x> 经核查属实 <script>alert(1)</script>" in text


def test_the_stored_name_is_the_signed_one_not_a_later_profile(
    submitted: Assessment, consultant: User, owner: User, tmp_path: Path
) -> None:
    review(submitted, consultant)
    review_finalize(assessment=submitted, consultant=consultant, statement="属实")
    consultant_profile_save(user=consultant, family_name="李", given_name="四", qualification="另一资格")
    assert Verification.objects.get().consultant_name_in("en") == "王立"
    text = render(submitted, "en", owner, tmp_path)
    assert "王立" in text
    assert "李四" not in text


def test_the_report_names_the_assigned_consultancy(assignment: ConsultantAssignment, submitted: Assessment) -> None:
    review(submitted, assignment.consultant)
    review_finalize(assessment=submitted, consultant=assignment.consultant, statement="属实")
    signed = report_content(submitted, "en")["verification"].signed
    assert signed.consultancy == assignment.consultancy.name  # type: ignore[union-attr]
    assert [d.question for d in signed.differences] == ["F2", "S01", "S02", "S04", "S05", "S12"]
    assert (signed.self_level.number, signed.level.number) == (2, 1)
