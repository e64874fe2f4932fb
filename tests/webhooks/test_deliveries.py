"""Webhook deliveries: signed, retried with backoff, every attempt recorded and listed."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from assessment.models import Assessment, Organization, User
from assessment.services import NotAllowedError
from assessment.services.assessments import assessment_create
from review.services import consultant_assign, consultant_profile_save, review_finalize, review_item_set, review_start
from scoring.selectors import assessment_answers
from tests.helpers import submit_filling_gaps
from tests.webhooks.receiver import receiver
from webhooks.models import Event, WebhookDelivery
from webhooks.services import (
    retry_delay,
    signature,
    webhook_deliver,
    webhook_endpoint_create,
    webhook_event_emit,
    webhook_url_check,
)


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (docs/api.md)."""
    signed = f"{headers['X-SME-Timestamp']}.".encode() + body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-SME-Signature"])


def test_the_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    assert signature("whsec_test", 1700000000, b'{"a":1}') == (
        "v1=" + hmac.new(b"whsec_test", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",
        "ftp://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https:///x",
    ],
)
def test_only_https_to_public_addresses_is_accepted(url: str) -> None:
    with pytest.raises(ValidationError):
        webhook_url_check(url)


def test_a_public_https_address_is_accepted() -> None:
    webhook_url_check("https://93.184.215.14/hooks")  # an IP literal: no DNS needed


@pytest.mark.django_db
def test_a_delivery_is_signed_and_recorded(local_webhooks: None, organization: Organization, owner: User) -> None:
    with receiver() as hook:
        endpoint = webhook_endpoint_create(
            organization=organization, url=hook.url, events=[Event.ASSESSMENT_SUBMITTED], created_by=owner
        )
        [delivery] = webhook_event_emit(
            organization_id=organization.pk, event=Event.ASSESSMENT_SUBMITTED, data={"assessment": 7}
        )
        assert webhook_deliver(delivery_id=delivery.pk) is None
    [sent] = hook.received
    assert verify(endpoint.secret, sent.headers, sent.body)
    envelope = json.loads(sent.body)
    assert envelope["type"] == "assessment.submitted"
    assert envelope["id"] == sent.headers["X-SME-Delivery"] == str(delivery.event_id)
    assert envelope["data"] == {"assessment": 7}
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    [attempt] = delivery.attempt_log.all()
    assert (attempt.number, attempt.response_status, attempt.response_body) == (1, 200, "thanks")


@pytest.mark.django_db
def test_a_failed_attempt_is_retried_later_and_gives_up_after_the_last(
    local_webhooks: None, settings: Any, organization: Organization, owner: User
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    with receiver(statuses=[500, 503, 500]) as hook:
        webhook_endpoint_create(organization=organization, url=hook.url, events=["report.ready"], created_by=owner)
        [delivery] = webhook_event_emit(organization_id=organization.pk, event=Event.REPORT_READY, data={})
        assert webhook_deliver(delivery_id=delivery.pk) == 30
        assert webhook_deliver(delivery_id=delivery.pk) is None  # not yet due: a duplicate message is ignored
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        assert webhook_deliver(delivery_id=delivery.pk) == 60
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        assert webhook_deliver(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert [a.response_status for a in delivery.attempt_log.all()] == [500, 503, 500]
    assert len({r.headers["X-SME-Delivery"] for r in hook.received}) == 1


def test_the_backoff_doubles_and_is_capped_at_an_hour(settings: Any) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    assert [retry_delay(n) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


@pytest.mark.django_db
def test_an_unreachable_endpoint_is_recorded_as_an_error(
    local_webhooks: None, organization: Organization, owner: User
) -> None:
    webhook_endpoint_create(
        organization=organization, url="http://127.0.0.1:9/hook", events=["report.ready"], created_by=owner
    )
    [delivery] = webhook_event_emit(organization_id=organization.pk, event=Event.REPORT_READY, data={})
    assert webhook_deliver(delivery_id=delivery.pk) is not None
    [attempt] = delivery.attempt_log.all()
    assert attempt.response_status is None
    assert "ConnectionError" in attempt.error


@pytest.mark.django_db
def test_only_subscribed_active_endpoints_get_an_event(organization: Organization, owner: User) -> None:
    subscribed = webhook_endpoint_create(
        organization=organization, url="https://93.184.215.14/a", events=["report.ready"], created_by=owner
    )
    webhook_endpoint_create(
        organization=organization, url="https://93.184.215.14/b", events=["assessment.submitted"], created_by=owner
    )
    paused = webhook_endpoint_create(
        organization=organization, url="https://93.184.215.14/c", events=["report.ready"], created_by=owner
    )
    paused.active = False
    paused.save()
    deliveries = webhook_event_emit(organization_id=organization.pk, event=Event.REPORT_READY, data={})
    assert [d.endpoint_id for d in deliveries] == [subscribed.pk]


@pytest.mark.django_db
def test_attempts_are_listed_through_the_api(
    local_webhooks: None, organization: Organization, owner: User, miit: Any
) -> None:
    client = APIClient()
    client.force_authenticate(owner)
    with receiver(statuses=[502]) as hook:
        created = client.post(
            "/api/v1/webhooks/",
            {"organization": organization.pk, "url": hook.url, "events": ["assessment.submitted"]},
            format="json",
        )
        assert created.status_code == 201
        assert created.json()["secret"].startswith("whsec_")
        assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
        submit_filling_gaps(assessment, owner)
        [delivery] = WebhookDelivery.objects.all()
        webhook_deliver(delivery_id=delivery.pk)
    listed = client.get(f"/api/v1/webhooks/{created.json()['id']}/deliveries/").json()
    [item] = listed["results"]
    assert item["event"] == "assessment.submitted"
    assert item["payload"]["data"]["assessment"] == assessment.pk
    assert item["status"] == "pending"
    assert [(a["number"], a["response_status"]) for a in item["attempt_log"]] == [(1, 502)]
    assert "secret" not in client.get(f"/api/v1/webhooks/{created.json()['id']}/").json()


@pytest.mark.django_db
def test_finalising_emits_assessment_finalized(organization: Organization, owner: User, miit: Any) -> None:
    webhook_endpoint_create(
        organization=organization, url="https://93.184.215.14/f", events=["assessment.finalized"], created_by=owner
    )
    consultant = User.objects.create_user("consultant@example.com", "pw-consultant-1")
    consultant_profile_save(user=consultant, family_name="王", given_name="立", qualification="评估师")
    consultant_assign(consultant=consultant, organization=organization)
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    submit_filling_gaps(assessment, owner)
    with pytest.raises(NotAllowedError, match="assigned"):
        review_start(assessment=assessment, consultant=owner)
    review_start(assessment=assessment, consultant=consultant)
    for key in assessment_answers(assessment):
        review_item_set(assessment=assessment, reviewer=consultant, question_key=key, verdict="verified")
    review_finalize(assessment=assessment, consultant=consultant, statement="Verified on site.")
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.FINALIZED
    [delivery] = WebhookDelivery.objects.filter(event=Event.ASSESSMENT_FINALIZED)
    assert delivery.payload["data"]["status"] == "finalized"
    assert delivery.payload["data"]["consultant"] == "王立"
