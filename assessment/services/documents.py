"""Writes: evidence documents (佐证材料) attached to an answer or to the whole assessment."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from assessment.file_types import FileType, FileTypeError, detect
from assessment.models import Assessment, AuditEvent, EvidenceDocument, Membership, Question, User
from assessment.selectors import organization_role
from assessment.services import ImmutableError, NotAllowedError
from assessment.services.assessments import assessment_locked
from assessment.services.audit import audit_record
from assessment.validators import validate_display_text

NAME_MAX_LENGTH = EvidenceDocument._meta.get_field("name").max_length or 200


def _type_message(error: FileTypeError) -> str:
    """What the person who uploaded the file reads when its type is refused."""
    allowed = gettext("Attach a PDF, an image (PNG, JPEG, GIF, WebP) or an Office document (Word, Excel, PowerPoint).")
    reasons = {
        "empty": gettext("The file is empty."),
        "markup": gettext("The file is HTML, SVG or other markup, which could run code in a browser."),
        "executable": gettext("The file is a program or a script."),
        "archive": gettext("The file is an archive (zip, rar, 7z…): attach the documents in it one by one."),
        "macros": gettext("The Office document contains macros: save it without them (e.g. as .docx or .xlsx)."),
        "encrypted": gettext("The Office document is password-protected: save a copy without the password."),
        "damaged": gettext("The file looks like an Office document or archive but cannot be read."),
        "not_allowed": gettext("The content of the file is %(found)s.") % {"found": error.found},
        "unknown": gettext("The content of the file is text or a format that cannot be recognised."),
    }
    return f"{reasons.get(error.code, reasons['unknown'])} {allowed}"


def _display_name(raw: str, found: FileType) -> str:
    """The uploaded file's own name, as text to show: its folders dropped, at most NAME_MAX_LENGTH long."""
    name = re.split(r"[/\\]", raw or "")[-1].strip()
    validate_display_text(name)
    if not name:
        name = gettext("document") + found.extension
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        extension = dot + extension if stem and len(extension) <= 10 else ""
        name = name[: NAME_MAX_LENGTH - len(extension)] + extension
    return name


def _sha256(upload: File) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _ensure_may_change(assessment: Assessment, user: User, question_key: str) -> None:
    """Contributors of the organisation, while the answers may change; when returned, reopened questions only."""
    if organization_role(user, assessment.organization_id) not in Membership.CONTRIBUTORS:
        raise NotAllowedError(gettext("Only owners and respondents of the organisation can change its documents."))
    if not assessment.is_editable:
        raise ImmutableError(
            gettext("Assessment #%(id)s is %(status)s: its documents can no longer change.")
            % {"id": assessment.pk, "status": assessment.get_status_display()}
        )
    if not assessment.documents_may_change(question_key):
        raise ImmutableError(
            gettext(
                "The assessment was returned for changes to %(keys)s only: documents of other questions, and of the "
                "assessment as a whole, stay as they were submitted."
            )
            % {"keys": ", ".join(assessment.reopened_questions) or "—"}
        )


def file_too_large(size: int) -> ValidationError:
    """A file over EVIDENCE_MAX_FILE_BYTES, in the words the pages and the API show."""
    return ValidationError(
        {
            "file": [
                gettext("A document may take at most %(limit)s; this one takes %(size)s.")
                % {"limit": filesizeformat(settings.EVIDENCE_MAX_FILE_BYTES), "size": filesizeformat(size)}
            ]
        }
    )


def _ensure_room(assessment: Assessment, size: int) -> None:
    """The limits per assessment: how many files, and their size together."""
    held = EvidenceDocument.objects.filter(assessment=assessment).aggregate(count=Count("id"), total=Sum("size"))
    if held["count"] >= settings.EVIDENCE_MAX_FILES:
        raise ValidationError(
            {
                "file": [
                    gettext("An assessment holds at most %(count)d documents; remove one to attach another.")
                    % {"count": settings.EVIDENCE_MAX_FILES}
                ]
            }
        )
    total = held["total"] or 0
    if total + size > settings.EVIDENCE_MAX_ASSESSMENT_BYTES:
        raise ValidationError(
            {
                "file": [
                    gettext(
                        "The documents of an assessment may take %(limit)s together; %(left)s is left and this file "
                        "takes %(size)s."
                    )
                    % {
                        "limit": filesizeformat(settings.EVIDENCE_MAX_ASSESSMENT_BYTES),
                        "left": filesizeformat(max(settings.EVIDENCE_MAX_ASSESSMENT_BYTES - total, 0)),
                        "size": filesizeformat(size),
                    }
                ]
            }
        )


def document_facts(document: EvidenceDocument) -> dict[str, Any]:
    """What the audit trail keeps of a document."""
    return {
        "document": document.pk,
        "name": document.name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
    }


def document_add(
    *, assessment: Assessment, uploaded_by: User, upload: File, question_key: str = ""
) -> EvidenceDocument:
    """Attach `upload` to the question `question_key` (or, with "", to the assessment as a whole).

    The type is read from the content; the file is stored through the storage API under its SHA-256. Raises
    ValidationError (type, size, limits, duplicate, name), NotAllowedError (role) or ImmutableError (status).
    """
    size = upload.size or 0
    if size > settings.EVIDENCE_MAX_FILE_BYTES:
        raise file_too_large(size)
    try:
        found = detect(upload)  # type: ignore[arg-type]  # a File is a binary stream
    except FileTypeError as exc:
        raise ValidationError({"file": [_type_message(exc)]}) from None
    try:
        name = _display_name(upload.name or "", found)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    sha256 = _sha256(upload)
    with transaction.atomic():
        assessment = assessment_locked(assessment)  # uploads to one assessment wait for each other: the limits hold
        _ensure_may_change(assessment, uploaded_by, question_key)
        question = None
        if question_key:
            question = Question.objects.filter(version=assessment.framework_version_id, key=question_key).first()
            if question is None:
                raise ValidationError({"question": [gettext("No such question in this assessment's framework.")]})
        same = EvidenceDocument.objects.filter(assessment=assessment, question=question, sha256=sha256).first()
        if same is not None:
            raise ValidationError(
                {
                    "file": [
                        gettext("This file is already attached here, as “%(name)s”.") % {"name": same.name}
                        if question_key == ""
                        else gettext("This file is already attached to %(key)s, as “%(name)s”.")
                        % {"key": question_key, "name": same.name}
                    ]
                }
            )
        _ensure_room(assessment, size)
        document = EvidenceDocument(
            assessment=assessment,
            question=question,
            name=name,
            kind=found.kind,
            content_type=found.content_type,
            extension=found.extension,
            size=size,
            sha256=sha256,
            uploaded_by=uploaded_by,
        )
        document.file.save(name, upload, save=False)  # evidence_path names it by its hash, never by `name`
        try:
            document.save()
            audit_record(
                kind=AuditEvent.Kind.DOCUMENT_ADDED,
                actor=uploaded_by,
                assessment=assessment,
                question_key=question_key,
                after=document_facts(document),
            )
        except BaseException:
            document.file.delete(save=False)
            raise
    return document


@transaction.atomic
def document_remove(*, document: EvidenceDocument, removed_by: User) -> None:
    """Remove a document while its assessment may change; its file goes once the removal is committed."""
    question_key = document.question.key if document.question_id else ""  # type: ignore[union-attr]
    assessment = assessment_locked(document.assessment)
    _ensure_may_change(assessment, removed_by, question_key)
    facts = document_facts(document)
    storage, stored_name = document.file.storage, document.file.name
    document.delete()
    audit_record(
        kind=AuditEvent.Kind.DOCUMENT_REMOVED,
        actor=removed_by,
        assessment=assessment,
        question_key=question_key,
        before=facts,
    )
    if stored_name:
        transaction.on_commit(lambda: storage.delete(stored_name))
