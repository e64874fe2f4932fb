from __future__ import annotations

from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from api.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    """Keys are listed and revoked here; they are created with `manage.py create_api_key` (the secret is shown once)."""

    list_display = (  # type: ignore[assignment]
        "prefix",
        "name",
        "user",
        "organization",
        "scope",
        "created",
        "expiry_date",
        "last_used_at",
        "revoked",
    )
    list_filter = ("scope", "revoked", "created")  # type: ignore[assignment]
    list_select_related = ("user", "organization")
    search_fields = ("name", "prefix", "user__email")  # type: ignore[assignment]
    raw_id_fields = ("user", "organization")

    def has_add_permission(self, request: object) -> bool:
        return False  # a key made here would have no secret anyone saw
