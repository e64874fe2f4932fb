"""A paused or deleted endpoint gets no further attempt, whatever was already queued or in flight for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Organization, User
from tests.webhooks.receiver import Receiver, receiver
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    webhook_deliver,
    webhook_deliveries_sweep,
    webhook_endpoint_create,
    webhook_event_emit,
)


def owner_client(owner: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(owner)
    return client


def failed_once(hook: Receiver, organization: Organization, owner: User) -> tuple[WebhookEndpoint, WebhookDelivery]:
    """An endpoint at `hook` with one delivery, whose first attempt the receiver answered 500."""
    endpoint = webhook_endpoint_create(
        organization=organization, url=hook.url, events=["report.ready"], created_by=owner
    )
    [delivery] = webhook_event_emit(organization_id=organization.pk, event=Event.REPORT_READY, data={})
    assert webhook_deliver(delivery_id=delivery.pk) is not None  # failed: a retry is scheduled
    return endpoint, delivery


def retry_due_now(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)


@pytest.mark.django_db
def test_pausing_an_endpoint_cancels_its_pending_deliveries(
    local_webhooks: None, organization: Organization, owner: User
) -> None:
    client = owner_client(owner)
    with receiver(statuses=[500]) as hook:
        endpoint, delivery = failed_once(hook, organization, owner)
        assert client.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"active": False}, format="json").status_code == 200
        retry_due_now(delivery)
        assert webhook_deliver(delivery_id=delivery.pk) is None
    assert len(hook.received) == 1
    [listed] = client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert (listed["status"], listed["attempts"], listed["next_attempt_at"]) == ("cancelled", 1, None)
    assert listed["finished_at"] is not None


@pytest.mark.django_db
def test_a_delivery_still_pending_when_its_endpoint_was_paused_gets_no_further_attempt(
    local_webhooks: None, organization: Organization, owner: User
) -> None:
    """Say an event was emitted while the pause committed: its delivery is pending, its endpoint paused."""
    with receiver(statuses=[500]) as hook:
        endpoint, delivery = failed_once(hook, organization, owner)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)  # a write that cancels nothing
        retry_due_now(delivery)
        assert webhook_deliver(delivery_id=delivery.pk) is None
    assert len(hook.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        WebhookDelivery.Status.CANCELLED,
        1,
        None,
    )


@pytest.mark.django_db
def test_the_sweeper_cancels_rather_than_requeues_a_delivery_of_a_paused_endpoint(organization: Organization) -> None:
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url="https://93.184.215.14/hooks",
        events=["report.ready"],
        secret="whsec_test",
        active=False,
    )
    lost = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="report.ready",
        payload={"data": {}},
        next_attempt_at=timezone.now() - timedelta(hours=1),
    )
    assert webhook_deliveries_sweep() == 0
    lost.refresh_from_db()
    assert lost.status == WebhookDelivery.Status.CANCELLED


@pytest.mark.django_db
def test_a_deleted_endpoint_gets_no_further_attempt(
    local_webhooks: None, organization: Organization, owner: User
) -> None:
    client = owner_client(owner)
    with receiver(statuses=[500]) as hook:
        endpoint, delivery = failed_once(hook, organization, owner)
        assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
        assert webhook_deliver(delivery_id=delivery.pk) is None  # its retry message arrives
        assert webhook_deliveries_sweep() == 0
    assert len(hook.received) == 1
    assert not WebhookDelivery.objects.filter(pk=delivery.pk).exists()


def in_thread(outcomes: dict[str, Any], name: str, work: Callable[[], Any]) -> threading.Thread:
    def run() -> None:
        try:
            outcomes[name] = work()
        except Exception as exc:  # noqa: BLE001 - the test asserts on it
            outcomes[name] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_until_waiting_on_a_lock(outcomes: dict[str, Any], name: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and name not in outcomes:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    pytest.fail(f"{name} never waited on a lock: {outcomes.get(name)!r}")


def test_an_endpoint_deleted_during_an_attempt_is_deleted_and_gets_nothing_more(
    postgresql: None, local_webhooks: None, organization: Organization, owner: User
) -> None:
    outcomes: dict[str, Any] = {}
    with receiver(statuses=[500], hold=True) as hook:
        endpoint = webhook_endpoint_create(
            organization=organization, url=hook.url, events=["report.ready"], created_by=owner
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event="report.ready", payload={"data": {}}, next_attempt_at=timezone.now()
        )
        attempt = in_thread(outcomes, "attempt", lambda: webhook_deliver(delivery_id=delivery.pk))
        assert hook.reached.wait(10)  # the attempt is in flight, its delivery locked
        deletion = in_thread(
            outcomes, "delete", lambda: owner_client(owner).delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code
        )
        wait_until_waiting_on_a_lock(outcomes, "delete")
        hook.release.set()  # the receiver answers 500; the attempt is recorded, then the delete goes on
        attempt.join(30)
        deletion.join(30)
    assert outcomes == {"attempt": 30, "delete": 204}
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert webhook_deliver(delivery_id=delivery.pk) is None
    assert len(hook.received) == 1


def test_a_second_delivery_to_an_endpoint_is_attempted_while_the_first_is_in_flight(
    postgresql: None, local_webhooks: None, organization: Organization, owner: User
) -> None:
    outcomes: dict[str, Any] = {}
    with receiver(hold=True) as hook:
        endpoint = webhook_endpoint_create(
            organization=organization, url=hook.url, events=["report.ready"], created_by=owner
        )
        first, second = (
            WebhookDelivery.objects.create(
                endpoint=endpoint, event="report.ready", payload={"data": {}}, next_attempt_at=timezone.now()
            )
            for _ in range(2)
        )
        attempts = [
            in_thread(outcomes, str(d.pk), lambda d=d: webhook_deliver(delivery_id=d.pk)) for d in (first, second)
        ]
        deadline = time.monotonic() + 10
        while len(hook.received) < 2 and time.monotonic() < deadline:  # both in flight at once
            time.sleep(0.05)
        hook.release.set()
        for attempt in attempts:
            attempt.join(30)
    assert len(hook.received) == 2, "the second attempt waited on (or skipped) the first's lock"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDelivery.Status.SUCCEEDED}
