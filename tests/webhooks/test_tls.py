"""TLS to a pinned address: SNI and the certificate check still use the name in the URL."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assessment.models import Organization
from tests.webhooks.receiver import receiver
from tests.webhooks.test_attempt_targets import attempt_at
from webhooks import transport

pytestmark = pytest.mark.django_db

ServerContext = Callable[[str], ssl.SSLContext]


@pytest.fixture
def tls_server(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[ServerContext, list[str]]:
    """A server context with a self-signed certificate for a name, trusted as the only root; and the SNI names seen."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True  # the receiver is on 127.0.0.1
    server_names: list[str] = []

    def context_for(name: str) -> ssl.SSLContext:
        certificate, key = tmp_path / "receiver.pem", tmp_path / "receiver.key"
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}"),
                *("-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(certificate)),
            ],
            check=True,
            capture_output=True,
        )
        monkeypatch.setattr(transport, "CA_BUNDLE", str(certificate))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        context.sni_callback = lambda _socket, server_name, _context: server_names.append(server_name)
        return context

    return context_for, server_names


def test_the_certificate_is_checked_against_the_host_name_while_the_connection_goes_to_its_address(
    tls_server: tuple[ServerContext, list[str]], organization: Organization
) -> None:
    context_for, server_names = tls_server
    with receiver(name="localhost", tls=context_for("localhost")) as hook:
        attempt = attempt_at(hook.url, organization)
    assert (attempt.response_status, attempt.error) == (200, "")
    assert server_names == ["localhost"]
    assert hook.received[0].headers["Host"] == f"localhost:{hook.port}"


def test_a_certificate_for_another_name_fails_the_attempt_before_anything_is_sent(
    tls_server: tuple[ServerContext, list[str]], organization: Organization
) -> None:
    context_for, _ = tls_server
    with receiver(name="localhost", tls=context_for("elsewhere.example")) as hook:
        attempt = attempt_at(hook.url, organization)
    assert hook.received == []
    assert (attempt.response_status, attempt.error) == (
        None,
        "SSLError: TLS handshake failed or certificate not valid for the host",
    )
