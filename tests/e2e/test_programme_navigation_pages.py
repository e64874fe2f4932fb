"""In Chromium, in Chinese and English: an operator's programme list and form (navigation, sub-group kinds), the
invitation as a visitor sees it (sign up and come back), and the SME's access log a page at a time.
Screenshots with SAVE_SCREENSHOTS=1."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from assessment.models import User
from programmes.models import AccessRecord, Programme
from programmes.services import access_records_write
from tests.e2e.conftest import PASSWORD, log_in
from tests.programmes.conftest import *  # noqa: F403  (the fixtures)
from tests.programmes.conftest import invite


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_operator_navigation_group_kinds_and_the_paged_access_log(
    new_context: Any,
    screenshot: Any,
    programme: Programme,
    bureau_owner: User,
    staff: dict[str, User],
    enrolment: Any,
    sme_owner: User,
    locale: str,
) -> None:
    for person in (bureau_owner, sme_owner):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    lang = "zh" if locale == "zh-CN" else "en"

    operator = new_context(locale=locale).new_page()
    log_in(operator, bureau_owner.email)
    expect(operator).to_have_url(re.compile(r"/programmes/$"))  # an operator lands on its programmes
    expect(operator.locator(".org-nav a[href='/programmes/']")).to_be_visible()
    expect(operator.locator(f".org-nav a[href='/orgs/{programme.operator_id}/verification/']")).to_have_count(0)
    screenshot(operator, f"programme-list-{lang}")
    operator.goto(f"/programmes/{programme.pk}/edit/")
    operator.locator("#id_groups_district").fill("吴中区\n相城区")
    screenshot(operator, f"programme-form-{lang}")
    operator.locator("form.programme-form button[type=submit]").click()
    operator.wait_for_url(f"**/programmes/{programme.pk}/")
    assert sorted(programme.groups.filter(kind="district").values_list("name", flat=True)) == ["吴中区", "相城区"]

    visitor = new_context(locale=locale).new_page()
    visitor.goto(f"/programme-invitations/{invite(programme, bureau_owner, company_name='新公司').token}/")
    expect(visitor.locator("#login-first")).to_be_visible()
    screenshot(visitor, f"programme-invitation-visitor-{lang}")

    for _ in range(60):
        access_records_write(enrolment_ids=[enrolment.pk], viewer=staff["analyst"], kind=AccessRecord.Kind.RESULTS)
    owner = new_context(locale=locale).new_page()
    log_in(owner, sme_owner.email)
    owner.goto(f"/organizations/{enrolment.organization_id}/programmes/")
    expect(owner.locator(".access-log tbody tr")).to_have_count(10)
    screenshot(owner, f"sme-programmes-paged-{lang}")
    owner.locator(f"a[href$='/programmes/{enrolment.pk}/access/']").click()
    expect(owner.locator(".access-log tbody tr")).to_have_count(50)
    owner.locator(".pagination a[rel=next]").click()
    expect(owner.locator(".access-log tbody tr")).to_have_count(10)
    screenshot(owner, f"sme-access-log-{lang}")
