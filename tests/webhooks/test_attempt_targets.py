"""Where an attempt connects: only to an address it has just resolved and checked, and what it records.

Real sockets throughout (local receivers, /etc/hosts); only the DNS-rebinding test stands in for a DNS
server, which this machine does not have.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from assessment.models import Organization, User
from tests.webhooks.receiver import receiver
from webhooks.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import ATTEMPT_ERRORS, webhook_deliver, webhook_endpoint_create, webhook_event_emit

pytestmark = pytest.mark.django_db

REFUSED_URL = "Refused: not a URL webhooks may be sent to"
NOT_PUBLIC = "Refused: not a public address"
CONNECTION_FAILED = "ConnectionError: connection failed"


def attempt_at(url: str, organization: Organization) -> WebhookAttempt:
    """One attempt to an endpoint stored as it is, as if registered before today's rules (or DNS) applied."""
    endpoint = WebhookEndpoint.objects.create(
        organization=organization, url=url, events=["report.ready"], secret="whsec_test"
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="report.ready", payload={"data": {}}, next_attempt_at=timezone.now()
    )
    webhook_deliver(delivery_id=delivery.pk)
    return delivery.attempt_log.get()


def recorded(attempt: WebhookAttempt) -> tuple[int | None, str, str]:
    return attempt.response_status, attempt.response_body, attempt.error


def test_a_stored_url_with_a_backslash_before_userinfo_reaches_nothing_and_ports_record_alike(
    settings: Any, organization: Organization
) -> None:
    """The probe's URL: the check read host 8.8.8.8, the client connected to 127.0.0.1 and told open from closed."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    with receiver() as hook:
        open_port = attempt_at(f"http://127.0.0.1:{hook.port}\\@8.8.8.8/", organization)
        closed_port = attempt_at("http://127.0.0.1:9\\@8.8.8.8/", organization)
    assert hook.received == []
    assert recorded(open_port) == recorded(closed_port) == (None, "", REFUSED_URL)


def test_a_hostname_that_resolves_to_a_private_address_gets_nothing(settings: Any, organization: Organization) -> None:
    settings.WEBHOOKS_ALLOW_HTTP = True
    with receiver(name="localhost") as hook:  # /etc/hosts: 127.0.0.1
        attempt = attempt_at(hook.url, organization)
    assert hook.received == []
    assert recorded(attempt) == (None, "", NOT_PUBLIC)


@pytest.mark.parametrize("host", ["0.0.0.0", "[::ffff:127.0.0.1]"])  # noqa: S104 - sent to, not bound
def test_a_stored_url_to_a_local_address_in_disguise_gets_nothing(
    settings: Any, organization: Organization, host: str
) -> None:
    """0.0.0.0 and ::ffff:127.0.0.1 both reach this machine's own 127.0.0.1 listeners when connected to."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    with receiver() as hook:
        attempt = attempt_at(f"http://{host}:{hook.port}/hook", organization)
    assert hook.received == []
    assert recorded(attempt) == (None, "", NOT_PUBLIC)


def test_a_name_rebound_to_loopback_after_the_check_is_not_connected_to_there(
    settings: Any, monkeypatch: pytest.MonkeyPatch, organization: Organization
) -> None:
    """A resolver answering a public address first and 127.0.0.1 after: the attempt uses the first answer."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 1  # where 93.184.215.14 is reachable, it has nothing on this port
    resolve = socket.getaddrinfo
    looked_up: list[str] = []

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(host)
        if host != "rebind.example":
            return resolve(host, port, *args, **kwargs)
        address = "93.184.215.14" if looked_up.count(host) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with receiver(name="rebind.example") as hook:
        attempt = attempt_at(hook.url, organization)
    assert hook.received == []
    # The name was resolved once, and the connection asked for the address checked then (urllib3 resolves
    # the IP literal it is given).
    assert looked_up == ["rebind.example", "93.184.215.14"]
    assert attempt.response_status is None


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(
    local_webhooks: None, organization: Organization, owner: User
) -> None:
    with receiver() as elsewhere, receiver(statuses=[302], headers={"Location": elsewhere.url}) as hook:
        webhook_endpoint_create(organization=organization, url=hook.url, events=["report.ready"], created_by=owner)
        [delivery] = webhook_event_emit(organization_id=organization.pk, event=Event.REPORT_READY, data={})
        assert webhook_deliver(delivery_id=delivery.pk) is not None  # to be retried
    assert len(hook.received) == 1
    assert elsewhere.received == []
    assert recorded(delivery.attempt_log.get()) == (302, "try later", "")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING


def test_the_request_names_the_host_while_it_goes_to_the_address_resolved(
    local_webhooks: None, organization: Organization
) -> None:
    with receiver(name="localhost") as hook:
        attempt = attempt_at(hook.url, organization)
    [sent] = hook.received
    assert sent.headers["Host"] == f"localhost:{hook.port}"
    assert recorded(attempt) == (200, "thanks", "")


def test_an_unreachable_address_records_a_generic_error_without_detail(
    local_webhooks: None, organization: Organization
) -> None:
    attempt = attempt_at("http://127.0.0.1:9/hook", organization)
    assert recorded(attempt) == (None, "", CONNECTION_FAILED)


def test_an_answer_with_a_nul_byte_is_recorded(local_webhooks: None, organization: Organization) -> None:
    """PostgreSQL text holds no NUL: stored as it came, the attempt's record would fail and be retried for ever."""
    with receiver(statuses=[500], body=b"bad\x00input") as hook:
        attempt = attempt_at(hook.url, organization)
    assert recorded(attempt) == (500, "bad\N{REPLACEMENT CHARACTER}input", "")


def test_only_the_first_thousand_characters_of_an_answer_are_read_and_kept(
    local_webhooks: None, organization: Organization
) -> None:
    with receiver(body="数".encode() * 1_000_000) as hook:
        attempt = attempt_at(hook.url, organization)
    assert recorded(attempt) == (200, "数" * 1000, "")


def test_every_error_an_attempt_can_record_is_documented() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    assert [error for error in set(ATTEMPT_ERRORS.values()) if f"| `{error}` |" not in guide] == []
