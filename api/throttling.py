"""Rate limits on the shared cache (Redis when configured): per API key, per user, per address."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from api.client_address import client_address
from api.models import ApiKey


class AddressRateThrottle(AnonRateThrottle):
    """Requests without credentials, per client address: the one the trusted proxies name, never a header
    the client may have forged (DRF's own reads X-Forwarded-For as sent unless NUM_PROXIES is set)."""

    def get_ident(self, request: Request) -> str:
        return client_address(request)


class CallerRateThrottle(SimpleRateThrottle):
    """Each API key has its own budget; a signed-in user's browser session has another."""

    scope = "caller"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None  # AddressRateThrottle's
        return self.cache_format % {"scope": self.scope, "ident": ident}
