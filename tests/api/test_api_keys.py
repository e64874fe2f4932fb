"""API keys: created once by command, stored hashed, scoped, expiring, revocable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey
from api.services import api_key_create, api_key_revoke
from assessment.models import Organization, User

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_create_api_key_prints_the_key_once_and_stores_only_its_hash(
    owner: User, organization: Organization, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "create_api_key",
        "--user",
        owner.email,
        "--organization",
        str(organization.pk),
        "--name",
        "bank portal",
        "--scope",
        "write",
        "--expires",
        "30",
    )
    out, err = capsys.readouterr()
    secret = out.strip()
    key = ApiKey.objects.get()
    assert (key.name, key.scope, key.organization, key.user) == ("bank portal", "write", organization, owner)
    assert key.expiry_date is not None
    assert key.expiry_date - timezone.now() > timedelta(days=29)
    assert secret.startswith(f"{key.prefix}.")
    assert secret not in key.hashed_key
    assert key.hashed_key.startswith("sha512$$")
    assert "shown once" in err
    assert bearer(secret).get("/api/v1/organizations/").status_code == 200


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--user", "nobody@example.com"], "No user"),
        (["--user", "owner@example.com", "--organization", "999"], "No organisation"),
        (["--user", "owner@example.com", "--expires", "0"], "1 or more"),
    ],
)
def test_create_api_key_refuses_bad_arguments(owner: User, arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", *arguments)
    assert not ApiKey.objects.exists()


def test_a_key_for_an_organisation_needs_membership_or_an_assignment(owner: User, organization: Organization) -> None:
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1")
    with pytest.raises(Exception, match="neither a member nor an assigned consultant"):
        api_key_create(user=stranger, name="x", organization=organization)


def test_a_consultant_limits_a_personal_key_to_an_organisation_assigned_to_them(
    organization: Organization, consultant: User, assignment: Any, consultancy: Organization
) -> None:
    key, secret = api_key_create(user=consultant, name="review tool", organization=organization)
    assert key.organization == organization
    listed = bearer(secret).get("/api/v1/organizations/").json()["results"]
    assert [(o["id"], o["role"]) for o in listed] == [(organization.pk, "consultant")]
    assert bearer(secret).get(f"/api/v1/organizations/{consultancy.pk}/").status_code == 404
    _key, own = api_key_create(user=consultant, name="own firm", organization=consultancy)  # a member there
    assert bearer(own).get(f"/api/v1/organizations/{organization.pk}/").status_code == 404


def test_last_use_is_recorded(owner: User) -> None:
    key, secret = api_key_create(user=owner, name="erp")
    assert key.last_used_at is None
    bearer(secret).get("/api/v1/frameworks/")
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer", "Authorization: Bearer <key>"),
        ("Bearer a b", "Authorization: Bearer <key>"),
        ("Bearer notakey", "Invalid API key"),
        ("Bearer 12345678.wrongsecret", "Invalid API key"),
    ],
)
def test_malformed_or_unknown_keys_get_401(owner: User, header: str, message: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/frameworks/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert message in response.json()["message"]
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_revoked_and_expired_keys_say_why(owner: User) -> None:
    revoked, revoked_secret = api_key_create(user=owner, name="old")
    api_key_revoke(key=revoked)
    expired, expired_secret = api_key_create(user=owner, name="temp", expires_in_days=1)
    ApiKey.objects.filter(pk=expired.pk).update(expiry_date=timezone.now() - timedelta(seconds=1))
    assert "revoked" in bearer(revoked_secret).get("/api/v1/frameworks/?lang=en").json()["message"]
    assert "expired" in bearer(expired_secret).get("/api/v1/frameworks/?lang=en").json()["message"]


def test_a_key_of_a_disabled_account_stops_working(owner: User) -> None:
    _key, secret = api_key_create(user=owner, name="erp")
    owner.is_active = False
    owner.save()
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 401


def test_a_read_only_key_cannot_write(owner: User, organization: Organization) -> None:
    _key, secret = api_key_create(user=owner, name="dashboard", scope=ApiKey.Scope.READ)
    response = bearer(secret).patch(
        f"/api/v1/organizations/{organization.pk}/?lang=en", {"employees": 9}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "message": "This API key is read-only.", "details": {}}


def test_a_browser_session_works_but_must_send_the_csrf_token(owner: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get("/api/v1/organizations/").status_code == 200
    refused = client.post(
        "/api/v1/organizations/", {"name": "x", "sector": "C", "province": "11", "size_band": "micro"}
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["message"]


def test_revoke_api_key_revokes_by_prefix(owner: User, capsys: pytest.CaptureFixture[str]) -> None:
    _key, secret = api_key_create(user=owner, name="leaked")
    call_command("revoke_api_key", secret)  # the whole key works too: only the prefix is used
    assert "Revoked" in capsys.readouterr().out
    assert bearer(secret).get("/api/v1/frameworks/").status_code == 401
    with pytest.raises(CommandError, match="No API key"):
        call_command("revoke_api_key", "zzzzzzzz")


def test_the_admin_lists_keys_without_secrets_and_cannot_add_them(admin_client: Any, owner: User) -> None:
    key, secret = api_key_create(user=owner, name="erp")
    page = admin_client.get("/admin/api/apikey/").content.decode()
    assert key.prefix in page
    assert secret not in page
    assert admin_client.get("/admin/api/apikey/add/").status_code == 403
