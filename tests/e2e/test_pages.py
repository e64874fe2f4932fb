"""Every page in Chromium: it renders, names every form control, fits the window, and is photographed.

The PNGs go to a temporary directory, or to docs/screenshots/ with SAVE_SCREENSHOTS=1.
"""

from __future__ import annotations

import re

import pytest
from django.core.mail import EmailMessage
from playwright.sync_api import Page, Response, expect

from assessment.models import Assessment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create, assessment_submit
from reports.services import report_render, report_request
from tests.e2e.accessibility import assert_controls_named, assert_no_horizontal_overflow
from tests.e2e.conftest import MOBILE, ContextFactory, Photographer, log_in
from tests.e2e.wizard import MIIT_PLAN, items, question, settle
from tests.helpers import submit_filling_gaps

pytestmark = pytest.mark.django_db(transaction=True)


def _history(organization: Organization, owner: User, miit: FrameworkVersion) -> tuple[Assessment, Assessment]:
    """A submitted first assessment (T0), its submitted re-assessment (T1) and a draft begun after them."""
    first = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=first, items=items({"F1": {"choices": ["B"]}}), answered_by=owner)
    submit_filling_gaps(first, owner)
    second = assessment_create(organization=organization, framework_version=miit, created_by=owner, previous=first)
    answers_upsert(assessment=second, items=items(MIIT_PLAN), answered_by=owner)
    assessment_submit(assessment=second, submitted_by=owner, pledge=True)
    report, _created = report_request(assessment=second, language="zh-Hans", requested_by=owner)
    report_render(report_id=report.pk)  # what the worker does, here in the test
    draft = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    return second, draft


def _login_post(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/login/")


def _check(page: Page, screenshot: Photographer, name: str, *, controls: int = 1) -> None:
    assert_controls_named(page, at_least=controls)
    assert_no_horizontal_overflow(page)
    screenshot(page, name)


def test_the_pages_before_log_in_and_a_lockout_that_a_password_reset_ends(
    page: Page, screenshot: Photographer, organization: Organization, mailoutbox: list[EmailMessage]
) -> None:
    respondent = User.objects.create_user("respondent@example.com", "pw-owner-1234")
    Membership.objects.create(user=respondent, organization=organization, role=Membership.Role.RESPONDENT)
    page.goto("/signup/")
    _check(page, screenshot, "01-signup", controls=12)
    page.goto("/login/")
    _check(page, screenshot, "02-login", controls=3)

    # Five wrong passwords lock the account out from this address (django-axes): the lock-out page, 429.
    for attempt in range(1, 6):
        page.locator("#id_username").fill(respondent.email)
        page.locator("#id_password").fill("wrong password")
        with page.expect_response(_login_post) as sent, page.expect_event("load"):
            page.locator("main button[type=submit]").click()
        assert sent.value.status == (429 if attempt == 5 else 200)
    _check(page, screenshot, "03-lockout")

    # Its "reset your password" link: the emailed link sets a new password, which lets the person in at once.
    page.locator('main a[href="/password-reset/"]').click()
    _check(page, screenshot, "04-password-reset", controls=2)
    page.locator("#id_email").fill(respondent.email)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/password-reset/done/")
    body = str(mailoutbox[0].body)
    link = re.search(r"https?://\S+/reset/\S+/", body)
    assert link is not None, body
    page.goto(link.group())
    page.wait_for_url("**/set-password/")
    _check(page, screenshot, "05-password-reset-new-password", controls=3)
    page.locator("#id_new_password1").fill("a-new-Passphrase-42")
    page.locator("#id_new_password2").fill("a-new-Passphrase-42")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/reset/done/")
    log_in(page, respondent.email, "a-new-Passphrase-42")
    expect(page).to_have_url(re.compile(rf"/orgs/{organization.pk}/$"))


def test_the_organisation_and_assessment_pages(
    page: Page,
    new_context: ContextFactory,
    screenshot: Photographer,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
) -> None:
    submitted, draft = _history(organization, owner, miit)
    log_in(page, owner.email)
    expect(page).to_have_url(re.compile(rf"/orgs/{organization.pk}/$"))
    expect(page.locator("#assessments tbody tr")).to_have_count(3)
    expect(page.locator("figure.chart svg")).to_have_count(1)  # T0 → T1
    _check(page, screenshot, "06-organisation-home", controls=3)

    page.locator('.org-nav a[href$="/profile/"]').click()
    _check(page, screenshot, "07-profile", controls=8)

    page.locator('.org-nav a[href$="/members/"]').click()
    page.locator("#id_email").fill("viewer@example.com")
    page.locator("#id_role").select_option("viewer")
    page.locator("form:has(#id_email) button[type=submit]").click()
    expect(page.locator(".messages .success")).to_contain_text("viewer@example.com")
    _check(page, screenshot, "08-members", controls=3)

    page.locator('.org-nav a[href$="/api-keys/"]').click()
    page.locator("#id_name").fill("Bank credit system")
    page.locator("#id_expires_in_days").fill("90")
    page.locator("form:has(#id_name) button[type=submit]").click()
    expect(page.locator("#new-key-secret")).to_be_visible()
    _check(page, screenshot, "09-api-keys", controls=4)

    # The draft: one question answered, another with evidence only, so the suggestion and saved states show.
    page.goto(f"/assessments/{draft.pk}/steps/1/")
    f2 = question(page, "F2")
    f2.locator('[name="evidence.devices_total"]').fill("120")
    f2.locator('[name="evidence.devices_digital"]').fill("54")
    f2.locator('[name="evidence.devices_digital"]').press("Tab")
    settle(page)
    expect(f2.locator(".suggestion")).to_be_visible()
    question(page, "F1").locator('input[name=choices][value="B"]').check()
    settle(page)
    _check(page, screenshot, "10-wizard-step-1", controls=30)
    page.locator(".pager a[rel=next]").click()
    _check(page, screenshot, "11-wizard-step-2-scenarios", controls=20)
    page.goto(f"/assessments/{draft.pk}/review/")
    expect(page.locator("#missing-list li")).to_have_count(len(MIIT_PLAN) - 1)
    _check(page, screenshot, "12-review", controls=2)

    page.goto(f"/assessments/{submitted.pk}/results/")
    expect(page.locator("#level-badge")).to_have_text("二级")
    expect(page.locator("#report-list .badge")).to_have_text("已就绪")
    _check(page, screenshot, "13-results", controls=5)
    page.locator("#language-select").select_option("en")
    expect(page.locator("#level-badge")).to_have_text("Level 2")
    _check(page, screenshot, "14-results-en", controls=5)

    phone = new_context(viewport=MOBILE).new_page()
    log_in(phone, owner.email)
    phone.goto(f"/assessments/{draft.pk}/steps/1/")
    _check(phone, screenshot, "15-wizard-mobile", controls=30)
