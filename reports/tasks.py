"""Celery tasks for reports: thin; the Report row is the truth."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from reports import services


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),  # the database went away: transient
    retry_backoff=True,
    max_retries=5,
)
def report_render_task(report_id: int) -> None:
    services.report_render(report_id=report_id)


@shared_task
def reports_sweep_task() -> list[int]:
    return services.reports_sweep()
