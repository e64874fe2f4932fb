"""The consultant's pages in Chromium: the queue, the review screen in Chinese and English, a verdict and a
comment given through the screen's forms, the profile and a consultancy's requests; each photographed.

The PNGs go to a temporary directory, or to docs/screenshots/review-*.png with SAVE_SCREENSHOTS=1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assessment.models import Assessment, ConsultantAssignment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.documents import document_add
from review.models import ReviewComment, ReviewItem
from review.services import (
    assessment_resubmit,
    review_comment_add,
    review_item_set,
    review_return,
    review_start,
    verification_request_create,
)
from tests.e2e.accessibility import assert_controls_named, assert_no_horizontal_overflow
from tests.e2e.conftest import ContextFactory, Photographer, log_in
from tests.evidence_files import pdf, upload
from tests.helpers import answer_file, submit_filling_gaps
from tests.review.conftest import assignment, consultancy, consultant, lead

__all__ = ["assignment", "consultancy", "consultant", "lead"]

pytestmark = pytest.mark.django_db(transaction=True)

CONSULTANT_PASSWORD = "pw-consultant-1"  # tests/review/conftest.py
LEAD_PASSWORD = "pw-lead-12345"


@pytest.fixture
def resubmitted(
    organization: Organization, owner: User, miit: FrameworkVersion, consultant: User, assignment: ConsultantAssignment
) -> Assessment:
    """An assessment whose own figures contradict two answers, reviewed, returned for M4, changed and resubmitted,
    and under review again."""
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers = {item["question"]: item for item in answer_file("miit-58.125.json")}
    answers["F2"] = {**answers["F2"], "evidence": {"devices_total": 100, "devices_digital": 30}}  # 30 %: C, not E
    answers["F3"] = {**answers["F3"], "evidence": {"devices_networked": 130}}  # more than the 100 devices
    answers["M4"] = {**answers["M4"], "comment": "数字化投入见2024年财务报表附注"}
    answers_upsert(assessment=assessment, items=list(answers.values()), answered_by=owner)
    for name, key in (("生产设备台账.pdf", "F2"), ("2024年财务报表.pdf", "")):
        document_add(assessment=assessment, uploaded_by=owner, upload=upload(pdf(name), name), question_key=key)
    submit_filling_gaps(assessment, owner)
    review_start(assessment=assessment, consultant=consultant)
    for key in ("F1", "F4", "F5", "F6", "F7", "S01", "S02"):
        review_item_set(assessment=assessment, reviewer=consultant, question_key=key, verdict="verified")
    review_item_set(
        assessment=assessment,
        reviewer=consultant,
        question_key="M4",
        verdict="change_requested",
        message="请上传数字化投入的发票或合同",
    )
    review_return(assessment=assessment, consultant=consultant, message="请补充M4的证明材料")
    changed = {"question": "M4", "choice": "C", "comment": "数字化投入见2024年财务报表附注，发票已上传"}
    answers_upsert(assessment=assessment, items=[changed], answered_by=owner)
    assessment_resubmit(assessment=assessment, submitted_by=owner, pledge=True)
    review_start(assessment=assessment, consultant=consultant)
    review_item_set(
        assessment=assessment,
        reviewer=consultant,
        question_key="F3",
        verdict="adjusted",
        answer={"choice": "C"},
        reason="设备台账显示联网设备约40台",
    )
    review_comment_add(
        assessment=assessment, author=consultant, body="请提供设备台账扫描件", question_key="F2", visibility="shared"
    )
    review_comment_add(
        assessment=assessment, author=consultant, body="现场核对时重点看F2", question_key="F2", visibility="internal"
    )
    return assessment


def _shoot_top(page: Page, folder: Path, name: str) -> None:
    """The window as the consultant first sees it (the full page of 31 questions is too long to read)."""
    page.screenshot(path=str(folder / f"{name}.png"), animations="disabled", caret="hide")


def test_the_review_screen_in_chinese_with_a_verdict_and_a_comment_given_on_it(
    new_context: ContextFactory,
    screenshot: Photographer,
    screenshot_dir: Path,
    resubmitted: Assessment,
    consultant: User,
) -> None:
    page = new_context(locale="zh-CN").new_page()
    log_in(page, consultant.email, CONSULTANT_PASSWORD)

    page.goto("/review/")
    row = page.locator("table.review-queue tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(resubmitted.organization.name)
    assert_controls_named(page, at_least=2)
    assert_no_horizontal_overflow(page)
    screenshot(page, "review-queue")

    row.locator("a").click()
    page.wait_for_url(f"**/review/assessments/{resubmitted.pk}/")
    # Chinese as Chinese: the framework's own dimension names, and the enterprise's words as typed.
    expect(page.locator("#dimension-foundation")).to_have_text("数字化基础")
    expect(page.locator("#rq-M4")).to_contain_text("数字化投入见2024年财务报表附注")
    # What changed since the return, at the top and on the question.
    expect(page.locator("#changes")).to_contain_text("M4")
    expect(page.locator("#rq-M4 .rq-change")).to_be_visible()
    # The enterprise's own figures contradict F2 (30 % is option C, "(20%,40%]") and F3 (130 of 100 devices).
    expect(page.locator("#rq-F2 .rq-flag")).to_contain_text("(20%,40%]")
    expect(page.locator("#rq-F3 .rq-flag")).to_contain_text("130")
    expect(page.locator("#rq-F2 .comment-item.is-internal")).to_contain_text("现场核对时重点看F2")
    expect(page.locator("#rq-F2 .document-list a")).to_have_text("生产设备台账.pdf")
    assert_controls_named(page, at_least=50)
    assert_no_horizontal_overflow(page)
    _shoot_top(page, screenshot_dir, "review-screen")

    # Adjust F2 through its own input: the reason field and the answer appear with the verdict chosen.
    f2 = page.locator("#rq-F2")
    f2.scroll_into_view_if_needed()
    expect(f2.locator(".part-answer")).to_be_hidden()
    f2.locator('input[name="verdict"][value="adjusted"]').check()
    expect(f2.locator(".part-answer")).to_be_visible()
    expect(f2.locator(".part-message")).to_be_hidden()
    f2.locator('.part-answer input[name="choice"][value="C"]').check()
    # Without a reason the service refuses; the form says why and keeps what was chosen.
    f2.locator("button[type=submit]").first.click()
    expect(page.locator("#rq-F2 .part-reason .errorlist")).to_be_visible()
    f2 = page.locator("#rq-F2")
    expect(f2.locator('.part-answer input[name="choice"][value="C"]')).to_be_checked()
    f2.locator("textarea[name=reason]").fill("设备台账显示数字化设备30台，占比30%")
    f2.locator(".verdict-form button[type=submit]").click()
    expect(page.locator("#rq-F2 .badge.verdict-adjusted")).to_be_visible()
    expect(page.locator("#rq-F2 .rq-adjusted")).to_contain_text("(20%,40%]")
    expect(page.locator("#review-summary .differences")).to_contain_text("F2")
    item = ReviewItem.objects.get(assessment=resubmitted, question__key="F2")
    assert (item.verdict, item.answer, item.reason) == (
        "adjusted",
        {"choice": "C"},
        "设备台账显示数字化设备30台，占比30%",
    )

    # A shared comment in F5's thread, posted in place.
    f5 = page.locator("#rq-F5")
    f5.locator(".rq-thread summary").click()
    f5.locator("textarea[name=body]").fill("请说明2023年的数字化投入")
    f5.locator(".comment-form button[type=submit]").click()
    expect(page.locator("#thread-F5 .comment-item")).to_contain_text("请说明2023年的数字化投入")
    assert ReviewComment.objects.filter(assessment=resubmitted, question__key="F5", visibility="shared").exists()

    page.locator("#rq-F2 .rq-history summary").click()
    expect(page.locator("#rq-F2 .history")).to_contain_text("设备台账显示数字化设备30台")  # the reason, in its history
    page.locator("#rq-F2").screenshot(path=str(screenshot_dir / "review-question.png"), animations="disabled")


def test_the_review_screen_in_english_the_profile_and_the_requests(
    new_context: ContextFactory,
    screenshot: Photographer,
    screenshot_dir: Path,
    resubmitted: Assessment,
    consultant: User,
    lead: User,
    consultancy: Organization,
) -> None:
    page = new_context(locale="en-GB").new_page()
    log_in(page, consultant.email, CONSULTANT_PASSWORD)
    page.goto(f"/review/assessments/{resubmitted.pk}/")
    expect(page.locator("#dimension-foundation")).to_have_text("Digital foundation")
    expect(page.locator("#review-summary")).to_contain_text("Self-assessed")
    expect(page.locator("#finalize-checklist")).to_contain_text("no verdict")
    assert_no_horizontal_overflow(page)
    _shoot_top(page, screenshot_dir, "review-screen-en")

    page.goto("/review/profile/")
    expect(page.locator("#id_family_name")).to_have_value("王")
    assert_controls_named(page, at_least=6)
    assert_no_horizontal_overflow(page)
    screenshot(page, "review-profile")

    # The lead's page: a second enterprise asks; its refusal (a declared conflict) is shown beside the request.
    other = Organization.objects.create(name="杭州智造科技有限公司", sector="C", size_band="small", province="33")
    other_owner = User.objects.create_user("owner@hz.example", "pw-owner-1234")
    other.memberships.create(user=other_owner, role="owner")
    verification_request_create(
        organization=other, consultancy=consultancy, requested_by=other_owner, message="希望在三月底前完成现场评定"
    )
    consultant.conflicts.create(organization=other, reason="曾为该企业提供数字化改造咨询")
    lead_page = new_context(locale="zh-CN").new_page()
    log_in(lead_page, lead.email, LEAD_PASSWORD)
    lead_page.goto(f"/consultancies/{consultancy.pk}/requests/")
    request_row = lead_page.locator("li.request")
    expect(request_row).to_contain_text("希望在三月底前完成现场评定")
    request_row.locator("select[name=consultant]").select_option(label=consultant.email)
    request_row.locator("form.inline-form button[type=submit]").first.click()
    # The refusal names who and where (its wording is the service's, in the page's language once translated).
    expect(lead_page.locator("li.request .refusal")).to_contain_text(consultant.email)
    expect(lead_page.locator("li.request .refusal")).to_contain_text(other.name)
    assert not ConsultantAssignment.objects.filter(organization=other).exists()
    assert_controls_named(lead_page, at_least=2)
    assert_no_horizontal_overflow(lead_page)
    screenshot(lead_page, "review-requests")


def test_a_consultancy_signs_up_and_lands_on_its_review_queue(
    new_context: ContextFactory, screenshot: Photographer
) -> None:
    page = new_context(locale="zh-CN").new_page()
    page.goto("/signup/")
    expect(page.locator("#id_description")).to_be_hidden()  # an enterprise's form first
    page.locator('input[name="kind"][value="consultancy"]').check()
    expect(page.locator("#id_description")).to_be_visible()
    expect(page.locator("#id_employees")).to_be_hidden()  # a consultancy is not asked an enterprise's figures
    page.locator("#id_email").fill("lead@assess.example")
    page.locator("#id_password1").fill("a-long-Passphrase-42")
    page.locator("#id_password2").fill("a-long-Passphrase-42")
    page.locator("#id_name").fill("苏州数字化评估中心")
    page.locator("#id_description").fill("为苏州市中小企业数字化转型试点企业提供现场评定")
    page.locator("#id_province").select_option("32")
    page.locator("#id_size_band").select_option("small")
    assert_controls_named(page, at_least=8)
    assert_no_horizontal_overflow(page)
    screenshot(page, "review-signup-consultancy")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/review/")
    firm = Organization.objects.get(name="苏州数字化评估中心")
    assert (firm.kind, firm.sector) == ("consultancy", "M")
    expect(page.locator(f'a[href="/consultancies/{firm.pk}/requests/"]')).to_be_visible()
