"""Celery tasks for scoring: thin; the stored result is the truth."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from assessment.models import Assessment
from scoring import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def assessment_result_ensure_task(assessment_id: int) -> None:
    """Store the result with its path (after submission); a lost message costs only slower reads."""
    assessment = Assessment.objects.filter(pk=assessment_id).first()
    if assessment is not None:  # deleted meanwhile: nothing to store
        services.assessment_result_ensure(assessment=assessment)


@shared_task
def results_sweep_task() -> int:
    return services.results_sweep()
