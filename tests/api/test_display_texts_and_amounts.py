"""The API refuses names and descriptions with bidi or control characters, and negative amounts, as the pages do."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from assessment.models import Organization
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

PROFILE = {"name": "新公司", "sector": "C", "size_band": "small", "province": "32"}
REVERSED = "Acme\u202egnp.exe"


def refused(response: Any, field: str, message: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["details"] == {field: [message]}


def test_an_organisation_name_with_a_right_to_left_override_is_refused(owner_client: APIClient) -> None:
    response = owner_client.post("/api/v1/organizations/?lang=en", {**PROFILE, "name": REVERSED}, format="json")
    refused(
        response, "name", "Remove the invisible control character U+202E: it can reverse or hide the text around it."
    )
    assert not Organization.objects.filter(name=REVERSED).exists()


def test_renaming_an_organisation_to_a_name_with_a_bidi_isolate_is_refused_in_chinese(
    owner_client: APIClient, organization: Organization
) -> None:
    response = owner_client.patch(
        f"/api/v1/organizations/{organization.pk}/?lang=zh-Hans", {"name": "测试\u2066公司"}, format="json"
    )
    refused(response, "name", "请删除不可见的控制字符 U+2066：它会让周围的文字颠倒或隐藏。")
    organization.refresh_from_db()
    assert organization.name == "测试精密制造有限公司"


@pytest.mark.parametrize("field", ["annual_revenue", "total_assets"])
def test_negative_amounts_are_refused(owner_client: APIClient, organization: Organization, field: str) -> None:
    created = owner_client.post("/api/v1/organizations/?lang=en", {**PROFILE, field: -1}, format="json")
    refused(created, field, "Ensure this value is greater than or equal to 0.")
    changed = owner_client.patch(f"/api/v1/organizations/{organization.pk}/?lang=en", {field: "-0.5"}, format="json")
    refused(changed, field, "Ensure this value is greater than or equal to 0.")
    replaced = owner_client.put(
        f"/api/v1/organizations/{organization.pk}/?lang=en", {**PROFILE, field: -0.01}, format="json"
    )
    refused(replaced, field, "Ensure this value is greater than or equal to 0.")
    organization.refresh_from_db()
    assert getattr(organization, field) is None


def test_the_schema_says_amounts_are_at_least_zero() -> None:
    schema = APIClient().get("/api/schema/?format=json").json()
    for component in ("Organization", "OrganizationRequest", "PatchedOrganizationRequest"):
        properties = schema["components"]["schemas"][component]["properties"]
        assert properties["annual_revenue"]["minimum"] == 0, component
        assert properties["total_assets"]["minimum"] == 0, component


def test_a_webhook_description_with_a_line_break_is_refused(
    owner_client: APIClient, organization: Organization, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_HTTP = settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    body = {
        "organization": organization.pk,
        "url": "http://127.0.0.1:9/hook",
        "events": ["report.ready"],
        "description": "ERP\nSigned: the bank",
    }
    response = owner_client.post("/api/v1/webhooks/?lang=en", body, format="json")
    refused(
        response,
        "description",
        "Remove the invisible control character U+000A: it can reverse or hide the text around it.",
    )
    assert not WebhookEndpoint.objects.exists()
