"""The consultant's pages: one module per page group, and here who may open them."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from assessment.models import Assessment, ConsultantAssignment, Membership, Organization, User
from web.access import organization_with_role
from web.review.pages import REVIEW_STATUSES, is_reviewer


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def require_reviewer(request: HttpRequest) -> User:
    """The user, if they work for a consultancy or are assigned to an enterprise; else 403."""
    user = user_of(request)
    if not is_reviewer(user):
        raise PermissionDenied(_("These pages are for consultants."))
    return user


def reviewed_assessment(request: HttpRequest, pk: int) -> Assessment:
    """A submitted assessment the user verifies: 404 unless they may see it, 403 unless they are assigned to it
    (its enterprise's own members read it on the enterprise's pages); drafts are not reviewed (404)."""
    user = user_of(request)
    assigned = ConsultantAssignment.objects.filter(consultant=user, organization=OuterRef("organization"))
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user)
        .select_related("organization", "framework_version__framework", "submitted_by")
        .annotate(assigned=Exists(assigned)),
        pk=pk,
    )
    if not assessment.assigned:  # type: ignore[attr-defined]
        raise PermissionDenied(_("Only a consultant assigned to the enterprise reviews its assessments."))
    if assessment.status not in REVIEW_STATUSES:
        raise Http404(_("This assessment has not been submitted."))
    return assessment


def led_consultancy(request: HttpRequest, org_id: int) -> tuple[Organization, str]:
    """A consultancy the user leads (owner or lead): 404 unless they may see it, 403 for its consultants."""
    organization, role = organization_with_role(request, org_id)
    if not organization.is_consultancy:
        raise Http404(_("Not a consultancy."))
    if role not in Membership.LEADS:
        raise PermissionDenied(_("Only the consultancy's owners and leads answer requests."))
    return organization, role
