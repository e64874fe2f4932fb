"""PDF reports from the results page: request one, poll its status, download it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from api.downloads import stored_file_response
from assessment.models import Assessment
from reports.models import Report
from reports.services import report_request as report_request_service
from web.assessments.forms import (
    ReportForm,
)
from web.assessments.pages import (
    questionnaire,
)
from web.assessments.views import (
    assessment_and_role,
    is_htmx,
    page_context,
    user_of,
)


def _reports(request: HttpRequest) -> QuerySet[Report]:
    return Report.objects.filter(assessment__in=Assessment.objects.visible_to(request.user))


@login_required
@require_POST
def report_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a PDF report (or get the unchanged one back); as in the API, anyone who sees the results may."""
    assessment, role = assessment_and_role(request, pk, with_result=True)
    form = ReportForm(request.POST)
    status = 422
    if form.is_valid():
        report_request_service(
            assessment=assessment, language=form.cleaned_data["language"], requested_by=user_of(request)
        )
        status = 200
        form = ReportForm(initial=form.cleaned_data)
        if not is_htmx(request):
            return redirect(reverse("web:results", args=[assessment.pk]) + "#reports")
    context = page_context(
        assessment,
        role,
        questionnaire(assessment.framework_version),
        report_form=form,
        reports=Report.objects.filter(assessment=assessment).order_by("-created_at", "-id"),
    )
    return render(request, "web/assessments/_reports.html", context, status=status)


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(_reports(request), pk=pk)
    return render(request, "web/assessments/_report_item.html", {"report": report})


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = get_object_or_404(_reports(request), pk=pk)
    if report.status != Report.Status.READY or not report.file:
        message = _("The report is %(status)s, not ready.") % {"status": report.get_status_display()}
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    return stored_file_response(
        report.file, size=report.size, content_type="application/pdf", filename=report.file.name.rsplit("/", 1)[-1]
    )
