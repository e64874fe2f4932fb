"""A realistic re-assessment (T1 after T0, among peers), rendered in both languages.

With SAVE_SAMPLES=1 the PDFs and their first pages as PNG are written to docs/samples/.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from assessment.models import Assessment, ConsultantAssignment, FrameworkVersion, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from reports.rendering import html_to_pdf, report_html
from reports.selectors import report_content
from review.services import review_comment_add
from scoring.engine.framework import Question
from scoring.selectors import framework_structure
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
    consultant = User.objects.create_user("consultant@example.com", first_name="李伟")
    ConsultantAssignment.objects.create(consultant=consultant, organization=firm)
    review_comment_add(
        assessment=t1,
        author=consultant,
        body="2026年11月现场核查：设备台账、ERP 与 MES 的使用情况与填报一致。建议优先推进 S01、S02 的工艺数据贯通。",
    )
    review_comment_add(
        assessment=t1, author=consultant, body="已核对设备台账：120 台生产设备中 52 台已数字化。", question_key="F2"
    )
    return t1


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_a_re_assessment_report_shows_progress_peers_and_a_roadmap(
    re_assessment: Assessment, language: str, tmp_path: Path
) -> None:
    content = report_content(re_assessment, language)
    assert content["view"].previous is not None
    assert content["view"].peers.withheld is None
    assert content["roadmap"]["now"]
    pdf = html_to_pdf(report_html(content))
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
