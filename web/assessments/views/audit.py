"""An assessment's history (记录): every recorded change, who made it, when and why."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from review.selectors import is_assigned_consultant
from web.assessments.audit_trail import audit_trail
from web.assessments.pages import questionnaire
from web.assessments.views import assessment_and_role, page_context, user_of


@login_required
@require_GET
def assessment_audit(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone who sees the assessment reads its history; internal events only its assigned consultants."""
    assessment, role = assessment_and_role(request, pk)
    layout = questionnaire(assessment.framework_version)
    internal = is_assigned_consultant(user_of(request), assessment.organization_id)
    context = page_context(assessment, role, layout, entries=audit_trail(assessment, layout, internal=internal))
    return render(request, "web/assessments/audit.html", context)
