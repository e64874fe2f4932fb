"""The API keys page: owners list, create (the secret shown once) and revoke the organisation's keys."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiKey
from api.services import api_key_create
from assessment.models import ConsultantAssignment, Membership, Organization, User
from assessment.services.organizations import organization_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def keys_url(organization: Organization) -> str:
    return reverse("web:org_api_keys", args=[organization.pk])


def secret_on(html: str) -> str:
    match = re.search(r'id="new-key-secret" type="text" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_an_owner_creates_a_key_and_sees_the_secret_once(owner_web: Client, organization: Organization) -> None:
    response = owner_web.post(
        keys_url(organization), {"name": "bank portal", "scope": "write", "expires_in_days": "30"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Copy it now: it is shown only this once." in html
    secret = secret_on(html)
    key = ApiKey.objects.get()
    assert (key.name, key.scope, key.organization, key.expiry_date is not None) == (
        "bank portal",
        "write",
        organization,
        True,
    )
    assert secret.startswith(f"{key.prefix}.")
    assert secret not in key.hashed_key
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get(f"/api/v1/organizations/{organization.pk}/").status_code == 200
    # The next visit lists the key but never shows the secret again.
    again = owner_web.get(keys_url(organization)).content.decode()
    assert "bank portal" in again
    assert key.prefix in again
    assert secret not in again


def test_the_list_shows_only_this_organisations_keys_with_their_state(
    owner_web: Client, owner: User, organization: Organization
) -> None:
    other = organization_create(owner=owner, name="Other Co", sector="C", size_band="small", province="11")
    mine, _ = api_key_create(user=owner, name="erp link", organization=organization)
    theirs, _ = api_key_create(user=owner, name="other org key", organization=other)
    personal, _ = api_key_create(user=owner, name="personal key")
    revoked, _ = api_key_create(user=owner, name="old key", organization=organization)
    revoked.revoked = True
    revoked.save()
    html = owner_web.get(keys_url(organization)).content.decode()
    assert "erp link" in html
    assert "old key" in html
    assert '<span class="badge">revoked</span>' in html
    assert "other org key" not in html
    assert "personal key" not in html
    assert theirs.prefix not in html
    assert personal.prefix not in html
    assert reverse("web:org_api_key_revoke", args=[organization.pk, mine.prefix]) in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scope": "read"}, "This field is required."),
        ({"name": "x" * 51, "scope": "read"}, "at most 50 characters"),
        ({"name": "erp", "scope": "admin"}, "Select a valid choice."),
        ({"name": "erp", "scope": "read", "expires_in_days": "0"}, "greater than or equal to 1"),
        ({"name": "erp", "scope": "read", "expires_in_days": "soon"}, "Enter a whole number."),
        ({"name": "   ", "scope": "read"}, "This field is required."),
        ({"name": "erp\u202egnp.exe", "scope": "read"}, "Remove the invisible control character U+202E"),
    ],
)
def test_bad_input_is_shown_on_the_form(
    owner_web: Client, organization: Organization, data: dict[str, str], message: str
) -> None:
    response = owner_web.post(keys_url(organization), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "new-key-secret" not in html
    assert not ApiKey.objects.exists()


def test_an_owner_revokes_a_key(owner_web: Client, owner: User, organization: Organization) -> None:
    key, secret = api_key_create(user=owner, name="erp", organization=organization)
    response = owner_web.post(reverse("web:org_api_key_revoke", args=[organization.pk, key.prefix]), follow=True)
    assert "The key erp" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get("/api/v1/organizations/").status_code == 401


def test_a_key_of_another_organisation_cannot_be_revoked_here(
    owner_web: Client, owner: User, organization: Organization
) -> None:
    other = organization_create(owner=owner, name="Other Co", sector="C", size_band="small", province="11")
    key, _ = api_key_create(user=owner, name="other", organization=other)
    assert owner_web.post(reverse("web:org_api_key_revoke", args=[organization.pk, key.prefix])).status_code == 404
    assert owner_web.post(reverse("web:org_api_key_revoke", args=[organization.pk, "nonsense"])).status_code == 404
    key.refresh_from_db()
    assert not key.revoked


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_members_who_are_not_owners_get_403(client: Client, owner: User, organization: Organization, role: str) -> None:
    key, _ = api_key_create(user=owner, name="erp", organization=organization)
    user = User.objects.create_user("colleague@example.com", "pw-colleague-123")
    Membership.objects.create(user=user, organization=organization, role=role)
    client.force_login(user)
    assert client.get(keys_url(organization)).status_code == 403
    assert client.post(keys_url(organization), {"name": "mine", "scope": "write"}).status_code == 403
    assert client.post(reverse("web:org_api_key_revoke", args=[organization.pk, key.prefix])).status_code == 403
    assert ApiKey.objects.count() == 1
    key.refresh_from_db()
    assert not key.revoked


def test_a_consultant_gets_403(client: Client, organization: Organization) -> None:
    consultant = User.objects.create_user("consultant@example.com", "pw-consultant-1")
    ConsultantAssignment.objects.create(consultant=consultant, organization=organization)
    client.force_login(consultant)
    assert client.get(keys_url(organization)).status_code == 403


def test_non_members_get_404(client: Client, owner: User, organization: Organization) -> None:
    key, _ = api_key_create(user=owner, name="erp", organization=organization)
    client.force_login(User.objects.create_user("stranger@example.com", "pw-stranger-12"))
    assert client.get(keys_url(organization)).status_code == 404
    assert client.post(keys_url(organization), {"name": "mine", "scope": "write"}).status_code == 404
    assert client.post(reverse("web:org_api_key_revoke", args=[organization.pk, key.prefix])).status_code == 404


def test_key_names_are_escaped(owner_web: Client, owner: User, organization: Organization) -> None:
    api_key_create(user=owner, name="<img src=x onerror=alert(1)>", organization=organization)
    html = owner_web.get(keys_url(organization)).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
