"""Celery tasks: thin; the delivery row holds the state."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from webhooks import services


@shared_task(bind=True, acks_late=True, max_retries=None)
def webhook_deliver_task(self: Any, delivery_id: int) -> None:
    delay = services.webhook_deliver(delivery_id=delivery_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task
def webhook_deliveries_sweep_task() -> int:
    return services.webhook_deliveries_sweep()
