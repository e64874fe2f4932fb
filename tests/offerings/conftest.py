"""An SME, a service provider with an administrator, offerings of the MIIT framework."""

from __future__ import annotations

from typing import Any

import pytest

from assessment.models import Assessment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from offerings.models import Offering
from offerings.services import offering_create
from scoring.selectors import framework_structure
from tests.helpers import lowest_item, submit_filling_gaps

OFFERING = {
    "kind": "consulting",
    "title": "设备联网诊断",
    "description": "上门诊断设备联网与数据采集。",
    "question_keys": ["S07"],
    "level_min": 1,
    "level_max": 2,
    "contact_name": "王工",
    "contact_email": "wang@provider.example",
}


@pytest.fixture
def provider_admin(db: None) -> User:
    return User.objects.create_user("admin@provider.example", "pw-provider-1234")


@pytest.fixture
def provider(provider_admin: User) -> Organization:
    return organization_create(
        owner=provider_admin, name="数转服务商", kind="provider", sector="I", size_band="small", province="32"
    )


@pytest.fixture
def make_offering(provider: Organization, provider_admin: User, miit: FrameworkVersion) -> Any:
    def make(**fields: Any) -> Offering:
        return offering_create(
            provider=provider, created_by=provider_admin, **{**OFFERING, "framework": miit.framework, **fields}
        )

    return make


@pytest.fixture
def sme_viewer(organization: Organization) -> User:
    user = User.objects.create_user("viewer@sme.example", "pw-viewer-1234")
    Membership.objects.create(user=user, organization=organization, role="viewer")
    return user


@pytest.fixture
def low_assessment(organization: Organization, owner: User, miit: FrameworkVersion) -> Assessment:
    """A submitted MIIT assessment at the lowest answers: level 0, its path to level 1 through F6, M1, S01–S06 …"""
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    framework = framework_structure(miit)
    answers_upsert(
        assessment=assessment, answered_by=owner, items=[lowest_item(q) for q in framework.questions.values()]
    )
    submit_filling_gaps(assessment, owner)
    return Assessment.objects.select_related("organization", "framework_version__framework").get(pk=assessment.pk)
