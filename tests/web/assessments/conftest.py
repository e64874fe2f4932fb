"""The review's people and a submitted MIIT assessment (tests/review/conftest.py), and someone from elsewhere."""

from __future__ import annotations

import pytest
from django.test import Client

from assessment.models import User
from assessment.services.organizations import organization_create
from tests.review.conftest import assignment, consultancy, consultant, lead, submitted

__all__ = ["assignment", "consultancy", "consultant", "lead", "stranger", "submitted"]


@pytest.fixture
def stranger(client: Client) -> Client:
    """A browser logged in as the owner of another organisation."""
    user = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    organization_create(owner=user, name="Other Co", sector="C", size_band="micro", province="11")
    client.force_login(user)
    return client
