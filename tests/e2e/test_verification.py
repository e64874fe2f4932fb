"""The enterprise's side of a consultant's review in Chromium: asking a consultancy, a returned questionnaire
with only the requested answer open, resubmitting, and the verified result beside the self-assessed one.

Photographed in Chinese and English (docs/screenshots/sme-*.png with SAVE_SCREENSHOTS=1).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessment.models import Assessment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from review.services import (
    consultant_assign,
    consultant_profile_save,
    review_comment_add,
    review_finalize,
    review_item_set,
    review_return,
    review_start,
)
from scoring.selectors import assessment_answers
from tests.e2e.accessibility import assert_controls_named, assert_no_horizontal_overflow
from tests.e2e.conftest import MOBILE, ContextFactory, Photographer, log_in
from tests.e2e.wizard import question, settle
from tests.helpers import answer_file, submit_filling_gaps

pytestmark = pytest.mark.django_db(transaction=True)

RETURN_MESSAGE = "感谢提交。F5 的答案与现场所见不符，请按要求修改后重新提交。"
CHANGE_MESSAGE = "现场看到 ERP 已用于采购、库存和财务管理，请选择相应选项，并上传 ERP 合同。"
ADJUST_REASON = "设备台账显示 120 台生产设备中仅 10 台为数字化设备，数字化率约 8%，应为 A 档。"


def _consultancy(lead: User, name: str, province: str, description: str) -> Organization:
    firm = organization_create(owner=lead, name=name, sector="M", size_band="small", province=province)
    firm.kind = Organization.Kind.CONSULTANCY
    firm.description = description
    firm.save(update_fields=["kind", "description"])
    return firm


def _people() -> tuple[Organization, User, User]:
    """Two consultancies in the directory (one lead); the first has a consultant, 王立, with a profile."""
    lead = User.objects.create_user("lead@consult.example", "pw-lead-12345")
    firm = _consultancy(
        lead,
        "苏州数字化评估中心",
        "32",
        "苏州市中小企业数字化转型试点城市的评估机构：按 2024 年指标现场核查佐证材料并评定等级。",
    )
    _consultancy(lead, "杭州智造咨询", "33", "为浙江制造企业提供数字化诊断和评估服务。")
    consultant = User.objects.create_user("consultant@consult.example", "pw-consultant-1")
    Membership.objects.create(user=consultant, organization=firm, role=Membership.Role.CONSULTANT)
    consultant_profile_save(
        user=consultant,
        family_name="王",
        given_name="立",
        qualification="苏州市数字化评估师",
        certificate_number="SZ-2024-017",
    )
    return firm, lead, consultant


def _return(assessment: Assessment, consultant: User) -> None:
    """The consultant verifies most answers, adjusts F2 with a reason, asks for a change to F5, returns."""
    review_start(assessment=assessment, consultant=consultant)
    for key in assessment_answers(assessment):
        if key not in ("F2", "F5"):
            review_item_set(assessment=assessment, reviewer=consultant, question_key=key, verdict="verified")
    review_item_set(
        assessment=assessment,
        reviewer=consultant,
        question_key="F2",
        verdict="adjusted",
        answer={"choice": "A"},
        reason=ADJUST_REASON,
    )
    review_item_set(
        assessment=assessment,
        reviewer=consultant,
        question_key="F5",
        verdict="change_requested",
        message=CHANGE_MESSAGE,
    )
    review_comment_add(assessment=assessment, author=consultant, body="下周二上午到厂核查，请准备设备台账。")
    review_comment_add(
        assessment=assessment, author=consultant, body="内部：F2 台账需与财务固定资产表核对", visibility="internal"
    )
    review_return(assessment=assessment, consultant=consultant, message=RETURN_MESSAGE)


def _check(page: Page, screenshot: Photographer, name: str, *, controls: int = 0) -> None:
    if controls:
        assert_controls_named(page, at_least=controls)
    assert_no_horizontal_overflow(page)
    screenshot(page, name)


def test_an_enterprise_asks_fixes_what_was_returned_and_reads_the_verified_result(
    page: Page,
    new_context: ContextFactory,
    screenshot: Photographer,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
) -> None:
    firm, lead, consultant = _people()
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=assessment, items=answer_file("miit-58.125.json"), answered_by=owner)
    submit_filling_gaps(assessment, owner)

    # The owner asks the consultancy from the directory; its lead assigns 王立.
    log_in(page, owner.email)
    page.goto(f"/orgs/{organization.pk}/verification/")
    page.locator(f'label[for="consultancy-{firm.pk}"]').click()
    page.locator("#id_message").fill("请核查我们 2024 年的自评结果，方便时安排现场核查。")
    page.locator("#request-form button[type=submit]").click()
    expect(page.locator(".messages .success")).to_contain_text("苏州数字化评估中心")
    consultant_assign(consultant=consultant, organization=organization, consultancy=firm, assigned_by=lead)
    page.reload()
    expect(page.locator("#reviewers .reviewer-name")).to_have_text("王立")
    _check(page, screenshot, "sme-verification", controls=3)

    _return(assessment, consultant)

    # The returned questionnaire opens at the requested answer; the others are locked.
    page.goto(f"/assessments/{assessment.pk}/")
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment.pk}/steps/1/#q-F5$"))
    expect(page.locator("#return-notice")).to_contain_text(RETURN_MESSAGE)
    expect(question(page, "F5").locator(".change-request")).to_contain_text(CHANGE_MESSAGE)
    for key in ("F1", "F2", "F3", "F4", "F6", "F7"):
        expect(question(page, key).locator(".locked-note")).to_be_visible()
        expect(question(page, key).locator("input, textarea, select, button")).to_have_count(0)
    expect(question(page, "F5").locator('input[name="choice"]').first).to_be_enabled()
    page.evaluate("window.scrollTo(0, 0)")
    _check(page, screenshot, "sme-wizard-returned", controls=5)

    # Only F5 can change: its autosave works and the notice says it changed.
    question(page, "F5").locator('input[name="choice"][value="C"]').check()
    settle(page)
    expect(question(page, "F5").locator(".answer-status .saved")).to_be_visible()
    page.reload()
    expect(page.locator("#change-requests .badge")).to_have_class(re.compile(r"\bok\b"))

    page.locator("#language-select").select_option("en")
    expect(page.locator("#return-notice h2")).to_have_text("Returned for changes")
    _check(page, screenshot, "sme-wizard-returned-en", controls=5)

    # Resubmitted; the consultant verifies the new F5 and signs off.
    page.goto(f"/assessments/{assessment.pk}/review/")
    page.locator("#id_pledge").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/results/")
    review_start(assessment=assessment, consultant=consultant)
    review_item_set(assessment=assessment, reviewer=consultant, question_key="F5", verdict="verified")
    review_finalize(
        assessment=assessment,
        consultant=consultant,
        statement="经现场核查设备台账、ERP 合同和财务报表，除 F2 外自评结果属实；F2 按台账调整为 A 档。",
    )

    page.reload()
    expect(page.locator("#verification-status")).to_contain_text("王立")
    expect(page.locator("#differences")).to_contain_text(ADJUST_REASON)
    _check(page, screenshot, "sme-results-verified-en", controls=3)
    page.locator("#language-select").select_option("zh-hans")
    expect(page.locator("#verification-status")).to_contain_text("苏州市数字化评估师")
    _check(page, screenshot, "sme-results-verified", controls=3)

    page.goto(f"/assessments/{assessment.pk}/comments/")
    expect(page.locator("body")).not_to_contain_text("内部")
    page.locator("#thread-general textarea").fill("好的，我们会准备设备台账和 ERP 合同。")
    page.locator("#thread-general button[type=submit]").click()
    expect(page.locator("#thread-general .comment-item")).to_have_count(2)
    _check(page, screenshot, "sme-comments", controls=3)

    page.goto(f"/assessments/{assessment.pk}/history/")
    expect(page.locator("#audit")).to_contain_text(RETURN_MESSAGE)
    expect(page.locator("#audit")).not_to_contain_text("F2 台账需与财务固定资产表核对")
    _check(page, screenshot, "sme-history")

    phone = new_context(viewport=MOBILE).new_page()
    log_in(phone, owner.email)
    phone.goto(f"/assessments/{assessment.pk}/results/")
    expect(phone.locator("#verified-total")).to_be_visible()
    _check(phone, screenshot, "sme-results-verified-mobile")
