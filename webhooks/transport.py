"""One POST to an address already resolved and checked, never to a second look-up of the name.

Why urllib3 and not requests: requests resolves the host again when it connects, and that second
answer need not be the one checked (DNS rebinding). urllib3, which requests is built on, takes the
address to connect to and the name separately: the connection pool is opened on the checked IP, while
`server_hostname` makes TLS send the name as SNI and verify the certificate against the name (Python's
ssl `check_hostname`), and the Host header is set to the name. The trusted roots stay the ones requests
used (certifi's), so no receiver that worked before stops working.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import certifi
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3.exceptions import ConnectTimeoutError, HTTPError, ReadTimeoutError, SSLError

from webhooks.targets import WebhookTarget

CA_BUNDLE = certifi.where()
EXCERPT_CHARACTERS = 1000
# A character is at most four bytes in UTF-8; reading no more than this keeps a huge answer out of memory.
EXCERPT_BYTES = 4 * EXCERPT_CHARACTERS


class Failure(StrEnum):
    CONNECTION = "connection"  # no address accepted a connection
    TLS = "tls"  # the handshake failed, or the certificate is not valid for the host
    TIMEOUT = "timeout"  # connected, but no answer in time
    NO_ANSWER = "no_answer"  # connected, but the connection ended without an HTTP answer


class AttemptFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.value)
        self.failure = failure


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str  # the first EXCERPT_CHARACTERS of the body


def post(
    target: WebhookTarget, addresses: Sequence[str], *, body: bytes, headers: Mapping[str, str], timeout: float
) -> Answer:
    """POST to the first of `addresses` that accepts a connection; a redirect is an answer like any other."""
    # Connecting shares one timeout across the addresses: a name with many silent ones must not hold
    # the worker for many timeouts.
    deadline = time.monotonic() + timeout
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            return _post_to(
                address, target, body=body, headers=headers, timeout=Timeout(connect=remaining, read=timeout)
            )
        except ConnectTimeoutError:  # also a refused connection (NewConnectionError)
            continue  # nothing was sent: the next address (IPv4 after IPv6, say) may answer
        except SSLError:
            raise AttemptFailed(Failure.TLS) from None
        except ReadTimeoutError:
            raise AttemptFailed(Failure.TIMEOUT) from None
        except HTTPError:
            raise AttemptFailed(Failure.NO_ANSWER) from None
    raise AttemptFailed(Failure.CONNECTION)


def _post_to(
    address: str, target: WebhookTarget, *, body: bytes, headers: Mapping[str, str], timeout: Timeout
) -> Answer:
    pool: HTTPConnectionPool
    if target.scheme == "https":
        pool = HTTPSConnectionPool(
            address, target.port, cert_reqs="CERT_REQUIRED", ca_certs=CA_BUNDLE, server_hostname=target.host
        )
    else:
        pool = HTTPConnectionPool(address, target.port)
    with pool:
        response = pool.urlopen(
            "POST",
            target.request_target,
            body=body,
            headers={**headers, "Host": target.host_header},
            retries=False,
            redirect=False,
            timeout=timeout,
            preload_content=False,
        )
        try:
            raw = response.read(EXCERPT_BYTES, decode_content=False)
        except HTTPError:
            raw = b""  # the status came, and it is what counts; the body broke off
    # PostgreSQL text cannot hold NUL: one in an answer would fail the attempt's record, and with it the
    # attempt count, so the delivery would be retried for ever.
    excerpt = raw.decode("utf-8", errors="replace").replace("\x00", "\N{REPLACEMENT CHARACTER}")
    return Answer(status=response.status, excerpt=excerpt[:EXCERPT_CHARACTERS])
