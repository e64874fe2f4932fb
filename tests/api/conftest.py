from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from api.models import ApiKey
from api.services import api_key_create
from assessment.models import Organization, User

KeyClient = Callable[..., APIClient]


@pytest.fixture
def key_client(db: None) -> KeyClient:
    """An API client sending `Authorization: Bearer <key>` for a new key of `user`."""

    def make(
        user: User, scope: str = ApiKey.Scope.WRITE, organization: Organization | None = None, **options: Any
    ) -> APIClient:
        _key, secret = api_key_create(user=user, name="test", scope=scope, organization=organization, **options)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make


@pytest.fixture
def owner_client(key_client: KeyClient, owner: User, organization: Organization) -> APIClient:
    return key_client(owner)
