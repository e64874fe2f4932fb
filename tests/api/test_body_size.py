"""JSON bodies over API_MAX_BODY_BYTES (1 MiB by default) are refused with 413, before they are parsed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from assessment.models import Organization

pytestmark = pytest.mark.django_db

PROFILE = {"sector": "C", "size_band": "small", "province": "32", "employees": 50}


def post(client: APIClient, body: bytes, **headers: Any) -> Any:
    return client.post("/api/v1/organizations/", data=body, content_type="application/json", **headers)


def test_a_20_mb_body_is_refused_with_413_in_the_api_error_shape(owner_client: APIClient) -> None:
    body = json.dumps({**PROFILE, "name": "x" * 20_000_000}).encode()
    response = post(owner_client, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "message": "The request body is larger than the API accepts (1.0\u00a0MB).",  # filesizeformat's no-break space
        "details": {},
    }
    assert not Organization.objects.filter(name__startswith="xxx").exists()


def test_the_message_follows_the_request_language(owner_client: APIClient) -> None:
    response = post(owner_client, b'{"name": "' + b"x" * 2_000_000 + b'"}')
    assert response.status_code == 413
    assert response.json()["message"] == "请求体超过了 API 接受的大小（1.0\u00a0MB）。"


def test_the_limit_is_a_setting_and_a_body_within_it_is_read(owner_client: APIClient, settings: Any) -> None:
    settings.API_MAX_BODY_BYTES = 1024
    within = json.dumps({**PROFILE, "name": "新公司"}).encode()
    assert post(owner_client, within).status_code == 201
    over = json.dumps({**PROFILE, "name": "x" * 1024}).encode()
    assert post(owner_client, over).status_code == 413


def test_the_schema_documents_413_for_every_write(owner_client: APIClient) -> None:
    schema = APIClient().get("/api/schema/?format=json").json()
    writes = [
        operation
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in ("post", "put", "patch")
    ]
    assert writes
    assert all("413" in operation["responses"] for operation in writes)
