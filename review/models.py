"""The consultant review (现场评定): who reviews, their verdicts on each answer, comments, the signed verification.

A verification is a second basis beside the SME's self-assessment, never an overwrite: a verdict that adjusts
an answer is stored here, and the SME's answer row keeps what the SME answered.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.exact_json import exact_json_field
from assessment.models import Assessment, Organization, Question
from assessment.validators import validate_display_text

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def person_name(family_name: str, given_name: str, language: str) -> str:
    """A name as readers of `language` expect it. In Chinese characters always family name first without a
    space (王立); in Latin letters given name first in English ("Li Wang"), family name first in Chinese."""
    if HAN.search(family_name + given_name):
        return f"{family_name}{given_name}"
    parts = (given_name, family_name) if language == "en" else (family_name, given_name)
    return " ".join(part for part in parts if part)


class ConsultantProfile(models.Model):
    """What an SME and a bank read about the person who verified: name, qualification, declared conflicts."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultant_profile")
    family_name = models.CharField(_("family name"), max_length=60, validators=[validate_display_text])
    given_name = models.CharField(_("given name"), max_length=60, validators=[validate_display_text])
    qualification = models.CharField(
        _("qualification"),
        max_length=200,
        validators=[validate_display_text],
        help_text=_("E.g. the assessor qualification of the pilot city's assessment body."),
    )
    certificate_number = models.CharField(
        _("certificate number"), max_length=60, blank=True, validators=[validate_display_text]
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return person_name(self.family_name, self.given_name, "zh-Hans")


class ConflictDeclaration(models.Model):
    """A consultant declares a conflict of interest with an organisation (by account or by its credit code)."""

    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True, validators=[validate_display_text])
    reason = models.TextField(_("nature of the conflict"), max_length=2000)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(organization__isnull=True, uscc=""), name="conflict_names_an_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultant} ≠ {self.organization or self.uscc}"


class VerificationRequest(models.Model):
    """An SME owner asks a consultancy to verify the organisation's assessments."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a consultant")
        ASSIGNED = "assigned", _("consultant assigned")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="verification_requests")
    consultancy = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="requests_received")
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "consultancy"], condition=models.Q(status="open"), name="request_open_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.consultancy} ({self.status})"


class ReviewItem(models.Model):
    """The consultant's verdict on one answer."""

    class Verdict(models.TextChoices):
        VERIFIED = "verified", _("verified")
        ADJUSTED = "adjusted", _("adjusted")
        CHANGE_REQUESTED = "change_requested", _("change requested")
        UNVERIFIABLE = "unverifiable", _("cannot verify")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="review_items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    answer = exact_json_field(
        null=True, blank=True, help_text="Adjusted: the consultant's answer, in the answer format."
    )
    reason = models.TextField(_("reason"), max_length=4000, blank=True)
    message = models.TextField(_("message to the enterprise"), max_length=4000, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="review_item_unique"),
            models.CheckConstraint(
                condition=~models.Q(verdict="adjusted") | (models.Q(answer__isnull=False) & ~models.Q(reason="")),
                name="review_item_adjusted_has_answer_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.question_id} {self.verdict}"


class ReviewComment(models.Model):
    """A comment in a question's thread, or in the assessment's general thread (no question)."""

    class Visibility(models.TextChoices):
        SHARED = "shared", _("shared with the enterprise")
        INTERNAL = "internal", _("internal to the consultancy")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="review_comments")
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: the general thread.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"), max_length=4000)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.SHARED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.body[:40]}"


class Verification(models.Model):
    """The signed-off review: the verified result as it stood at sign-off, with the consultant's statement."""

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="verification")
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consultancy = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    consultant_name = models.CharField(max_length=130, help_text="The name in Chinese order (person_name).")
    family_name = models.CharField(max_length=60, blank=True)
    given_name = models.CharField(max_length=60, blank=True)
    qualification = models.CharField(max_length=200)
    certificate_number = models.CharField(max_length=60, blank=True)
    statement = models.TextField(_("statement"), max_length=4000)
    total = models.DecimalField(max_digits=20, decimal_places=12)
    level = models.SmallIntegerField()
    card = exact_json_field(help_text="The verified ScoreCard as data (scoring.engine.serialize).")
    path = exact_json_field(null=True, blank=True, help_text="The verified result's path to the next level, as data.")
    signed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.assessment_id} verified: level {self.level}"

    def consultant_name_in(self, language: str) -> str:
        """The signing consultant's name in `language`'s order (as signed; the profile may change later)."""
        if not self.family_name and not self.given_name:
            return self.consultant_name
        return person_name(self.family_name, self.given_name, language)


class Notification(models.Model):
    """An e-mail to send (an outbox): written in the transaction that caused it, sent by a Celery task."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
