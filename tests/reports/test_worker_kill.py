"""A worker SIGKILLed mid-render loses no report: the sweeper re-queues the job, another worker finishes it."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from reports.models import Report
from reports.services import report_request, reports_sweep
from scoring.selectors import framework_structure
from tests.conftest import WorkerFactory
from tests.helpers import lowest_item
from tests.reports.test_pipeline import pdf_text
from tests.webhooks.receiver import receiver
from tests.webhooks.test_deliveries import verify
from webhooks.models import Event
from webhooks.services import webhook_endpoint_create

TIMEOUT = 20  # REPORT_RENDER_TIMEOUT_SECONDS: short, but the soft limit (15 s) leaves a fresh worker time


def wait_for(report: Report, statuses: set[str], seconds: float, interval: float = 0.01) -> Report:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        time.sleep(interval)
    pytest.fail(f"report {report.pk} still {report.status} after {seconds} s (wanted {statuses}): {report.error}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_render_loses_nothing_and_the_job_ends_ready_with_one_file(
    celery_worker_process: WorkerFactory,
    settings: object,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
    tmp_path: Path,
) -> None:
    media = Path(settings.MEDIA_ROOT)  # type: ignore[attr-defined]
    worker_settings = {
        "MEDIA_ROOT": str(media),
        "REPORT_RENDER_TIMEOUT_SECONDS": str(TIMEOUT),
        "WEBHOOKS_ALLOW_HTTP": "true",
        "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",
    }
    settings.REPORT_RENDER_TIMEOUT_SECONDS = TIMEOUT  # type: ignore[attr-defined]
    settings.WEBHOOKS_ALLOW_HTTP = True  # type: ignore[attr-defined]
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True  # type: ignore[attr-defined]
    doomed = celery_worker_process(queues="reports", **worker_settings)

    # Long comments on every answer make an appendix of many pages: seconds of rendering to kill into.
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    comment = "现场核查记录：设备台账、系统截图与年度投入凭证均已归档。" * 12
    items = [{**lowest_item(q), "comment": comment} for q in framework_structure(miit).questions.values()]
    answers_upsert(assessment=assessment, answered_by=owner, items=items)

    with receiver() as hook:
        endpoint = webhook_endpoint_create(
            organization=organization, url=hook.url, events=[Event.REPORT_READY], created_by=owner
        )
        report, _ = report_request(assessment=assessment, language="zh-Hans", requested_by=owner)
        wait_for(report, {Report.Status.RENDERING, Report.Status.READY, Report.Status.FAILED}, 60)
        assert report.status == Report.Status.RENDERING, "the worker finished before it could be killed"
        os.killpg(doomed.pid, signal.SIGKILL)  # the worker and its pool child, mid-render
        doomed.wait(timeout=10)

        report.refresh_from_db()
        assert (report.status, report.attempts, report.file.name) == (Report.Status.RENDERING, 1, "")
        assert not list(media.rglob("*.pdf")), "a killed render leaves no file behind"
        assert reports_sweep() == [], "not stuck yet: the render time limit has not passed"

        celery_worker_process(queues="reports,celery", **worker_settings)  # reports, and webhooks
        time.sleep(max(0.0, report.started_at.timestamp() + TIMEOUT + 0.5 - time.time()))  # type: ignore[union-attr]
        assert reports_sweep() == [report.pk]  # what celery beat runs every minute
        wait_for(report, {Report.Status.READY, Report.Status.FAILED}, 90, interval=0.2)
        assert report.status == Report.Status.READY, report.error
        assert report.attempts == 2

        files = list(media.rglob("*.pdf"))
        assert [f.relative_to(media).as_posix() for f in files] == [report.file.name]
        assert organization.name in pdf_text(files[0].read_bytes(), tmp_path)
        assert reports_sweep() == [], "a ready job is never re-queued"

        assert hook.arrived.wait(30), "report.ready was not delivered"
        [delivery] = hook.received
        assert verify(endpoint.secret, delivery.headers, delivery.body)
        event = json.loads(delivery.body)
        assert (event["type"], event["data"]) == (
            "report.ready",
            {"report": report.pk, "assessment": assessment.pk, "language": "zh-Hans"},
        )
