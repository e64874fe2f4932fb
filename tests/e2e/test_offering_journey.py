"""In Chromium: a provider publishes an offering through the form, an SME sees it on its results for a matching
gap and asks for contact, the provider finds the request in its inbox and marks it in progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from offerings.models import Referral
from programmes.models import Programme
from scoring.selectors import framework_structure
from tests.e2e.accessibility import assert_controls_named, assert_no_horizontal_overflow
from tests.e2e.conftest import ContextFactory, Photographer, log_in
from tests.helpers import lowest_item, submit_filling_gaps
from tests.offerings.conftest import make_offering, provider, provider_admin
from tests.offerings.test_provider_evaluation import bureau, programme, world

__all__ = ["bureau", "make_offering", "programme", "provider", "provider_admin", "world"]

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_provider_publishes_an_sme_asks_and_the_provider_sees_the_request(
    new_context: ContextFactory,
    screenshot: Photographer,
    screenshot_dir: Path,
    organization: Organization,
    owner: User,
    miit: FrameworkVersion,
) -> None:
    admin = User.objects.create_user("admin@provider.example", "pw-provider-1234")
    organization_create(owner=admin, name="数转服务商", kind="provider", sector="I", size_band="small", province="32")
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    framework = framework_structure(miit)
    answers_upsert(
        assessment=assessment, answered_by=owner, items=[lowest_item(q) for q in framework.questions.values()]
    )
    submit_filling_gaps(assessment, owner)

    provider = new_context(locale="en-GB").new_page()
    log_in(provider, "admin@provider.example", "pw-provider-1234")
    provider.goto("/offerings/new/")
    provider.locator("#id_kind").select_option("training")
    provider.locator("#id_title").fill("场景数字化入门培训 <第一期>")
    provider.locator("#id_description").fill("面向业务场景一级的工具化培训。")
    provider.locator("#id_framework").select_option(str(miit.framework_id))
    provider.get_by_label("Questions and scenarios").fill("S01, S02")
    provider.get_by_label("From level").fill("1")
    provider.get_by_label("To level").fill("1")
    provider.get_by_label("Provinces served").select_option("32")
    provider.get_by_label("Subsidy or financing terms").fill("数字化券抵扣 50%")
    provider.locator("#id_contact_name").fill("王老师")
    provider.get_by_label("Contact e-mail").fill("wang@provider.example")
    assert_controls_named(provider, at_least=10)
    screenshot(provider, "offering-form")
    provider.get_by_role("button", name="Save the offering").click()
    expect(provider.locator(".messages")).to_contain_text("The offering is saved.")
    provider.goto("/offerings/")
    expect(provider.locator("#offering-table")).to_contain_text("S01, S02")
    screenshot(provider, "offering-list")

    sme = new_context(locale="en-GB").new_page()
    log_in(sme, owner.email)
    sme.goto(f"/assessments/{assessment.pk}/results/")
    section = sme.locator("#support")
    expect(section).to_contain_text("场景数字化入门培训 <第一期>")
    expect(section).to_contain_text("for S01 → level 1")
    assert_no_horizontal_overflow(sme)
    screenshot(sme, "results-with-support")
    section.screenshot(path=str(screenshot_dir / "support-section.png"))
    section.get_by_role("link", name="Ask for contact").click()
    expect(sme.get_by_label("Contact e-mail")).to_have_value(owner.email)
    sme.get_by_label("Message").fill("我们想参加下一期。")
    sme.get_by_label("My contact details, my level and my scores").check()
    screenshot(sme, "referral-form")
    sme.get_by_role("button", name="Send the request").click()
    expect(sme.locator("#request-table")).to_contain_text("场景数字化入门培训")

    provider.goto("/offerings/referrals/")
    expect(provider.locator("#referral-table")).to_contain_text(organization.name)
    provider.get_by_role("link", name=organization.name).click()
    expect(provider.locator("#referral-message")).to_contain_text("我们想参加下一期。")
    expect(provider.locator("#shared-level")).to_contain_text("Below Level 1")
    provider.get_by_label("Note").fill("已电话联系")
    provider.get_by_role("button", name="Update the request").click()
    expect(provider.locator("#referral-outcome")).to_contain_text("已电话联系")
    screenshot(provider, "referral-inbox-detail")
    assert Referral.objects.get().status == "progressed"


def test_the_operator_compares_providers_in_its_programme(
    new_context: ContextFactory,
    screenshot: Photographer,
    programme: Programme,
    world: dict[str, Any],
    bureau: tuple[Organization, User],
) -> None:
    page = new_context(locale="en-GB").new_page()
    log_in(page, "admin@bureau.example", "pw-bureau-1234")
    page.goto(f"/programmes/{programme.pk}/providers/")
    expect(page.locator("#offering-evaluation-table")).to_contain_text("17.88")
    assert_no_horizontal_overflow(page)
    screenshot(page, "programme-providers")
