"""A consultancy's requests from enterprises: its owners and leads assign consultants, or decline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment.models import ConsultantAssignment, Organization
from assessment.services import ServiceError
from review.models import VerificationRequest
from review.services import consultant_assign, consultant_unassign, verification_request_decline
from web.review.forms import AssignForm
from web.review.pages import consultancy_requests, consultancy_reviewers
from web.review.views import led_consultancy, user_of

PAGE = "web/review/requests.html"


def _page(request: HttpRequest, consultancy: Organization, role: str, **extra: object) -> dict[str, object]:
    return {
        "organization": consultancy,
        "role": role,
        "nav": "requests",
        "page": consultancy_requests(consultancy),
        **extra,
    }


@login_required
@require_GET
def requests(request: HttpRequest, org_id: int) -> HttpResponse:
    consultancy, role = led_consultancy(request, org_id)
    return render(request, PAGE, _page(request, consultancy, role))


@login_required
@require_POST
def assign(request: HttpRequest, org_id: int, request_id: int) -> HttpResponse:
    """Assign one of the consultancy's people to the enterprise that asked; a refusal (a conflict of interest,
    a former member) is shown beside the request."""
    consultancy, role = led_consultancy(request, org_id)
    asked = get_object_or_404(
        VerificationRequest.objects.select_related("organization"), consultancy=consultancy, pk=request_id
    )
    form = AssignForm(request.POST, reviewers=consultancy_reviewers(consultancy))
    status = 422
    if form.is_valid():
        consultant = form.cleaned_data["consultant"]
        try:
            consultant_assign(
                consultant=consultant,
                organization=asked.organization,
                consultancy=consultancy,
                assigned_by=user_of(request),
            )
        except ServiceError as exc:
            form.add_error("consultant", str(exc))
            status = 409
        else:
            messages.success(
                request,
                _("%(user)s is assigned to verify %(name)s.") % {"user": consultant, "name": asked.organization.name},
            )
            return redirect("web:consultancy_requests", consultancy.pk)
    context = _page(request, consultancy, role, failed_request=asked.pk, assign_form=form)
    return render(request, PAGE, context, status=status)


@login_required
@require_POST
def decline(request: HttpRequest, org_id: int, request_id: int) -> HttpResponse:
    consultancy, _role = led_consultancy(request, org_id)
    asked = get_object_or_404(
        VerificationRequest.objects.select_related("organization"), consultancy=consultancy, pk=request_id
    )
    try:
        verification_request_decline(request=asked, decided_by=user_of(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The request of %(name)s is declined.") % {"name": asked.organization.name})
    return redirect("web:consultancy_requests", consultancy.pk)


@login_required
@require_POST
def unassign(request: HttpRequest, org_id: int, assignment_id: int) -> HttpResponse:
    consultancy, _role = led_consultancy(request, org_id)
    assignment = get_object_or_404(
        ConsultantAssignment.objects.select_related("consultant", "organization"),
        consultancy=consultancy,
        pk=assignment_id,
    )
    try:
        consultant_unassign(assignment=assignment, removed_by=user_of(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(user)s no longer verifies %(name)s.")
            % {"user": assignment.consultant, "name": assignment.organization.name},
        )
    return redirect("web:consultancy_requests", consultancy.pk)
