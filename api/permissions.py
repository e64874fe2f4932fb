"""Who may do what: API-key scope, and the caller's role in the organisation."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.models import ApiKey
from assessment.models import Membership, User
from assessment.selectors import organization_role

OWNER = frozenset({Membership.Role.OWNER})
CONTRIBUTORS = Membership.CONTRIBUTORS


class KeyScope(BasePermission):
    """A read-only key may only read (and ask what-if questions, which save nothing)."""

    message = gettext_lazy("This API key is read-only.")  # lazy: a class attribute, translated per request

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey) or key.can_write:
            return True
        return request.method in SAFE_METHODS or getattr(view, "action", None) in getattr(view, "read_only_actions", ())


def key_organization(request: Request) -> int | None:
    """The organisation an API key is limited to, if any."""
    key = request.auth
    return key.organization_id if isinstance(key, ApiKey) else None


def require_role(request: Request, organization_id: int, roles: Collection[str]) -> str:
    """The caller's role, or 403 when it is not one of `roles` (visibility has been checked already)."""
    role = organization_role(cast(User, request.user), organization_id)
    check_role(role, roles)
    return cast(str, role)


def check_role(role: str | None, roles: Collection[str]) -> None:
    """403 unless `role` (the caller's, None for no role) is one of `roles`."""
    if role is None or role not in roles:
        raise PermissionDenied(_("Your role in this organisation does not allow this."))
