"""A bureau with its people, a programme on the MIIT framework, and an SME owner with an enterprise."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from assessment.models import FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import assessment_create
from assessment.services.organizations import organization_create
from programmes.invitations_csv import InvitationRow
from programmes.models import Consent, Programme
from programmes.services import GroupSpec, programme_create, programme_invitation_accept, programme_invitations_create
from tests.helpers import submit_filling_gaps, valid_uscc


def user(email: str) -> User:
    return User.objects.create_user(email, "pw-programme-1234")


@pytest.fixture
def bureau_owner(db: None) -> User:
    return user("director@bureau.example")


@pytest.fixture
def bureau(bureau_owner: User) -> Organization:
    return organization_create(
        owner=bureau_owner, name="苏州市中小企业局", kind="bureau", sector="S", size_band="medium", province="32"
    )


@pytest.fixture
def staff(bureau: Organization) -> dict[str, User]:
    """The bureau's admin, analyst and viewer."""
    people = {}
    for role in ("admin", "analyst", "viewer"):
        people[role] = user(f"{role}@bureau.example")
        Membership.objects.create(user=people[role], organization=bureau, role=role)
    return people


@pytest.fixture
def programme(bureau: Organization, bureau_owner: User, miit: FrameworkVersion) -> Programme:
    return programme_create(
        operator=bureau,
        created_by=bureau_owner,
        name="2026 数字化转型试点",
        framework_versions=[miit],
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        baseline_date=timezone.localdate() - timedelta(days=1),
        target_level=2,
        target_share=Decimal("60"),
        target_date=date(2027, 12, 31),
        groups=[GroupSpec("工业园区"), GroupSpec("一级供应商", "tier")],
    )


@pytest.fixture
def sme_owner(db: None) -> User:
    return user("boss@sme.example")


@pytest.fixture
def sme(sme_owner: User) -> Organization:
    return organization_create(
        owner=sme_owner, name="苏州精工机械有限公司", uscc=valid_uscc(1), sector="C", size_band="small", province="32"
    )


def invite(programme: Programme, by: User, **row: Any) -> Any:
    values = {"line": 0, "company_name": "苏州精工机械有限公司", "email": "boss@sme.example", **row}
    [issued] = programme_invitations_create(programme=programme, rows=[InvitationRow(**values)], invited_by=by)
    return issued


@pytest.fixture
def enrolment(programme: Programme, bureau_owner: User, sme: Organization, sme_owner: User) -> Any:
    issued = invite(programme, bureau_owner, uscc=sme.uscc)
    return programme_invitation_accept(
        invitation=issued.invitation, organization=sme, user=sme_owner, consent=Consent.RESULTS
    )


@pytest.fixture
def assessed(
    sme: Organization, sme_owner: User, miit: FrameworkVersion, django_capture_on_commit_callbacks: Any
) -> Any:
    """The SME's submitted assessment (after the programme's date: its T1), its cohort rows refreshed as after
    the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        assessment = assessment_create(organization=sme, framework_version=miit, created_by=sme_owner)
        return submit_filling_gaps(assessment, sme_owner)
