"""Assessment pages: the organisation's assessments, the questionnaire wizard, review, results, reports."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.framework_texts import document_language
from assessment.models import Assessment, Membership, Organization, User
from assessment.selectors import CONSULTANT, membership_role
from assessment.services import ImmutableError, IncompleteError, ServiceError
from assessment.services.assessments import (
    answers_upsert,
    assessment_create,
    assessment_start_from_previous,
    assessment_submit,
)
from reports.models import Report
from reports.services import report_request as report_request_service
from scoring.engine import AnswerSetError
from scoring.engine.serialize import card_from_data
from scoring.results import score_thresholds
from scoring.selectors import assessment_result, assessment_what_if, framework_structure
from scoring.wording import answer_error_message
from web.access import organization_with_role
from web.assessments.forms import (
    AnswerForm,
    AssessmentStartForm,
    PeerForm,
    ReportForm,
    SubmitForm,
    WhatIfForm,
    messages_of,
)
from web.assessments.pages import (
    Questionnaire,
    answer_rows,
    assessment_history,
    engine_answers,
    question_view,
    questionnaire,
    results_page,
    resume_step,
    submission_gaps,
    wizard_progress,
)

CONTRIBUTORS = Membership.CONTRIBUTORS
NAV = "assessments"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def _require_contributor(role: str) -> None:
    if role not in CONTRIBUTORS:
        raise PermissionDenied(_("Your role in this organisation does not allow this."))


def _assessment(request: HttpRequest, pk: int, *, with_result: bool = False) -> tuple[Assessment, str]:
    """The assessment (404 unless the user may see it) and the user's role, in one query; its stored
    result too for the pages that show it (not for the wizard and its autosaves)."""
    assessments = (
        Assessment.objects.visible_to(request.user)
        .select_related("organization", "framework_version__framework")
        .annotate(caller_role=membership_role(_user(request)))
    )
    if with_result:
        assessments = assessments.select_related("result")
    assessment = get_object_or_404(assessments, pk=pk)
    return assessment, assessment.caller_role or CONSULTANT  # type: ignore[attr-defined]


def _page(assessment: Assessment, role: str, layout: Questionnaire, **context: Any) -> dict[str, Any]:
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
        **context,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the organisation's page when the user has one; a choice when several."""
    organizations = list(Organization.objects.visible_to(request.user).order_by("name"))
    if len(organizations) == 1:
        return redirect("web:org_home", organizations[0].pk)
    return render(request, "web/assessments/home.html", {"organizations": organizations})


# --- the organisation's assessments --------------------------------------------------------------


def _history(organization: Organization, role: str, form: AssessmentStartForm) -> dict[str, Any]:
    rows, charts = assessment_history(organization)
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
    context = _history(organization, role, AssessmentStartForm(organization=organization))
    return render(request, "web/assessments/org_home.html", context)


@login_required
@require_POST
def assessment_start(request: HttpRequest, org_id: int) -> HttpResponse:
    organization, role = organization_with_role(request, org_id)
    _require_contributor(role)
    form = AssessmentStartForm(request.POST, organization=organization)
    if form.is_valid():
        version, previous = form.cleaned_data["framework"], form.cleaned_data["previous"]
        try:
            if previous is not None and form.cleaned_data["copy_answers"]:
                assessment = assessment_start_from_previous(
                    previous=previous, framework_version=version, created_by=_user(request)
                )
            else:
                assessment = assessment_create(
                    organization=organization, framework_version=version, created_by=_user(request), previous=previous
                )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Assessment #%(id)s started.") % {"id": assessment.pk})
            return redirect("web:assessment", assessment.pk)
    return render(request, "web/assessments/org_home.html", _history(organization, role, form), status=422)


# --- the questionnaire -----------------------------------------------------------------------------


@login_required
@require_GET
def assessment_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the user left off: the first step with an unanswered required question; else review or results."""
    assessment, _role = _assessment(request, pk)
    if not assessment.is_editable:
        return redirect("web:results", assessment.pk)
    framework = framework_structure(assessment.framework_version)
    layout = questionnaire(assessment.framework_version)
    step = resume_step(framework, layout, engine_answers(answer_rows(assessment)))
    return redirect("web:wizard", assessment.pk, step) if step else redirect("web:review", assessment.pk)


def _wizard_page(
    assessment: Assessment, role: str, number: int, failed: tuple[str, list[str]] | None = None
) -> dict[str, Any]:
    layout = questionnaire(assessment.framework_version)
    if not 1 <= number <= len(layout.steps):
        raise Http404(_("No such step."))
    framework = framework_structure(assessment.framework_version)
    rows = answer_rows(assessment)
    answers = engine_answers(rows)
    step = layout.steps[number - 1]
    return _page(
        assessment,
        role,
        layout,
        step=step,
        questions=[question_view(framework, layout, key, answers, rows) for key in step.keys],
        progress=wizard_progress(layout, answers),
        previous_step=number - 1 if number > 1 else None,
        next_step=number + 1 if number < len(layout.steps) else None,
        failed_key=failed[0] if failed else None,
        failed_errors=failed[1] if failed else None,
    )


@login_required
@require_GET
def wizard(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    assessment, role = _assessment(request, pk)
    return render(request, "web/assessments/wizard.html", _wizard_page(assessment, role, step))


@login_required
@require_POST
def answer_save(request: HttpRequest, pk: int, question_key: str) -> HttpResponse:
    """Autosave one question's answer (htmx: the question's saved state; otherwise back to its step)."""
    assessment, role = _assessment(request, pk)
    _require_contributor(role)
    framework = framework_structure(assessment.framework_version)
    layout = questionnaire(assessment.framework_version)
    question = framework.questions.get(question_key)
    if question is None:
        return render(
            request,
            "web/assessments/_answer_error.html",
            {"errors": [_("No such question in this framework.")]},
            status=404,
        )
    step = layout.step_of[question_key]
    form = AnswerForm(request.POST, question=question, node=layout.places[question_key].node)
    status = 200
    if form.is_valid():
        try:
            answers_upsert(assessment=assessment, items=[form.item], answered_by=_user(request))
        except AnswerSetError as exc:
            form.add_error(None, [answer_error_message(error) for error in exc.errors])
        except ImmutableError as exc:
            form.add_error(None, str(exc))
            status = 409
    errors = messages_of(form)
    if errors and status == 200:
        status = 422
    if not _htmx(request):
        if not errors:
            return redirect(reverse("web:wizard", args=[assessment.pk, step]) + f"#q-{question_key}")
        context = _wizard_page(assessment, role, step, failed=(question_key, errors))
        return render(request, "web/assessments/wizard.html", context, status=status)
    rows = answer_rows(assessment)
    answers = engine_answers(rows)
    context = _page(
        assessment,
        role,
        layout,
        q=question_view(framework, layout, question_key, answers, rows),
        errors=errors,
        progress=wizard_progress(layout, answers),
        step=layout.steps[step - 1],
    )
    return render(request, "web/assessments/_answer_saved.html", context, status=status)


# --- review and submission ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = _assessment(request, pk)
    layout = questionnaire(assessment.framework_version)
    framework = framework_structure(assessment.framework_version)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        _require_contributor(role)
        status = 422
        if form.is_valid():
            try:
                assessment_submit(assessment=assessment, submitted_by=_user(request), pledge=True)
            except IncompleteError:  # the list below is worked out afresh from the saved answers
                form.add_error(None, _("Answer the questions listed below first."))
            except ImmutableError as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Submitted. These are the results."))
                return redirect("web:results", assessment.pk)
    answers = engine_answers(answer_rows(assessment))
    missing = submission_gaps(framework, layout, answers)
    context = _page(assessment, role, layout, missing=missing, form=form, progress=wizard_progress(layout, answers))
    return render(request, "web/assessments/review.html", context, status=status)


# --- results ---------------------------------------------------------------------------------------


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = _assessment(request, pk, with_result=True)
    peer_form = PeerForm(request.GET or None)
    chosen = peer_form.cleaned_data["peers"] if peer_form.is_valid() else []
    context = _page(
        assessment,
        role,
        questionnaire(assessment.framework_version),
        peer_form=peer_form,
        report_form=ReportForm(initial={"language": document_language()}),
        reports=Report.objects.filter(assessment=assessment).order_by("-created_at", "-id"),
        **results_page(assessment, chosen),
    )
    return render(request, "web/assessments/results.html", context)


@login_required
@require_POST
def what_if(request: HttpRequest, pk: int) -> HttpResponse:
    """Score hypothetical answers; nothing is saved, so anyone who sees the assessment may ask."""
    assessment, role = _assessment(request, pk, with_result=True)
    layout = questionnaire(assessment.framework_version)
    framework = framework_structure(assessment.framework_version)
    keys = request.POST.getlist("keys")[: len(framework.questions)]
    unknown = [key[:40] for key in keys if key not in framework.questions]
    errors: list[str] = []
    outcome = None
    if unknown:
        errors.append(_("No such question in this framework: %(key)s") % {"key": unknown[0]})
    else:
        form = WhatIfForm(request.POST, questions=[(framework.questions[k], layout.places[k].node) for k in keys])
        if form.is_valid():
            try:
                outcome = card_from_data(assessment_what_if(assessment, form.changes))
            except AnswerSetError as exc:
                errors.extend(f"{error.question}: {answer_error_message(error)}" for error in exc.errors)
        else:
            errors.extend(messages_of(form))
    current = assessment_result(assessment)
    context = _page(
        assessment,
        role,
        layout,
        errors=errors,
        outcome=outcome,
        thresholds=score_thresholds(framework),
        level=layout.level_name(outcome.level) if outcome else None,
        delta=outcome.total - current.total if outcome else None,
    )
    return render(request, "web/assessments/_what_if_result.html", context, status=422 if errors else 200)


# --- reports --------------------------------------------------------------------------------------


def _reports(request: HttpRequest) -> QuerySet[Report]:
    return Report.objects.filter(assessment__in=Assessment.objects.visible_to(request.user))


@login_required
@require_POST
def report_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a PDF report (or get the unchanged one back); as in the API, anyone who sees the results may."""
    assessment, role = _assessment(request, pk, with_result=True)
    form = ReportForm(request.POST)
    status = 422
    if form.is_valid():
        report_request_service(
            assessment=assessment, language=form.cleaned_data["language"], requested_by=_user(request)
        )
        status = 200
        form = ReportForm(initial=form.cleaned_data)
        if not _htmx(request):
            return redirect(reverse("web:results", args=[assessment.pk]) + "#reports")
    context = _page(
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
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=report.file.name.rsplit("/", 1)[-1],
    )
