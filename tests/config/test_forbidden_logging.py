"""A 403 is logged as one warning line, without a traceback; other errors keep theirs."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiKey
from api.services import api_key_create
from assessment.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_page_refused_with_permission_denied_logs_a_warning_without_a_traceback(
    client: Client, organization: Organization, caplog: pytest.LogCaptureFixture
) -> None:
    viewer = User.objects.create_user("viewer@example.com", "pw-viewer-1234")
    Membership.objects.create(user=viewer, organization=organization, role=Membership.Role.VIEWER)
    client.force_login(viewer)
    path = reverse("web:org_api_keys", args=[organization.pk])
    with caplog.at_level(logging.INFO):
        assert client.get(path).status_code == 403
    [record] = request_records(caplog)
    assert (record.levelname, record.getMessage()) == ("WARNING", f"Forbidden (Permission denied): {path}")
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_the_admin_refusing_an_action_logs_no_traceback(admin_client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        assert admin_client.get("/admin/api/apikey/add/").status_code == 403
    [record] = request_records(caplog)
    assert record.levelname == "WARNING"
    assert "Traceback" not in caplog.text


def test_an_api_call_refused_for_its_scope_logs_a_warning_without_a_traceback(
    client: Client, owner: User, organization: Organization, caplog: pytest.LogCaptureFixture
) -> None:
    _key, secret = api_key_create(user=owner, name="reader", scope=ApiKey.Scope.READ)
    with caplog.at_level(logging.INFO):
        response = client.post(
            "/api/v1/organizations/",
            {"name": "x", "sector": "C", "province": "32"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    [record] = request_records(caplog)
    assert (record.levelname, record.getMessage()) == ("WARNING", "Forbidden: /api/v1/organizations/")
    assert "Traceback" not in caplog.text


def test_other_errors_logged_by_django_request_keep_their_traceback(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise ValueError("a bug")
    except ValueError as bug:
        logging.getLogger("django.request").error("Internal Server Error: /", exc_info=bug)
    [record] = request_records(caplog)
    assert record.exc_info is not None
    assert "Traceback" in caplog.text
    assert "ValueError: a bug" in caplog.text
