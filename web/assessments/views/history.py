"""The organisation's assessments: its history with the T0 → T1 chart, and starting one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment.models import Organization
from assessment.services import ServiceError
from assessment.services.assessments import (
    assessment_create,
    assessment_start_from_previous,
)
from web.access import organization_with_role
from web.assessments.forms import (
    AssessmentStartForm,
)
from web.assessments.pages import (
    assessment_history,
)
from web.assessments.views import (
    CONTRIBUTORS,
    NAV,
    require_contributor,
    user_of,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the service is, for a visitor; for a user, straight to the organisation's page when they have one,
    a choice when several."""
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    organizations = list(Organization.objects.visible_to(request.user).order_by("name"))
    if len(organizations) == 1:
        return redirect("web:org_home", organizations[0].pk)
    return render(request, "web/assessments/home.html", {"organizations": organizations})


def _history(organization: Organization, role: str, form: AssessmentStartForm | None = None) -> dict[str, Any]:
    rows, charts = assessment_history(organization)
    if form is None:
        form = AssessmentStartForm(organization=organization, first=not rows)
    return {
        "organization": organization,
        "role": role,
        "nav": NAV,
        "rows": rows,
        "charts": charts,
        "can_write": role in CONTRIBUTORS,
        "form": form,
    }


@login_required
@require_GET
def org_home(request: HttpRequest, org_id: int) -> HttpResponse:
    organization, role = organization_with_role(request, org_id)
    if organization.is_consultancy:  # a consultancy answers no assessment: its work is the review queue
        return redirect("web:review_queue")
    if organization.is_operator:  # nor does a bureau, chain leader, bank or provider: its work is its programmes
        return redirect("web:programme_list")
    context = _history(organization, role)
    return render(request, "web/assessments/org_home.html", context)


@login_required
@require_POST
def assessment_start(request: HttpRequest, org_id: int) -> HttpResponse:
    organization, role = organization_with_role(request, org_id)
    require_contributor(role)
    form = AssessmentStartForm(request.POST, organization=organization)
    if form.is_valid():
        version, previous = form.cleaned_data["framework"], form.cleaned_data.get("previous")
        try:
            if previous is not None and form.cleaned_data.get("copy_answers"):
                assessment = assessment_start_from_previous(
                    previous=previous, framework_version=version, created_by=user_of(request)
                )
            else:
                assessment = assessment_create(
                    organization=organization, framework_version=version, created_by=user_of(request), previous=previous
                )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Assessment #%(id)s started.") % {"id": assessment.pk})
            return redirect("web:assessment", assessment.pk)
    return render(request, "web/assessments/org_home.html", _history(organization, role, form), status=422)
