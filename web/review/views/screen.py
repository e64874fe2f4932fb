"""The review screen, and what is done on it: start, a verdict per answer, comments, return, sign-off."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment.models import Assessment
from assessment.services import ServiceError
from review.models import ReviewItem
from review.services import review_comment_add, review_finalize, review_item_set, review_return, review_start
from scoring.selectors import framework_structure
from web.accounts.forms import form_errors_add
from web.assessments.forms import AnswerForm, messages_of
from web.assessments.pages import questionnaire
from web.review.forms import CommentForm, FinalizeForm, ReturnForm, VerdictForm
from web.review.pages import PostedVerdict, comment_thread, posted_verdict, review_screen
from web.review.views import is_htmx, reviewed_assessment, user_of

SCREEN = "web/review/screen.html"


def _screen(
    request: HttpRequest, assessment: Assessment, *, posted: PostedVerdict | None = None, **forms: Any
) -> dict[str, Any]:
    screen = review_screen(assessment, user_of(request), posted)
    return {
        "organization": assessment.organization,
        "role": "consultant",
        "nav": "review",
        "s": screen,
        "assessment": assessment,
        "layout": screen.layout,
        "return_form": forms.get("return_form") or ReturnForm(),
        "finalize_form": forms.get("finalize_form") or FinalizeForm(initial={"statement": screen.statement}),
        "comment_form": CommentForm(),
        "verdicts": ReviewItem.Verdict.choices,
    }


def _back(assessment: Assessment, anchor: str = "") -> HttpResponse:
    return redirect(reverse("web:review_screen", args=[assessment.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_GET
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = reviewed_assessment(request, pk)
    return render(request, SCREEN, _screen(request, assessment))


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = reviewed_assessment(request, pk)
    try:
        review_start(assessment=assessment, consultant=user_of(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The review has started: the enterprise has been told."))
    return _back(assessment)


def _verdict_errors(form: VerdictForm, answer_form: AnswerForm) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {name: [str(m) for m in e] for name, e in form.errors.items()}
    if form.is_valid() and form.is_adjusted and not answer_form.is_valid():
        errors["answer"] = messages_of(answer_form)
    return errors


@login_required
@require_POST
def verdict(request: HttpRequest, pk: int, question_key: str) -> HttpResponse:
    """One answer's verdict; htmx gets the question back with the summary, a plain post the screen."""
    assessment = reviewed_assessment(request, pk)
    framework = framework_structure(assessment.framework_version)
    question = framework.questions.get(question_key)
    if question is None:
        raise Http404(_("No such question in this framework."))
    node = questionnaire(assessment.framework_version).places[question_key].node
    form, answer_form = VerdictForm(request.POST), AnswerForm(request.POST, question=question, node=node)
    errors, status = _verdict_errors(form, answer_form), 422
    if not errors:
        adjusted = {k: v for k, v in answer_form.item.items() if k != "question"} if form.is_adjusted else None
        try:
            review_item_set(
                assessment=assessment,
                reviewer=user_of(request),
                question_key=question_key,
                verdict=form.cleaned_data["verdict"],
                answer=adjusted,
                **form.service_text(),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except ServiceError as exc:
            errors, status = {"": [str(exc)]}, 409
    if not errors and not is_htmx(request):
        return _back(assessment, f"rq-{question_key}")
    posted = None
    if errors:
        posted = posted_verdict(question_key, request.POST, answer_form.item if form.is_valid() else None, errors)
    context = _screen(request, assessment, posted=posted)
    if not is_htmx(request):
        return render(request, SCREEN, context, status=status)
    context["q"] = context["s"].questions[question_key]
    return render(request, "web/review/_verdict_saved.html", context, status=status if errors else 200)


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment in a question's thread or the general one; htmx gets the thread back."""
    assessment = reviewed_assessment(request, pk)
    form = CommentForm(request.POST)
    key = request.POST.get("question", "")
    status = 200
    if form.is_valid():
        try:
            review_comment_add(
                assessment=assessment,
                author=user_of(request),
                body=form.cleaned_data["body"],
                question_key=form.cleaned_data["question"],
                visibility=form.cleaned_data["visibility"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 422
        except ServiceError as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            form = CommentForm()
    else:
        status = 422
    if not is_htmx(request):
        if status != 200:
            messages.error(request, " ".join(messages_of(form)))
        return _back(assessment, f"rq-{key}" if key else "general-thread")
    context = {
        "assessment": assessment,
        "comments": comment_thread(assessment, key),
        "comment_url": reverse("web:review_comment", args=[assessment.pk]),
        "question_key": key,
        "comment_form": form,
        "can_internal": True,
    }
    return render(request, "web/review/_comment_thread.html", context, status=status)


@login_required
@require_POST
def return_to_enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = reviewed_assessment(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            review_return(assessment=assessment, consultant=user_of(request), message=form.cleaned_data["message"])
        except ValidationError as exc:
            form_errors_add(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Returned to the enterprise with your change requests."))
            return _back(assessment)
    return render(request, SCREEN, _screen(request, assessment, return_form=form), status=422)


@login_required
@require_POST
def finalize(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = reviewed_assessment(request, pk)
    form = FinalizeForm(request.POST)
    if form.is_valid():
        try:
            review_finalize(
                assessment=assessment, consultant=user_of(request), statement=form.cleaned_data["statement"]
            )
        except ValidationError as exc:
            form_errors_add(form, exc)  # the statement beside it; the checklist and the profile above the form
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Signed off: the verified result is stored beside the self-assessed one."))
            return _back(assessment)
    return render(request, SCREEN, _screen(request, assessment, finalize_form=form), status=422)
