"""Report jobs: the row is the truth (status, attempts, error, file), not the Celery message."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import Assessment


class Report(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RENDERING = "rendering", _("rendering")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    class Language(models.TextChoices):
        ZH_HANS = "zh-Hans", "简体中文"
        EN = "en", "English"

    FINISHED: ClassVar[frozenset[str]] = frozenset({Status.READY, Status.FAILED})

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reports")
    language = models.CharField(max_length=8, choices=Language.choices)
    version = models.PositiveIntegerField(
        help_text="1, 2, … per assessment and language: a new one when inputs change."
    )
    inputs_hash = models.CharField(max_length=64, help_text="SHA-256 of the result, language and template version.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes of the PDF.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When the broker took its message; empty while it waits for the broker."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Its identity, printed in the PDF and checked on the public page /verify/<code>/ (reports/identity.py).
    # Reports rendered before these fields existed have none: no code was printed on them, so none can be checked.
    number = models.CharField(
        max_length=20, unique=True, null=True, blank=True, help_text="DMR-<year>-<sequence>: given at first render."
    )
    verification_code = models.CharField(
        max_length=20, unique=True, null=True, blank=True, help_text="20 symbols of Crockford base32: 100 random bits."
    )
    issued_at = models.DateTimeField(null=True, blank=True, help_text="When the stored PDF was rendered.")
    sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the stored PDF's bytes, hex.")
    # What the public page shows, as the stored PDF states it (taken when it was rendered, in its language).
    organization_name = models.CharField(max_length=200, blank=True)
    framework_title = models.CharField(max_length=300, blank=True)
    level_number = models.PositiveSmallIntegerField(null=True, blank=True)
    level_name = models.CharField(max_length=200, blank=True)
    verified = models.BooleanField(null=True, blank=True, help_text="Consultant-verified (else self-assessed).")
    assessed_at = models.DateTimeField(null=True, blank=True, help_text="The assessment's date, as printed.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "language", "version"], name="report_version_unique"),
        ]
        indexes = [models.Index(fields=["status", "started_at"]), models.Index(fields=["assessment", "language"])]

    def __str__(self) -> str:
        return f"report #{self.pk} of assessment {self.assessment_id} ({self.language} v{self.version})"


class ReportNumberCounter(models.Model):
    """The last report number given in a year: one row per year, raised in one statement (race-free)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
