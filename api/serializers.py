"""Shapes of the API's bodies. Parsing only: the rules live in services and the scoring engine."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from assessment.models import Assessment, AuditEvent, EvidenceDocument, Organization
from reports.identity import verification_code_display, verify_url
from reports.models import Report
from review.models import ReviewComment, ReviewItem
from scoring.engine.numbers import exact
from scoring.models import AssessmentResult
from webhooks.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

Serializer = serializers.Serializer[Any]


class NonBlankText(serializers.CharField):
    """Text that must say something: white space alone is refused (by the service, in its own words, when the field
    allows blank), which the schema states (api/schema.py). `one_line`: the service holds it to validate_display_text.
    """

    def __init__(self, *, one_line: bool = False, **kwargs: Any) -> None:
        self.one_line = one_line
        super().__init__(**kwargs)


@extend_schema_field({"type": "number", "description": "An exact decimal, never rounded (e.g. 58.125)."})
class Figure(serializers.Field):
    """A score as the engine carries it: an exact decimal written as a JSON number, trailing zeros dropped."""

    def to_representation(self, value: Any) -> Decimal:
        return exact(value if isinstance(value, Decimal) else Decimal(str(value)))


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    role = serializers.CharField(
        read_only=True, help_text="Your role: owner, respondent, viewer or consultant.", source="caller_role"
    )
    industry = serializers.CharField(
        write_only=True,
        required=False,
        max_length=40,
        help_text="With size_band omitted: the industry rule of the 2011 classification, e.g. industry, retail.",
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "uscc",
            "sector",
            "size_band",
            "employees",
            "annual_revenue",
            "total_assets",
            "province",
            "industry",
            "role",
            "created_at",
        ]
        extra_kwargs = {
            "size_band": {
                "required": False,
                "help_text": "Omit to classify from employees, annual_revenue and total_assets.",
            },
            "employees": {"max_value": 10_000_000},
        }


class ResultSummarySerializer(Serializer):
    total = Figure()
    max_total = Figure()
    level = serializers.IntegerField()
    completeness = Figure(help_text="Share of required questions answered, 0–1.")
    frozen = serializers.BooleanField()
    computed_at = serializers.DateTimeField()


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    framework = serializers.CharField(source="framework_version.reference", read_only=True, help_text="slug@label")
    created_by = serializers.EmailField(source="created_by.email", read_only=True)
    reopened_questions = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="While returned: the only questions whose answers may change (the consultant's change requests).",
    )
    result = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "organization",
            "framework",
            "status",
            "previous",
            "created_by",
            "created_at",
            "updated_at",
            "submitted_at",
            "reopened_questions",
            "result",
        ]
        read_only_fields = fields

    @extend_schema_field(ResultSummarySerializer())
    def get_result(self, assessment: Assessment) -> dict[str, Any]:
        """The result of the answers as they are, worked out by the view (context "results": id → result)."""
        result: AssessmentResult = self.context["results"][assessment.pk]
        return dict(ResultSummarySerializer(result).data)


class AssessmentCreateSerializer(Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=2**62)
    framework = serializers.CharField(max_length=120, help_text='A slug ("miit-2024-manufacturing") or slug@label.')
    previous = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, help_text="The earlier assessment this one follows (T0)."
    )


class AnswerItemSerializer(Serializer):
    """One item of the answer format (docs/answers-format.md); use the value field of the question's kind."""

    refuses_unknown_fields = True  # the engine does ("unknown field"): api/schema.py tells the schema

    question = serializers.CharField(help_text='A question key, e.g. "F1".')
    choice = serializers.CharField(required=False, help_text="Single choice: an option key.")
    choices = serializers.ListField(child=serializers.CharField(), required=False, help_text="Multiple choice.")
    number = serializers.FloatField(required=False, help_text="Banded number.")
    level = serializers.IntegerField(required=False, min_value=0, max_value=4, help_text="Scenario level.")
    before = serializers.FloatField(required=False)
    after = serializers.FloatField(required=False)
    yes = serializers.BooleanField(required=False)
    text = serializers.CharField(required=False)
    not_applicable = serializers.BooleanField(required=False)
    evidence = serializers.DictField(required=False)
    comment = serializers.CharField(required=False)


class AnswerAuditSerializer(Serializer):
    answered_by = serializers.EmailField(allow_null=True)
    updated_at = serializers.DateTimeField()


class AnswerSetSerializer(Serializer):
    framework = serializers.CharField(help_text="slug@label of the assessment's framework version.")
    answers = AnswerItemSerializer(many=True)
    audit = serializers.DictField(child=AnswerAuditSerializer(), help_text="Question key → who answered, when.")


class AnswerSetWriteSerializer(Serializer):
    refuses_unknown_fields = True
    framework = serializers.CharField(required=False, help_text="If given, must be the assessment's framework.")
    answers = AnswerItemSerializer(many=True, help_text="Answers to create or replace; others stay as they are.")


class AnswerWriteSerializer(AnswerItemSerializer):
    question = serializers.CharField(required=False, help_text="Optional: the key in the URL.")


class AnswerSerializer(Serializer):
    answer = AnswerItemSerializer()
    audit = AnswerAuditSerializer()


@extend_schema_field({"type": "boolean", "enum": [True]})
class Pledge(serializers.BooleanField):
    """The truthfulness pledge: false is refused (by assessment_submit), so the schema allows true alone."""


class SubmitSerializer(Serializer):
    pledge = Pledge(help_text="The truthfulness pledge (真实性承诺): must be true.")


class WhatIfSerializer(Serializer):
    refuses_unknown_fields = True
    changes = AnswerItemSerializer(many=True, help_text="Hypothetical answers; nothing is saved.")


class ScoreCardSerializer(Serializer):
    """The engine's ScoreCard: see docs/api.md for every field."""

    framework = serializers.CharField()
    scoring_version = serializers.IntegerField()
    total = Figure()
    max_total = Figure()
    level = serializers.IntegerField()
    completeness = Figure()
    dimensions = serializers.ListField(child=serializers.DictField(), help_text="Scores of every dimension/indicator.")
    scenario_levels = serializers.DictField(child=serializers.IntegerField())
    gates = serializers.ListField(child=serializers.DictField(), help_text="What the next level requires.")
    next_level = serializers.IntegerField(allow_null=True)
    questions = serializers.DictField(child=serializers.DictField(), help_text="Per question: score and credits.")
    next_level_path = serializers.DictField(
        allow_null=True,
        help_text="The improvements that reach the next level at the lowest estimated cost: each with its points, "
        "cost (midpoint), cost_low/cost_high, weeks and effort_class when the framework has a plan.",
    )


class PeerStandingSerializer(Serializer):
    key = serializers.CharField(help_text='"total" or a dimension key.')
    measure = serializers.ChoiceField(
        choices=["points", "scenario_level"],
        help_text='"scenario_level": a dimension without points, compared by its scenarios\' average level (0–4).',
    )
    score = Figure(help_text="The result's own figure that was compared (points, or the average scenario level).")
    max = Figure()
    percentile = Figure(allow_null=True, help_text="0–100: the share of peers scoring lower, ties counted half.")
    quartiles = serializers.ListField(child=Figure(), allow_null=True)
    peers = serializers.IntegerField()
    withheld = serializers.CharField(allow_null=True)


class PeersSerializer(Serializer):
    filter = serializers.DictField(
        child=serializers.CharField(), help_text="The group's profile values besides the framework version."
    )
    automatic = serializers.BooleanField(help_text="The group was chosen: the narrowest one large enough.")
    group = serializers.CharField(help_text="Who the peers are, in words, in the request's language.")
    standings = PeerStandingSerializer(many=True)


class ConsultantSerializer(Serializer):
    name = serializers.CharField(help_text="Family name first, as signed.")
    family_name = serializers.CharField()
    given_name = serializers.CharField()
    qualification = serializers.CharField()
    certificate_number = serializers.CharField(help_text="Empty when none was given.")


class DifferenceSerializer(Serializer):
    """An answer the consultant did not simply verify."""

    question = serializers.CharField()
    text = serializers.CharField(help_text="The question, in the request's language.")
    verdict = serializers.ChoiceField(choices=ReviewItem.Verdict.choices)
    verdict_label = serializers.CharField(help_text="The verdict, in the request's language.")
    self_answer = serializers.CharField(help_text="The SME's answer, as text.")
    verified_answer = serializers.CharField(help_text="Adjusted: the consultant's answer; else the SME's.")
    self_points = Figure(allow_null=True)
    verified_points = Figure(allow_null=True)
    reason = serializers.CharField(
        help_text="Adjusted or cannot verify: the consultant's reason; change requested: the message to the SME."
    )


class VerifiedResultSerializer(ScoreCardSerializer):
    """The SME's answers with the consultant's adjustments, scored: while reviewing, from the verdicts so far;
    once signed, as signed."""

    final = serializers.BooleanField(help_text="Signed off: these are the figures of the signed verification.")
    signed_at = serializers.DateTimeField(allow_null=True)
    consultant = ConsultantSerializer(allow_null=True, help_text="Who signed; null until signed.")
    statement = serializers.CharField(allow_null=True, help_text="The signed statement; null until signed.")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Verdict → how many answers.")
    differences = DifferenceSerializer(many=True)
    reviewed_at = serializers.DateTimeField(allow_null=True, help_text="When the last verdict was given.")


class MeasureSerializer(Serializer):
    """One measure of a roadmap item."""

    title = serializers.CharField()
    action = serializers.CharField()


class RoadmapItemSerializer(Serializer):
    """One item of the roadmap (reports.roadmap.RoadmapItem), its texts in the request's language."""

    title = serializers.CharField()
    action = serializers.CharField(allow_blank=True, help_text="What to do; empty for a merged item: see measures.")
    measures = serializers.ListField(
        child=MeasureSerializer(), help_text="What to do, measure by measure (several for a merged item)."
    )
    questions = serializers.ListField(child=serializers.CharField(), help_text="The texts of the questions it covers.")
    keys = serializers.ListField(child=serializers.CharField(), help_text="Their question keys.")
    target = serializers.CharField(help_text="What the answers become, in the framework's words.")
    owner = serializers.CharField(help_text="The role that drives it; empty when the advice names none.")
    weeks = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=2, allow_null=True, help_text="[min, max] weeks."
    )
    cost = serializers.ListField(
        child=Figure(), min_length=2, max_length=2, allow_null=True, help_text="Estimated [low, high] in cost_unit."
    )
    cost_unit = serializers.CharField(allow_blank=True)
    effort_class = serializers.CharField(allow_blank=True, help_text="The effort class's name.")
    kpi = serializers.CharField(allow_blank=True, help_text="The one figure to watch.")
    support = serializers.ListField(
        child=serializers.ChoiceField(choices=["consulting", "training", "funding", "technology"])
    )
    points = Figure(allow_null=True, help_text="Added to the total; null for a scenario step.")
    consultant_note = serializers.CharField(allow_null=True)
    on_path = serializers.BooleanField(help_text="One of the path's steps (now and next), else a further gap.")


class RoadmapSerializer(Serializer):
    """The plan: the path's steps now (≤ 3) and in the next six months (≤ 5), further gaps later (≤ 5)."""

    basis = serializers.ChoiceField(
        choices=["self", "verified"], help_text="verified: built on the answers as the consultant signed them."
    )
    now = RoadmapItemSerializer(many=True)
    next = RoadmapItemSerializer(many=True)
    later = RoadmapItemSerializer(many=True)
    reaches = serializers.IntegerField(allow_null=True, help_text="The level now and next reach, scored.")
    total_after = Figure(allow_null=True)
    cost = serializers.ListField(child=Figure(), min_length=2, max_length=2, allow_null=True)
    cost_unit = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True, help_text="Whose cost estimates these are and their standing.")


class ResultsSerializer(ScoreCardSerializer):
    frozen = serializers.BooleanField()
    computed_at = serializers.DateTimeField()
    peers = PeersSerializer()
    roadmap = RoadmapSerializer()
    verified = VerifiedResultSerializer(
        allow_null=True, help_text="The consultant-verified result beside the self-assessed one; null until a verdict."
    )


class FrameworkSerializer(Serializer):
    slug = serializers.CharField()
    version = serializers.CharField()
    status = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class FrameworkTreeSerializer(FrameworkSerializer):
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.source
    scoring = serializers.DictField()
    levels = serializers.DictField()
    dimensions = serializers.ListField(
        child=serializers.DictField(),
        help_text="Dimensions → indicators (nested) → questions → options, as in docs/framework-format.md, "
        "with every text in the requested language.",
    )
    guidance = serializers.DictField(
        allow_null=True,
        help_text="Suggested documents per question and scenario level, in the requested language: "
        '{"note", "questions": {key: {"documents", "levels": [{"level", "documents"}]}}}. Third-party guidance '
        "beside the content (its note says whose); null when the framework has none.",
    )


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices), min_length=1, max_length=len(Event.choices)
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "organization", "url", "events", "description", "active", "created_at"]
        read_only_fields = ["id", "organization", "created_at"]


class WebhookEndpointCreateSerializer(WebhookEndpointSerializer):
    organization = serializers.IntegerField(min_value=1, max_value=2**62, source="organization_id")
    secret = serializers.CharField(read_only=True, help_text="Shown once, now: verify signatures with it.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = ["id", "created_at"]


class WebhookAttemptSerializer(serializers.ModelSerializer[WebhookAttempt]):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "duration_ms", "response_status", "response_body", "error"]


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_id",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
            "finished_at",
            "payload",
            "attempt_log",
        ]


class ReportRequestSerializer(Serializer):
    language = serializers.ChoiceField(choices=Report.Language.choices)


class ReportSerializer(serializers.ModelSerializer[Report]):
    pdf = serializers.SerializerMethodField(help_text="Where to download the PDF once the status is ready.")
    number = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The report's number as printed, DMR-<year>-<sequence>: given when it is first rendered, "
        "null before (and for reports rendered before numbers existed).",
    )
    issued_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the stored PDF was rendered: its date of issue."
    )
    verification_code = serializers.SerializerMethodField(
        help_text="The code printed in the report, in groups of four, once ready (else null): anyone holding it "
        "sees the public check page."
    )
    verify_url = serializers.SerializerMethodField(
        help_text="Once ready (else null), the public page that states what the report says and its file's "
        "SHA-256 (no log-in)."
    )
    sha256 = serializers.SerializerMethodField(help_text="SHA-256 of the PDF's bytes (hex) once ready, else null.")

    class Meta:
        model = Report
        fields = [
            "id",
            "assessment",
            "language",
            "version",
            "status",
            "attempts",
            "error",
            "size",
            "created_at",
            "started_at",
            "finished_at",
            "pdf",
            "number",
            "issued_at",
            "verification_code",
            "verify_url",
            "sha256",
        ]

    def get_pdf(self, report: Report) -> str | None:
        return f"/api/v1/reports/{report.pk}/pdf/" if report.status == Report.Status.READY else None

    def get_verification_code(self, report: Report) -> str | None:
        code = report.verification_code if report.status == Report.Status.READY else None
        return verification_code_display(code) if code else None

    def get_verify_url(self, report: Report) -> str | None:
        code = report.verification_code if report.status == Report.Status.READY else None
        return verify_url(code) if code else None

    def get_sha256(self, report: Report) -> str | None:
        return report.sha256 or None


class DocumentUploadSerializer(Serializer):
    file = serializers.FileField(
        help_text="PDF, PNG, JPEG, GIF, WebP, .docx, .xlsx, .pptx, .doc, .xls or .ppt; the type is read from the "
        "content, the name is kept only to show. At most EVIDENCE_MAX_FILE_BYTES (20 MiB unless configured)."
    )
    question = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="The key of the question the document shows (e.g. F2); omit for the assessment as a whole.",
    )


class DocumentSerializer(serializers.ModelSerializer[EvidenceDocument]):
    question = serializers.SerializerMethodField(help_text="The question's key; null for the assessment as a whole.")
    uploaded_by = serializers.EmailField(source="uploaded_by.email", read_only=True)
    download = serializers.SerializerMethodField(help_text="Where to download the file (always as an attachment).")

    class Meta:
        model = EvidenceDocument
        fields = [
            "id",
            "assessment",
            "question",
            "name",
            "kind",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_question(self, document: EvidenceDocument) -> str | None:
        return document.question.key if document.question is not None else None

    def get_download(self, document: EvidenceDocument) -> str:
        return f"/api/v1/documents/{document.pk}/download/"


class ReviewQueueItemSerializer(Serializer):
    """An assessment in the caller's review queue."""

    id = serializers.IntegerField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    framework = serializers.CharField(source="framework_version.reference", help_text="slug@label")
    status = serializers.ChoiceField(choices=Assessment.Status.choices)
    submitted_at = serializers.DateTimeField(allow_null=True, help_text="The latest (re)submission.")
    waiting_seconds = serializers.IntegerField(
        allow_null=True,
        help_text="Seconds since the latest submission while the consultant has the next step (submitted or "
        "under review); null while returned to the SME or once finalized.",
    )
    verdicts = serializers.DictField(child=serializers.IntegerField(), help_text="Verdict → how many answers.")
    reopened_questions = serializers.ListField(child=serializers.CharField(), help_text="While returned.")


@extend_schema_field(AnswerWriteSerializer)
class AnswerItemField(serializers.DictField):
    """An item of the answer format, passed to the engine as sent (the engine checks it and names each problem)."""


class ReviewItemWriteSerializer(Serializer):
    """Parses a verdict; review_item_set checks what each verdict needs. VERDICT_REQUEST describes it."""

    verdict = serializers.ChoiceField(choices=ReviewItem.Verdict.choices)
    answer = AnswerItemField(
        required=False,
        allow_null=True,
        help_text="Adjusted only: the answer you verified, in the answer format (the question is the URL's).",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="Why you adjusted the answer (required for adjusted) or cannot verify it (required).",
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="Change requested only (required): what the SME should change, and why.",
    )


@extend_schema_field({"type": "object", "nullable": True, "maxProperties": 0})
class NoAnswer(serializers.DictField):
    """Null, empty or left out: only an adjusted verdict carries an answer."""


def _verdict_field(verdict: str) -> serializers.Field[Any, Any, Any, Any]:
    """A field whose schema allows this verdict alone."""
    field = extend_schema_field({"type": "string", "enum": [str(verdict)]})(type("Verdict", (serializers.Field,), {}))
    return field()


def _text(required: bool, help_text: str = "") -> serializers.CharField:
    if required:
        return NonBlankText(max_length=4000, help_text=help_text)
    return serializers.CharField(required=False, allow_blank=True, max_length=4000, help_text=help_text)


class _VerdictRequest(Serializer):
    """For the schema only (ReviewItemWriteSerializer parses): what one verdict's body holds, one subclass each."""

    answer: serializers.Field[Any, Any, Any, Any] = NoAnswer(required=False, allow_null=True)
    reason = _text(False)
    message = _text(False)


class VerifiedVerdictSerializer(_VerdictRequest):
    """The answer is right."""

    verdict = _verdict_field(ReviewItem.Verdict.VERIFIED)


class AdjustedVerdictSerializer(_VerdictRequest):
    """The consultant's answer counts in the verified result; the SME's stays as it was."""

    verdict = _verdict_field(ReviewItem.Verdict.ADJUSTED)
    answer = AnswerItemField(
        help_text="The answer you verified, in the answer format, checked like the SME's (the question is the URL's)."
    )
    reason = _text(True, "Why you adjusted the answer.")


class ChangeRequestedVerdictSerializer(_VerdictRequest):
    """The SME is to change the answer: the question is reopened when the assessment is returned."""

    verdict = _verdict_field(ReviewItem.Verdict.CHANGE_REQUESTED)
    message = _text(True, "What the SME should change, and why.")


class UnverifiableVerdictSerializer(_VerdictRequest):
    """The answer cannot be verified (no evidence); the SME's answer counts."""

    verdict = _verdict_field(ReviewItem.Verdict.UNVERIFIABLE)
    reason = _text(True, "Why the answer cannot be verified.")


# What a verdict's body must hold depends on the verdict: the schema says it with one shape per verdict.
VERDICT_REQUEST = PolymorphicProxySerializer(
    component_name="Verdict",
    serializers={  # plain strings: the YAML schema cannot write the enum's members
        ReviewItem.Verdict.VERIFIED.value: VerifiedVerdictSerializer,
        ReviewItem.Verdict.ADJUSTED.value: AdjustedVerdictSerializer,
        ReviewItem.Verdict.CHANGE_REQUESTED.value: ChangeRequestedVerdictSerializer,
        ReviewItem.Verdict.UNVERIFIABLE.value: UnverifiableVerdictSerializer,
    },
    resource_type_field_name="verdict",
)


class ReviewItemSerializer(Serializer):
    question = serializers.CharField()
    verdict = serializers.ChoiceField(choices=ReviewItem.Verdict.choices)
    answer = AnswerItemSerializer(allow_null=True, help_text="Adjusted: the consultant's answer; else null.")
    reason = serializers.CharField()
    message = serializers.CharField()
    reviewer = serializers.EmailField()
    updated_at = serializers.DateTimeField()


class ReviewItemsSerializer(Serializer):
    items = ReviewItemSerializer(many=True, help_text="The verdicts given so far, in the framework's order.")
    checklist = serializers.ListField(
        child=serializers.CharField(), help_text="What still stands before sign-off; empty when it may be signed."
    )


class ReviewReturnSerializer(Serializer):
    message = NonBlankText(
        max_length=4000, allow_blank=True, help_text="Why the assessment is returned; the SME reads it."
    )


class ReviewFinalizeSerializer(Serializer):
    statement = NonBlankText(
        max_length=4000,
        allow_blank=True,
        one_line=True,
        help_text="The statement you sign: one line, no control characters.",
    )


class VerificationSerializer(Serializer):
    """The signed verification."""

    assessment = serializers.IntegerField(source="assessment_id")
    consultant = serializers.EmailField(source="consultant.email")
    consultant_name = serializers.CharField(help_text="Family name first, as signed.")
    family_name = serializers.CharField()
    given_name = serializers.CharField()
    qualification = serializers.CharField()
    certificate_number = serializers.CharField()
    consultancy = serializers.IntegerField(source="consultancy_id", allow_null=True)
    statement = serializers.CharField()
    total = Figure(help_text="The verified total, as signed.")
    level = serializers.IntegerField(help_text="The verified level, as signed.")
    signed_at = serializers.DateTimeField()


class CommentWriteSerializer(Serializer):
    question = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="A question key; omit for the general thread."
    )
    body = NonBlankText(max_length=4000)
    visibility = serializers.ChoiceField(
        choices=ReviewComment.Visibility.choices,
        default=ReviewComment.Visibility.SHARED,
        help_text="internal: the consultants' own, never shown to the SME (only assigned consultants write them).",
    )


class CommentSerializer(serializers.ModelSerializer[ReviewComment]):
    question = serializers.CharField(source="question.key", allow_null=True, help_text="Null: the general thread.")
    author = serializers.EmailField(source="author.email")

    class Meta:
        model = ReviewComment
        fields = ["id", "question", "body", "visibility", "author", "created_at"]
        read_only_fields = fields


class HistoryEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.EmailField(source="actor.email", allow_null=True, help_text="Null: the system or an operator.")
    question = serializers.CharField(source="question_key", help_text="Empty when not about one answer.")
    before = serializers.JSONField(allow_null=True, help_text="E.g. the answer before (answer format), a status.")
    after = serializers.JSONField(allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "kind", "actor", "question", "before", "after", "reason", "created_at"]
        read_only_fields = fields
