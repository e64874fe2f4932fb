"""E-mail notifications through an outbox: rows written with the change, sent by a worker after commit.

A row is written in the transaction that caused it, so a notification exists exactly when its change does;
the worker sends it after commit, and the periodic sweep sends what a lost task or a mail-server outage left
(at least once: a worker that dies between sending and recording may send twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from assessment.models import Assessment, Membership, User
from review.models import Notification


def site_language() -> translation.override:
    """E-mails are written in the site's language (LANGUAGE_CODE), not in that of whoever caused them."""
    return translation.override(settings.LANGUAGE_CODE)


def assessment_link(assessment: Assessment, *, review: bool = False) -> str:
    path = f"/review/assessments/{assessment.pk}/" if review else f"/assessments/{assessment.pk}/results/"
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def notify(*, recipients: Iterable[User], subject: str, body: str, assessment: Assessment | None = None) -> None:
    """Queue one e-mail per recipient (each once), sent by a worker after commit."""
    from review.tasks import notification_send_task  # the task module imports this one

    rows = Notification.objects.bulk_create(
        Notification(recipient=user, assessment=assessment, subject=subject[:200], body=body)
        for user in {u.pk: u for u in recipients}.values()
    )
    for row in rows:
        transaction.on_commit(partial(notification_send_task.delay, row.pk), robust=True)


def enterprise_people(assessment: Assessment) -> list[User]:
    """Who at the SME hears about its review: owners and respondents."""
    return list(
        User.objects.filter(
            memberships__organization_id=assessment.organization_id,
            memberships__role__in=Membership.CONTRIBUTORS,
            is_active=True,
        )
    )


def reviewers_of(assessment: Assessment) -> list[User]:
    """The consultants assigned to the assessment's organisation."""
    return list(User.objects.filter(consultant_assignments__organization_id=assessment.organization_id, is_active=True))


def notify_enterprise(assessment: Assessment, subject: str, message: str) -> None:
    with site_language():
        body = gettext("%(message)s\n\nOpen the assessment: %(link)s") % {
            "message": message,
            "link": assessment_link(assessment),
        }
    notify(recipients=enterprise_people(assessment), subject=subject, body=body, assessment=assessment)


def notify_reviewers(assessment: Assessment, subject: str, message: str) -> None:
    with site_language():
        body = gettext("%(message)s\n\nOpen the review: %(link)s") % {
            "message": message,
            "link": assessment_link(assessment, review=True),
        }
    notify(recipients=reviewers_of(assessment), subject=subject, body=body, assessment=assessment)


def notification_send(*, notification_id: int) -> bool:
    """Send one queued e-mail unless it went already; record the failure and leave it for the sweep."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if row is None or row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            return False
        row.attempts += 1
        try:
            send_mail(row.subject, row.body, None, [row.recipient.email], fail_silently=False)
        except OSError as error:  # SMTP errors are OSErrors: connection refused, timeouts, refusals
            row.last_error = f"{type(error).__name__}: {error}"[:500]
            row.save(update_fields=["attempts", "last_error"])
            return False
        row.sent_at = timezone.now()
        row.save(update_fields=["attempts", "sent_at"])
        return True


def notifications_sweep(*, batch: int = 100) -> int:
    """Send what is still unsent (a lost task, a mail server that was down); returns how many went."""
    pending = Notification.objects.filter(
        sent_at__isnull=True, attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS
    ).values_list("pk", flat=True)[:batch]
    return sum(notification_send(notification_id=pk) for pk in list(pending))
