"""The questionnaire: where to resume, one step of the wizard, and the autosave of one answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment.models import Answer as AnswerRow
from assessment.models import Assessment
from assessment.services import ImmutableError
from assessment.services.assessments import (
    answers_upsert,
)
from scoring.engine import Answer, AnswerSetError, Framework
from scoring.selectors import framework_structure
from scoring.wording import answer_error_message
from web.assessments.forms import (
    AnswerForm,
    messages_of,
)
from web.assessments.pages import (
    EvidenceFiles,
    Questionnaire,
    QuestionView,
    answer_rows,
    engine_answers,
    evidence_files,
    question_view,
    questionnaire,
    resume_step,
    wizard_progress,
)
from web.assessments.returned import ReturnNotice, return_notice
from web.assessments.submission import constrained_explanation
from web.assessments.views import (
    CONTRIBUTORS,
    assessment_and_role,
    is_htmx,
    page_context,
    require_contributor,
    user_of,
)


@login_required
@require_GET
def assessment_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the user left off: the first answer to change of a returned assessment, the first step with an
    unanswered required question; else review or results."""
    assessment, _role = assessment_and_role(request, pk)
    if not assessment.is_editable:
        return redirect("web:results", assessment.pk)
    framework = framework_structure(assessment.framework_version)
    layout = questionnaire(assessment.framework_version)
    notice = return_notice(assessment, layout)
    if notice and notice.requests:
        first = notice.requests[0]
        return redirect(reverse("web:wizard", args=[assessment.pk, first.step]) + f"#q-{first.key}")
    step = resume_step(framework, layout, engine_answers(answer_rows(assessment)))
    return redirect("web:wizard", assessment.pk, step) if step else redirect("web:review", assessment.pk)


def _question(
    framework: Framework,
    layout: Questionnaire,
    key: str,
    answers: Mapping[str, Answer],
    rows: Mapping[str, AnswerRow],
    files: EvidenceFiles | None,
    notice: ReturnNotice | None,
) -> QuestionView:
    if notice is None:
        return question_view(framework, layout, key, answers, rows, files)
    return question_view(
        framework, layout, key, answers, rows, files, locked=notice.locks(key), change_request=notice.message_for(key)
    )


def wizard_page(
    assessment: Assessment,
    role: str,
    number: int,
    failed: tuple[str, list[str]] | None = None,
    upload_failed: tuple[str, list[str]] | None = None,
) -> dict[str, Any]:
    """One step of the questionnaire; `failed` and `upload_failed` name a question and what went wrong with it."""
    layout = questionnaire(assessment.framework_version)
    if not 1 <= number <= len(layout.steps):
        raise Http404(_("No such step."))
    framework = framework_structure(assessment.framework_version)
    rows = answer_rows(assessment)
    answers = engine_answers(rows)
    step = layout.steps[number - 1]
    files = evidence_files(assessment, can_write=role in CONTRIBUTORS)
    notice = return_notice(assessment, layout)
    constrained = any(framework.questions[key].constrained for key in step.keys)
    return page_context(
        assessment,
        role,
        layout,
        step=step,
        constrained_note=constrained_explanation(framework) if constrained else "",
        notice=notice,
        questions=[_question(framework, layout, key, answers, rows, files, notice) for key in step.keys],
        guidance_note=files.guidance.note if files.guidance else "",
        upload_failed_key=upload_failed[0] if upload_failed else None,
        upload_errors=upload_failed[1] if upload_failed else None,
        progress=wizard_progress(layout, answers),
        previous_step=number - 1 if number > 1 else None,
        next_step=number + 1 if number < len(layout.steps) else None,
        failed_key=failed[0] if failed else None,
        failed_errors=failed[1] if failed else None,
    )


@login_required
@require_GET
def wizard(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    assessment, role = assessment_and_role(request, pk)
    return render(request, "web/assessments/wizard.html", wizard_page(assessment, role, step))


@login_required
@require_POST
def answer_save(request: HttpRequest, pk: int, question_key: str) -> HttpResponse:
    """Autosave one question's answer (htmx: the question's saved state; otherwise back to its step)."""
    assessment, role = assessment_and_role(request, pk)
    require_contributor(role)
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
            answers_upsert(assessment=assessment, items=[form.item], answered_by=user_of(request))
        except AnswerSetError as exc:
            form.add_error(None, [answer_error_message(error) for error in exc.errors])
        except ImmutableError as exc:
            form.add_error(None, str(exc))
            status = 409
    errors = messages_of(form)
    if errors and status == 200:
        status = 422
    if not is_htmx(request):
        if not errors:
            return redirect(reverse("web:wizard", args=[assessment.pk, step]) + f"#q-{question_key}")
        context = wizard_page(assessment, role, step, failed=(question_key, errors))
        return render(request, "web/assessments/wizard.html", context, status=status)
    rows = answer_rows(assessment)
    answers = engine_answers(rows)
    context = page_context(
        assessment,
        role,
        layout,
        q=_question(framework, layout, question_key, answers, rows, None, return_notice(assessment, layout)),
        errors=errors,
        progress=wizard_progress(layout, answers),
        step=layout.steps[step - 1],
    )
    return render(request, "web/assessments/_answer_saved.html", context, status=status)
