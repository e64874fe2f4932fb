"""Assessment pages: the organisation's assessments, the questionnaire wizard, review, results, reports."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import services
from assessment.models import Assessment, Membership, Organization, User
from assessment.selectors import CONSULTANT, membership_role, organization_role
from reports.charts import peer_bar, progress_bars, radar
from reports.models import Report
from reports.services import report_request as report_request_service
from scoring.engine import AnswerSetError, missing_for_submission
from scoring.models import AssessmentResult
from scoring.selectors import PeerFilter, assessment_what_if, framework_structure, peer_benchmark
from scoring.services import PEER_STATUSES, assessment_result
from web.questionnaire.forms import (
    AnswerForm,
    AssessmentStartForm,
    PeerForm,
    ReportForm,
    SubmitForm,
    WhatIfForm,
    messages_of,
)
from web.questionnaire.selectors import (
    Questionnaire,
    answer_rows,
    engine_answers,
    document_language,
    item_text,
    question_view,
    questionnaire,
    resume_step,
    wizard_progress,
)

CONTRIBUTORS = frozenset({Membership.Role.OWNER, Membership.Role.RESPONDENT})
NAV = "assessments"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _svg(markup: str) -> SafeString:
    return mark_safe(markup)  # noqa: S308 - reports.charts escapes every label it draws


def _require_contributor(role: str) -> None:
    if role not in CONTRIBUTORS:
        raise PermissionDenied(_("Your role in this organisation does not allow this."))


def _organization(request: HttpRequest, org_id: int) -> tuple[Organization, str]:
    """The organisation (404 unless the user may see it) and the user's role in it."""
    organization = get_object_or_404(Organization.objects.visible_to(request.user), pk=org_id)
    return organization, organization_role(_user(request), organization.pk) or CONSULTANT


def _assessment(request: HttpRequest, pk: int) -> tuple[Assessment, str]:
    """The assessment (404 unless the user may see it) and the user's role, in one query."""
    assessments = (
        Assessment.objects.visible_to(request.user)
        .select_related("organization", "framework_version__framework", "result")
        .annotate(caller_role=membership_role(_user(request)))
    )
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
    return render(request, "web/questionnaire/home.html", {"organizations": organizations})


# --- the organisation's assessments --------------------------------------------------------------


def _history(organization: Organization, role: str, form: AssessmentStartForm) -> dict[str, Any]:
    assessments = list(
        Assessment.objects.filter(organization=organization)
        .select_related("framework_version__framework", "result", "created_by")
        .order_by("created_at", "id")
    )
    rows = []
    series: dict[int, list[tuple[Assessment, AssessmentResult, Questionnaire]]] = {}
    for assessment in assessments:
        result = assessment_result(assessment=assessment)
        layout = questionnaire(assessment.framework_version)
        rows.append(
            {"assessment": assessment, "result": result, "layout": layout, "level_name": layout.level_name(result.level)}
        )
        if assessment.status in PEER_STATUSES:
            series.setdefault(assessment.framework_version.framework_id, []).append((assessment, result, layout))
    charts = []
    for done in series.values():
        title = done[-1][2].title
        bars = [
            (
                (a.submitted_at or a.created_at).date().isoformat(),
                r.total,
                layout.level_name(r.level),
            )
            for a, r, layout in done
        ]
        label = _("Total score and level of each submitted assessment: %(title)s") % {"title": title}
        charts.append({"title": title, "svg": _svg(progress_bars(bars, done[-1][1].max_total, label))})
    return {
        "organization": organization,
        "role": role,
        "nav": NAV,
        "rows": rows[::-1],  # newest first
        "charts": charts,
        "can_write": role in CONTRIBUTORS,
        "form": form,
    }


@login_required
@require_GET
def org_home(request: HttpRequest, org_id: int) -> HttpResponse:
    organization, role = _organization(request, org_id)
    context = _history(organization, role, AssessmentStartForm(organization=organization))
    return render(request, "web/questionnaire/org_home.html", context)


@login_required
@require_POST
def assessment_start(request: HttpRequest, org_id: int) -> HttpResponse:
    organization, role = _organization(request, org_id)
    _require_contributor(role)
    form = AssessmentStartForm(request.POST, organization=organization)
    if form.is_valid():
        version, previous = form.cleaned_data["framework"], form.cleaned_data["previous"]
        try:
            if previous is not None and form.cleaned_data["copy_answers"]:
                assessment = services.assessment_start_from_previous(
                    previous=previous, framework_version=version, created_by=_user(request)
                )
            else:
                assessment = services.assessment_create(
                    organization=organization, framework_version=version, created_by=_user(request), previous=previous
                )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Assessment #%(id)s started.") % {"id": assessment.pk})
            return redirect("web:assessment", assessment.pk)
    return render(request, "web/questionnaire/org_home.html", _history(organization, role, form), status=422)


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
    return render(request, "web/questionnaire/wizard.html", _wizard_page(assessment, role, step))


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
            "web/questionnaire/_answer_error.html",
            {"errors": [_("No such question in this framework.")]},
            status=404,
        )
    place = layout.places[question_key]
    form = AnswerForm(request.POST, question=question, node=place.node)
    status = 200
    if form.is_valid():
        try:
            services.answers_upsert(assessment=assessment, items=[form.item], answered_by=_user(request))
        except AnswerSetError as exc:
            form.add_error(None, [error.message for error in exc.errors])
        except services.ImmutableError as exc:
            form.add_error(None, str(exc))
            status = 409
    errors = messages_of(form)
    if errors and status == 200:
        status = 422
    if not request.htmx:
        if not errors:
            return redirect(reverse("web:wizard", args=[assessment.pk, place.step]) + f"#q-{question_key}")
        context = _wizard_page(assessment, role, place.step, failed=(question_key, errors))
        return render(request, "web/questionnaire/wizard.html", context, status=status)
    rows = answer_rows(assessment)
    answers = engine_answers(rows)
    context = _page(
        assessment,
        role,
        layout,
        q=question_view(framework, layout, question_key, answers, rows),
        errors=errors,
        progress=wizard_progress(layout, answers),
        step=layout.steps[place.step - 1],
    )
    return render(request, "web/questionnaire/_answer_saved.html", context, status=status)


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
                services.assessment_submit(assessment=assessment, submitted_by=_user(request), pledge=True)
            except services.IncompleteError:  # the list below is worked out afresh from the saved answers
                form.add_error(None, _("Answer the questions listed below first."))
            except services.ImmutableError as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Submitted. These are the results."))
                return redirect("web:results", assessment.pk)
    answers = engine_answers(answer_rows(assessment))
    missing = []
    for gap in missing_for_submission(framework, answers):
        place = layout.places[gap.question]
        labels = {spec["key"]: spec["label"] for spec in place.node.get("evidence", [])}
        missing.append(
            {
                "key": gap.question,
                "text": place.node["text"],
                "step": place.step,
                "evidence": labels.get(gap.evidence, gap.evidence) if gap.evidence else None,
            }
        )
    context = _page(
        assessment, role, layout, missing=missing, form=form, progress=wizard_progress(layout, answers)
    )
    return render(request, "web/questionnaire/review.html", context, status=status)


# --- results ---------------------------------------------------------------------------------------


def _peer_rows(
    result: AssessmentResult, card: dict[str, Any], layout: Questionnaire, peer_filter: PeerFilter
) -> list[dict[str, Any]]:
    scores = {"total": (result.total, result.max_total)} | {
        d["key"]: (Decimal(str(d["score"])), Decimal(str(d["max"]))) for d in card["dimensions"]
    }
    names = {"total": _("Total"), **layout.dimension_names}
    rows = []
    for standing in peer_benchmark(result, peer_filter):
        score, maximum = scores[standing.key]
        chart = None
        if standing.quartiles is not None and maximum > 0:
            title = _("%(name)s: your score against the middle half of your peers") % {"name": names[standing.key]}
            chart = _svg(peer_bar(score, standing.quartiles, maximum, title, _("you")))
        rows.append({**asdict(standing), "name": names.get(standing.key, standing.key), "chart": chart})
    return rows


def _scenario_matrix(assessment: Assessment, card: dict[str, Any], layout: Questionnaire) -> list[dict[str, Any]]:
    framework = framework_structure(assessment.framework_version)
    rows = []
    for question in framework.scenarios:
        place = layout.places[question.key]
        level = card["scenario_levels"].get(question.key, 0)
        rows.append(
            {
                "key": question.key,
                "name": place.node["text"],
                "group": place.indicator,
                "constrained": question.constrained,
                "level": level,
                "step": place.step,
                "cells": [{"level": n, "reached": 0 < n <= level, "current": n == level} for n in range(5)],
            }
        )
    return rows


def _what_if_questions(assessment: Assessment, layout: Questionnaire, path: dict[str, Any] | None) -> list[Any]:
    framework = framework_structure(assessment.framework_version)
    keys = [i["question"] for i in (path or {}).get("improvements", [])]
    return [(framework.questions[key], layout.places[key].node) for key in keys if key in framework.questions]


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = _assessment(request, pk)
    layout = questionnaire(assessment.framework_version)
    result = assessment_result(assessment=assessment, with_path=True)
    card, path = result.card, result.path
    peer_form = PeerForm(request.GET or None)
    chosen = peer_form.cleaned_data["peers"] if peer_form.is_valid() else []
    peer_filter = PeerFilter(**{name: getattr(result, name) for name in chosen})

    dimensions = [
        {**d, "name": layout.dimension_names.get(d["key"], d["key"]), "share": d["score"] / d["max"] if d["max"] else None}
        for d in card["dimensions"]
    ]
    before: dict[str, Any] = {}
    previous = None
    if assessment.previous_id:
        previous = AssessmentResult.objects.filter(assessment_id=assessment.previous_id).first()
        if previous is not None:
            before = {d["key"]: d["score"] / d["max"] for d in previous.card["dimensions"] if d["max"]}
    axes = [(d["name"], float(d["share"])) for d in dimensions if d["share"] is not None]
    chart = None
    if len(axes) >= 3:
        earlier = [float(before.get(d["key"], 0)) for d in dimensions if d["share"] is not None] if before else None
        chart = _svg(radar(axes, _("Dimension scores as a share of their maximum"), before=earlier, size=340))

    improvements = [
        {
            **i,
            "text": layout.places[i["question"]].node["text"],
            "step": layout.places[i["question"]].step,
            "answer_text": item_text(layout.places[i["question"]].node, i["answer"]),
        }
        for i in (path or {}).get("improvements", [])
    ]
    what_if_questions = _what_if_questions(assessment, layout, path)
    context = _page(
        assessment,
        role,
        layout,
        result=result,
        card=card,
        level=layout.levels.get(card["level"]),
        next_level=layout.levels.get(card["next_level"]) if card["next_level"] is not None else None,
        dimensions=dimensions,
        radar=chart,
        previous=previous,
        previous_level_name=layout.level_name(previous.level) if previous else "",
        peer_form=peer_form,
        peers=_peer_rows(result, card, layout, peer_filter),
        scenarios=_scenario_matrix(assessment, card, layout),
        gates=card["gates"],
        blocking=[g for g in card["gates"] if not g["holds"]],
        path=path,
        improvements=improvements,
        what_if=_what_if_fields(what_if_questions, path),
        report_form=ReportForm(initial={"language": document_language()}),
        reports=Report.objects.filter(assessment=assessment).order_by("-created_at", "-id"),
    )
    return render(request, "web/questionnaire/results.html", context)


def _what_if_fields(questions: list[Any], path: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The what-if form's questions with the choices to pick from, the path's improvement preselected."""
    improved = {i["question"]: i["answer"] for i in (path or {}).get("improvements", [])}
    fields = []
    for question, node in questions:
        item = improved.get(question.key, {})
        fields.append(
            {
                "key": question.key,
                "kind": question.kind,
                "text": node["text"],
                "options": [
                    {**o, "selected": o["key"] == item.get("choice") or o["key"] in item.get("choices", [])}
                    for o in node.get("options", [])
                ],
                "levels": [
                    {"level": n, "selected": n == item.get("level")} for n in range(5)
                ],
                "yes": item.get("yes"),
                "number": item.get("number", ""),
            }
        )
    return fields


@login_required
@require_POST
def what_if(request: HttpRequest, pk: int) -> HttpResponse:
    """Score hypothetical answers; nothing is saved, so anyone who sees the assessment may ask."""
    assessment, role = _assessment(request, pk)
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
                outcome = assessment_what_if(assessment, form.changes)
            except AnswerSetError as exc:
                errors.extend(str(error) for error in exc.errors)
        else:
            errors.extend(messages_of(form))
    current = assessment_result(assessment=assessment)
    context = _page(
        assessment,
        role,
        layout,
        errors=errors,
        outcome=outcome,
        current=current,
        level=layout.levels.get(outcome["level"]) if outcome else None,
        delta=Decimal(str(outcome["total"])) - current.total if outcome else None,
    )
    return render(request, "web/questionnaire/_what_if_result.html", context, status=422 if errors else 200)


# --- reports --------------------------------------------------------------------------------------


def _reports(request: HttpRequest) -> QuerySet[Report]:
    return Report.objects.filter(assessment__in=Assessment.objects.visible_to(request.user))


@login_required
@require_POST
def report_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a PDF report (or get the unchanged one back); as in the API, anyone who sees the results may."""
    assessment, role = _assessment(request, pk)
    form = ReportForm(request.POST)
    status = 422
    if form.is_valid():
        report_request_service(
            assessment=assessment, language=form.cleaned_data["language"], requested_by=_user(request)
        )
        status = 200
        form = ReportForm(initial=form.cleaned_data)
        if not request.htmx:
            return redirect(reverse("web:results", args=[assessment.pk]) + "#reports")
    context = _page(
        assessment,
        role,
        questionnaire(assessment.framework_version),
        report_form=form,
        reports=Report.objects.filter(assessment=assessment).order_by("-created_at", "-id"),
    )
    return render(request, "web/questionnaire/_reports.html", context, status=status)


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(_reports(request), pk=pk)
    return render(request, "web/questionnaire/_report_item.html", {"report": report})


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
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
