"""A worker claims its job even when the row is locked for an instant, and never takes one being rendered."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from reports.models import Report
from reports.services import report_render

pytestmark = pytest.mark.usefixtures("postgresql")  # the lock is held by another connection
HOLD_SECONDS = 0.5


@pytest.fixture
def job(miit: FrameworkVersion, organization: Organization, owner: User, monkeypatch: Any) -> Report:
    monkeypatch.setattr("reports.services.html_to_pdf", lambda html: b"%PDF-1.4 claimed")
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    return Report.objects.create(assessment=assessment, language="en", version=1, inputs_hash="0" * 64)


def _hold_lock(report_id: int, locked: threading.Event) -> None:
    """What the dispatch does right after handing the job to the broker: note it on the row."""
    try:
        with transaction.atomic():
            Report.objects.filter(pk=report_id).update(dispatched_at=timezone.now())
            locked.set()
            time.sleep(HOLD_SECONDS)
    finally:
        connection.close()


def test_a_job_whose_row_is_locked_for_an_instant_is_rendered_not_dropped(job: Report) -> None:
    locked = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(job.pk, locked))
    holder.start()
    assert locked.wait(5)
    rendered = report_render(report_id=job.pk)  # the worker was quicker than the dispatch's note
    holder.join()
    assert rendered is not None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.size) == (Report.Status.READY, 1, len(b"%PDF-1.4 claimed"))
    assert job.dispatched_at is not None


def test_a_job_another_worker_is_rendering_is_left_alone(job: Report) -> None:
    Report.objects.filter(pk=job.pk).update(status=Report.Status.RENDERING, attempts=1, started_at=timezone.now())
    assert report_render(report_id=job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Report.Status.RENDERING, 1)
