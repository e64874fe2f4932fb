"""Results: what the results view says of an assessment, and what-if questions that save nothing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment.framework_texts import document_language
from reports.models import Report
from reports.selectors import support_that_fits
from scoring.engine import AnswerSetError
from scoring.engine.serialize import card_from_data
from scoring.results import score_thresholds
from scoring.selectors import assessment_result, assessment_what_if, framework_structure
from scoring.wording import answer_error_message
from web.assessments.forms import (
    PeerForm,
    ReportForm,
    WhatIfForm,
    messages_of,
)
from web.assessments.pages import (
    evidence_files,
    questionnaire,
    results_page,
)
from web.assessments.verified import verification_panel
from web.assessments.views import (
    assessment_and_role,
    page_context,
)


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = assessment_and_role(request, pk, with_result=True)
    peer_form = PeerForm(request.GET or None)
    chosen = peer_form.cleaned_data["peers"] if peer_form.is_valid() else []
    layout = questionnaire(assessment.framework_version)
    page = results_page(assessment, chosen)
    context = page_context(
        assessment,
        role,
        layout,
        panel=verification_panel(assessment, layout),
        peer_form=peer_form,
        report_form=ReportForm(initial={"language": document_language()}),
        reports=Report.objects.filter(assessment=assessment).order_by("-created_at", "-id"),
        files=evidence_files(assessment, can_write=False),  # read-only here: attached in the wizard and review
        offers=support_that_fits(assessment, page["v"], page["roadmap"]),
        **page,
    )
    return render(request, "web/assessments/results.html", context)


@login_required
@require_POST
def what_if(request: HttpRequest, pk: int) -> HttpResponse:
    """Score hypothetical answers; nothing is saved, so anyone who sees the assessment may ask."""
    assessment, role = assessment_and_role(request, pk, with_result=True)
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
    context = page_context(
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
