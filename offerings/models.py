"""Help for the gaps: providers, banks and bureaus publish offerings tagged with the questions and levels they
address; an SME asks for contact (a referral) and both sides follow it up."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import Framework, Organization
from assessment.validators import validate_display_text


class Offering(models.Model):
    class Kind(models.TextChoices):
        CONSULTING = "consulting", _("consulting")
        TRAINING = "training", _("training")
        FUNDING = "funding", _("funding or financing")
        TECHNOLOGY = "technology", _("technology solution")

    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="offerings")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[validate_display_text])
    description = models.TextField(_("description"), max_length=4000, validators=[validate_display_text])
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+", verbose_name=_("framework"))
    question_keys = models.JSONField(
        _("questions and scenarios"), default=list, help_text=_("The question or scenario keys it helps with.")
    )
    level_min = models.PositiveSmallIntegerField(
        _("from level"), default=1, validators=[MinValueValidator(0), MaxValueValidator(9)]
    )
    level_max = models.PositiveSmallIntegerField(
        _("to level"), default=4, validators=[MinValueValidator(0), MaxValueValidator(9)]
    )
    provinces = models.JSONField(_("provinces served"), default=list, blank=True, help_text=_("Empty: everywhere."))
    sectors = models.JSONField(_("sectors served"), default=list, blank=True, help_text=_("Empty: every sector."))
    size_bands = models.JSONField(_("size bands served"), default=list, blank=True, help_text=_("Empty: every size."))
    price = models.CharField(_("price"), max_length=200, blank=True, validators=[validate_display_text])
    subsidy = models.CharField(
        _("subsidy or financing terms"), max_length=200, blank=True, validators=[validate_display_text]
    )
    contact_name = models.CharField(_("contact"), max_length=120, validators=[validate_display_text])
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True, validators=[validate_display_text])
    url = models.URLField(_("web page"), blank=True)
    active = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level_max__gte=models.F("level_min")), name="offering_levels")
        ]
        indexes = [models.Index(fields=["framework", "active"])]

    def __str__(self) -> str:
        return self.title


class Referral(models.Model):
    """An SME asked an offering's provider to contact it; the provider sees what the SME agreed to share."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        PROGRESSED = "progressed", _("in progress")
        CLOSED = "closed", _("closed")

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="referrals")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="referrals")
    question_key = models.CharField(_("gap"), max_length=40, blank=True, help_text=_("The path step it is for."))
    message = models.TextField(_("message"), max_length=2000, blank=True)
    share_results = models.BooleanField(
        _("share my level and scores"), default=False, help_text=_("Otherwise the provider sees the contact only.")
    )
    contact_name = models.CharField(_("contact"), max_length=120, validators=[validate_display_text])
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True, validators=[validate_display_text])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    outcome = models.TextField(_("note"), max_length=2000, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The e-mail to the offering's contact: this row is its outbox (sent after commit, swept when it was not).
    notified_at = models.DateTimeField(null=True, blank=True)
    notify_attempts = models.PositiveSmallIntegerField(default=0)
    notify_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per SME and offering.
            models.UniqueConstraint(
                fields=["offering", "organization"],
                condition=~models.Q(status="closed"),
                name="referral_open_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.offering}"
