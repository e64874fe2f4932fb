"""A realistic re-assessment (T1 after T0, among peers), rendered in both languages, self-assessed and then
verified by a consultant.

With SAVE_SAMPLES=1 the PDFs are written to docs/samples/ with a page of each as PNG: the self-assessed
report's first page, the verified report's verification chapter.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from assessment.models import Assessment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from reports.models import Report
from reports.selectors import report_content
from reports.services import report_render, report_request
from review.services import (
    consultant_assign,
    consultant_profile_save,
    review_comment_add,
    review_finalize,
    review_item_set,
    review_start,
    verification_request_create,
)
from scoring.engine.framework import Question
from scoring.selectors import assessment_answers, framework_structure
from tests.helpers import established_organization, submit_filling_gaps

SAMPLES = Path(settings.BASE_DIR) / "docs" / "samples"
LEVELS_T0 = [1, 1, 0, 1, 2, 1, 0, 1, 1, 0, 1, 2, 1, 0, 1, 0]
LEVELS_T1 = [2, 2, 1, 2, 3, 2, 1, 2, 2, 1, 2, 3, 2, 1, 2, 1]


def items(version: FrameworkVersion, levels: list[int], step: int) -> list[dict[str, Any]]:
    """Answers of a firm part-way along: the `step`-th option of each question, scenarios at `levels`."""
    framework = framework_structure(version)
    answers: list[dict[str, Any]] = []
    scenarios = iter(levels)
    for question in framework.questions.values():
        answers.append(_item(question, step, scenarios))
    return answers


def _item(question: Question, step: int, scenarios: Any) -> dict[str, Any]:
    if question.kind == "scenario":
        return {"question": question.key, "level": next(scenarios)}
    options = [o for o in question.options if not o.exclusive]
    if question.kind == "single_choice":
        return {"question": question.key, "choice": question.options[min(step, len(question.options) - 1)].key}
    return {"question": question.key, "choices": [o.key for o in options[: step + 1]]}


def consultant_of_a_consultancy(owner: User, firm: Organization) -> User:
    """A consultancy's consultant, assigned by its lead to `firm`, which asked the consultancy."""
    lead = User.objects.create_user("lead@example.com")
    consultancy = organization_create(
        owner=lead, name="苏州数字化转型评估中心", sector="M", size_band="small", province="32"
    )
    Organization.objects.filter(pk=consultancy.pk).update(kind=Organization.Kind.CONSULTANCY)
    consultancy.refresh_from_db()
    consultant = User.objects.create_user("consultant@example.com")
    Membership.objects.create(user=consultant, organization=consultancy, role=Membership.Role.CONSULTANT)
    consultant_profile_save(
        user=consultant,
        family_name="李",
        given_name="伟",
        qualification="苏州市中小企业数字化转型评估师",
        certificate_number="SZDT-2026-0137",
    )
    verification_request_create(organization=firm, consultancy=consultancy, requested_by=owner)
    consultant_assign(consultant=consultant, organization=firm, consultancy=consultancy, assigned_by=lead)
    return consultant


@pytest.fixture
def re_assessment(miit: FrameworkVersion, owner: User) -> Assessment:
    for n in range(12):  # established peers, enough for quartiles
        peer = established_organization(owner, f"同行企业{n}", n + 1)
        other = assessment_create(organization=peer, framework_version=miit, created_by=owner)
        answers_upsert(assessment=other, answered_by=owner, items=items(miit, LEVELS_T0, n % 4))
        submit_filling_gaps(other, owner)
    firm = organization_create(
        owner=owner, name="苏州精工智造科技有限公司", sector="C", size_band="small", province="32", employees=180
    )
    t0 = assessment_create(organization=firm, framework_version=miit, created_by=owner)
    answers_upsert(assessment=t0, answered_by=owner, items=items(miit, LEVELS_T0, 1))
    submit_filling_gaps(t0, owner)
    t1 = assessment_create(organization=firm, framework_version=miit, created_by=owner, previous=t0)
    answers = items(miit, LEVELS_T1, 2)
    answers[1]["evidence"] = {"devices_total": 120, "devices_digital": 52}
    answers[4]["comment"] = "ERP（用友U8）覆盖采购、销售、库存和财务；MES 于 2026 年一季度上线。"
    answers_upsert(assessment=t1, answered_by=owner, items=answers)
    t1 = submit_filling_gaps(t1, owner)
    consultant = consultant_of_a_consultancy(owner, firm)
    review_comment_add(
        assessment=t1,
        author=consultant,
        body="2026年11月现场核查：设备台账、ERP 与 MES 的使用情况与填报一致。建议优先推进 S01、S02 的工艺数据贯通。",
    )
    review_comment_add(
        assessment=t1, author=consultant, body="已核对设备台账：120 台生产设备中 52 台已数字化。", question_key="F2"
    )
    return t1


def issued_pdf(assessment: Assessment, language: str, settings: Any) -> bytes:
    """The PDF as the worker issues it: with its number, verification code and the address that checks it."""
    settings.SITE_URL = "https://dma.example.cn"
    report, _ = report_request(assessment=assessment, language=language, requested_by=None)
    done = report_render(report_id=report.pk)
    assert done is not None
    assert done.status == Report.Status.READY, done.error
    with done.file.open("rb") as stored:
        return stored.read()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_a_re_assessment_report_shows_progress_peers_and_a_roadmap(
    re_assessment: Assessment, language: str, tmp_path: Path, settings: Any
) -> None:
    content = report_content(re_assessment, language)
    assert content["view"].previous is not None
    assert content["view"].peers.withheld is None
    assert content["roadmap"].horizons["now"]
    pdf = issued_pdf(re_assessment, language, settings)
    target = SAMPLES if os.environ.get("SAVE_SAMPLES") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"report-{language}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "苏州精工智造科技有限公司" in text
    assert ("与上次评测相比" if language == "zh-Hans" else "Change since the previous assessment") in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(path), str(path.with_suffix(""))],
        check=True,
    )


# The consultant's verdicts on the re-assessment: (answer, reason) for the adjusted ones.
ADJUSTED = {
    "F3": ({"choice": "B"}, "设备联网清单显示 120 台生产设备中 18 台接入数据采集平台（15%），其余为单机运行。"),
    "S05": ({"level": 2}, "APS 排程系统仍在试运行，车间排产以 Excel 为主，达到二级要求，尚未达到三级。"),
}
UNVERIFIABLE = {"S12": "现场未能提供 WMS 的运行记录和出入库数据，无法核实仓储物流场景的等级。"}
STATEMENT = (
    "本人于 2026 年 11 月对该企业进行了现场评定，核对了设备台账、信息系统运行记录和相关合同。"
    "除上列调整外，企业填报情况属实。"
)


@pytest.fixture
def verified_re_assessment(re_assessment: Assessment) -> Assessment:
    consultant = User.objects.get(email="consultant@example.com")
    review_start(assessment=re_assessment, consultant=consultant)
    for key in assessment_answers(re_assessment):
        verdict: dict[str, Any] = {"verdict": "verified"}
        if key in ADJUSTED:
            verdict = {"verdict": "adjusted", "answer": ADJUSTED[key][0], "reason": ADJUSTED[key][1]}
        elif key in UNVERIFIABLE:
            verdict = {"verdict": "unverifiable", "reason": UNVERIFIABLE[key]}
        review_item_set(assessment=re_assessment, reviewer=consultant, question_key=key, **verdict)
    review_finalize(assessment=re_assessment, consultant=consultant, statement=STATEMENT)
    return re_assessment


def chapter_page(path: Path, heading: str) -> int:
    """The first page after the cover whose running header names the chapter `heading`."""
    pages = int(re.search(r"Pages:\s+(\d+)", run(["pdfinfo", str(path)])).group(1))  # type: ignore[union-attr]
    for page in range(2, pages + 1):
        if heading in run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"]):
            return page
    raise AssertionError(f"no page of {path.name} is headed {heading!r}")


def run(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "verified_level"), [("zh-Hans", "二级"), ("en", "Level 2")])
def test_a_verified_re_assessment_report_shows_the_consultants_sign_off(
    verified_re_assessment: Assessment, language: str, verified_level: str, tmp_path: Path, settings: Any
) -> None:
    content = report_content(verified_re_assessment, language)
    assert content["verification"].state == "verified"
    pdf = issued_pdf(verified_re_assessment, language, settings)
    target = SAMPLES if os.environ.get("SAVE_SAMPLES") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"report-verified-{language}.pdf"
    path.write_bytes(pdf)
    text = " ".join(run(["pdftotext", str(path), "-"]).split())
    assert "李伟" in text
    assert "SZDT-2026-0137" in text
    assert verified_level in text
    unwrapped = "".join(text.split())  # a Chinese line wraps without a space, pdftotext joins with one
    for _, reason in ADJUSTED.values():
        assert "".join(reason.split()) in unwrapped
    with translation.override("en" if language == "en" else "zh-hans"):
        page = chapter_page(path, gettext("Consultant verification"))
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(path.with_suffix("")),
        ],
        check=True,
    )
