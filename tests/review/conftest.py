"""A consultancy with a lead and a consultant, an enterprise that asked it, and a submitted MIIT assessment."""

from __future__ import annotations

import pytest

from assessment.models import Assessment, ConsultantAssignment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from review.services import consultant_assign, consultant_profile_save, verification_request_create
from tests.helpers import answer_file, submit_filling_gaps


@pytest.fixture
def lead(db: None) -> User:
    return User.objects.create_user("lead@consult.example", "pw-lead-12345")


@pytest.fixture
def consultancy(lead: User) -> Organization:
    firm = organization_create(owner=lead, name="苏州数字化评估中心", sector="M", size_band="small", province="32")
    firm.kind = Organization.Kind.CONSULTANCY
    firm.save(update_fields=["kind"])
    return firm


@pytest.fixture
def consultant(consultancy: Organization) -> User:
    user = User.objects.create_user("consultant@consult.example", "pw-consultant-1")
    Membership.objects.create(user=user, organization=consultancy, role=Membership.Role.CONSULTANT)
    consultant_profile_save(user=user, family_name="王", given_name="立", qualification="苏州市数字化评估师")
    return user


@pytest.fixture
def assignment(
    organization: Organization, owner: User, consultancy: Organization, consultant: User, lead: User
) -> ConsultantAssignment:
    verification_request_create(organization=organization, consultancy=consultancy, requested_by=owner)
    return consultant_assign(
        consultant=consultant, organization=organization, consultancy=consultancy, assigned_by=lead
    )


@pytest.fixture
def submitted(organization: Organization, owner: User, miit: FrameworkVersion) -> Assessment:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=assessment, items=answer_file("miit-58.125.json"), answered_by=owner)
    return submit_filling_gaps(assessment, owner)
