"""Reports end to end: request → worker → ready → PDF through the API, read back with pdftotext."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from reports.models import Report
from reports.services import report_render, report_request, reports_sweep
from tests.conftest import WorkerFactory


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def answered(miit: FrameworkVersion, organization: Organization, owner: User, comment: str = "") -> Assessment:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(
        assessment=assessment,
        answered_by=owner,
        items=[
            {"question": "F5", "choice": "E", "comment": comment or "ERP 已覆盖主要业务"},
            {"question": "S01", "level": 2},
            {"question": "F2", "choice": "C", "evidence": {"devices_total": 120, "devices_digital": 40}},
        ],
    )
    return assessment


@pytest.mark.django_db
def test_the_same_inputs_return_the_same_report_and_a_change_makes_a_new_version(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = answered(miit, organization, owner)
    first, created = report_request(assessment=assessment, language="en", requested_by=owner)
    again, created_again = report_request(assessment=assessment, language="en", requested_by=owner)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "S02", "level": 1}])
    second, _ = report_request(assessment=assessment, language="en", requested_by=owner)
    assert (second.version, first.version) == (2, 1)
    chinese, _ = report_request(assessment=assessment, language="zh-Hans", requested_by=owner)
    assert chinese.version == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "level_name", "dimension"),
    [("zh-Hans", "未达到一级", "数字化基础"), ("en", "Below Level 1", "Digital foundation")],
)
def test_a_rendered_report_names_the_organisation_level_and_scores(
    language: str,
    level_name: str,
    dimension: str,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
    tmp_path: Path,
) -> None:
    assessment = answered(miit, organization, owner)
    report, _ = report_request(assessment=assessment, language=language, requested_by=owner)
    rendered = report_render(report_id=report.pk)
    assert rendered is not None
    assert rendered.status == Report.Status.READY, rendered.error
    text = " ".join(pdf_text(rendered.file.read(), tmp_path).split())
    assert organization.name in text
    assert level_name in text
    assert f"{dimension} 13 50" in text  # the foundation's score: F5 E (10) + F2 C (3) of 50
    assert "ERP 已覆盖主要业务" in text
    assert report_render(report_id=report.pk) is None  # a second run leaves the finished job alone
    assert default_storage.listdir("reports")[1] == [Path(rendered.file.name).name]


@pytest.mark.django_db
def test_hostile_text_is_printed_literally_and_nothing_is_fetched(
    miit: FrameworkVersion, owner: User, tmp_path: Path
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections: list[object] = []

    def accept() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not connections:
            try:
                connections.append(listener.accept())
            except TimeoutError:
                continue
            except OSError:  # closed at the end of the test
                return

    threading.Thread(target=accept, daemon=True).start()
    hostile = (
        f'<img src="file:///etc/passwd"> <script>alert(1)</script> <link href="http://127.0.0.1:{port}/x"> '
        f"<style>body {{ background: url(http://127.0.0.1:{port}/y) }}</style>"
    )
    organization = organization_create(owner=owner, name=hostile[:200], sector="C", size_band="small", province="32")
    assessment = answered(miit, organization, owner, comment=hostile)
    report, _ = report_request(assessment=assessment, language="en", requested_by=owner)
    rendered = report_render(report_id=report.pk)
    assert rendered is not None
    assert rendered.status == Report.Status.READY, rendered.error
    text = " ".join(pdf_text(rendered.file.read(), tmp_path).split())
    assert '<img src="file:///etc/passwd">' in text
    assert "<script>alert(1)</script>" in text
    assert f"url(http://127.0.0.1:{port}/y)" in text
    assert "root:x:0:0" not in text
    time.sleep(0.5)
    assert connections == []
    listener.close()


@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_requested_reports_that_the_api_then_serves_in_chinese_and_english(
    celery_worker_process: WorkerFactory,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
    tmp_path: Path,
    settings: object,
) -> None:
    celery_worker_process(queues="reports", MEDIA_ROOT=str(settings.MEDIA_ROOT))  # type: ignore[attr-defined]
    assessment = answered(miit, organization, owner)
    client = APIClient()
    client.force_authenticate(owner)
    expected = {"zh-Hans": ("未达到一级", "数字化基础"), "en": ("Below Level 1", "Digital foundation")}
    requested = {}
    for language in expected:
        response = client.post(f"/api/v1/assessments/{assessment.pk}/reports/", {"language": language})
        assert response.status_code == 202
        requested[language] = response.json()["id"]
    for language, report_id in requested.items():
        deadline = time.monotonic() + 90
        while (status := client.get(f"/api/v1/reports/{report_id}/").json())["status"] not in ("ready", "failed"):
            assert time.monotonic() < deadline, status
            time.sleep(0.3)
        assert status["status"] == "ready", status["error"]
        download = client.get(status["pdf"])
        assert download["Content-Type"] == "application/pdf"
        text = " ".join(pdf_text(b"".join(download.streaming_content), tmp_path).split())  # type: ignore[attr-defined]
        level, dimension = expected[language]
        assert organization.name in text
        assert level in text
        assert f"{dimension} 13 50" in text, "the foundation's score: F5 E (10) + F2 C (3) of 50"


@pytest.mark.django_db
def test_a_job_the_broker_never_took_is_sent_by_the_sweeper(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    # In this test's transaction the hand-off after commit never happens: as when the broker is down.
    report, _ = report_request(assessment=answered(miit, organization, owner), language="en", requested_by=owner)
    assert Report.objects.get(pk=report.pk).dispatched_at is None
    assert reports_sweep() == [report.pk]
    assert Report.objects.get(pk=report.pk).dispatched_at is not None
    assert reports_sweep() == [], "sent once: a queued job is sent again only when it waited too long"
