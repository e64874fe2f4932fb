"""A bureau with a programme and SMEs at different levels, T0 before the programme's date and T1 after it, one of
them verified: the world the cohort tests stand on (not a conftest: other suites share tests/programmes/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from assessment.models import Assessment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from programmes.cohort import cohort_member_refresh, cohort_refresh_organization
from programmes.models import Consent, Enrolment, Programme, ProgrammeGroup
from review.services import (
    consultant_assign,
    consultant_profile_save,
    review_finalize,
    review_item_set,
    review_start,
    verification_request_create,
)
from scoring.selectors import assessment_answers
from tests.helpers import answer_file, submit_filling_gaps, valid_uscc

TODAY = timezone.localdate()
BASELINE = TODAY - timedelta(days=40)


@dataclass
class World:
    operator: Organization
    programme: Programme
    owner: User
    analyst: User
    viewer: User
    group: ProgrammeGroup
    smes: dict[str, Organization] = field(default_factory=dict)
    enrolments: dict[str, Enrolment] = field(default_factory=dict)
    assessments: dict[str, list[Assessment]] = field(default_factory=dict)


def operator_with_programme(miit: FrameworkVersion, *, prefix: str = "bureau") -> World:
    owner = User.objects.create_user(f"owner@{prefix}.example", "pw-owner-12345")
    operator = organization_create(owner=owner, name=f"{prefix} 工信局", sector="S", size_band="small", province="64")
    operator.kind = Organization.Kind.BUREAU
    operator.save(update_fields=["kind"])
    analyst = User.objects.create_user(f"analyst@{prefix}.example", "pw-analyst-1234")
    viewer = User.objects.create_user(f"viewer@{prefix}.example", "pw-viewer-12345")
    Membership.objects.create(user=analyst, organization=operator, role=Membership.Role.ANALYST)
    Membership.objects.create(user=viewer, organization=operator, role=Membership.Role.VIEWER)
    programme = Programme.objects.create(
        operator=operator,
        name="银川数字化转型试点",
        starts_on=TODAY - timedelta(days=120),
        ends_on=TODAY + timedelta(days=365),
        baseline_date=BASELINE,
        target_level=2,
        target_share=Decimal("60"),
        target_date=TODAY + timedelta(days=300),
        created_by=owner,
    )
    programme.framework_versions.add(miit)
    group = ProgrammeGroup.objects.create(programme=programme, name="一级供应商", kind=ProgrammeGroup.Kind.TIER)
    return World(operator, programme, owner, analyst, viewer, group)


def submitted_on(
    organization: Organization, user: User, miit: FrameworkVersion, answers: str | None, on: date
) -> Assessment:
    """An assessment submitted with `answers` (a fixture file; None: the lowest answers), dated `on`."""
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=user)
    if answers:
        answers_upsert(assessment=assessment, items=answer_file(answers), answered_by=user)
    submit_filling_gaps(assessment, user)
    when = timezone.make_aware(timezone.datetime.combine(on, timezone.datetime.min.time())) + timedelta(hours=10)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=when, pledged_at=when)
    return Assessment.objects.get(pk=assessment.pk)


def enrol(world: World, name: str, number: int, *, group: bool = False, **profile: Any) -> Organization:
    user = User.objects.create_user(f"sme{number}@sme.example", "pw-sme-1234567")
    city = profile.pop("city", "")
    fields = {"sector": "C", "size_band": "small", "province": "64"} | profile
    organization = organization_create(owner=user, name=name, uscc=valid_uscc(number), **fields)
    if city:
        Organization.objects.filter(pk=organization.pk).update(city=city)
        organization.city = city
    world.smes[name] = organization
    world.enrolments[name] = Enrolment.objects.create(
        programme=world.programme,
        organization=organization,
        group=world.group if group else None,
        consent=Consent.RESULTS,
        consented_by=user,
    )
    world.assessments[name] = []
    cohort_member_refresh(enrolment_id=world.enrolments[name].pk)
    return organization


def assess(world: World, name: str, miit: FrameworkVersion, answers: str | None, on: date) -> Assessment:
    organization = world.smes[name]
    user = Membership.objects.filter(organization=organization).first().user  # type: ignore[union-attr]
    assessment = submitted_on(organization, user, miit, answers, on)
    world.assessments[name].append(assessment)
    cohort_refresh_organization(organization_id=organization.pk)
    return assessment


def verify(assessment: Assessment, *, adjust: dict[str, dict[str, Any]] | None = None, refresh: bool = True) -> None:
    """A consultancy verifies the assessment, adjusting `adjust` (question → answer), and signs off."""
    lead = User.objects.create_user(f"lead{assessment.pk}@consult.example", "pw-lead-12345")
    firm = organization_create(
        owner=lead, name=f"评估中心{assessment.pk}", sector="M", size_band="small", province="64"
    )
    firm.kind = Organization.Kind.CONSULTANCY
    firm.save(update_fields=["kind"])
    consultant = User.objects.create_user(f"c{assessment.pk}@consult.example", "pw-consultant-1")
    Membership.objects.create(user=consultant, organization=firm, role=Membership.Role.CONSULTANT)
    consultant_profile_save(user=consultant, family_name="王", given_name="立", qualification="评估师")
    owner = Membership.objects.get(organization=assessment.organization, role=Membership.Role.OWNER).user
    verification_request_create(organization=assessment.organization, consultancy=firm, requested_by=owner)
    consultant_assign(consultant=consultant, organization=assessment.organization, consultancy=firm, assigned_by=lead)
    review_start(assessment=assessment, consultant=consultant)
    for key in assessment_answers(assessment):
        if adjust and key in adjust:
            review_item_set(
                assessment=assessment,
                reviewer=consultant,
                question_key=key,
                verdict="adjusted",
                answer=adjust[key],
                reason="现场核查",
            )
        else:
            review_item_set(assessment=assessment, reviewer=consultant, question_key=key, verdict="verified")
    review_finalize(assessment=assessment, consultant=consultant, statement="属实")
    if refresh:
        cohort_refresh_organization(organization_id=assessment.organization_id)


def standard_world(miit: FrameworkVersion) -> World:
    """Four SMEs: A rose from the lowest answers (T0) to 58.125 (T1) and was verified lower; B at 28.125 since
    before the date; C only T1 at 58.125 (in the group, another province); D enrolled, never assessed."""
    world = operator_with_programme(miit)
    enrol(world, "甲精密制造", 1)
    enrol(world, "乙电子科技", 2)
    enrol(world, "丙机械", 3, group=True, province="32", city="苏州市")
    enrol(world, "丁食品", 4, sector="C", size_band="micro")
    assess(world, "甲精密制造", miit, None, BASELINE - timedelta(days=30))
    t1 = assess(world, "甲精密制造", miit, "miit-58.125.json", BASELINE + timedelta(days=10))
    assess(world, "乙电子科技", miit, "miit-28.125.json", BASELINE - timedelta(days=20))
    assess(world, "丙机械", miit, "miit-58.125.json", BASELINE + timedelta(days=5))
    verify(t1, adjust={"S02": {"level": 1}, "S04": {"level": 1}, "S05": {"level": 1}, "S12": {"level": 1}})
    world.programme.refresh_from_db()
    return world
