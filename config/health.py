"""GET /healthz: which part is down, and whether the service is degraded or unavailable.

Without the database nothing works: 503 "unavailable". Without Redis (the cache, the broker) people keep
answering, submitting and requesting reports, and the queued work waits in PostgreSQL until the broker
is back: 200 "degraded", so a load balancer keeps sending traffic.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2
ESSENTIAL = frozenset({"database"})


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _cache_status() -> str:
    if not settings.REDIS_URL:
        return "ok"  # in this process's memory
    from django_redis import get_redis_connection

    try:
        get_redis_connection("default").ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the class name says which
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_status() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the class name says which
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_status(), "cache": _cache_status(), "broker": _broker_status()}
    failing = sorted(name for name, status in checks.items() if status != "ok")
    status = "unavailable" if ESSENTIAL & set(failing) else "degraded" if failing else "ok"
    body = {"status": status, "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if status == "unavailable" else 200)
