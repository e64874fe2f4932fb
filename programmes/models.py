"""Programmes: an operator (SME bureau, chain leader, bank, provider, consultancy) follows a cohort of SMEs that
consented to it, from diagnosis (T0) to the rating after the upgrade (T1)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.models import Assessment, FrameworkVersion, Organization, points_field
from assessment.validators import validate_display_text, validate_uscc


class Programme(models.Model):
    """A cohort of SMEs an operator follows, with a target such as "≥ 60 % at level ≥ 2 by 2026-12-31"."""

    operator = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(_("name"), max_length=200, validators=[validate_display_text])
    description = models.TextField(_("description"), max_length=2000, blank=True)
    framework_versions = models.ManyToManyField(
        FrameworkVersion, related_name="+", verbose_name=_("frameworks"), help_text=_("The index systems it counts.")
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    baseline_date = models.DateField(
        _("T0/T1 date"),
        help_text=_("An SME's T0 is its last assessment submitted before this date, T1 its latest on or after it."),
    )
    target_level = models.PositiveSmallIntegerField(_("target level"), validators=[MaxValueValidator(9)])
    target_share = models.DecimalField(
        _("target share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of enrolled SMEs that should be at the target level or above."),
    )
    target_date = models.DateField(_("target date"))
    consultancy = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes_verified",
        verbose_name=_("verifying consultancy"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    data_version = models.PositiveIntegerField(
        default=0, help_text="Raised whenever a member's figures change: part of the analytics cache key."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="programme_period"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeGroup(models.Model):
    """A sub-group of a programme: a cluster, a supply-chain tier, a district."""

    class Kind(models.TextChoices):
        CLUSTER = "cluster", _("industrial cluster")
        TIER = "tier", _("supply-chain tier")
        DISTRICT = "district", _("district")
        OTHER = "other", _("other group")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=120, validators=[validate_display_text])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint("programme", Lower("name"), name="programme_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class Consent(models.TextChoices):
    """What an enrolled SME lets the operator see. Documents never: only a consultant of the programme who
    verifies the SME sees them, through the consultant portal."""

    RESULTS = "results", _("results only (levels and scores)")
    ANSWERS = "answers", _("results and answers")


class ProgrammeInvitation(models.Model):
    """An operator invites a company to a programme; the emailed token is stored only as its SHA-256."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("invitation status", "pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invitations")
    company_name = models.CharField(_("company"), max_length=200, validators=[validate_display_text])
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc])
    email = models.EmailField(_("contact e-mail"))
    contact_name = models.CharField(_("contact"), max_length=120, blank=True, validators=[validate_display_text])
    group = models.ForeignKey(ProgrammeGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    # Set once: accepted, declined or revoked (with when and by whom); pending and expired are derived.
    decision = models.CharField(max_length=10, blank=True, choices=Status.choices)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per company (credit code) and programme: inviting again replaces it.
            models.UniqueConstraint(
                "programme",
                "uscc",
                condition=models.Q(decision="") & ~models.Q(uscc=""),
                name="programme_invitation_open_uscc_unique",
            ),
            models.UniqueConstraint(
                "programme",
                Lower("email"),
                Lower("company_name"),
                condition=models.Q(decision=""),
                name="programme_invitation_open_email_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} → {self.programme}"

    @property
    def status(self) -> str:
        if self.decision:
            return self.decision
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class Enrolment(models.Model):
    """An SME in a programme, with the consent its owner gave; withdrawn enrolments are kept, and show nothing."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="enrolments")
    invitation = models.OneToOneField(
        ProgrammeInvitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolment"
    )
    group = models.ForeignKey(ProgrammeGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    consent = models.CharField(_("what the operator sees"), max_length=10, choices=Consent.choices)
    consented_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consented_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-consented_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organization"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="enrolment_active_unique",
            )
        ]
        indexes = [models.Index(fields=["programme", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.organization} ∈ {self.programme}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class AccessRecord(models.Model):
    """Who at the operator saw which enrolled SME, when and what: shown to the SME."""

    class Kind(models.TextChoices):
        RESULTS = "results", _("viewed the results")
        ANSWERS = "answers", _("viewed the answers")
        EXPORT = "export", _("exported")
        REPORT = "report", _("included in a cohort report")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="access_records")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    viewer_name = models.CharField(max_length=200, help_text="Kept when the account goes.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["enrolment", "-at"])]

    def __str__(self) -> str:
        return f"{self.viewer_name} · {self.kind} · {self.enrolment_id}"


class CohortMember(models.Model):
    """One enrolment's figures, kept current as results change (programmes.cohort): the analytics and exports read
    these rows alone, so a programme of 50,000 SMEs never loads assessments. Filled only while consent is active."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="cohort")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(ProgrammeGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # The profile at the time of the last refresh, for filters.
    sector = models.CharField(max_length=1, choices=SECTORS)
    size_band = models.CharField(max_length=6, choices=SizeBand.choices)
    province = models.CharField(max_length=2, choices=PROVINCES)
    city = models.CharField(max_length=60, blank=True)
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # T1: the latest submitted assessment on or after the programme's date (else the latest before it).
    assessment = models.ForeignKey(Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    level = models.SmallIntegerField(null=True, blank=True)
    total = points_field(null=True, blank=True)
    dimensions = models.JSONField(default=dict, help_text="{dimension key: exact score as a string}")
    scenarios = models.JSONField(default=dict, help_text="{scenario question key: level}")
    verified_level = models.SmallIntegerField(null=True, blank=True)
    verified_total = points_field(null=True, blank=True)
    verified_dimensions = models.JSONField(default=dict)
    verified_at = models.DateTimeField(null=True, blank=True)
    # T0: the last assessment submitted before the programme's date.
    t0_assessment = models.ForeignKey(Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    t0_level = models.SmallIntegerField(null=True, blank=True)
    t0_total = points_field(null=True, blank=True)
    held_back_by = models.JSONField(
        default=list, help_text='The gates the next level fails: ["score"], ["scenarios"], both, or [] at the top.'
    )
    path_steps = models.JSONField(default=list, help_text="Question keys on the path to the next level.")
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["programme", "sector"]),
            models.Index(fields=["programme", "size_band"]),
            models.Index(fields=["programme", "province"]),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} in {self.programme_id}: level {self.level}"


class CohortExport(models.Model):
    """An export of a programme's cohort (CSV, XLSX) or its cohort report (PDF): the job row is the truth."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=4, choices=Format.choices)
    language = models.CharField(max_length=8, default="zh-hans")
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="exports/", blank=True, max_length=300)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.programme_id} · {self.format} · {self.status}"
