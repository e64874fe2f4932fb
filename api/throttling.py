"""Rate limits on the shared cache (Redis when configured): per API key, per user, per address."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey


class CallerRateThrottle(SimpleRateThrottle):
    """Each API key has its own budget; a signed-in user's browser session has another."""

    scope = "caller"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None  # rest_framework.throttling.AnonRateThrottle's
        return self.cache_format % {"scope": self.scope, "ident": ident}
