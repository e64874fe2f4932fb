"""A large export on the real path: the API queues a job, a real Celery worker on the real Redis writes the XLSX
with its progress on the job row, and the file reads back; a job the broker never took is sent by the sweep."""

from __future__ import annotations

import time
from typing import Any

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from assessment.models import FrameworkVersion
from programmes.exports import cohort_exports_sweep
from programmes.models import AccessRecord, CohortExport
from tests.conftest import WorkerFactory
from tests.programmes.cohort_world import standard_world


def wait_until_finished(client: APIClient, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while (status := client.get(location).json())["status"] not in ("ready", "failed"):
        assert time.monotonic() < deadline, status
        time.sleep(0.3)
    return status


@pytest.mark.django_db(transaction=True)
def test_a_worker_writes_the_queued_xlsx_and_the_api_serves_it(
    celery_worker_process: WorkerFactory, miit: FrameworkVersion, settings: Any, tmp_path: Any
) -> None:
    celery_worker_process(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    world = standard_world(miit)
    settings.COHORT_EXPORT_STREAM_MAX_ROWS = 1
    client = APIClient()
    client.force_authenticate(world.analyst)
    response = client.get(f"/api/v1/programmes/{world.programme.pk}/export/", {"format": "xlsx"})
    assert response.status_code == 202
    status = wait_until_finished(client, response["Location"])
    assert status["status"] == "ready", status["error"]
    assert (status["rows_done"], status["rows_total"]) == (4, 4)
    download = client.get(status["file_url"])
    path = tmp_path / "cohort.xlsx"
    path.write_bytes(b"".join(download.streaming_content))
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == sorted(world.smes)
    assert AccessRecord.objects.filter(kind="export", viewer=world.analyst).count() == 4


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_a_job_the_broker_never_took(
    celery_worker_process: WorkerFactory, miit: FrameworkVersion, settings: Any
) -> None:
    celery_worker_process(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    world = standard_world(miit)
    export = CohortExport.objects.create(programme=world.programme, format="csv", requested_by=world.analyst)
    assert cohort_exports_sweep() == [export.pk]
    client = APIClient()
    client.force_authenticate(world.analyst)
    status = wait_until_finished(client, f"/api/v1/programme-exports/{export.pk}/")
    assert status["status"] == "ready", status["error"]
    text = b"".join(client.get(status["file_url"]).streaming_content).decode()
    assert "甲精密制造" in text
    assert CohortExport.objects.get(pk=export.pk).attempts == 1
