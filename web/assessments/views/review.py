"""Review what is missing, and submit with the truthfulness pledge (or resubmit a returned assessment)."""

from __future__ import annotations

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
    questionnaire,
    submission_gaps,
    wizard_progress,
)
from web.assessments.returned import return_notice
from web.assessments.views import (
    assessment_and_role,
    page_context,
    require_contributor,
    user_of,
)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = assessment_and_role(request, pk)
    layout = questionnaire(assessment.framework_version)
    framework = framework_structure(assessment.framework_version)
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
    answers = engine_answers(answer_rows(assessment))
    missing = submission_gaps(framework, layout, answers)
    context = page_context(
        assessment,
        role,
        layout,
        missing=missing,
        form=form,
        progress=wizard_progress(layout, answers),
        notice=return_notice(assessment, layout),
    )
    return render(request, "web/assessments/review.html", context, status=status)
