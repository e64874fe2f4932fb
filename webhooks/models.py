"""HTTPS endpoints an organisation registers for events, and every delivery attempt made to them."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.exact_json import exact_json_field
from assessment.models import Organization
from assessment.validators import validate_display_text


class Event(models.TextChoices):
    ASSESSMENT_SUBMITTED = "assessment.submitted", _("assessment submitted")
    REVIEW_STARTED = "review.started", _("review started")
    ASSESSMENT_RETURNED = "assessment.returned", _("assessment returned for changes")
    ASSESSMENT_FINALIZED = "assessment.finalized", _("assessment finalised")
    REPORT_READY = "report.ready", _("report ready")


class WebhookEndpoint(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    events = models.JSONField(help_text="The event names this endpoint receives.")
    description = models.CharField(max_length=200, blank=True, validators=[validate_display_text])
    secret = models.CharField(max_length=80, help_text="Signs every delivery (HMAC-SHA256); shown once.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint; the row, not the Celery message, is the truth."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")  # its endpoint was paused first: no attempt is made after that

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Event.choices)
    event_id = models.UUIDField(default=uuid.uuid4, help_text="The same for every attempt: receivers dedupe on it.")
    payload = exact_json_field()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    FINISHED: ClassVar[frozenset[str]] = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED})

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The first 1,000 characters.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique")]

    def __str__(self) -> str:
        return f"{self.delivery} #{self.number}"
