"""Assessment pages: the organisation's assessments, the questionnaire wizard, review, results, reports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessment.models import Organization


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the organisation's page when the user has one; a choice when several."""
    organizations = list(Organization.objects.visible_to(request.user).order_by("name"))
    if len(organizations) == 1:
        return redirect("web:org_home", organizations[0].pk)
    return render(request, "web/questionnaire/home.html", {"organizations": organizations})
