"""Celery tasks for programmes: thin; the CohortExport row is the truth."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from programmes import cohort, exports


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def cohort_export_task(export_id: int) -> None:
    exports.cohort_export_run(export_id=export_id)


@shared_task
def cohort_exports_sweep_task() -> list[int]:
    return exports.cohort_exports_sweep()


@shared_task
def cohort_sweep_task() -> int:
    return cohort.cohort_sweep()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def cohort_programme_refresh_task(programme_id: int) -> int:
    return cohort.cohort_programme_refresh(programme_id=programme_id)
