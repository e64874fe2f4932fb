"""Under the Content-Security-Policy every page still works: what inline handlers did, the static scripts do.

The watcher in conftest.py fails any test whose pages report a CSP violation; these tests drive the few
controls that once had inline JavaScript, the API docs and the admin, so each is seen by it.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from api.models import ApiKey
from assessment.models import Membership, Organization, User
from tests.e2e.conftest import ContextFactory, log_in, watch

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_watcher_reports_what_the_policy_blocks(browser: Browser) -> None:
    page = browser.new_page()
    problems: list[str] = []
    watch(page, problems)
    page.route(
        "http://csp.test/",
        lambda route: route.fulfill(
            headers={"Content-Type": "text/html", "Content-Security-Policy": "default-src 'self'"},
            body='<p style="color: red">styled</p><script>document.title = "ran"</script>',
        ),
    )
    page.goto("http://csp.test/")
    page.wait_for_timeout(200)  # console messages arrive after the load
    title = page.title()
    page.close()
    assert title != "ran"
    assert len(problems) == 2, problems
    assert all(problem.startswith("CSP violation on http://csp.test/") for problem in problems)


def test_removing_a_member_asks_first_and_a_no_keeps_them(
    new_context: ContextFactory, organization: Organization, owner: User
) -> None:
    page = new_context(locale="en-GB").new_page()
    member = User.objects.create_user("respondent@example.com", "pw-owner-1234")
    Membership.objects.create(user=member, organization=organization, role=Membership.Role.RESPONDENT)
    log_in(page, owner.email)
    page.goto(f"/orgs/{organization.pk}/members/")
    questions: list[str] = []
    remove = page.locator("form[data-confirm]:has(button:has-text('respondent@example.com')) button")

    def answer(dialog: Dialog, accept: bool) -> None:
        questions.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    remove.click()
    page.wait_for_timeout(300)  # a form that posted anyway would have navigated by now
    assert questions == ["Remove respondent@example.com from the organisation?"]
    assert Membership.objects.filter(user=member).exists()

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    with page.expect_navigation():
        remove.click()
    expect(page.locator("table.members")).not_to_contain_text("respondent@example.com")
    assert not Membership.objects.filter(user=member).exists()


def test_a_new_api_key_is_selected_on_focus_copied_by_its_button_and_revoked_after_a_yes(
    new_context: ContextFactory, organization: Organization, owner: User
) -> None:
    context = new_context(locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    log_in(page, owner.email)
    page.goto(f"/orgs/{organization.pk}/api-keys/")
    page.locator("#id_name").fill("Bank credit system")
    page.locator("form:has(#id_name) button[type=submit]").click()
    secret = page.locator("#new-key-secret")
    expect(secret).to_be_visible()
    value = secret.input_value()

    secret.focus()
    assert secret.evaluate("input => [input.selectionStart, input.selectionEnd]") == [0, len(value)]
    page.locator(".secret-row button").click()
    assert page.evaluate("navigator.clipboard.readText()") == value

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form[data-confirm] button.danger").click()
    expect(page.locator("table.api-keys .badge")).to_have_text("revoked")
    assert ApiKey.objects.get(name="Bank credit system").revoked


def test_use_this_band_puts_the_suggested_size_band_in_the_profile_form(
    page: Page, organization: Organization, owner: User
) -> None:
    log_in(page, owner.email)
    page.goto(f"/orgs/{organization.pk}/profile/")
    page.locator("#id_size_band").select_option("micro")
    page.locator("#id_employees").fill("350")
    page.locator("#id_annual_revenue").fill("30000")
    page.locator("button[hx-get]").click()
    use = page.locator("#size-suggestion button[data-fill]")
    expect(use).to_have_text("采用“中型”")
    use.click()
    expect(page.locator("#id_size_band")).to_have_value("medium")


def test_the_api_docs_load_swagger_ui_from_this_site_only(page: Page, live_server: object) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-tag-section")).not_to_have_count(0)
    hosts = {urlparse(url).netloc for url in requested if not url.startswith("data:")}
    assert hosts == {urlparse(str(live_server)).netloc}, requested


def test_the_admin_works_under_the_policy(page: Page, organization: Organization, owner: User) -> None:
    User.objects.create_superuser("admin@example.com", "pw-owner-1234")
    page.goto("/admin/login/")
    page.locator("#id_username").fill("admin@example.com")
    page.locator("#id_password").fill("pw-owner-1234")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"/admin/assessment/organization/{organization.pk}/change/")
    expect(page.locator("#id_name")).to_have_value(organization.name)
    page.goto(f"/admin/assessment/user/{owner.pk}/change/")
    expect(page.locator("#id_first_name")).to_be_visible()
