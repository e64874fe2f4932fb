"""`Authorization: Bearer <key>` with hashed, scoped, expiring, revocable API keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.models import ApiKey
from assessment.models import User

LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per key and minute


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the key as: Authorization: Bearer <key>."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid API key.")) from None
        prefix, _dot, _secret = raw.partition(".")
        key = ApiKey.objects.select_related("user").filter(prefix=prefix[:8]).first()
        if key is None or not key.is_valid(raw):
            raise AuthenticationFailed(_("Invalid API key."))
        if key.revoked:
            raise AuthenticationFailed(_("This API key has been revoked."))
        if key.has_expired:
            raise AuthenticationFailed(_("This API key has expired."))
        if not key.user.is_active:
            raise AuthenticationFailed(_("The account of this API key is disabled."))
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: `manage.py create_api_key` prints one (docs/api.md).",
        }
