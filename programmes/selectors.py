"""Who sees which programme and which enrolled SME: the one place programme tenancy is decided."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from assessment.models import Assessment, Membership, Organization, User
from programmes.models import AccessRecord, CohortMember, Consent, Enrolment, Programme, ProgrammeInvitation


def programmes_visible_to(user: Any) -> QuerySet[Programme]:
    """The programmes of the operators `user` is a member of (any role); nothing for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return Programme.objects.none()
    return Programme.objects.filter(operator__in=Membership.objects.filter(user=user).values("organization"))


def programme_role(user: User, programme: Programme) -> str | None:
    """The user's role in the programme's operator, or None."""
    return (
        Membership.objects.filter(user=user, organization_id=programme.operator_id)
        .values_list("role", flat=True)
        .first()
    )


def programme_get(user: Any, pk: int) -> Programme:
    """The programme if `user` may see it, else 404 (another operator's programme does not exist for them)."""
    try:
        return programmes_visible_to(user).select_related("operator", "consultancy").get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404 from None


def enrolments_active(programme: Programme) -> QuerySet[Enrolment]:
    """The programme's SMEs whose consent stands: the only ones its operator sees anything of."""
    return Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=True)


def enrolment_get(programme: Programme, organization_id: int) -> Enrolment:
    """An SME's active enrolment in the programme, else 404 (withdrawn or never enrolled: not visible)."""
    try:
        return enrolments_active(programme).select_related("organization").get(organization_id=organization_id)
    except Enrolment.DoesNotExist:
        raise Http404 from None


def may_see_answers(enrolment: Enrolment) -> bool:
    """The SME consented to its answers being seen (and still does)."""
    return enrolment.is_active and enrolment.consent == Consent.ANSWERS


# --- roles, invitations, an SME's programmes (web.programmes, api.views.programmes) -----------------


def may_administer(role: str | None) -> bool:
    """Owners, programme administrators and leads create and edit programmes and invite SMEs."""
    return role in Membership.PROGRAMME_ADMINS


def may_see_named(role: str | None) -> bool:
    """Analysts (and admins) see named SMEs' details; viewers see the analytics alone."""
    return role in Membership.PROGRAMME_ANALYSTS


def programme_invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def programme_invitation_by_token(token: str) -> ProgrammeInvitation | None:
    """The invitation an e-mailed link stands for, whatever its state; None for an unknown token."""
    if len(token) > 100:
        return None
    return (
        ProgrammeInvitation.objects.select_related("programme__operator", "programme__consultancy", "group")
        .filter(token_hash=programme_invitation_token_hash(token))
        .first()
    )


@dataclass(frozen=True)
class ProgrammeCounts:
    enrolled: int
    invited: int  # open (pending, not expired)
    declined: int
    withdrawn: int  # enterprises whose consent was withdrawn and that are not enrolled again
    expired: int
    revoked: int


def programme_counts(programme: Programme) -> ProgrammeCounts:
    """How many SMEs are enrolled, invited, declined, withdrawn: three queries."""
    now = timezone.now()
    invitations = ProgrammeInvitation.objects.filter(programme=programme).aggregate(
        invited=Count("pk", filter=Q(decision="", expires_at__gt=now)),
        expired=Count("pk", filter=Q(decision="", expires_at__lte=now)),
        declined=Count("pk", filter=Q(decision=ProgrammeInvitation.Status.DECLINED)),
        revoked=Count("pk", filter=Q(decision=ProgrammeInvitation.Status.REVOKED)),
    )
    active = enrolments_active(programme)
    withdrawn = (
        Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=False)
        .exclude(organization__in=active.values("organization"))
        .values("organization")
        .distinct()
        .count()
    )
    return ProgrammeCounts(enrolled=active.count(), withdrawn=withdrawn, **invitations)


def programme_invitations(programme: Programme) -> QuerySet[ProgrammeInvitation]:
    return ProgrammeInvitation.objects.filter(programme=programme).select_related("group", "invited_by")


def organization_enrolments(organization: Organization) -> QuerySet[Enrolment]:
    """An SME's enrolments, active first, with their programme and operator."""
    return (
        Enrolment.objects.filter(organization=organization)
        .select_related("programme__operator", "programme__consultancy", "consented_by", "withdrawn_by", "group")
        .order_by(F("withdrawn_at").desc(nulls_first=True), "-consented_at")
    )


def enrolment_access_records(enrolment: Enrolment) -> QuerySet[AccessRecord]:
    """Who at the operator saw what of the SME, newest first (every record: page through it)."""
    return AccessRecord.objects.filter(enrolment=enrolment).order_by("-at", "-id")


def enrolments_visible_to(user: Any) -> QuerySet[Enrolment]:
    """The enrolments of the enterprises `user` is a member of (the SME side)."""
    if not getattr(user, "is_authenticated", False):
        return Enrolment.objects.none()
    return Enrolment.objects.filter(organization__in=Membership.objects.filter(user=user).values("organization"))


def enrolment_assessments(enrolment: Enrolment) -> tuple[Assessment | None, Assessment | None]:
    """The SME's T0 and T1 on the programme's frameworks, as its cohort row names them (programmes.cohort: T0 the
    last assessment submitted before the programme's date, T1 the latest submitted), so the SME's page and the
    cohort's figures never disagree; (None, None) while the row is not made yet."""
    related = ("organization", "framework_version__framework")
    member = (
        CohortMember.objects.filter(enrolment=enrolment)
        .select_related(*(f"{which}__{name}" for which in ("assessment", "t0_assessment") for name in related))
        .first()
    )
    return (member.t0_assessment, member.assessment) if member else (None, None)
