"""Files in an S3-compatible bucket (a real moto server process): stored there, private, downloaded through the views.

The report is rendered by a real Celery worker whose only storage settings are the S3_* variables.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from rest_framework.test import APIClient

from assessment.models import Assessment, EvidenceDocument, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from reports.models import Report
from tests import evidence_files as files
from tests.conftest import S3Server, WorkerFactory
from tests.reports.test_pipeline import answered

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bucket_storage(s3_server: S3Server, settings: Any) -> S3Server:
    """This process's default storage is the bucket, as S3_* makes it in config/settings.py."""
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_settings()}
    return s3_server


def assert_private(server: S3Server, key: str) -> None:
    """The object is there for the key's holder, and refused to anyone else; its ACL grants no one else."""
    assert server.client().head_object(Bucket=server.BUCKET, Key=key)["ContentLength"] > 0
    anonymous = requests.get(f"{server.endpoint}/{server.BUCKET}/{key}", timeout=10)
    assert anonymous.status_code == 403, anonymous.text
    grants = server.client().get_object_acl(Bucket=server.BUCKET, Key=key)["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants] == [None], grants  # the owner alone, no group


def test_a_report_rendered_by_a_worker_lands_in_the_bucket_and_is_downloaded_through_the_api(
    bucket_storage: S3Server,
    celery_worker_process: WorkerFactory,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
    settings: Any,
) -> None:
    celery_worker_process(queues="reports", SECRET_KEY="s3-test-secret", **bucket_storage.env)
    assessment = answered(miit, organization, owner)
    client = APIClient()
    client.force_authenticate(owner)
    response = client.post(f"/api/v1/assessments/{assessment.pk}/reports/", {"language": "en"})
    assert response.status_code == 202, response.json()
    deadline = time.monotonic() + 90
    while (status := client.get(f"/api/v1/reports/{response.json()['id']}/").json())["status"] not in (
        "ready",
        "failed",
    ):
        assert time.monotonic() < deadline, status
        time.sleep(0.3)
    assert status["status"] == "ready", status["error"]
    report = Report.objects.get(pk=status["id"])
    key = f"{bucket_storage.prefix}/{report.file.name}"
    assert bucket_storage.keys() == [key]
    assert_private(bucket_storage, key)
    assert not Path(settings.MEDIA_ROOT).exists(), "nothing was written to the local media folder"

    download = client.get(status["pdf"])
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert download.status_code == 200
    assert body.startswith(b"%PDF-")
    assert (int(download["Content-Length"]), hashlib.sha256(body).hexdigest()) == (report.size, report.sha256)
    stored = bucket_storage.client().get_object(Bucket=bucket_storage.BUCKET, Key=key)["Body"].read()
    assert stored == body


def test_an_evidence_document_is_stored_in_the_bucket_and_downloaded_through_its_checked_view(
    bucket_storage: S3Server, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment: Assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    content = files.pdf("network diagram")
    client = APIClient()
    client.force_authenticate(owner)
    uploaded = client.post(
        f"/api/v1/assessments/{assessment.pk}/documents/",
        {"file": files.upload(content, "拓扑图.pdf"), "question": "F1"},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.json()
    document = EvidenceDocument.objects.get(pk=uploaded.json()["id"])
    key = f"{bucket_storage.prefix}/evidence/{assessment.pk}/{hashlib.sha256(content).hexdigest()}.pdf"
    assert (document.file.name, bucket_storage.keys()) == (key.split("/", 1)[1], [key])
    assert_private(bucket_storage, key)

    download = client.get(f"/api/v1/documents/{document.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content  # type: ignore[attr-defined]
    assert download["Content-Length"] == str(len(content))
    assert download["Content-Disposition"].startswith("attachment;")

    stranger = APIClient()
    stranger.force_authenticate(User.objects.create_user("stranger@example.com", "pw-stranger-1234"))
    assert stranger.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404

    removed = client.delete(f"/api/v1/documents/{document.pk}/")
    assert removed.status_code == 204
    assert bucket_storage.keys() == [], "the removal deletes the object once committed"
