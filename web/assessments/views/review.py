"""Review what is missing, and submit with the truthfulness pledge (or resubmit a returned assessment)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessment.models import Assessment
from assessment.services import ImmutableError, IncompleteError
from review.services import assessment_resubmit
from scoring.selectors import framework_structure
from web.assessments.forms import (
    SubmitForm,
)
from web.assessments.pages import (
    answer_rows,
    engine_answers,
    evidence_files,
    questionnaire,
    submission_gaps,
    wizard_progress,
)
from web.assessments.returned import return_notice
from web.assessments.submission import answers_for_review, constrained_explanation
from web.assessments.views import (
    CONTRIBUTORS,
    assessment_and_role,
    page_context,
    require_contributor,
    user_of,
)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = assessment_and_role(request, pk)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        require_contributor(role)
        status = 422
        if form.is_valid():
            returned = assessment.status == Assessment.Status.RETURNED
            try:
                assessment_resubmit(assessment=assessment, submitted_by=user_of(request), pledge=True)
            except IncompleteError:  # the list below is worked out afresh from the saved answers
                form.add_error(None, _("Answer the questions listed below first."))
            except ImmutableError as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if returned:
                    messages.success(request, _("Resubmitted: the consultant is told and continues the review."))
                else:
                    messages.success(request, _("Submitted. These are the results."))
                return redirect("web:results", assessment.pk)
    return render(request, "web/assessments/review.html", review_page(assessment, role, form), status=status)


def review_page(
    assessment: Assessment, role: str, form: SubmitForm | None = None, upload_errors: list[str] | None = None
) -> dict[str, Any]:
    """Every answer in words, what is missing, the documents of the assessment, and the submit form."""
    layout = questionnaire(assessment.framework_version)
    framework = framework_structure(assessment.framework_version)
    answers = engine_answers(answer_rows(assessment))
    reviewed = answers_for_review(framework, layout, answers)
    return page_context(
        assessment,
        role,
        layout,
        reviewed=reviewed,
        warnings=sum(1 for step in reviewed for answer in step.answers if answer.warning),
        constrained_note=constrained_explanation(framework),
        missing=submission_gaps(framework, layout, answers),
        form=form or SubmitForm(),
        progress=wizard_progress(layout, answers),
        files=evidence_files(assessment, can_write=role in CONTRIBUTORS),
        upload_errors=upload_errors,
        notice=return_notice(assessment, layout),
    )
