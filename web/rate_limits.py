"""Request counts per key in fixed windows on Django's cache (Redis when configured), for the account pages.

A cache that cannot be reached lets every request through with a logged warning: a missing limit is
better than a sign-up or password reset that fails because Redis is down.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from math import ceil

from django.core.cache import cache

logger = logging.getLogger(__name__)

HOUR = 3600


@dataclass(frozen=True)
class Rate:
    """At most `limit` requests for one key in each window of `period` seconds."""

    scope: str
    limit: int
    period: int = HOUR


@dataclass(frozen=True)
class Refusal:
    """Over a limit: the wait, in seconds, until every window that refused has ended."""

    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, ceil(self.retry_after / 60))


def rate_limits_hit(*counted: tuple[Rate, str]) -> Refusal | None:
    """Count one request against each (rate, key); a Refusal when any count is now over its limit."""
    now = time.time()
    waits = []
    for rate, key in counted:
        window = int(now // rate.period)
        # Hashed: addresses and emails stay out of the cache's keys.
        digest = hashlib.sha256(key.encode()).hexdigest()
        cache_key = f"rate:{rate.scope}:{digest}:{window}"
        try:
            cache.add(cache_key, 0, timeout=rate.period)
            count = cache.incr(cache_key)
        except Exception:  # noqa: BLE001 - whatever the cache backend raises, fail open (module docstring)
            logger.warning("Rate limit %s not applied: the cache cannot be reached.", rate.scope, exc_info=True)
            continue
        if count > rate.limit:
            waits.append(ceil((window + 1) * rate.period - now))
    return Refusal(retry_after=max(waits)) if waits else None
