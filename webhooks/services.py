"""Webhooks: register endpoints, emit events, deliver them signed, with retries and a record of every attempt."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import exact_json
from assessment.models import Organization, User
from webhooks import transport
from webhooks.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.targets import Refusal, TargetRefused, target_addresses, webhook_target_parse
from webhooks.transport import AttemptFailed, Failure

SIGNATURE_HEADER = "X-SME-Signature"
TIMESTAMP_HEADER = "X-SME-Timestamp"
EVENT_HEADER = "X-SME-Event"
DELIVERY_HEADER = "X-SME-Delivery"
USER_AGENT = "sme-maturity-webhooks/1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", as sent in X-SME-Signature (docs/api.md shows how to verify)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def _refusal_message(refused: TargetRefused) -> str:
    """What the person registering the URL reads."""
    match refused.refusal:
        case Refusal.CHARACTERS:
            return _("A webhook URL may not contain spaces, control characters or backslashes.")
        case Refusal.USERINFO:
            return _("A webhook URL may not contain a user name or password.")
        case Refusal.SCHEME:
            return _("A webhook URL must be an https:// address.")
        case Refusal.PORT:
            return _("A webhook URL's port must be between 1 and 65535.")
        case Refusal.HOST:
            return _("A webhook URL must name a valid host.")
        case Refusal.UNRESOLVED:
            return _("The host %(host)s cannot be resolved.") % {"host": refused.host}
        case Refusal.NOT_PUBLIC:
            return _("Webhooks may not be sent to private or local addresses.")


def webhook_url_check(url: str) -> None:
    """Refuse a URL webhooks may not be sent to; every attempt reads the URL the same way again."""
    try:
        target = webhook_target_parse(url, allow_http=settings.WEBHOOKS_ALLOW_HTTP)
        if not settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS:
            target_addresses(target, allow_private=False)
    except TargetRefused as refused:
        raise ValidationError({"url": [_refusal_message(refused)]}) from None


def webhook_endpoint_create(
    *,
    organization: Organization,
    url: str,
    events: list[str],
    description: str = "",
    active: bool = True,
    created_by: User,
) -> WebhookEndpoint:
    """Register an endpoint; its signing secret is generated here and returned once with it."""
    webhook_url_check(url)
    return WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        events=sorted(set(events)),
        description=description,
        active=active,
        secret=f"whsec_{secrets.token_urlsafe(32)}",
        created_by=created_by,
    )


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **fields: Any) -> WebhookEndpoint:
    """Change an endpoint; pausing it (active=False) cancels every delivery still pending for it."""
    if "url" in fields:
        webhook_url_check(fields["url"])
    if "events" in fields:
        fields["events"] = sorted(set(fields["events"]))
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=list(fields))
    if fields.get("active") is False:
        _deliveries_cancel(WebhookDelivery.objects.filter(endpoint=endpoint))
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its deliveries and their attempts."""
    # An attempt in flight holds its delivery's row lock until its record is written. Wait for it:
    # deleted under it, the delivery would leave that record behind, and the delete would fail at commit.
    list(WebhookDelivery.objects.select_for_update().filter(endpoint=endpoint).values_list("pk", flat=True))
    endpoint.delete()


def _deliveries_cancel(deliveries: QuerySet[WebhookDelivery]) -> int:
    """Finish the pending ones among `deliveries` as cancelled; returns how many."""
    return deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.CANCELLED, next_attempt_at=None, finished_at=timezone.now()
    )


def _send_after_commit(delivery_id: int) -> None:
    """Hand the delivery to the broker after commit; robust: a broker that is down fails nothing, the
    sweeper sends the delivery once it is back."""
    from webhooks.tasks import webhook_deliver_task  # the task module imports this one

    transaction.on_commit(lambda: webhook_deliver_task.delay(delivery_id), robust=True)


def webhook_event_emit(*, organization_id: int, event: Event, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Record a delivery for every active endpoint subscribed to `event`; each is sent after commit."""
    endpoints = WebhookEndpoint.objects.filter(organization_id=organization_id, active=True)
    deliveries = [
        WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, payload={"data": data}, next_attempt_at=timezone.now()
        )
        for endpoint in endpoints
        if event in endpoint.events
    ]
    for delivery in deliveries:
        _send_after_commit(delivery.pk)
    return deliveries


def _envelope(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": str(delivery.event_id),
        "type": delivery.event,
        "created": delivery.created_at,
        **delivery.payload,
    }
    return exact_json.dumps(
        envelope, default=DjangoJSONEncoder().default, ensure_ascii=False, separators=(",", ":")
    ).encode()


# What an attempt that got no answer records: short and the same whatever went on inside. The
# deliveries list is read by the endpoint's owner, who must not learn from it which internal hosts and
# ports exist (a refused address is never connected to, so open and closed ports record alike).
ATTEMPT_ERRORS: Mapping[Refusal | Failure, str] = {
    **{refusal: "Refused: not a URL webhooks may be sent to" for refusal in Refusal},
    Refusal.UNRESOLVED: "ConnectionError: host name not resolved",
    Refusal.NOT_PUBLIC: "Refused: not a public address",
    Failure.CONNECTION: "ConnectionError: connection failed",
    Failure.TLS: "SSLError: TLS handshake failed or certificate not valid for the host",
    Failure.TIMEOUT: "Timeout: no answer in time",
    Failure.NO_ANSWER: "ConnectionError: connection closed without an answer",
}


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """Send once; (status, response excerpt, error)."""
    endpoint = delivery.endpoint
    body = _envelope(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.event_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
    }
    try:
        # Read and resolved again on every attempt: the rules or the name's addresses may have changed.
        target = webhook_target_parse(endpoint.url, allow_http=settings.WEBHOOKS_ALLOW_HTTP)
        addresses = target_addresses(target, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS)
        answer = transport.post(target, addresses, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except TargetRefused as refused:
        return None, "", ATTEMPT_ERRORS[refused.refusal]
    except AttemptFailed as failed:
        return None, "", ATTEMPT_ERRORS[failed.failure]
    return answer.status, answer.excerpt, ""


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt: doubling from the base, capped at an hour."""
    return int(min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1), 3600))


def webhook_deliver(*, delivery_id: int) -> int | None:
    """Make one attempt; returns the seconds until the next one, or None when the delivery is finished.

    Safe to run twice for the same delivery: the row is locked for the attempt, and a finished or
    not-yet-due delivery is left alone.
    """
    with transaction.atomic():
        delivery = (
            # Lock this delivery only: locking its endpoint too (the join) would make every other delivery
            # to that endpoint skip while one attempt is in flight.
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        now = timezone.now()
        if delivery is None or delivery.status in WebhookDelivery.FINISHED:
            return None
        if not delivery.endpoint.active:  # pausing cancels what is pending; this one was emitted as it did
            _deliveries_cancel(WebhookDelivery.objects.filter(pk=delivery.pk))
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=1):
            return None  # a duplicate message; the scheduled one will come
        started = time.monotonic()
        status, excerpt, error = _post(delivery)
        delivery.attempts += 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=now,
            duration_ms=int((time.monotonic() - started) * 1000),
            response_status=status,
            response_body=excerpt,
            error=error,
        )
        delay = None
        if status is not None and 200 <= status < 300:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            delay = retry_delay(delivery.attempts)
        delivery.next_attempt_at = now + timedelta(seconds=delay) if delay is not None else None
        delivery.finished_at = None if delay is not None else timezone.now()
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "finished_at"])
    return delay


def webhook_deliveries_sweep(*, grace_seconds: int = 600) -> int:
    """Re-queue pending deliveries whose attempt is overdue (their message was lost); returns how many.

    Those of paused endpoints are cancelled instead, never re-queued.
    """
    from webhooks.tasks import webhook_deliver_task

    pending = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
    _deliveries_cancel(pending.filter(endpoint__active=False))
    overdue = pending.filter(
        endpoint__active=True, next_attempt_at__lt=timezone.now() - timedelta(seconds=grace_seconds)
    ).values_list("pk", flat=True)
    ids = list(overdue[:1000])
    for pk in ids:
        webhook_deliver_task.delay(pk)
    return len(ids)
