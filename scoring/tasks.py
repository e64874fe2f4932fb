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


@shared_task
def peer_distributions_rebuild_task(version_id: int) -> int:
    """Count a framework version's peer groups anew (a reader found no distributions in the cache)."""
    return services.peer_distributions_rebuild(version_id=version_id)


@shared_task
def peer_distributions_rebuild_all_task() -> int:
    return services.peer_distributions_rebuild_all()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def rescore_chunk_task(chunk_id: int) -> bool:
    """Rescore one chunk of a `manage.py rescore` run (a chunk done or held elsewhere is left alone)."""
    return services.rescore_chunk_run(chunk_id=chunk_id)


@shared_task
def rescore_chunks_sweep_task() -> int:
    return services.rescore_chunks_enqueue()
