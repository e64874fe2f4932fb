"""A bank checks a report in Chromium: types the code from the paper, reads what the report states, and has the
browser compare the file it was handed (the original matches, an altered copy does not).

Photographed in Chinese and English (docs/screenshots/verify-*.png with SAVE_SCREENSHOTS=1).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessment.models import FrameworkVersion, Organization, User
from reports.identity import verification_code_display
from reports.models import Report
from reports.services import report_render, report_request
from tests.e2e.accessibility import assert_controls_named, assert_no_horizontal_overflow
from tests.e2e.conftest import MOBILE, ContextFactory, Photographer
from tests.reports.test_pipeline import answered

pytestmark = pytest.mark.django_db(transaction=True)


def _ready(miit: FrameworkVersion, organization: Organization, owner: User, language: str) -> Report:
    report, _ = report_request(assessment=answered(miit, organization, owner), language=language, requested_by=owner)
    done = report_render(report_id=report.pk)
    assert done is not None
    assert done.status == Report.Status.READY, done.error
    return done


@pytest.mark.parametrize(("locale", "language", "match"), [("zh-CN", "zh-Hans", "zh"), ("en-GB", "en", "en")])
def test_a_bank_types_the_code_and_the_browser_says_whether_the_file_matches(
    new_context: ContextFactory,
    screenshot: Photographer,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
    tmp_path: Path,
    locale: str,
    language: str,
    match: str,
) -> None:
    report = _ready(miit, organization, owner, language)
    assert report.verification_code is not None
    original = tmp_path / "report.pdf"
    original.write_bytes(report.file.read())
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(original.read_bytes() + b"\n% one byte more\n")
    page = new_context(locale=locale).new_page()

    page.goto("/verify/")
    # Typed from paper: lower case, spaces for hyphens.
    page.locator("#id_code").fill(" ".join(verification_code_display(report.verification_code).lower().split("-")))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**/verify/{verification_code_display(report.verification_code)}/")
    facts = page.locator("dl.verify-facts")
    expect(facts.locator("[data-fact=organization]")).to_have_text(organization.name)
    expect(facts.locator("[data-fact=number]")).to_have_text(str(report.number))
    expect(facts.locator("[data-fact=sha256]")).to_have_text(report.sha256)
    assert_controls_named(page)
    assert_no_horizontal_overflow(page)

    outcome = page.locator("#verify-outcome")
    page.locator("#verify-file").set_input_files(str(original))
    expect(outcome.locator(".verify-match")).to_be_visible()
    expect(outcome.locator(".verify-mismatch")).to_be_hidden()
    screenshot(page, f"verify-{match}")

    page.locator("#verify-file").set_input_files(str(altered))
    expect(outcome.locator(".verify-mismatch")).to_be_visible()
    expect(outcome.locator(".verify-match")).to_be_hidden()
    expect(outcome.locator("[data-computed]")).not_to_have_text(report.sha256)

    mobile = new_context(locale=locale, viewport=MOBILE).new_page()
    mobile.goto(page.url)
    assert_no_horizontal_overflow(mobile)
    screenshot(mobile, f"verify-{match}-mobile")

    # A guessed code: the site's 404 page, nothing of the report.
    missing = page.goto("/verify/AAAA-BBBB-CCCC-DDDD-EEEE/")
    assert missing is not None
    assert missing.status == 404
    assert organization.name not in page.content()
