"""The offering pages: providers publish and unpublish, the SME sees what fits on its results and asks for
contact, the provider's inbox shows only what the SME shared, both follow up; tenancy and escaping."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from assessment.models import Assessment, FrameworkVersion, Membership, Organization, User
from offerings.models import Offering, Referral
from offerings.services import referral_create
from tests.offerings.conftest import low_assessment, make_offering, provider, provider_admin, sme_viewer

__all__ = ["low_assessment", "make_offering", "provider", "provider_admin", "sme_viewer"]

CONTACT = {"contact_name": "李四", "contact_email": "li@sme.example"}
FORM = {
    "kind": "funding",
    "title": "技改贷款",
    "description": "面向设备联网改造的贷款\r\n第二行",
    "question_keys": "S07, F1",
    "level_min": "1",
    "level_max": "2",
    "provinces": ["32"],
    "size_bands": ["small", "micro"],
    "price": "",
    "subsidy": "贴息 50%",
    "contact_name": "赵经理",
    "contact_email": "zhao@bank.example",
    "contact_phone": "",
    "url": "https://bank.example/loan",
    "active": "on",
}


@pytest.fixture
def en(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_an_administrator_publishes_through_the_form(
    en: Client, provider_admin: User, provider: Organization, miit: FrameworkVersion
) -> None:
    web = as_user(en, provider_admin)
    assert web.get("/offerings/new/").status_code == 200
    response = web.post("/offerings/new/", {**FORM, "provider": provider.pk, "framework": miit.framework_id})
    assert response.status_code == 302
    offering = Offering.objects.get()
    assert (offering.question_keys, offering.provinces, offering.description, offering.provider) == (
        ["S07", "F1"],
        ["32"],
        "面向设备联网改造的贷款 第二行",
        provider,
    )
    listing = web.get("/offerings/").content.decode()
    assert "技改贷款" in listing
    assert "S07, F1" in listing


def test_the_form_shows_the_services_refusal_beside_the_field(
    en: Client, provider_admin: User, provider: Organization, miit: FrameworkVersion
) -> None:
    web = as_user(en, provider_admin)
    data = {**FORM, "provider": provider.pk, "framework": miit.framework_id, "question_keys": "S07 Q404"}
    response = web.post("/offerings/new/", data)
    assert response.status_code == 422
    assert "Not a question of this framework: Q404" in response.content.decode()
    assert not Offering.objects.exists()


def test_unpublishing_hides_the_offering_from_the_results(
    en: Client, provider_admin: User, make_offering: Any, low_assessment: Assessment, owner: User
) -> None:
    offering = make_offering(title="场景辅导", question_keys=["S01"], level_min=1, level_max=1)
    sme = Client()
    sme.cookies["django_language"] = "en"
    sme.force_login(owner)
    results = f"/assessments/{low_assessment.pk}/results/"
    assert "场景辅导" in sme.get(results).content.decode()
    assert as_user(en, provider_admin).post(f"/offerings/{offering.pk}/unpublish/").status_code == 302
    assert "Support that fits" not in sme.get(results).content.decode()


def test_others_cannot_edit_an_offering(
    client: Client, make_offering: Any, owner: User, provider: Organization
) -> None:
    offering = make_offering()
    analyst = User.objects.create_user("analyst@provider.example", "pw-analyst-1234")
    Membership.objects.create(user=analyst, organization=provider, role="analyst")
    assert as_user(client, owner).get(f"/offerings/{offering.pk}/edit/").status_code == 404
    assert as_user(client, owner).get("/offerings/").status_code == 404
    assert as_user(client, analyst).get(f"/offerings/{offering.pk}/edit/").status_code == 403
    assert as_user(client, analyst).post(f"/offerings/{offering.pk}/unpublish/").status_code == 403
    assert as_user(client, analyst).get("/offerings/").status_code == 200


def test_the_results_page_shows_the_match_escaped_with_its_reason_and_a_request_link(
    en: Client, make_offering: Any, low_assessment: Assessment, owner: User, organization: Organization
) -> None:
    offering = make_offering(
        title="<script>alert(1)</script>辅导", question_keys=["S01"], level_min=1, level_max=1, url="https://p.example/"
    )
    page = as_user(en, owner).get(f"/assessments/{low_assessment.pk}/results/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;辅导" in page
    assert "<script>alert(1)</script>" not in page
    assert "for S01 → level 1" in page
    assert f"/organizations/{organization.pk}/referrals/new/{offering.pk}/?question=S01" in page


def test_a_viewer_sees_the_match_without_a_request_link(
    en: Client, make_offering: Any, low_assessment: Assessment, sme_viewer: User
) -> None:
    make_offering(title="场景辅导", question_keys=["S01"], level_min=1, level_max=1)
    page = as_user(en, sme_viewer).get(f"/assessments/{low_assessment.pk}/results/").content.decode()
    assert "场景辅导" in page
    assert "/referrals/new/" not in page


def test_the_sme_asks_with_its_contact_prefilled_and_the_provider_sees_the_contact_only(
    en: Client,
    make_offering: Any,
    owner: User,
    organization: Organization,
    provider_admin: User,
    low_assessment: Assessment,
) -> None:
    offering = make_offering()
    url = f"/organizations/{organization.pk}/referrals/new/{offering.pk}/?question=S07"
    web = as_user(en, owner)
    form = web.get(url).content.decode()
    assert 'value="owner@example.com"' in form
    assert 'value="S07"' in form
    data = {
        "message": "<b>请尽快</b>联系",
        "share": "contact",
        "contact_name": "李四",
        "contact_email": "li@sme.example",
        "question_key": "S07",
    }
    assert web.post(url, data).status_code == 302
    referral = Referral.objects.get()
    assert (referral.question_key, referral.share_results) == ("S07", False)
    assert "设备联网诊断" in web.get(f"/organizations/{organization.pk}/referrals/").content.decode()
    provider_web = as_user(Client(), provider_admin)
    provider_web.cookies["django_language"] = "en"
    assert "测试精密制造有限公司" in provider_web.get("/offerings/referrals/").content.decode()
    detail = provider_web.get(f"/offerings/referrals/{referral.pk}/").content.decode()
    assert "&lt;b&gt;请尽快&lt;/b&gt;联系" in detail
    assert "The enterprise shares its contact details only." in detail
    assert 'id="shared-level"' not in detail


def test_shared_level_and_scores_show_in_the_inbox(
    client: Client,
    make_offering: Any,
    owner: User,
    organization: Organization,
    provider_admin: User,
    low_assessment: Assessment,
) -> None:
    referral = referral_create(
        offering=make_offering(), organization=organization, requested_by=owner, share_results=True, **CONTACT
    )
    client.cookies["django_language"] = "en"
    detail = as_user(client, provider_admin).get(f"/offerings/referrals/{referral.pk}/").content.decode()
    assert 'id="shared-level"' in detail
    assert "manufacturing: Below Level 1, 0 of 100 points" in detail


def test_both_sides_follow_up_on_their_pages(
    en: Client, make_offering: Any, owner: User, organization: Organization, provider_admin: User
) -> None:
    referral = referral_create(offering=make_offering(), organization=organization, requested_by=owner, **CONTACT)
    provider_web = as_user(en, provider_admin)
    response = provider_web.post(f"/offerings/referrals/{referral.pk}/", {"status": "progressed", "outcome": "已致电"})
    assert response.status_code == 302
    sme = as_user(Client(), owner)
    page = sme.get(f"/organizations/{organization.pk}/referrals/{referral.pk}/").content.decode()
    assert "已致电" in page
    assert (
        sme.post(f"/organizations/{organization.pk}/referrals/{referral.pk}/", {"status": "closed"}).status_code == 302
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "已致电")
    again = provider_web.post(f"/offerings/referrals/{referral.pk}/", {"status": "progressed"})
    assert again.status_code == 422


def test_tenancy_of_the_referral_pages(
    client: Client, make_offering: Any, owner: User, organization: Organization, sme_viewer: User
) -> None:
    referral = referral_create(offering=make_offering(), organization=organization, requested_by=owner, **CONTACT)
    stranger = User.objects.create_user("x@bank.example", "pw-x-1234567")
    from assessment.services.organizations import organization_create

    organization_create(owner=stranger, name="别家银行", kind="bank", sector="J", size_band="large", province="11")
    web = as_user(client, stranger)
    assert web.get(f"/offerings/referrals/{referral.pk}/").status_code == 404
    assert web.get(f"/organizations/{organization.pk}/referrals/").status_code == 404
    assert web.get(f"/organizations/{organization.pk}/referrals/{referral.pk}/").status_code == 404
    viewer = as_user(Client(), sme_viewer)
    assert viewer.get(f"/organizations/{organization.pk}/referrals/{referral.pk}/").status_code == 200
    assert (
        viewer.post(f"/organizations/{organization.pk}/referrals/{referral.pk}/", {"status": "closed"}).status_code
        == 403
    )
    offering_id = referral.offering_id
    assert viewer.get(f"/organizations/{organization.pk}/referrals/new/{offering_id}/").status_code == 403
