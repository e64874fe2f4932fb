from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from assessment.models import FrameworkVersion, Membership, Organization, User
from assessment.selectors import framework_version_get


@pytest.fixture
def owner_web(client: Client, owner: User) -> Client:
    """A browser session logged in as the organisation's owner."""
    client.force_login(owner)
    return client


MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-framework.yaml"


@pytest.fixture
def mini(db: None) -> FrameworkVersion:
    """The small framework with every question kind (tests/fixtures/mini-framework.yaml), published."""
    call_command("import_framework", str(MINI), verbosity=0)
    return framework_version_get("mini@1")


@pytest.fixture
def member(organization: Organization) -> Callable[..., User]:
    """Make a member of the organisation with a role: member("respondent")."""

    def make(role: str, email: str | None = None) -> User:
        user = User.objects.create_user(email or f"{role}@example.com", "pw-member-1234")
        Membership.objects.create(user=user, organization=organization, role=role)
        return user

    return make
