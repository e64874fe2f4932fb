"""The address a request comes from, for log-in lock-outs (django-axes) and rate limits."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the trusted proxies name in TRUSTED_PROXY_HEADER when one is configured.

    Each of the TRUSTED_PROXY_COUNT proxies appends the address it was reached from, so the client is that many
    entries from the right; entries further left came from the client and may be forged. A missing or
    malformed header falls back to REMOTE_ADDR.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    header = settings.TRUSTED_PROXY_HEADER
    if not header:
        return remote
    forwarded = [entry.strip() for entry in str(request.META.get(header, "")).split(",") if entry.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped the outer ones, and the leftmost was added by ours.
    candidate = forwarded[-min(settings.TRUSTED_PROXY_COUNT, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
