"""The programme pages in Chromium, in Chinese and English: the operator's overview and invitations (a CSV with
an error), the SME's consent page and its programmes with the access log. Screenshots with SAVE_SCREENSHOTS=1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from assessment.models import Membership, User
from programmes.models import Consent
from programmes.services import programme_invitation_accept
from tests.e2e.conftest import PASSWORD, log_in
from tests.programmes.conftest import *  # noqa: F403  (the fixtures)
from tests.programmes.conftest import invite


def _password(*people: User) -> None:
    for person in people:
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_operator_and_sme_pages_in_both_languages(
    new_context: Any,
    screenshot: Any,
    programme: Any,
    bureau_owner: User,
    sme: Any,
    sme_owner: User,
    locale: str,
    tmp_path: Path,
) -> None:
    _password(bureau_owner, sme_owner)
    lang = "zh" if locale == "zh-CN" else "en"
    pending = invite(programme, bureau_owner, uscc=sme.uscc, contact_name="王经理")
    enrolled = invite(programme, bureau_owner, company_name="另一家公司", email="x@y.cn")
    # The SME that accepted the second invitation: its own owner.
    other_owner = User.objects.create_user("other@sme.example", PASSWORD)
    from assessment.services.organizations import organization_create

    other = organization_create(owner=other_owner, name="另一家公司", sector="C", size_band="micro", province="32")
    enrolment = programme_invitation_accept(
        invitation=enrolled.invitation, organization=other, user=other_owner, consent=Consent.RESULTS
    )

    operator = new_context(locale=locale).new_page()
    log_in(operator, bureau_owner.email)
    operator.goto(f"/programmes/{programme.pk}/")
    expect(operator.locator("#count-enrolled")).to_have_text("1")
    screenshot(operator, f"programme-overview-{lang}")
    csv = tmp_path / "smes.csv"
    csv.write_bytes("企业名称,联系邮箱\n甲公司,a@x.cn\n乙公司,not-an-address\n".encode("gbk"))
    operator.goto(f"/programmes/{programme.pk}/invitations/")
    operator.locator("#invite-file input[type=file]").set_input_files(str(csv))
    operator.locator("#invite-file button[type=submit]").click()
    expect(operator.locator("#row-errors")).to_contain_text("3")
    screenshot(operator, f"programme-invitations-{lang}")
    operator.goto(f"/programmes/{programme.pk}/smes/{other.pk}/")
    screenshot(operator, f"programme-sme-{lang}")

    owner = new_context(locale=locale).new_page()
    log_in(owner, sme_owner.email)
    owner.goto(f"/programme-invitations/{pending.token}/")
    expect(owner.locator("#what-they-see")).to_be_visible()
    screenshot(owner, f"programme-invitation-{lang}")
    owner.locator("#consent-form input[value=answers]").check()
    owner.locator("#consent-form button[type=submit]").click()
    owner.wait_for_url(f"**/organizations/{sme.pk}/programmes/")

    other_page = new_context(locale=locale).new_page()
    log_in(other_page, other_owner.email)
    other_page.goto(f"/organizations/{other.pk}/programmes/")
    expect(other_page.locator(".access-log")).to_contain_text(bureau_owner.email)
    screenshot(other_page, f"sme-programmes-{lang}")
    assert Membership.objects.filter(organization=sme, user=sme_owner).exists()
    assert enrolment.is_active
