from __future__ import annotations

import pytest
from django.test import Client

from assessment.models import User


@pytest.fixture
def owner_web(client: Client, owner: User) -> Client:
    """A browser session logged in as the organisation's owner."""
    client.force_login(owner)
    return client
