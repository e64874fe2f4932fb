"""Evidence documents on the pages: attach beside a question (plain multipart form), list, download, remove."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Assessment, EvidenceDocument, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from assessment.services.documents import document_add
from assessment.services.organizations import organization_create
from tests import evidence_files as files
from tests.helpers import submit_filling_gaps
from web.assessments.pages import questionnaire

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def assessment(organization: Organization, owner: User, miit: FrameworkVersion) -> Assessment:
    return assessment_create(organization=organization, framework_version=miit, created_by=owner)


def step_of(assessment: Assessment, key: str) -> int:
    return questionnaire(assessment.framework_version).step_of[key]


def wizard(client: Client, assessment: Assessment, key: str) -> Any:
    return client.get(reverse("web:wizard", args=[assessment.pk, step_of(assessment, key)]), **EN)


def upload(client: Client, assessment: Assessment, content: bytes, name: str, key: str = "", **extra: Any) -> Any:
    url = (
        reverse("web:document_upload_question", args=[assessment.pk, key])
        if key
        else reverse("web:document_upload", args=[assessment.pk])
    )
    return client.post(url, {"file": files.upload(content, name)}, **EN, **extra)


def attach(assessment: Assessment, user: User, key: str = "", name: str = "台账.pdf") -> EvidenceDocument:
    return document_add(
        assessment=assessment, uploaded_by=user, upload=files.upload(files.pdf(name), name), question_key=key
    )


def test_the_wizard_shows_each_questions_suggested_documents_marked_as_guidance(
    owner_web: Client, assessment: Assessment
) -> None:
    page = wizard(owner_web, assessment, "F2").content.decode()
    assert "Suggested documents" in page
    assert "Production equipment ledger marking each digital device" in page
    assert "Third-party guidance, not official" in page
    scenarios = wizard(owner_web, assessment, "S07").content.decode()
    assert "To show level 3:" in scenarios
    assert "Quality traceability records for raw materials, semi-finished and finished products" in scenarios


def test_a_document_attached_without_javascript_is_listed_beside_its_question(
    owner_web: Client, assessment: Assessment
) -> None:
    response = upload(owner_web, assessment, files.pdf("ledger"), "设备台账.pdf", "F2")
    step = step_of(assessment, "F2")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:wizard", args=[assessment.pk, step]) + "#q-F2-documents"
    document = EvidenceDocument.objects.get()
    assert document.question is not None
    assert document.question.key == "F2"
    page = owner_web.get(response["Location"], **EN).content.decode()
    assert "“设备台账.pdf” is attached." in page
    download = reverse("web:document_download", args=[assessment.pk, document.pk])
    assert f'href="{download}"' in page
    assert "Remove “设备台账.pdf”" in page


def test_a_download_is_an_attachment_of_the_detected_type(
    owner_web: Client, assessment: Assessment, owner: User
) -> None:
    content = files.png()
    document = document_add(assessment=assessment, uploaded_by=owner, upload=files.upload(content, "网络照片.pdf"))
    response = owner_web.get(reverse("web:document_download", args=[assessment.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response["Content-Disposition"].endswith(".pdf.png")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


def test_a_refused_file_is_explained_beside_the_control_that_sent_it(owner_web: Client, assessment: Assessment) -> None:
    response = upload(owner_web, assessment, files.HTML, "report.pdf", "F3")
    page = response.content.decode()
    assert response.status_code == 400
    assert "HTML, SVG or other markup" in page
    assert page.index("HTML, SVG or other markup") > page.index('id="q-F3-documents"')
    assert 'id="q-F3-file"' in page
    assert not EvidenceDocument.objects.exists()


def test_a_file_over_the_limit_is_refused_unread(owner_web: Client, assessment: Assessment, settings: Any) -> None:
    settings.EVIDENCE_MAX_FILE_BYTES = 1024
    response = upload(owner_web, assessment, files.pdf("x" * 100_000), "big.pdf", "F2")
    assert response.status_code == 413
    assert "A document may take at most 1.0\xa0KB" in response.content.decode()
    assert not EvidenceDocument.objects.exists()


def test_an_upload_needs_the_csrf_token(owner: User, assessment: Assessment) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert upload(browser, assessment, files.pdf(), "a.pdf", "F2").status_code == 403
    assert not EvidenceDocument.objects.exists()


def test_documents_of_the_assessment_as_a_whole_are_attached_on_the_review_page(
    owner_web: Client, assessment: Assessment, owner: User
) -> None:
    attach(assessment, owner, "M4", "投入明细.pdf")
    response = upload(owner_web, assessment, files.ooxml("docx"), "数字化规划.docx")
    assert response["Location"] == reverse("web:review", args=[assessment.pk]) + "#documents"
    page = owner_web.get(reverse("web:review", args=[assessment.pk]), **EN).content.decode()
    assert "For the assessment as a whole" in page
    assert "数字化规划.docx" in page
    assert "投入明细.pdf" in page  # in the table of everything attached
    assert 'id="assessment-file"' in page


def test_viewers_and_consultants_read_and_download_but_never_attach_or_remove(
    client: Client, assessment: Assessment, owner: User, member: Callable[..., User]
) -> None:
    document = attach(assessment, owner, "F2")
    client.force_login(member("viewer"))
    page = wizard(client, assessment, "F2").content.decode()
    assert "台账.pdf" in page
    assert 'id="q-F2-file"' not in page
    assert "Remove “" not in page
    assert client.get(reverse("web:document_download", args=[assessment.pk, document.pk])).status_code == 200
    assert upload(client, assessment, files.pdf("mine"), "mine.pdf", "F2").status_code == 403
    remove = client.post(reverse("web:document_remove", args=[assessment.pk, document.pk]))
    assert remove.status_code == 403
    assert EvidenceDocument.objects.count() == 1


def test_other_organisations_documents_are_404(client: Client, assessment: Assessment, owner: User) -> None:
    document = attach(assessment, owner, "F2")
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    organization_create(owner=stranger, name="别家", sector="C", size_band="micro", province="11")
    client.force_login(stranger)
    assert client.get(reverse("web:document_download", args=[assessment.pk, document.pk])).status_code == 404
    assert client.post(reverse("web:document_remove", args=[assessment.pk, document.pk])).status_code == 404
    assert upload(client, assessment, files.pdf("x"), "x.pdf", "F2").status_code == 404
    other = assessment_create(
        organization=organization_create(owner=stranger, name="别家二", sector="C", size_band="micro", province="11"),
        framework_version=assessment.framework_version,
        created_by=stranger,
    )
    # A document is found only under its own assessment: another id in the URL is 404 even for its owner.
    assert client.get(reverse("web:document_download", args=[other.pk, document.pk])).status_code == 404


def test_removing_a_document_while_editable(owner_web: Client, assessment: Assessment, owner: User) -> None:
    document = attach(assessment, owner, "F2")
    response = owner_web.post(reverse("web:document_remove", args=[assessment.pk, document.pk]), **EN)
    assert response.status_code == 302
    assert response["Location"].endswith("#q-F2-documents")
    assert not EvidenceDocument.objects.exists()
    assert "“台账.pdf” is removed." in owner_web.get(response["Location"], **EN).content.decode()


def test_after_submission_the_documents_are_read_only_everywhere(
    owner_web: Client, assessment: Assessment, owner: User
) -> None:
    document = attach(assessment, owner, "F2")
    submit_filling_gaps(assessment, owner)
    page = wizard(owner_web, assessment, "F2").content.decode()
    assert "台账.pdf" in page
    assert 'id="q-F2-file"' not in page
    assert "Remove “" not in page
    results = owner_web.get(reverse("web:results", args=[assessment.pk]), **EN).content.decode()
    assert "Evidence documents" in results
    assert reverse("web:document_download", args=[assessment.pk, document.pk]) in results
    response = owner_web.post(reverse("web:document_remove", args=[assessment.pk, document.pk]), **EN)
    assert "its documents can no longer change" in owner_web.get(response["Location"], **EN).content.decode()
    assert upload(owner_web, assessment, files.png(), "late.png", "F2").status_code == 409
    assert EvidenceDocument.objects.count() == 1


def test_a_returned_assessment_takes_documents_on_its_reopened_questions_only(
    owner_web: Client, assessment: Assessment
) -> None:
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.RETURNED, submitted_at=now, pledged_at=now, reopened_questions=["F3"]
    )
    page = wizard(owner_web, assessment, "F3").content.decode()
    assert 'id="q-F3-file"' in page
    assert 'id="q-F2-file"' not in page
    review = owner_web.get(reverse("web:review", args=[assessment.pk]), **EN).content.decode()
    assert 'id="assessment-file"' not in review
