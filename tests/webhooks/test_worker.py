"""The real path: a Celery worker process consuming from the real Redis delivers webhooks, retrying failures."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from scoring.selectors import framework_structure
from tests.conftest import WorkerFactory
from tests.helpers import lowest_item
from tests.webhooks.receiver import receiver
from tests.webhooks.test_deliveries import verify
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_deliveries_sweep

WORKER_SETTINGS = {
    "WEBHOOKS_ALLOW_HTTP": "true",
    "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",
    "WEBHOOK_RETRY_BASE_SECONDS": "1",
}


def finished(delivery_id: int, seconds: float = 30) -> WebhookDelivery:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        if delivery.status in WebhookDelivery.FINISHED:
            return delivery
        time.sleep(0.2)
    pytest.fail(f"delivery {delivery_id} still {delivery.status} after {seconds} s")


def test_submitting_through_the_api_delivers_a_signed_event_via_the_worker(
    celery_worker_process: WorkerFactory,
    settings: object,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
) -> None:
    celery_worker_process(**WORKER_SETTINGS)
    settings.WEBHOOKS_ALLOW_HTTP = True  # type: ignore[attr-defined]
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True  # type: ignore[attr-defined]
    client = APIClient()
    client.force_authenticate(owner)
    with receiver(statuses=[500]) as hook:  # the first attempt fails; the worker retries a second later
        endpoint = client.post(
            "/api/v1/webhooks/",
            {"organization": organization.pk, "url": hook.url, "events": ["assessment.submitted"]},
            format="json",
        ).json()
        assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
        answers = [lowest_item(q) for q in framework_structure(miit).questions.values()]
        client.put(f"/api/v1/assessments/{assessment.pk}/answers/", {"answers": answers}, format="json")
        submitted = client.post(f"/api/v1/assessments/{assessment.pk}/submit/", {"pledge": True}, format="json")
        assert submitted.status_code == 200, submitted.content
        delivery = finished(WebhookDelivery.objects.get(endpoint_id=endpoint["id"]).pk)
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert [a.response_status for a in delivery.attempt_log.all()] == [500, 200]
    assert verify(endpoint["secret"], hook.received[-1].headers, hook.received[-1].body)


def test_the_sweeper_requeues_a_delivery_whose_message_was_lost(
    celery_worker_process: WorkerFactory, organization: Organization, owner: User
) -> None:
    """A delivery recorded but never sent (its message lost with a broker or worker) is sent by the sweep."""
    celery_worker_process(**WORKER_SETTINGS)
    with receiver() as hook:
        endpoint = WebhookEndpoint.objects.create(
            organization=organization, url=hook.url, events=["report.ready"], secret="whsec_test"
        )
        lost = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="report.ready",
            payload={"data": {}},
            next_attempt_at=timezone.now() - timedelta(hours=1),
        )
        assert webhook_deliveries_sweep() == 1
        assert finished(lost.pk).status == WebhookDelivery.Status.SUCCEEDED
    assert len(hook.received) == 1
