"""Evidence documents on the pages: attach one (a plain multipart form), download one, remove one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from api.parsers import MULTIPART_OVERHEAD_BYTES
from api.views.documents import document_file_response
from assessment.models import Assessment, EvidenceDocument
from assessment.selectors import documents_visible_to
from assessment.services import ImmutableError
from assessment.services.documents import document_add, document_remove, file_too_large
from web.assessments.forms import DocumentForm, messages_of
from web.assessments.pages import questionnaire
from web.assessments.views import assessment_and_role, require_contributor, user_of
from web.assessments.views.review import review_page
from web.assessments.views.wizard import wizard_page


def _back(assessment: Assessment, question_key: str) -> str:
    """Where the control that sent a document form is: its question in the wizard, or the review page."""
    if question_key:
        step = questionnaire(assessment.framework_version).step_of[question_key]
        return reverse("web:wizard", args=[assessment.pk, step]) + f"#q-{question_key}-documents"
    return reverse("web:review", args=[assessment.pk]) + "#documents"


def _refused(
    request: HttpRequest, assessment: Assessment, role: str, question_key: str, errors: list[str], status: int
) -> HttpResponse:
    """The page that sent the upload again, with what went wrong beside its control."""
    if question_key:
        step = questionnaire(assessment.framework_version).step_of[question_key]
        context = wizard_page(assessment, role, step, upload_failed=(question_key, errors))
        return render(request, "web/assessments/wizard.html", context, status=status)
    context = review_page(assessment, role, upload_errors=errors)
    return render(request, "web/assessments/review.html", context, status=status)


@csrf_exempt  # checked below, once the size is known to be acceptable: the check reads the whole body
@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int, question_key: str = "") -> HttpResponse:
    """Attach a file to a question (or the assessment); back to where it was sent from."""
    assessment, role = assessment_and_role(request, pk)
    require_contributor(role)
    if question_key and question_key not in questionnaire(assessment.framework_version).step_of:
        raise Http404(_("No such question in this framework."))
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > settings.EVIDENCE_MAX_FILE_BYTES + MULTIPART_OVERHEAD_BYTES:
        # Refused unread (Django reads no more than the declared length): nothing changes, so no CSRF check is due.
        return _refused(request, assessment, role, question_key, file_too_large(declared).messages, 413)
    return _upload(request, assessment, role, question_key)


@csrf_protect
def _upload(request: HttpRequest, assessment: Assessment, role: str, question_key: str) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, assessment, role, question_key, messages_of(form), 400)
    try:
        document = document_add(
            assessment=assessment,
            uploaded_by=user_of(request),
            upload=form.cleaned_data["file"],
            question_key=question_key,
        )
    except ValidationError as exc:
        return _refused(request, assessment, role, question_key, exc.messages, 400)
    except ImmutableError as exc:
        return _refused(request, assessment, role, question_key, [str(exc)], 409)
    messages.success(request, _("“%(name)s” is attached.") % {"name": document.name})
    return redirect(_back(assessment, question_key))


def _document(request: HttpRequest, pk: int, document_id: int) -> EvidenceDocument:
    """A document of an assessment the user may see (404 otherwise)."""
    documents = documents_visible_to(request.user).select_related("question", "assessment__framework_version")
    return get_object_or_404(documents, pk=document_id, assessment_id=pk)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    return document_file_response(_document(request, pk, document_id))


@login_required
@require_POST
def document_remove_view(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    assessment, role = assessment_and_role(request, pk)
    require_contributor(role)
    document = _document(request, pk, document_id)
    question_key = document.question.key if document.question else ""
    try:
        document_remove(document=document, removed_by=user_of(request))
    except ImmutableError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": document.name})
    return redirect(_back(assessment, question_key))
