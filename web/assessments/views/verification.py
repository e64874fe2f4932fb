"""An enterprise asks a consultancy of the directory to verify its assessments, and sees who verifies them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessment.models import Membership, Organization
from assessment.services import ServiceError
from review.models import VerificationRequest
from review.services import verification_request_create
from web.access import organization_with_role
from web.assessments.forms import VerificationRequestForm
from web.assessments.verification import consultancy_directory, reviewers, verification_requests
from web.assessments.views import user_of


@login_required
@require_http_methods(["GET", "POST"])
def org_verification(request: HttpRequest, org_id: int) -> HttpResponse:
    """Everyone who sees the organisation reads the page; owners ask a consultancy."""
    organization, role = organization_with_role(request, org_id)
    can_request = role == Membership.Role.OWNER and not organization.is_consultancy
    form = VerificationRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not can_request:
            raise PermissionDenied(_("Only owners of an enterprise can ask for verification."))
        status = 422
        if form.is_valid():
            consultancy: Organization = form.cleaned_data["consultancy"]
            try:
                verification_request_create(
                    organization=organization,
                    consultancy=consultancy,
                    requested_by=user_of(request),
                    message=form.cleaned_data["message"],
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(
                    request, _("Your request went to %(name)s; its leads assign a consultant.") % {"name": consultancy}
                )
                return redirect("web:org_verification", organization.pk)
    requests = list(verification_requests(organization))
    context = {
        "organization": organization,
        "role": role,
        "nav": "verification",
        "can_request": can_request,
        "form": form,
        "directory": consultancy_directory(),
        "requests": requests,
        "waiting_on": {r.consultancy_id for r in requests if r.status == VerificationRequest.Status.OPEN},
        "reviewers": reviewers(organization),
    }
    return render(request, "web/assessments/verification.html", context, status=status)
