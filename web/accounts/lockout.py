"""How django-axes counts failed log-ins: one identity per account, per address and from every address."""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold  # type: ignore[import-untyped]
from axes.handlers.database import AxesDatabaseHandler  # type: ignore[import-untyped]
from axes.helpers import get_client_username  # type: ignore[import-untyped]
from axes.models import AccessAttempt  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from assessment.selectors import login_identity


def failed_login_identity(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the account a log-in names, in the one spelling log-in itself resolves to.

    Without it every letter case of an address had a counter of its own, and guessing went on for ever.
    """
    source = credentials or request.POST
    name = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return login_identity(name) if name else None


def account_failures(request: HttpRequest, identity: str) -> int:
    """Failed log-ins to the account within the cool-off from every address, at most AXES_FAILURE_LIMIT from each."""
    per_address = (
        AccessAttempt.objects.filter(username=identity, attempt_time__gte=get_cool_off_threshold(request))
        .order_by()
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .values_list("failures", flat=True)
    )
    # Capped, so one address (however many user agents it claims) cannot lock the account out everywhere.
    return sum(min(failures, settings.AXES_FAILURE_LIMIT) for failures in per_address)


def locked_everywhere(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """Whether failures from several addresses together have locked the account out at every address."""
    identity = get_client_username(request, credentials)
    return bool(identity) and account_failures(request, identity) >= settings.AXES_ACCOUNT_FAILURE_LIMIT


class AccountLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler (per account and address), plus the lock-out of the account at every address."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        failures: int = super().get_failures(request, credentials)
        if failures < settings.AXES_FAILURE_LIMIT and locked_everywhere(request, credentials):
            return int(settings.AXES_FAILURE_LIMIT)
        return failures
