"""The review fixtures (tests/review/conftest.py) for the consultant's pages, and their browser sessions."""

from __future__ import annotations

import pytest
from django.test import Client

from assessment.models import Assessment, ConsultantAssignment, User
from review.services import review_start
from tests.review.conftest import assignment, consultancy, consultant, lead, submitted

__all__ = ["assignment", "consultancy", "consultant", "lead", "submitted"]


@pytest.fixture
def consultant_web(client: Client, consultant: User, assignment: ConsultantAssignment) -> Client:
    """A browser session of the consultant assigned to the enterprise."""
    client.force_login(consultant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def under_review(submitted: Assessment, consultant: User, assignment: ConsultantAssignment) -> Assessment:
    return review_start(assessment=submitted, consultant=consultant)
