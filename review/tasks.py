"""Celery tasks of the review: thin; the Notification row is the truth."""

from __future__ import annotations

from celery import shared_task

from review import notifications


@shared_task(acks_late=True)
def notification_send_task(notification_id: int) -> bool:
    return notifications.notification_send(notification_id=notification_id)


@shared_task
def notifications_sweep_task() -> int:
    return notifications.notifications_sweep()
