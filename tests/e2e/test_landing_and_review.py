"""In Chromium: the landing page a visitor sees, the warning a contradiction gets in the questionnaire, the review of
every answer before the submit, and the 404 page; each photographed in both languages (CSP violations fail)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from tests.e2e.accessibility import assert_controls_named, assert_no_horizontal_overflow
from tests.e2e.conftest import ContextFactory, Photographer, log_in
from tests.e2e.wizard import MIIT_PLAN, items, question, settle
from web.assessments.pages import questionnaire

pytestmark = pytest.mark.django_db(transaction=True)

LOCALES = {"zh-hans": "zh-CN", "en": "en-GB"}


def _fits(page: Page, screenshot: Photographer, name: str) -> None:
    assert_no_horizontal_overflow(page)
    screenshot(page, name)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_visitor_learns_what_the_service_is_and_can_sign_up(
    new_context: ContextFactory, screenshot: Photographer, language: str
) -> None:
    page = new_context(locale=LOCALES[language]).new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans" if language == "zh-hans" else "en")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#audience-title")).to_be_visible()
    expect(page.locator(".landing-cards li")).to_have_count(4)
    expect(page.locator(".landing-features li")).to_have_count(5)
    # The language switch names each language in its own language.
    expect(page.locator("#language-select option")).to_have_text(["简体中文", "English"])
    _fits(page, screenshot, "landing" if language == "en" else "landing-zh")
    page.locator(".landing-hero a.button").first.click()
    page.wait_for_url("**/signup/")
    page.goto("/")
    page.locator(".landing-hero a.button.secondary").click()
    page.wait_for_url("**/login/")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_unknown_address_gets_the_sites_404(
    new_context: ContextFactory, screenshot: Photographer, language: str
) -> None:
    page = new_context(locale=LOCALES[language]).new_page()
    response = page.goto("/no-such-page/")
    assert response is not None
    assert response.status == 404
    expect(page.locator(".error-page .error-code")).to_have_text("404")
    expect(page.locator(".site-header")).to_be_visible()
    _fits(page, screenshot, f"404-{language}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_contradiction_is_warned_in_the_wizard_and_every_answer_is_reviewed_before_submitting(
    new_context: ContextFactory,
    screenshot: Photographer,
    organization: Organization,
    owner: User,
    miit: FrameworkVersion,
    language: str,
) -> None:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    plan = {key: item for key, item in MIIT_PLAN.items() if key != "F2"}
    answers_upsert(assessment=assessment, items=items(plan), answered_by=owner)
    page = new_context(locale=LOCALES[language]).new_page()
    log_in(page, owner.email)

    # F2: 25 digitised devices of 10 is saved, and warned about.
    step = questionnaire(miit).step_of["F2"]
    page.goto(f"/assessments/{assessment.pk}/steps/{step}/")
    f2 = question(page, "F2")
    for name, value in (("devices_total", "10"), ("devices_digital", "25")):
        field = f2.locator(f'[name="evidence.{name}"]')
        field.fill(value)
        field.press("Tab")
        settle(page)
    f2.locator('input[name=choice][value="E"]').check()
    settle(page)
    warning = f2.locator(".evidence-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("25")
    expect(warning).to_contain_text("10")
    expect(f2.locator(".answer-status .saved")).to_be_visible()
    expect(f2.locator(".option-key")).to_have_count(0)
    f2.scroll_into_view_if_needed()
    screenshot(page, f"wizard-contradiction-{language}")

    # The review lists every answer, the warning with it, and still lets the enterprise submit.
    page.goto(f"/assessments/{assessment.pk}/review/")
    rows = page.locator("#answers .answer-row")
    expect(rows).to_have_count(len(MIIT_PLAN))
    flagged = page.locator("#answers .answer-row.has-warning")
    expect(flagged.first).to_contain_text("25")
    expect(page.locator("#answers .answer-row a.answer-edit").first).to_have_attribute(
        "href", f"/assessments/{assessment.pk}/steps/1/#q-F1"
    )
    assert_controls_named(page, at_least=2)  # the language and the pledge; the file input too when open
    _fits(page, screenshot, f"review-{language}")
    page.locator("#id_pledge").check()
    page.locator("#submit-title ~ form button[type=submit]").click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/results/")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
