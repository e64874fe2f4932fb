"""An assessment's comment threads with its consultants: read them, and add to one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from assessment.services import NotAllowedError
from review.models import ReviewComment
from review.selectors import is_assigned_consultant
from review.services import review_comment_add
from web.accounts.forms import form_errors_add
from web.assessments.comments import comment_threads, commentable_questions
from web.assessments.forms import CommentForm
from web.assessments.pages import questionnaire
from web.assessments.views import assessment_and_role, page_context, user_of


@login_required
@require_http_methods(["GET", "POST"])
def assessment_comments(request: HttpRequest, pk: int) -> HttpResponse:
    """The shared threads for the enterprise; the assigned consultants also read and write internal ones."""
    assessment, role = assessment_and_role(request, pk)
    layout = questionnaire(assessment.framework_version)
    internal = is_assigned_consultant(user_of(request), assessment.organization_id)
    questions = commentable_questions(layout)
    form = CommentForm(request.POST if request.method == "POST" else None, questions=questions, internal=internal)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            key = form.cleaned_data["question"]
            try:
                review_comment_add(
                    assessment=assessment,
                    author=user_of(request),
                    body=form.cleaned_data["body"],
                    question_key=key,
                    visibility=form.cleaned_data.get("visibility") or ReviewComment.Visibility.SHARED,
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            except NotAllowedError as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                anchor = f"#thread-{key}" if key else "#thread-general"
                return redirect(reverse("web:assessment_comments", args=[assessment.pk]) + anchor)
    context = page_context(
        assessment,
        role,
        layout,
        form=form,
        internal=internal,
        threads=comment_threads(assessment, layout, internal=internal),
    )
    return render(request, "web/assessments/comments.html", context, status=status)
