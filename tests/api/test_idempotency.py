"""Idempotency-Key: a retried POST returns the first response and creates nothing new."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import IdempotencyRecord
from api.tasks import idempotency_records_purge_task
from assessment.models import Assessment, FrameworkVersion, Organization
from tests.api.conftest import KeyClient

pytestmark = pytest.mark.django_db
BODY = {"name": "幂等测试企业", "sector": "C", "province": "44", "size_band": "micro"}


def post(client: APIClient, path: str, body: Any, key: str) -> Any:
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key, HTTP_ACCEPT_LANGUAGE="en")


def test_the_same_key_and_body_return_the_first_response(owner_client: APIClient) -> None:
    first = post(owner_client, "/api/v1/organizations/", BODY, "create-org-1")
    again = post(owner_client, "/api/v1/organizations/", BODY, "create-org-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Organization.objects.filter(name=BODY["name"]).count() == 1


def test_the_same_key_with_another_body_is_422(owner_client: APIClient) -> None:
    post(owner_client, "/api/v1/organizations/", BODY, "k")
    response = post(owner_client, "/api/v1/organizations/", {**BODY, "name": "另一个"}, "k")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Organization.objects.filter(name="另一个").exists()


def test_the_same_key_on_another_path_is_422(
    owner_client: APIClient, organization: Organization, miit: FrameworkVersion
) -> None:
    post(owner_client, "/api/v1/organizations/", BODY, "k")
    body = {"organization": organization.pk, "framework": "miit-2024-manufacturing"}
    assert post(owner_client, "/api/v1/assessments/", body, "k").status_code == 422
    assert not Assessment.objects.exists()


def test_keys_are_per_caller(key_client: KeyClient, owner: Any, owner_client: APIClient) -> None:
    other = key_client(owner)  # another key of the same user: its own key space
    post(owner_client, "/api/v1/organizations/", BODY, "k")
    assert post(other, "/api/v1/organizations/", BODY, "k").status_code == 201
    assert Organization.objects.filter(name=BODY["name"]).count() == 2


def test_a_failed_request_is_not_remembered(owner_client: APIClient) -> None:
    bad = post(owner_client, "/api/v1/organizations/", {**BODY, "sector": "?"}, "k")
    assert bad.status_code == 400
    assert post(owner_client, "/api/v1/organizations/", BODY, "k").status_code == 201
    assert IdempotencyRecord.objects.get().status_code == 201


def test_a_request_still_in_flight_is_409(owner_client: APIClient, owner: Any) -> None:
    key = owner.api_keys.get()
    body_hash = hashlib.sha256(json.dumps(BODY, sort_keys=True).encode()).hexdigest()
    IdempotencyRecord.objects.create(
        principal=f"key:{key.prefix}", key="k", method="POST", path="/api/v1/organizations/", body_hash=body_hash
    )
    response = post(owner_client, "/api/v1/organizations/", BODY, "k")
    assert response.status_code == 409
    assert not Organization.objects.filter(name=BODY["name"]).exists()


def test_submit_with_a_key_is_not_done_twice(
    owner_client: APIClient, organization: Organization, miit: FrameworkVersion
) -> None:
    created = post(
        owner_client,
        "/api/v1/assessments/",
        {"organization": organization.pk, "framework": "miit-2024-manufacturing"},
        "a",
    )
    again = post(
        owner_client,
        "/api/v1/assessments/",
        {"organization": organization.pk, "framework": "miit-2024-manufacturing"},
        "a",
    )
    assert created.json()["id"] == again.json()["id"]
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\tkey", "ключ-1", " padded"])
def test_an_unusable_key_is_400(owner_client: APIClient, key: str) -> None:
    response = post(owner_client, "/api/v1/organizations/", BODY, key)
    assert response.status_code == 400
    assert response.json()["details"] == {"Idempotency-Key": ["Use 1 to 255 printable ASCII characters, e.g. a UUID."]}


@pytest.mark.parametrize("key", ["a", "x" * 255, "order 42: retry #1", "~!"])
def test_a_key_of_printable_ascii_with_inner_spaces_is_used(owner_client: APIClient, key: str) -> None:
    assert post(owner_client, "/api/v1/organizations/", BODY, key).status_code == 201
    assert post(owner_client, "/api/v1/organizations/", BODY, key)["Idempotent-Replayed"] == "true"


def test_records_older_than_a_day_are_purged(owner_client: APIClient) -> None:
    post(owner_client, "/api/v1/organizations/", BODY, "old")
    post(owner_client, "/api/v1/organizations/", {**BODY, "name": "新"}, "new")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_records_purge_task() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
