"""The review fixtures (tests/review/conftest.py) for the consultant's pages, their browser sessions, and an
assessment under review whose own figures contradict two answers and which has documents."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from assessment.models import (
    Assessment,
    ConsultantAssignment,
    EvidenceDocument,
    FrameworkVersion,
    Membership,
    Organization,
    User,
)
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from review.services import review_start
from tests.helpers import answer_file, submit_filling_gaps
from tests.review.conftest import assignment, consultancy, consultant, lead, submitted

__all__ = ["assignment", "consultancy", "consultant", "lead", "submitted"]


def log_in(client: Client, user: User) -> Client:
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def consultant_web(client: Client, consultant: User, assignment: ConsultantAssignment) -> Client:
    """A browser session of the consultant assigned to the enterprise."""
    return log_in(client, consultant)


@pytest.fixture
def under_review(submitted: Assessment, consultant: User, assignment: ConsultantAssignment) -> Assessment:
    return review_start(assessment=submitted, consultant=consultant)


def document(assessment: Assessment, name: str, question: str | None, by: User) -> EvidenceDocument:
    """A stored document's row (the file itself is not needed to list it)."""
    return EvidenceDocument.objects.create(
        assessment=assessment,
        question=assessment.framework_version.questions.get(key=question) if question else None,
        file=f"evidence/{assessment.pk}/{name}",
        name=name,
        kind=EvidenceDocument.Kind.PDF,
        content_type="application/pdf",
        extension=".pdf",
        size=2048,
        sha256=f"{abs(hash(name)):064d}"[:64],
        uploaded_by=by,
    )


@pytest.fixture
def contradicting(
    organization: Organization, owner: User, miit: FrameworkVersion, consultant: User, assignment: ConsultantAssignment
) -> Assessment:
    """Under review: F2 claims E (60–100 %) with 30 of 100 devices digital, F3 counts 130 networked devices of
    100; an equipment list on F2 and a financial statement for the whole assessment."""
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers = {item["question"]: item for item in answer_file("miit-58.125.json")}
    answers["F2"] = {**answers["F2"], "evidence": {"devices_total": 100, "devices_digital": 30}}
    answers["F3"] = {**answers["F3"], "evidence": {"devices_networked": 130}}
    answers_upsert(assessment=assessment, items=list(answers.values()), answered_by=owner)
    document(assessment, "设备清单.pdf", "F2", owner)
    document(assessment, "2024年财务报表.pdf", None, owner)
    submit_filling_gaps(assessment, owner)
    return review_start(assessment=assessment, consultant=consultant)


@pytest.fixture
def other_consultant(db: None) -> User:
    """A consultant of another consultancy, assigned to another enterprise."""
    firm_owner = User.objects.create_user("owner@other-firm.example", "pw-other-12345")
    firm = organization_create(
        owner=firm_owner, name="杭州评估所", sector="M", size_band="micro", province="33", kind="consultancy"
    )
    user = User.objects.create_user("other@other-firm.example", "pw-other-12345")
    Membership.objects.create(user=user, organization=firm, role=Membership.Role.CONSULTANT)
    elsewhere = organization_create(owner=firm_owner, name="别家企业", sector="C", size_band="small", province="33")
    ConsultantAssignment.objects.create(consultant=user, organization=elsewhere)
    return user


@pytest.fixture
def web_as(client: Client) -> Callable[[User], Client]:
    return lambda user: log_in(client, user)
