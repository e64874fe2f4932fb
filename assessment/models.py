"""Organisations, people, index systems (frameworks) and assessments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.exact_json import exact_json_field
from assessment.validators import validate_display_text, validate_uscc


def points_field(**options: Any) -> models.DecimalField:
    """Points and weights: exact decimals such as 1.875."""
    return models.DecimalField(max_digits=14, decimal_places=6, **options)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def for_login(self, name: str | None) -> models.QuerySet[User]:
        """The account a log-in name reaches: its email address in any letter case.

        Sign-up refuses addresses that differ only in case, so it is one account at most; log-in and
        the count of failed log-ins (assessment.selectors.login_identity) both go through here.
        """
        return self.filter(email__iexact=name)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.for_login(username).get()

    def visible_to(self, user: Any) -> models.QuerySet[User]:
        """The people of the organisations `user` may see: their members and assigned consultants."""
        organizations = Organization.objects.visible_to(user)
        return self.filter(
            models.Q(pk__in=Membership.objects.filter(organization__in=organizations).values("user"))
            | models.Q(pk__in=ConsultantAssignment.objects.filter(organization__in=organizations).values("consultant"))
        )

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person; signs in with an email address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True, validators=[validate_display_text])
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[validate_display_text])

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.email


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def visible_to(self, user: Any, *, only: int | None = None) -> OrganizationQuerySet:
        """The organisations `user` may see: as a member, or as their assigned consultant.

        The one place tenancy is decided; `only` narrows it further to one organisation
        (an API key issued for a single organisation).
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        visible = self.filter(
            models.Q(pk__in=Membership.objects.filter(user=user).values("organization"))
            | models.Q(pk__in=ConsultantAssignment.objects.filter(consultant=user).values("organization"))
        )
        return visible.filter(pk=only) if only is not None else visible


class Organization(models.Model):
    class Kind(models.TextChoices):
        SME = "sme", _("enterprise (SME)")
        CONSULTANCY = "consultancy", _("consultancy or assessment body")
        # Operators run programmes for groups of SMEs (programmes app); consultancies may too.
        BUREAU = "bureau", _("SME bureau or government body")
        CHAIN_LEADER = "chain_leader", _("chain-leader enterprise")
        BANK = "bank", _("bank or financial institution")
        PROVIDER = "provider", _("service provider")

    name = models.CharField(_("name"), max_length=200, validators=[validate_display_text])
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SME)
    description = models.TextField(
        _("description"),
        max_length=2000,
        blank=True,
        help_text=_("Consultancies: what you verify and where; shown in the directory SMEs choose from."),
    )
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("统一社会信用代码, 18 characters; checked per GB 32100-2015."),
    )
    sector = models.CharField(_("sector (GB/T 4754-2017 section)"), max_length=1, choices=SECTORS)
    size_band = models.CharField(_("size band"), max_length=6, choices=SizeBand.choices)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue (10k CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    total_assets = models.DecimalField(
        _("total assets (10k CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    province = models.CharField(_("province"), max_length=2, choices=PROVINCES)
    city = models.CharField(_("city"), max_length=60, blank=True, validators=[validate_display_text])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="organization_uscc_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_consultancy(self) -> bool:
        return self.kind == self.Kind.CONSULTANCY

    @property
    def is_operator(self) -> bool:
        """May run programmes: an operator kind, or a consultancy."""
        return self.kind in OPERATOR_KINDS


OPERATOR_KINDS = frozenset(
    {
        Organization.Kind.BUREAU,
        Organization.Kind.CHAIN_LEADER,
        Organization.Kind.BANK,
        Organization.Kind.PROVIDER,
        Organization.Kind.CONSULTANCY,
    }
)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        RESPONDENT = "respondent", _("respondent")
        VIEWER = "viewer", _("viewer")
        LEAD = "lead", _("lead consultant")
        CONSULTANT = "consultant", _("consultant")
        ADMIN = "admin", _("programme administrator")
        ANALYST = "analyst", _("analyst")

    # The roles that may change answers and start or submit assessments; viewers (and consultants) read.
    CONTRIBUTORS: ClassVar[frozenset[str]] = frozenset({Role.OWNER, Role.RESPONDENT})
    # A consultancy's members: owners and leads assign work; every member may review.
    LEADS: ClassVar[frozenset[str]] = frozenset({Role.OWNER, Role.LEAD})
    REVIEWERS: ClassVar[frozenset[str]] = frozenset({Role.OWNER, Role.LEAD, Role.CONSULTANT})
    # An operator's (or consultancy's) members and programmes: admins run them (programmes, invitations,
    # offerings), analysts also see named SMEs' details and export, every member sees the analytics.
    PROGRAMME_ADMINS: ClassVar[frozenset[str]] = frozenset({Role.OWNER, Role.ADMIN, Role.LEAD})
    PROGRAMME_ANALYSTS: ClassVar[frozenset[str]] = frozenset(
        {Role.OWNER, Role.ADMIN, Role.LEAD, Role.ANALYST, Role.CONSULTANT}
    )
    # Which roles each kind of organisation gives: assessment.services.accounts.member_roles.

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.role}"


class ConsultantAssignment(models.Model):
    """A consultant reviews the assessments of the organisations assigned to them."""

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultant_assignments"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="consultant_assignments")
    consultancy = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments_given",
        help_text="The consultancy the consultant reviews for; empty for an operator's direct assignment.",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultant", "organization"], name="consultant_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.consultant} → {self.organization}"


class Invitation(models.Model):
    """An owner's invitation to join an organisation; the emailed token is stored only as its SHA-256."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("invitation status", "pending")
        ACCEPTED = "accepted", _("accepted")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per address and organisation: inviting again replaces the earlier one.
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_open_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization} ({self.role})"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


# --- Frameworks (index systems) -------------------------------------------------------------
# A FrameworkVersion and its tree are written once by the importer and never change after
# publication; database triggers (migration 0002) refuse any later write.


class Framework(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class FrameworkVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("retired")

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    content_hash = models.CharField(max_length=64)
    format = models.PositiveSmallIntegerField(default=1)
    title_zh_hans = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    description_zh_hans = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    source = models.TextField(blank=True)
    scoring = models.JSONField(help_text="How dimension scores combine: {'total': 'sum'|'mean'}.")
    levels = models.JSONField(help_text="Level rules as in the framework file.")
    guidance = models.JSONField(
        default=dict,
        blank=True,
        help_text="Third-party guidance beside the version's content (outside its hash, may be amended): "
        "suggested documents per question and per scenario level, from the framework file's `guidance`.",
    )
    plan = models.JSONField(
        default=dict,
        blank=True,
        help_text="Our effort and cost estimates beside the version's content (outside its hash, may be amended): "
        "effort classes with durations and cost bands, each question's class per rung, caveats; from the "
        "framework file's `plan`. Empty: the path weighs each step by the question's `effort`.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["framework__slug", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "label"], name="framework_version_label_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="framework_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.slug}@{self.label}"

    @property
    def reference(self) -> str:
        return f"{self.framework.slug}@{self.label}"


class Node(models.Model):
    """Fields every node of a framework tree shares."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    position = models.PositiveIntegerField()
    text_zh_hans = models.TextField()
    text_en = models.TextField()
    help_zh_hans = models.TextField(blank=True)
    help_en = models.TextField(blank=True)
    points = points_field()
    weight = points_field(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.key} {self.text_zh_hans[:40]}"


class Dimension(Node):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="dimensions")

    class Meta(Node.Meta):
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="dimension_key_unique")]


class Indicator(Node):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="indicators")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")

    class Meta(Node.Meta):
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="indicator_key_unique")]


class Question(Node):
    class Kind(models.TextChoices):
        SINGLE_CHOICE = "single_choice", _("single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("multiple choice")
        BANDED_NUMBER = "banded_number", _("banded number")
        SCENARIO = "scenario", _("scenario level")
        BEFORE_AFTER = "before_after", _("before/after outcome")
        YES_NO = "yes_no", _("yes/no")
        TEXT = "text", _("free text")

    class NotApplicable(models.TextChoices):
        NOT_ALLOWED = "", _("not allowed")
        EXCLUDE = "exclude", _("excluded and re-normalised")
        ZERO = "zero", _("scores zero")

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="questions")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    definition_zh_hans = models.TextField(blank=True)
    definition_en = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    not_applicable = models.CharField(max_length=10, choices=NotApplicable.choices, blank=True)
    constrained = models.BooleanField(default=False, help_text="Scenario questions: a constrained (约束性) scenario.")
    effort = points_field(default=1)
    config = models.JSONField(
        default=dict,
        blank=True,
        help_text="Kind-specific settings from the file: cap, bands, unit, descriptors, level_points, better, "
        "outcome_points, max_length, evidence, suggest.",
    )

    class Meta(Node.Meta):
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="question_key_unique")]


class Option(Node):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="options")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    exclusive = models.BooleanField(default=False)
    band = models.CharField(max_length=40, blank=True, help_text="Interval such as (10, 20] for banded options.")

    class Meta(Node.Meta):
        constraints = [models.UniqueConstraint(fields=["question", "key"], name="option_key_unique")]


# --- Assessments ------------------------------------------------------------------------------


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def visible_to(self, user: Any, *, only: int | None = None) -> AssessmentQuerySet:
        """The assessments of the organisations `user` may see (OrganizationQuerySet.visible_to)."""
        return self.filter(organization__in=Organization.objects.visible_to(user, only=only))


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        UNDER_REVIEW = "under_review", _("under review")
        RETURNED = "returned", _("returned")
        FINALIZED = "finalized", _("finalized")

    # Answers may change only in these states; a trigger on the answer table enforces it too.
    EDITABLE_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.DRAFT, Status.RETURNED})
    # Submitted results: frozen, and counted among peers.
    PEER_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW, Status.FINALIZED})
    # Which status may follow which; every change is a service that checks it here.
    TRANSITIONS: ClassVar[Mapping[str, frozenset[str]]] = {
        Status.DRAFT: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset({Status.UNDER_REVIEW}),
        Status.UNDER_REVIEW: frozenset({Status.RETURNED, Status.FINALIZED}),
        Status.RETURNED: frozenset({Status.SUBMITTED}),
        Status.FINALIZED: frozenset(),
    }

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_assessments",
        help_text="The earlier assessment of the same organisation and framework (T0 for this T1).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pledged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the submitter confirmed the answers are true (真实性承诺)."
    )
    reopened_questions = models.JSONField(
        default=list,
        blank=True,
        help_text="While returned: the keys of the only questions whose answers may change (the change requests).",
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False, pledged_at__isnull=False),
                name="assessment_submitted_has_pledge",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.organization} · {self.framework_version}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    def documents_may_change(self, question_key: str = "") -> bool:
        """Whether documents of a question ("": of the assessment as a whole) may be added or removed now.

        While returned, only those of the reopened questions: the rest stay as they were submitted.
        """
        if self.status == self.Status.RETURNED:
            return bool(question_key) and question_key in self.reopened_questions
        return self.is_editable

    @staticmethod
    def may_follow(previous: Assessment, *, organization_id: int, framework_id: int) -> bool:
        """Whether `previous` may be the earlier assessment (T0) of an assessment of this organisation and framework."""
        return previous.organization_id == organization_id and previous.framework_version.framework_id == framework_id

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class Answer(models.Model):
    """One answer per (assessment, question), typed by the question's kind."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    not_applicable = models.BooleanField(default=False)
    option_keys = models.JSONField(
        null=True, blank=True, help_text="Chosen option keys in the file's order; [] = none of them; null = no choice."
    )
    option_points = models.JSONField(
        null=True, blank=True, help_text="Points of the chosen options at answer time, as decimal strings."
    )
    number = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    before_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    after_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    boolean = models.BooleanField(null=True, blank=True)
    text = models.TextField(blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="answer_unique"),
            models.CheckConstraint(condition=models.Q(level__lte=4), name="answer_level_0_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.question_id}"


def evidence_path(document: EvidenceDocument, filename: str) -> str:
    """Where a document is stored: under its assessment, named by its content's hash (never by the upload's name)."""
    return f"evidence/{document.assessment_id}/{document.sha256}{document.extension}"


class EvidenceDocument(models.Model):
    """A file the SME attaches as evidence (佐证材料) to an answer or to the whole assessment.

    The type is read from the content, never from the name; the file is stored through Django's storage API
    and downloaded only through a view that checks who may see it. Frozen with the answers at submission.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        IMAGE = "image", _("image")
        OFFICE = "office", _("office document")

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="documents")
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: a document for the assessment as a whole.",
    )
    file = models.FileField(upload_to=evidence_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200, validators=[validate_display_text])
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=120, help_text="The media type read from the content.")
    extension = models.CharField(max_length=10, help_text="The extension for the detected type, e.g. '.pdf'.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question", "sha256"], name="evidence_document_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """One thing that happened to an organisation's assessment: who, when, before → after, why.

    Append-only: triggers (migration 0008) refuse every UPDATE and DELETE, whatever code or SQL tries.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("assessment started")
        ANSWER_CHANGED = "answer_changed", _("answer changed")
        DOCUMENT_ADDED = "document_added", _("document added")
        DOCUMENT_REMOVED = "document_removed", _("document removed")
        STATUS_CHANGED = "status_changed", _("status changed")
        VERDICT_SET = "verdict_set", _("verdict given")
        COMMENT_ADDED = "comment_added", _("comment added")
        CONSULTANT_ASSIGNED = "consultant_assigned", _("consultant assigned")
        CONSULTANT_UNASSIGNED = "consultant_unassigned", _("consultant unassigned")
        MEMBER_REMOVED = "member_removed", _("member removed")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    question_key = models.CharField(max_length=40, blank=True)
    before = exact_json_field(null=True, blank=True)
    after = exact_json_field(null=True, blank=True)
    reason = models.TextField(blank=True)
    internal = models.BooleanField(
        default=False, help_text="Seen only by the consultancy (an internal comment); never shown to the SME."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["assessment", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.question_key}"
