"""The assessment pages: one module per page group, and here what every page of one assessment shares."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from assessment.models import Assessment, Membership, User
from assessment.selectors import CONSULTANT, membership_role
from web.assessments.pages import Questionnaire

CONTRIBUTORS = Membership.CONTRIBUTORS
NAV = "assessments"


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def require_contributor(role: str) -> None:
    if role not in CONTRIBUTORS:
        raise PermissionDenied(_("Your role in this organisation does not allow this."))


def assessment_and_role(request: HttpRequest, pk: int, *, with_result: bool = False) -> tuple[Assessment, str]:
    """The assessment (404 unless the user may see it) and the user's role, in one query; its stored
    result too for the pages that show it (not for the wizard and its autosaves)."""
    assessments = (
        Assessment.objects.visible_to(request.user)
        .select_related("organization", "framework_version__framework")
        .annotate(caller_role=membership_role(user_of(request)))
    )
    if with_result:
        assessments = assessments.select_related("result")
    assessment = get_object_or_404(assessments, pk=pk)
    return assessment, assessment.caller_role or CONSULTANT  # type: ignore[attr-defined]


def page_context(assessment: Assessment, role: str, layout: Questionnaire, **context: Any) -> dict[str, Any]:
    """What every page of one assessment shows: the organisation nav, the framework, who may change it."""
    can_write = role in CONTRIBUTORS
    return {
        "organization": assessment.organization,
        "role": role,
        "nav": NAV,
        "assessment": assessment,
        "layout": layout,
        "can_write": can_write,
        "editable": can_write and assessment.is_editable,
        "file_limit": settings.EVIDENCE_MAX_FILE_BYTES,  # the upload controls say it
        **context,
    }
