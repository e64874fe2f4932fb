"""Issue 13's "done when", in Chromium: an enterprise attaches documents and submits, asks a consultancy, whose
lead assigns a consultant; the consultant adjusts one answer, asks for a change to another and returns the
assessment; the enterprise changes that answer and resubmits; the consultant sees the change, signs off, and the
enterprise reads self-assessed beside verified and downloads the Chinese PDF that a real Celery worker rendered.

Only what a person cannot do on these pages is seeded: the accounts, the consultancy and a questionnaire with
every required answer. Photographed as docs/screenshots/journey-review-*.png with SAVE_SCREENSHOTS=1.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import FilePayload, Page, expect

from assessment.models import Assessment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from review.models import ReviewItem, Verification
from scoring.engine import missing_for_submission
from scoring.selectors import assessment_answers, framework_structure
from tests import evidence_files
from tests.conftest import WorkerFactory
from tests.e2e.conftest import ContextFactory, Photographer, log_in
from tests.e2e.wizard import question, settle
from tests.helpers import answer_file, lowest_item
from web.assessments.pages import questionnaire

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

LEAD_PASSWORD = "pw-lead-12345"
CONSULTANT_PASSWORD = "pw-consultant-1"
ASK = "请核查我们 2024 年的自评结果，附件为设备台账和 ERP 截图。"
ADJUST_REASON = "设备台账显示仅少数设备联网"
CHANGE_MESSAGE = "现场看到 ERP 已用于采购、仓储和财务，请按实际覆盖的业务环节选择。"
RETURN_MESSAGE = "F5 与现场所见不符，请修改后重新提交。"
STATEMENT = "经现场核查设备台账和 ERP 系统，除 F3 外自评结果属实；F3 按台账调整。"
LEDGER, SCREENSHOT = "设备台账.pdf", "ERP截图.png"


def _people() -> tuple[Organization, User, User]:
    """A consultancy with its lead and a consultant who has not yet filled in a profile."""
    lead = User.objects.create_user("lead@consult.example", LEAD_PASSWORD)
    firm = organization_create(owner=lead, name="苏州数字化评估中心", sector="M", size_band="small", province="32")
    firm.kind = Organization.Kind.CONSULTANCY
    firm.description = "按 2024 年指标现场核查佐证材料并评定等级。"
    firm.save(update_fields=["kind", "description"])
    consultant = User.objects.create_user("consultant@consult.example", CONSULTANT_PASSWORD)
    Membership.objects.create(user=consultant, organization=firm, role=Membership.Role.CONSULTANT)
    return firm, lead, consultant


def _answered_draft(organization: Organization, owner: User, version: FrameworkVersion) -> Assessment:
    """A draft with every required answer (F3 and F5 as tests/fixtures/answers/miit-58.125.json gives them: E, A)."""
    assessment = assessment_create(organization=organization, framework_version=version, created_by=owner)
    answers_upsert(assessment=assessment, items=answer_file("miit-58.125.json"), answered_by=owner)
    framework = framework_structure(version)
    missing = missing_for_submission(framework, assessment_answers(assessment))
    gaps = [lowest_item(framework.questions[m.question]) for m in missing if m.evidence is None]
    if gaps:
        answers_upsert(assessment=assessment, items=gaps, answered_by=owner)
    return assessment


def _shoot_window(page: Page, folder: Path, name: str) -> None:
    """The window as the person sees it: the review screen of 31 questions is too long for a full-page picture."""
    page.screenshot(path=str(folder / f"{name}.png"), animations="disabled", caret="hide")


def _attach(page: Page, key: str, payload: FilePayload) -> None:
    """Attach a document beside a question of the open wizard step through its upload form."""
    documents = page.locator(f"#q-{key}-documents")
    documents.locator("input[type=file]").set_input_files(payload)
    documents.locator("form.document-upload button[type=submit]").click()
    expect(page.locator(f"#q-{key}-documents .document-list")).to_contain_text(payload["name"])


def _verdict(page: Page, key: str, verdict: str, **text: str) -> None:
    """Give one answer a verdict through its form on the review screen (htmx swaps the question in place)."""
    section = page.locator(f"#rq-{key}")
    section.scroll_into_view_if_needed()
    section.locator(f'input[name="verdict"][value="{verdict}"]').check()
    for name, value in text.items():
        if name == "choice":
            section.locator(f'.part-answer input[name="choice"][value="{value}"]').check()
        else:
            section.locator(f"textarea[name={name}]").fill(value)
    section.locator(".verdict-form button[type=submit]").click()
    expect(page.locator(f"#rq-{key} .badge.verdict-{verdict}")).to_be_visible()
    settle(page)


def _shoot_pdf_page(pdf: Path, number: int, png: Path) -> None:
    """Page `number` of the PDF as a PNG, as a reader sees it."""
    command = ["pdftoppm", "-png", "-r", "80", "-f", str(number), "-l", str(number), "-singlefile"]
    subprocess.run([*command, str(pdf), str(png.with_suffix(""))], check=True)


def _squeezed(text: str) -> str:
    """The text without whitespace: pdftotext lays out columns and wraps lines as the page does."""
    return re.sub(r"\s+", "", text)


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_an_enterprise_is_verified_by_a_consultant_from_request_to_signed_report(
    new_context: ContextFactory,
    screenshot: Photographer,
    screenshot_dir: Path,
    celery_worker_process: WorkerFactory,
    settings: Any,
    tmp_path: Path,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
) -> None:
    celery_worker_process(queues="reports,celery", MEDIA_ROOT=str(settings.MEDIA_ROOT))
    firm, lead, consultant = _people()
    assessment = _answered_draft(organization, owner, miit)
    steps = questionnaire(miit).step_of
    wizard = f"/assessments/{assessment.pk}/steps/"

    # 1. The owner attaches the equipment ledger to F3 and a screenshot of the ERP to F5, then submits.
    sme = new_context(locale="zh-CN").new_page()
    log_in(sme, owner.email)
    sme.goto(f"{wizard}{steps['F3']}/")
    _attach(sme, "F3", {"name": LEDGER, "mimeType": "application/pdf", "buffer": evidence_files.pdf("ledger")})
    sme.goto(f"{wizard}{steps['F5']}/")
    _attach(sme, "F5", {"name": SCREENSHOT, "mimeType": "image/png", "buffer": evidence_files.png()})
    question(sme, "F5").scroll_into_view_if_needed()
    _shoot_window(sme, screenshot_dir, "journey-review-1-documents")
    sme.goto(f"/assessments/{assessment.pk}/review/")
    expect(sme.locator("#missing-list")).to_have_count(0)
    expect(sme.locator("#documents .documents-table")).to_contain_text(LEDGER)
    expect(sme.locator("#documents .documents-table")).to_contain_text(SCREENSHOT)
    screenshot(sme, "journey-review-1-submit")
    sme.locator("#id_pledge").check()
    sme.locator("main form button[type=submit]").last.click()
    sme.wait_for_url(f"**/assessments/{assessment.pk}/results/")

    # 2. It asks the consultancy from the directory.
    sme.goto(f"/orgs/{organization.pk}/verification/")
    sme.locator(f'label[for="consultancy-{firm.pk}"]').click()
    sme.locator("#id_message").fill(ASK)
    sme.locator("#request-form button[type=submit]").click()
    expect(sme.locator(".messages .success")).to_contain_text(firm.name)
    expect(sme.locator("#requests")).to_contain_text(firm.name)
    screenshot(sme, "journey-review-2-request")

    # 3. The consultancy's lead assigns the consultant.
    lead_page = new_context(locale="zh-CN").new_page()
    log_in(lead_page, lead.email, LEAD_PASSWORD)
    lead_page.goto(f"/consultancies/{firm.pk}/requests/")
    request_row = lead_page.locator("li.request")
    expect(request_row).to_contain_text(ASK)
    request_row.locator("select[name=consultant]").select_option(label=consultant.email)
    request_row.locator("form.inline-form button[type=submit]").first.click()
    expect(lead_page.locator(".messages .success")).to_be_visible()
    screenshot(lead_page, "journey-review-3-assigned")

    # 4. The consultant fills in the profile, finds the assessment in the queue and starts the review.
    desk = new_context(locale="zh-CN").new_page()
    desk.on("dialog", lambda dialog: dialog.accept())  # the sign-off and "verify the rest" ask first
    log_in(desk, consultant.email, CONSULTANT_PASSWORD)
    desk.goto("/review/profile/")
    desk.locator("#id_family_name").fill("王")
    desk.locator("#id_given_name").fill("立")
    desk.locator("#id_qualification").fill("苏州市数字化评估师")
    desk.locator("#id_certificate_number").fill("SZ-2024-017")
    desk.locator('form[action$="/review/profile/"] button[type=submit]').click()
    expect(desk.locator(".messages .success")).to_be_visible()
    desk.goto("/review/")
    row = desk.locator("table.review-queue tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(organization.name)
    screenshot(desk, "journey-review-4-queue")
    row.locator("a").first.click()
    desk.wait_for_url(f"**/review/assessments/{assessment.pk}/")
    desk.locator("form.start-review button[type=submit]").click()
    expect(desk.locator("form.start-review")).to_have_count(0)
    expect(desk.locator("#rq-F3 .rq-answer")).to_contain_text(LEDGER)
    expect(desk.locator("#rq-F5 .rq-answer")).to_contain_text(SCREENSHOT)

    _verdict(desk, "F3", "adjusted", choice="B", reason=ADJUST_REASON)
    expect(desk.locator("#rq-F3 .rq-adjusted")).to_contain_text("(10%,20%]")
    _verdict(desk, "F5", "change_requested", message=CHANGE_MESSAGE)
    desk.locator("#rq-F3").scroll_into_view_if_needed()
    _shoot_window(desk, screenshot_dir, "journey-review-4-verdicts")
    desk.locator("form.verify-remaining button[type=submit]").click()
    expect(desk.locator("form.verify-remaining")).to_have_count(0)
    answered = len(assessment_answers(assessment))
    assert ReviewItem.objects.filter(assessment=assessment, verdict="verified").count() == answered - 2
    desk.locator("#review-actions textarea[name=message]").fill(RETURN_MESSAGE)
    desk.locator('form[action$="/return/"] button[type=submit]').click()
    expect(desk.locator(".badge.status-returned").first).to_be_visible()
    desk.evaluate("window.scrollTo(0, 0)")
    _shoot_window(desk, screenshot_dir, "journey-review-4-returned")

    # 5. The enterprise reads why, changes F5 (the only open answer) and resubmits.
    sme.goto(f"/assessments/{assessment.pk}/")
    expect(sme).to_have_url(re.compile(rf"/assessments/{assessment.pk}/steps/{steps['F5']}/#q-F5$"))
    expect(sme.locator("#return-notice")).to_contain_text(RETURN_MESSAGE)
    f5 = question(sme, "F5")
    expect(f5.locator(".change-request")).to_contain_text(CHANGE_MESSAGE)
    expect(question(sme, "F3").locator(".locked-note")).to_be_visible()
    f5.locator('input[name="choice"][value="C"]').check()
    settle(sme)
    expect(f5.locator(".answer-status .saved")).to_be_visible()
    sme.evaluate("window.scrollTo(0, 0)")
    _shoot_window(sme, screenshot_dir, "journey-review-5-returned")
    sme.goto(f"/assessments/{assessment.pk}/review/")
    sme.locator("#id_pledge").check()
    sme.locator("main form button[type=submit]").last.click()
    sme.wait_for_url(f"**/assessments/{assessment.pk}/results/")

    # 6. The consultant sees what changed, starts again, verifies the new F5 and signs off.
    desk.goto(f"/review/assessments/{assessment.pk}/")
    expect(desk.locator("#changes")).to_contain_text("F5")
    expect(desk.locator("#rq-F5 .badge.changed")).to_be_visible()
    expect(desk.locator("#rq-F5 .rq-change ins")).to_contain_text("多个业务环节")
    _shoot_window(desk, screenshot_dir, "journey-review-6-changes")
    desk.locator("form.start-review button[type=submit]").click()
    expect(desk.locator("form.start-review")).to_have_count(0)
    _verdict(desk, "F5", "verified")
    expect(desk.locator("#finalize-checklist .holds")).to_be_visible()
    desk.locator('form[action$="/finalize/"] textarea[name=statement]').fill(STATEMENT)
    desk.locator('form[action$="/finalize/"] button[type=submit]').click()
    expect(desk.locator("#signed-title")).to_be_visible()
    expect(desk.locator(".review-actions .signed")).to_contain_text("王立")
    desk.evaluate("window.scrollTo(0, 0)")
    _shoot_window(desk, screenshot_dir, "journey-review-6-signed")

    # 7. The enterprise reads self-assessed beside verified, with the reason, and downloads the Chinese report.
    verification = Verification.objects.get(assessment=assessment)
    with translation.override("zh-hans"):
        verified_level = questionnaire(miit).level_name(verification.level)
    sme.goto(f"/assessments/{assessment.pk}/results/")
    expect(sme.locator("#verification-status")).to_contain_text("王立")
    expect(sme.locator("#verified-level-badge")).to_have_text(verified_level)
    expect(sme.locator("#differences")).to_contain_text(ADJUST_REASON)
    verified_total = sme.locator("#verified-total").inner_text().split("/")[0].strip()
    assert verified_total != sme.locator("#total-score").inner_text().split("/")[0].strip()
    sme.locator("#report-language").select_option("zh-Hans")
    sme.locator("#report-panel form button[type=submit]").click()
    report = sme.locator("#report-list li.report").first
    expect(report).to_have_class(re.compile(r"\breport-ready\b"), timeout=90_000)  # polled every 2 s
    screenshot(sme, "journey-review-7-results")
    with sme.expect_download() as download_info:
        report.locator("a.download").click()
    pdf = tmp_path / "report.pdf"
    download_info.value.save_as(pdf)
    pages = [_squeezed(page) for page in _pdf_text(pdf).split("\f")]
    with translation.override("zh-hans"):
        mark = _squeezed(gettext("verified"))
    assert _squeezed(verified_level) + mark in pages[0]  # the cover: the verified level, the self-assessed beside it
    assert "王立" in pages[0]  # the stamp and "verified by"
    chapter = next(number for number, text in enumerate(pages, start=1) if _squeezed(ADJUST_REASON) in text)
    assert _squeezed(verified_total) in pages[chapter - 1]
    signoff = next(text for text in reversed(pages) if text.strip())  # the last page: the signed statement
    for expected in ("王立", STATEMENT):
        assert _squeezed(expected) in signoff
    _shoot_pdf_page(pdf, chapter, screenshot_dir / "journey-review-7-report.png")
