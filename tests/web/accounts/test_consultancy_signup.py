"""A consultancy signs up as an organisation of its own kind and invites its leads and consultants."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from assessment.models import Invitation, Membership, Organization, User
from assessment.services.accounts import invitation_create, membership_role_change

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def consultancy_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "email": "lead@assess.example",
        "password1": "a-long-Passphrase-42",
        "password2": "a-long-Passphrase-42",
        "kind": "consultancy",
        "name": "苏州数字化评估中心",
        "description": "We verify manufacturers in Jiangsu against the MIIT 2024 indicators.",
        "uscc": "",
        "sector": "",
        "province": "32",
        "employees": "",
        "annual_revenue": "",
        "total_assets": "",
        "industry": "",
        "size_band": "small",
    }
    return {**data, **overrides}


def test_the_signup_page_offers_both_kinds(client: Client) -> None:
    html = client.get(reverse("web:signup")).content.decode()
    assert 'name="kind" value="sme"' in html
    assert 'name="kind" value="consultancy"' in html
    assert '<label for="id_description"' in html


def test_a_consultancy_signs_up_with_a_description_and_sector_m_by_default(client: Client) -> None:
    response = client.post(reverse("web:signup"), consultancy_data())
    assert response.status_code == 302, response.content.decode()
    firm = Organization.objects.get()
    assert (firm.kind, firm.sector, firm.size_band, firm.province) == ("consultancy", "M", "small", "32")
    assert firm.description.startswith("We verify manufacturers")
    assert Membership.objects.get(organization=firm).role == "owner"


def test_a_consultancy_without_figures_chooses_its_size_band(client: Client) -> None:
    response = client.post(reverse("web:signup"), consultancy_data(size_band=""))
    assert response.status_code == 200
    assert "Choose your size band." in response.content.decode()
    assert not User.objects.exists()


def test_an_enterprise_still_gives_its_sector(client: Client) -> None:
    data = consultancy_data(kind="sme", sector="", employees="30", annual_revenue="500")
    response = client.post(reverse("web:signup"), data)
    assert response.status_code == 200
    assert not Organization.objects.exists()
    response = client.post(reverse("web:signup"), {**data, "sector": "C"})
    assert response.status_code == 302
    assert Organization.objects.get().kind == "sme"
    assert Organization.objects.get().description == ""  # an enterprise is never asked for one


@pytest.fixture
def firm(client: Client) -> Organization:
    client.post(reverse("web:signup"), consultancy_data())
    return Organization.objects.get()


def test_a_consultancy_owner_invites_leads_and_consultants_only(client: Client, firm: Organization) -> None:
    url = reverse("web:org_members", args=[firm.pk])
    html = client.get(url).content.decode()
    assert 'value="consultant"' in html
    assert 'value="lead"' in html
    assert 'value="respondent"' not in html
    assert client.post(url, {"email": "wang@assess.example", "role": "consultant"}).status_code == 302
    assert Invitation.objects.get().role == "consultant"
    response = client.post(url, {"email": "li@assess.example", "role": "respondent"})
    assert response.status_code == 200
    assert Invitation.objects.count() == 1


def test_the_services_keep_roles_to_the_organisations_kind(
    firm: Organization, organization: Organization, owner: User
) -> None:
    lead = User.objects.get(email="lead@assess.example")
    with pytest.raises(ValidationError):
        invitation_create(organization=firm, email="x@example.com", role="viewer", invited_by=lead)
    with pytest.raises(ValidationError):
        invitation_create(organization=organization, email="x@example.com", role="consultant", invited_by=owner)
    colleague = User.objects.create_user("colleague@assess.example", "pw-colleague-123")
    membership = Membership.objects.create(user=colleague, organization=firm, role="consultant")
    assert membership_role_change(membership=membership, role="lead", changed_by=lead).role == "lead"
    with pytest.raises(ValidationError):
        membership_role_change(membership=membership, role="respondent", changed_by=lead)


def test_a_role_of_the_other_kind_is_refused_on_the_members_page(client: Client, firm: Organization) -> None:
    colleague = User.objects.create_user("colleague@assess.example", "pw-colleague-123")
    membership = Membership.objects.create(user=colleague, organization=firm, role="consultant")
    url = reverse("web:org_member_role", args=[firm.pk, membership.pk])
    response = client.post(url, {"role": "viewer"}, follow=True)
    assert "Choose owner, lead or consultant." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "consultant"


def test_a_consultancy_owner_edits_its_description(client: Client, firm: Organization) -> None:
    url = reverse("web:org_profile", args=[firm.pk])
    data = {
        "name": firm.name,
        "description": "Now also Zhejiang.",
        "sector": "M",
        "province": "32",
        "size_band": "small",
    }
    assert client.post(url, data).status_code == 302
    firm.refresh_from_db()
    assert firm.description == "Now also Zhejiang."


def test_an_enterprise_profile_has_no_description(owner_web: Client, organization: Organization) -> None:
    html = owner_web.get(reverse("web:org_profile", args=[organization.pk])).content.decode()
    assert 'name="description"' not in html
