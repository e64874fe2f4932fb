"""Periodic housekeeping for the API."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from api.idempotency import KEPT_FOR
from api.models import IdempotencyRecord


@shared_task
def idempotency_records_purge_task() -> int:
    """Forget Idempotency-Key responses older than they are kept for."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    return deleted
