"""document_add and document_remove: the type from the content, limits, duplicates, who may, and when."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessment.models import (
    Assessment,
    AuditEvent,
    ConsultantAssignment,
    EvidenceDocument,
    FrameworkVersion,
    Membership,
    Organization,
    User,
)
from assessment.services import ImmutableError, NotAllowedError
from assessment.services.assessments import assessment_create
from assessment.services.documents import document_add, document_remove
from tests import evidence_files as files
from tests.helpers import submit_filling_gaps

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(miit: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    return assessment_create(organization=organization, framework_version=miit, created_by=owner)


def add(
    assessment: Assessment, user: User, content: bytes, name: str = "evidence.pdf", key: str = ""
) -> EvidenceDocument:
    return document_add(assessment=assessment, uploaded_by=user, upload=files.upload(content, name), question_key=key)


def refusal(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(message for messages in exc.value.message_dict.values() for message in messages)


def test_a_pdf_named_docx_is_stored_as_a_pdf_under_its_hash(assessment: Assessment, owner: User) -> None:
    content = files.pdf("ledger")
    document = add(assessment, owner, content, "设备台账.docx", "F2")
    sha256 = hashlib.sha256(content).hexdigest()
    assert (document.kind, document.content_type, document.extension) == ("pdf", "application/pdf", ".pdf")
    assert (document.name, document.size, document.sha256) == ("设备台账.docx", len(content), sha256)
    assert document.file.name == f"evidence/{assessment.pk}/{sha256}.pdf"
    with document.file.open("rb") as stored:
        assert stored.read() == content
    assert document.question is not None
    assert document.question.key == "F2"


@pytest.mark.parametrize(
    ("content", "name", "content_type", "extension"),
    [
        (files.png(), "photo.jpg", "image/png", ".png"),
        (files.jpeg(), "photo", "image/jpeg", ".jpg"),
        (
            files.ooxml("docx"),
            "policy.pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        (
            files.ooxml("xlsx"),
            "ledger.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
        (
            files.ooxml("pptx"),
            "plan.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".pptx",
        ),
        (files.ole("WordDocument"), "old.doc", "application/msword", ".doc"),
        (files.ole("Workbook"), "old.xls", "application/vnd.ms-excel", ".xls"),
        (files.ole("PowerPoint Document"), "old.ppt", "application/vnd.ms-powerpoint", ".ppt"),
    ],
)
def test_images_and_office_documents_are_recognised_from_their_content(
    assessment: Assessment, owner: User, content: bytes, name: str, content_type: str, extension: str
) -> None:
    document = add(assessment, owner, content, name)
    assert (document.content_type, document.extension, document.name) == (content_type, extension, name)


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (files.HTML, "report.pdf", "HTML, SVG or other markup"),
        (files.SVG, "chart.png", "HTML, SVG or other markup"),
        (b"alert(document.cookie);", "script.pdf", "text or a format that cannot be recognised"),
        (files.EXE, "setup.docx", "a program or a script"),
        (files.plain_zip(), "bundle.docx", "an archive"),
        (files.ooxml("docx", macros=True), "macro.docx", "contains macros"),
        (files.ole("WordDocument", storages=("Macros",)), "macro.doc", "contains macros"),
        (files.ole("EncryptedPackage", "EncryptionInfo"), "secret.docx", "password-protected"),
        (b"PK\x03\x04" + b"\x00" * 100, "broken.xlsx", "cannot be read"),
        (b"", "empty.pdf", "The file is empty."),
    ],
)
def test_files_that_are_not_pdf_images_or_office_documents_are_refused(
    assessment: Assessment, owner: User, content: bytes, name: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        add(assessment, owner, content, name)
    assert reason in refusal(exc)
    assert "Attach a PDF, an image (PNG, JPEG, GIF, WebP) or an Office document" in refusal(exc)
    assert not EvidenceDocument.objects.exists()


def test_a_file_over_the_size_limit_is_refused(assessment: Assessment, owner: User, settings: Any) -> None:
    settings.EVIDENCE_MAX_FILE_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        add(assessment, owner, files.pdf("x" * 2000))
    assert "at most 1.0\xa0KB" in refusal(exc)


def test_the_documents_of_an_assessment_may_take_so_much_together(
    assessment: Assessment, owner: User, settings: Any
) -> None:
    first = add(assessment, owner, files.pdf("one"), key="F1")
    settings.EVIDENCE_MAX_ASSESSMENT_BYTES = first.size * 2 - 1
    with pytest.raises(ValidationError) as exc:
        add(assessment, owner, files.pdf("two"), key="F1")
    assert "may take" in refusal(exc)
    assert "is left" in refusal(exc)
    assert EvidenceDocument.objects.count() == 1


def test_an_assessment_holds_at_most_so_many_files(assessment: Assessment, owner: User, settings: Any) -> None:
    settings.EVIDENCE_MAX_FILES = 2
    add(assessment, owner, files.pdf("one"))
    add(assessment, owner, files.pdf("two"))
    with pytest.raises(ValidationError) as exc:
        add(assessment, owner, files.pdf("three"))
    assert "at most 2 documents" in refusal(exc)


def test_the_same_file_twice_on_one_question_is_refused_but_another_question_may_have_it(
    assessment: Assessment, owner: User
) -> None:
    content = files.pdf("contract")
    add(assessment, owner, content, "合同.pdf", "M4")
    with pytest.raises(ValidationError) as exc:
        add(assessment, owner, content, "copy.pdf", "M4")
    assert refusal(exc) == "This file is already attached to M4, as “合同.pdf”."
    other = add(assessment, owner, content, "copy.pdf", "F1")
    assert other.file.name != EvidenceDocument.objects.get(question__key="M4").file.name  # each row its own file


def test_the_same_file_twice_on_the_assessment_as_a_whole_is_refused(assessment: Assessment, owner: User) -> None:
    add(assessment, owner, files.pdf("plan"), "plan.pdf")
    with pytest.raises(ValidationError) as exc:
        add(assessment, owner, files.pdf("plan"), "again.pdf")
    assert refusal(exc) == "This file is already attached here, as “plan.pdf”."


def test_the_name_is_display_text_without_folders_or_control_characters(assessment: Assessment, owner: User) -> None:
    assert add(assessment, owner, files.pdf("a"), "C:\\Users\\me\\发票.pdf").name == "发票.pdf"
    with pytest.raises(ValidationError) as exc:
        add(assessment, owner, files.pdf("b"), "invoice\u202egpj.pdf")
    assert "U+202E" in refusal(exc)
    long = add(assessment, owner, files.pdf("c"), "长" * 300 + ".pdf").name
    assert len(long) == 200
    assert long.endswith(".pdf")


def test_an_unknown_question_is_refused(assessment: Assessment, owner: User) -> None:
    with pytest.raises(ValidationError) as exc:
        add(assessment, owner, files.pdf(), key="Z9")
    assert exc.value.message_dict == {"question": ["No such question in this assessment's framework."]}


@pytest.mark.parametrize("role", ["viewer", "consultant"])
def test_only_owners_and_respondents_may_attach_or_remove(
    assessment: Assessment, owner: User, organization: Organization, role: str
) -> None:
    person = User.objects.create_user(f"{role}@example.com", "pw-person-1234")
    if role == "viewer":
        Membership.objects.create(user=person, organization=organization, role=role)
    else:
        ConsultantAssignment.objects.create(consultant=person, organization=organization)
    with pytest.raises(NotAllowedError):
        add(assessment, person, files.pdf())
    document = add(assessment, owner, files.pdf())
    with pytest.raises(NotAllowedError):
        document_remove(document=document, removed_by=person)
    respondent = User.objects.create_user("respondent@example.com", "pw-person-1234")
    Membership.objects.create(user=respondent, organization=organization, role="respondent")
    add(assessment, respondent, files.pdf("by the respondent"))


def test_adding_and_removing_are_in_the_history_and_the_file_goes_after_commit(
    assessment: Assessment, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    document = add(assessment, owner, files.pdf(), "台账.pdf", "F2")
    storage, stored = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        document_remove(document=document, removed_by=owner)
    assert not storage.exists(stored)
    assert not EvidenceDocument.objects.exists()
    events = list(AuditEvent.objects.filter(assessment=assessment, kind__startswith="document").order_by("id"))
    assert [(e.kind, e.question_key, e.actor) for e in events] == [
        (AuditEvent.Kind.DOCUMENT_ADDED, "F2", owner),
        (AuditEvent.Kind.DOCUMENT_REMOVED, "F2", owner),
    ]
    assert events[0].after["name"] == "台账.pdf"
    assert events[1].before["sha256"] == document.sha256


def test_a_submitted_assessments_documents_are_immutable(assessment: Assessment, owner: User) -> None:
    document = add(assessment, owner, files.pdf(), key="F1")
    submit_filling_gaps(assessment, owner)
    with pytest.raises(ImmutableError, match="can no longer change"):
        add(assessment, owner, files.pdf("late"), key="F1")
    with pytest.raises(ImmutableError):
        document_remove(document=document, removed_by=owner)
    with pytest.raises(IntegrityError, match="submitted"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM assessment_evidencedocument WHERE id = %s", [document.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE assessment_evidencedocument SET name = 'x' WHERE id = %s", [document.pk])
    assert EvidenceDocument.objects.get(pk=document.pk).name == "evidence.pdf"


def test_a_document_row_never_changes_even_while_editable(assessment: Assessment, owner: User) -> None:
    document = add(assessment, owner, files.pdf())
    document.name = "renamed.pdf"
    with pytest.raises(IntegrityError), transaction.atomic():
        document.save()


def test_a_returned_assessment_takes_documents_for_its_reopened_questions_only(
    assessment: Assessment, owner: User
) -> None:
    kept = add(assessment, owner, files.pdf("kept"), key="F2")
    whole = add(assessment, owner, files.pdf("whole"))
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.RETURNED, submitted_at=now, pledged_at=now, reopened_questions=["F1"]
    )
    added = add(assessment, owner, files.pdf("asked for"), key="F1")
    with pytest.raises(ImmutableError, match="returned for changes to F1 only"):
        add(assessment, owner, files.pdf("other"), key="F2")
    with pytest.raises(ImmutableError):
        add(assessment, owner, files.pdf("whole again"))
    for document in (kept, whole):
        with pytest.raises(ImmutableError):
            document_remove(document=document, removed_by=owner)
    document_remove(document=added, removed_by=owner)
    assert set(EvidenceDocument.objects.values_list("pk", flat=True)) == {kept.pk, whole.pk}
