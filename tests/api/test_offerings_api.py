"""/api/v1/offerings/ and /api/v1/referrals/: who reads and writes what, the filters, the bodies, tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from api.models import ApiKey
from assessment.models import Assessment, FrameworkVersion, Membership, Organization, User
from assessment.services.organizations import organization_create
from offerings.models import Offering, Referral
from offerings.services import referral_create
from tests.api.conftest import KeyClient
from tests.offerings.conftest import OFFERING, low_assessment, make_offering, provider, provider_admin, sme_viewer

__all__ = ["low_assessment", "make_offering", "provider", "provider_admin", "sme_viewer"]

CONTACT = {"contact_name": "李四", "contact_email": "li@sme.example"}


@pytest.fixture
def key_client(key_client: KeyClient) -> KeyClient:
    """Clients that ask in English: the messages compared below are the English source."""

    def make(*args: Any, **kwargs: Any) -> APIClient:
        client = key_client(*args, **kwargs)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def owner_client(key_client: KeyClient, owner: User, organization: Organization) -> APIClient:
    return key_client(owner)


@pytest.fixture
def admin_client(key_client: KeyClient, provider_admin: User, provider: Organization) -> APIClient:
    return key_client(provider_admin)


@pytest.fixture
def other_provider(db: None) -> tuple[Organization, User]:
    admin = User.objects.create_user("admin@other-provider.example", "pw-other-1234")
    organization = organization_create(
        owner=admin, name="别家服务商", kind="bank", sector="J", size_band="large", province="11"
    )
    return organization, admin


def body(**fields: Any) -> dict[str, Any]:
    return {**OFFERING, "framework": "miit-2024-manufacturing", **fields}


def test_an_administrator_publishes_and_reads_back_the_offering(
    admin_client: APIClient, provider: Organization, miit: FrameworkVersion
) -> None:
    response = admin_client.post(
        "/api/v1/offerings/", body(provider=provider.pk, provinces=["32"], size_bands=["small"]), format="json"
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert {k: created[k] for k in ("provider", "provider_name", "question_keys", "provinces", "active")} == {
        "provider": provider.pk,
        "provider_name": "数转服务商",
        "question_keys": ["S07"],
        "provinces": ["32"],
        "active": True,
    }


def test_an_unknown_key_and_a_level_out_of_range_are_400_with_details(
    admin_client: APIClient, provider: Organization, miit: FrameworkVersion
) -> None:
    response = admin_client.post(
        "/api/v1/offerings/", body(provider=provider.pk, question_keys=["Z1"], level_max=7), format="json"
    )
    assert response.status_code == 400
    assert response.json()["details"] == {
        "question_keys": ["Not a question of this framework: Z1"],
        "level_max": ["This framework's levels run from 0 to 4."],
    }
    bad = admin_client.post(
        "/api/v1/offerings/", body(provider=provider.pk, provinces=["99"], contact_email="x"), format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["details"]) == {"provinces.0", "contact_email"}


def test_an_sme_owner_cannot_publish_for_its_enterprise_nor_for_a_provider_it_does_not_know(
    owner_client: APIClient, organization: Organization, provider: Organization, miit: FrameworkVersion
) -> None:
    assert owner_client.post("/api/v1/offerings/", body(provider=organization.pk), format="json").status_code == 403
    unknown = owner_client.post("/api/v1/offerings/", body(provider=provider.pk), format="json")
    assert unknown.status_code == 400
    assert unknown.json()["details"] == {"provider": ["No such organisation."]}


def test_everyone_signed_in_lists_published_offerings_with_filters(
    make_offering: Any, owner_client: APIClient, miit: FrameworkVersion
) -> None:
    make_offering(title="江苏二级", provinces=["32"], level_min=2, level_max=2)
    make_offering(title="北京", provinces=["11"])
    make_offering(title="下架", active=False)

    def titles(query: str) -> list[str]:
        response = owner_client.get(f"/api/v1/offerings/{query}")
        assert response.status_code == 200, response.json()
        return [o["title"] for o in response.json()["results"]]

    assert titles("") == ["北京", "江苏二级"]
    assert titles("?province=32&level=2&question=S07&framework=miit-2024-manufacturing") == ["江苏二级"]
    assert titles("?level=1") == ["北京"]
    assert titles("?question=S08") == []
    assert titles("?framework=eu-dma") == []
    assert owner_client.get("/api/v1/offerings/?level=x").status_code == 400
    assert owner_client.get("/api/v1/offerings/?province=99").status_code == 400
    blank = owner_client.get("/api/v1/offerings/?size_band=&question=")
    assert blank.status_code == 400
    assert blank.json()["details"] == {
        "size_band": ["Give a value, or leave the parameter out."],
        "question": ["Give a value, or leave the parameter out."],
    }
    assert APIClient().get("/api/v1/offerings/").status_code == 401


def test_the_provider_sees_its_unpublished_offering_and_republishes_it(
    make_offering: Any, admin_client: APIClient
) -> None:
    offering = make_offering(active=False)
    assert [o["id"] for o in admin_client.get("/api/v1/offerings/").json()["results"]] == [offering.pk]
    response = admin_client.patch(f"/api/v1/offerings/{offering.pk}/", {"active": True, "level_max": 3}, format="json")
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["level_max"]) == (True, 3)


def test_another_provider_cannot_change_an_offering_and_cannot_see_an_unpublished_one(
    make_offering: Any, key_client: KeyClient, other_provider: tuple[Organization, User]
) -> None:
    client = key_client(other_provider[1])
    published, hidden = make_offering(), make_offering(title="未发布", active=False)
    assert client.patch(f"/api/v1/offerings/{published.pk}/", {"title": "x"}, format="json").status_code == 403
    assert client.get(f"/api/v1/offerings/{hidden.pk}/").status_code == 404
    assert client.patch(f"/api/v1/offerings/{hidden.pk}/", {"title": "x"}, format="json").status_code == 404
    assert Offering.objects.get(pk=published.pk).title == OFFERING["title"]


def test_a_read_only_key_of_the_administrator_cannot_write(
    key_client: KeyClient, provider_admin: User, provider: Organization, miit: FrameworkVersion
) -> None:
    client = key_client(provider_admin, scope=ApiKey.Scope.READ)
    assert client.post("/api/v1/offerings/", body(provider=provider.pk), format="json").status_code == 403


def test_an_sme_asks_and_each_side_sees_only_its_own(
    make_offering: Any,
    owner_client: APIClient,
    admin_client: APIClient,
    organization: Organization,
    key_client: KeyClient,
    other_provider: tuple[Organization, User],
) -> None:
    offering = make_offering()
    response = owner_client.post(
        "/api/v1/referrals/",
        {"offering": offering.pk, "organization": organization.pk, "question_key": "S07", "message": "你好", **CONTACT},
        format="json",
    )
    assert response.status_code == 201, response.json()
    referral = response.json()
    assert (referral["status"], referral["share_results"], referral["results"], referral["provider_name"]) == (
        "requested",
        False,
        None,
        "数转服务商",
    )
    assert [r["id"] for r in admin_client.get("/api/v1/referrals/").json()["results"]] == [referral["id"]]
    assert [r["id"] for r in owner_client.get("/api/v1/referrals/").json()["results"]] == [referral["id"]]
    stranger = key_client(other_provider[1])
    assert stranger.get("/api/v1/referrals/").json()["results"] == []
    assert stranger.get(f"/api/v1/referrals/{referral['id']}/").status_code == 404
    assert (
        stranger.patch(f"/api/v1/referrals/{referral['id']}/", {"status": "closed"}, format="json").status_code == 404
    )
    again = owner_client.post(
        "/api/v1/referrals/", {"offering": offering.pk, "organization": organization.pk, **CONTACT}, format="json"
    )
    assert again.status_code == 400
    assert "offering" in again.json()["details"]


def test_shared_results_reach_the_provider_exactly(
    make_offering: Any, low_assessment: Assessment, organization: Organization, owner: User, admin_client: APIClient
) -> None:
    offering = make_offering()
    referral = referral_create(
        offering=offering, organization=organization, requested_by=owner, share_results=True, **CONTACT
    )
    results = admin_client.get(f"/api/v1/referrals/{referral.pk}/").json()["results"]
    result = low_assessment.result
    assert (results["level"], results["total"], results["max_total"]) == (0, result.total, result.max_total)
    assert results["dimensions"]
    assert all(isinstance(d["score"], (int, float)) for d in results["dimensions"])


def test_status_updates_by_both_sides_and_a_closed_referral_is_409(
    make_offering: Any, owner_client: APIClient, admin_client: APIClient, organization: Organization, owner: User
) -> None:
    referral = referral_create(offering=make_offering(), organization=organization, requested_by=owner, **CONTACT)
    url = f"/api/v1/referrals/{referral.pk}/"
    assert admin_client.patch(url, {"status": "requested"}, format="json").status_code == 400
    noted = admin_client.patch(url, {"outcome": "已收到"}, format="json").json()
    assert (noted["status"], noted["outcome"]) == ("requested", "已收到")
    progressed = admin_client.patch(url, {"status": "progressed", "outcome": "已联系"}, format="json")
    assert progressed.status_code == 200
    assert progressed.json()["outcome"] == "已联系"
    assert owner_client.patch(url, {"status": "closed"}, format="json").json()["status"] == "closed"
    assert admin_client.patch(url, {"status": "progressed"}, format="json").status_code == 409
    assert admin_client.patch(url, {}, format="json").status_code == 409


def test_a_viewer_of_the_sme_cannot_ask_nor_update(
    make_offering: Any,
    key_client: KeyClient,
    sme_viewer: User,
    organization: Organization,
    owner: User,
) -> None:
    offering = make_offering()
    client = key_client(sme_viewer)
    asked = client.post(
        "/api/v1/referrals/", {"offering": offering.pk, "organization": organization.pk, **CONTACT}, format="json"
    )
    assert asked.status_code == 403
    referral = referral_create(offering=offering, organization=organization, requested_by=owner, **CONTACT)
    assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 200
    assert client.patch(f"/api/v1/referrals/{referral.pk}/", {"status": "closed"}, format="json").status_code == 403
    assert Referral.objects.get().status == "requested"


def test_a_key_limited_to_another_organisation_sees_no_referral(
    make_offering: Any, key_client: KeyClient, organization: Organization, owner: User
) -> None:
    other = organization_create(owner=owner, name="同一老板的另一家", sector="C", size_band="micro", province="32")
    referral = referral_create(offering=make_offering(), organization=organization, requested_by=owner, **CONTACT)
    limited = key_client(owner, organization=other)
    assert limited.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert Membership.objects.filter(user=owner).count() == 2
