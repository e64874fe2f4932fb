"""Who sees which programme and which enrolled SME: the one place programme tenancy is decided."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from assessment.models import Membership, User
from programmes.models import Consent, Enrolment, Programme


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
