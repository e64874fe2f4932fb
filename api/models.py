"""API keys for integrations, and the remembered responses behind Idempotency-Key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from assessment.exact_json import exact_json_field
from assessment.models import Organization
from assessment.validators import validate_display_text


class ApiKey(AbstractAPIKey):
    """A key acts for its user, optionally for one organisation only. Stored hashed (SHA-512)."""

    class Scope(models.TextChoices):
        READ = "read", _("read")
        WRITE = "write", _("read and write")

    # AbstractAPIKey's name, with the check every name shown to people gets.
    name = models.CharField(
        max_length=50,
        blank=False,
        default=None,
        help_text=AbstractAPIKey._meta.get_field("name").help_text,
        validators=[validate_display_text],
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
        help_text=_("When set, the key sees this organisation only."),
    )
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an Idempotency-Key, replayed for the same key and body."""

    principal = models.CharField(max_length=160, help_text="Who sent it: the API key or the user.")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty while in progress.")
    response = exact_json_field(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
