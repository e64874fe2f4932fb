"""Evidence documents through the API: upload (multipart), list, metadata, download, removal."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from rest_framework.test import APIClient

from assessment.models import Assessment, EvidenceDocument, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from assessment.services.documents import document_add
from assessment.services.organizations import organization_create
from tests import evidence_files as files
from tests.api.conftest import KeyClient
from tests.helpers import submit_filling_gaps

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(organization: Organization, owner: User, miit: FrameworkVersion) -> Assessment:
    return assessment_create(organization=organization, framework_version=miit, created_by=owner)


def documents_url(assessment: Assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/documents/"


def upload(client: APIClient, assessment: Assessment, content: bytes, name: str, **fields: Any) -> Any:
    return client.post(
        documents_url(assessment) + "?lang=en", {"file": files.upload(content, name), **fields}, format="multipart"
    )


def test_an_upload_is_stored_with_the_type_read_from_its_content(
    owner_client: APIClient, assessment: Assessment
) -> None:
    content = files.pdf("network diagram")
    response = upload(owner_client, assessment, content, "拓扑图.docx", question="F1")
    body = response.json()
    assert response.status_code == 201, body
    assert {k: body[k] for k in ("assessment", "question", "name", "kind", "content_type", "size", "sha256")} == {
        "assessment": assessment.pk,
        "question": "F1",
        "name": "拓扑图.docx",
        "kind": "pdf",
        "content_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    assert body["uploaded_by"] == "owner@example.com"
    assert body["download"] == f"/api/v1/documents/{body['id']}/download/"
    assert owner_client.get(documents_url(assessment)).json() == [body]
    assert owner_client.get(f"/api/v1/documents/{body['id']}/").json() == body


def test_a_download_is_an_attachment_of_the_detected_type_never_sniffed(
    owner_client: APIClient, assessment: Assessment
) -> None:
    content = files.pdf("invoice")
    document = upload(owner_client, assessment, content, "发票.docx").json()
    response = owner_client.get(document["download"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E5%8F%91%E7%A5%A8.docx.pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == content


def test_html_named_pdf_is_refused_with_the_reason(owner_client: APIClient, assessment: Assessment) -> None:
    response = upload(owner_client, assessment, files.HTML, "report.pdf")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert "HTML, SVG or other markup" in body["details"]["file"][0]
    assert not EvidenceDocument.objects.exists()


def test_a_missing_file_an_unknown_question_and_a_duplicate_are_400(
    owner_client: APIClient, assessment: Assessment
) -> None:
    missing = owner_client.post(documents_url(assessment), {"question": "F1"}, format="multipart")
    assert missing.status_code == 400
    assert "file" in missing.json()["details"]
    unknown = upload(owner_client, assessment, files.pdf(), "a.pdf", question="Z9")
    assert unknown.json()["details"] == {"question": ["No such question in this assessment's framework."]}
    assert upload(owner_client, assessment, files.png(), "a.png", question="F1").status_code == 201
    again = upload(owner_client, assessment, files.png(), "b.png", question="F1")
    assert again.status_code == 400
    assert again.json()["details"]["file"] == ["This file is already attached to F1, as “a.png”."]


def test_json_is_415_and_a_body_over_the_limit_is_413(
    owner_client: APIClient, assessment: Assessment, settings: Any
) -> None:
    assert owner_client.post(documents_url(assessment), {"question": "F1"}, format="json").status_code == 415
    settings.EVIDENCE_MAX_FILE_BYTES = 1024
    large = upload(owner_client, assessment, files.pdf("x" * 100_000), "big.pdf")
    assert large.status_code == 413
    assert large.json()["code"] == "too_large"
    settings.EVIDENCE_MAX_FILE_BYTES = 2048
    over = upload(owner_client, assessment, files.pdf("x" * 3000), "big.pdf")  # within the framing allowance
    assert over.status_code == 400
    assert "at most 2.0\xa0KB" in over.json()["details"]["file"][0]


def test_a_submitted_assessment_takes_no_documents_and_keeps_its_own(
    owner_client: APIClient, assessment: Assessment, owner: User
) -> None:
    document = document_add(assessment=assessment, uploaded_by=owner, upload=files.upload(files.pdf()))
    submit_filling_gaps(assessment, owner)
    refused = upload(owner_client, assessment, files.png(), "late.png")
    assert refused.status_code == 409
    assert refused.json()["code"] == "conflict"
    assert owner_client.delete(f"/api/v1/documents/{document.pk}/").status_code == 409
    assert owner_client.get(f"/api/v1/documents/{document.pk}/download/").status_code == 200


def test_removing_a_document_while_editable(owner_client: APIClient, assessment: Assessment, owner: User) -> None:
    document = document_add(assessment=assessment, uploaded_by=owner, upload=files.upload(files.pdf()))
    assert owner_client.delete(f"/api/v1/documents/{document.pk}/").status_code == 204
    assert owner_client.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert owner_client.get(documents_url(assessment)).json() == []


def test_other_organisations_documents_are_404(key_client: KeyClient, assessment: Assessment, owner: User) -> None:
    document = document_add(assessment=assessment, uploaded_by=owner, upload=files.upload(files.pdf()))
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    organization_create(owner=stranger, name="别家", sector="C", size_band="micro", province="11")
    client = key_client(stranger)
    for path in (f"/api/v1/documents/{document.pk}/", f"/api/v1/documents/{document.pk}/download/"):
        assert client.get(path).status_code == 404
    assert client.delete(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert client.get(documents_url(assessment)).status_code == 404
    assert upload(client, assessment, files.png(), "x.png").status_code == 404


def test_an_upload_retried_with_its_idempotency_key_is_replayed(
    owner_client: APIClient, assessment: Assessment
) -> None:
    def send() -> Any:
        return owner_client.post(
            documents_url(assessment),
            {"file": files.upload(files.pdf("once"), "once.pdf"), "question": "M4"},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first, second = send(), send()
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert EvidenceDocument.objects.count() == 1
