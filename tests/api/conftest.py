from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from api.models import ApiKey
from api.services import api_key_create
from assessment.models import Organization, User
from tests.review import conftest as review

# The review's world (a consultancy, its lead and consultant assigned to `organization`, a submitted assessment).
lead, consultancy, consultant = review.lead, review.consultancy, review.consultant
assignment, submitted = review.assignment, review.submitted

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


@pytest.fixture
def consultant_client(key_client: KeyClient, consultant: User, assignment: Any) -> APIClient:
    """The assigned consultant's personal key (not limited to an organisation)."""
    return key_client(consultant)
