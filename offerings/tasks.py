"""Celery tasks of offerings: thin; the referral row is the truth of its e-mail."""

from __future__ import annotations

from celery import shared_task

from offerings import services


@shared_task(acks_late=True)
def referral_notify_task(referral_id: int) -> bool:
    return services.referral_notify_send(referral_id=referral_id)


@shared_task
def referrals_notify_sweep_task() -> int:
    return services.referrals_notify_sweep()
