"""The REST API (/api/v1/): parse input, check who may do it, call one service, shape the output."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, cast

from django import forms
from django.core.cache import cache
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, DateTimeField

from api import serializers as s
from api.errors import ApiError, ErrorSerializer
from api.idempotency import idempotent
from api.permissions import CONTRIBUTORS, OWNER, check_role, key_organization, require_role
from assessment.framework_format import localised
from assessment.models import Answer, Assessment, FrameworkVersion, Membership, Organization, User
from assessment.selectors import framework_version_document, framework_version_get, membership_role
from assessment.services.assessments import answers_upsert, assessment_create, assessment_submit
from assessment.services.organizations import organization_create, organization_update
from reports.models import Report
from reports.services import report_request
from scoring.engine.answers import answer_item
from scoring.selectors import PeerFilter, assessment_what_if, engine_answer, framework_structure, peer_benchmark
from scoring.services import assessment_result
from webhooks import services as webhook_services
from webhooks.models import WebhookDelivery, WebhookEndpoint

ID = r"[0-9]{1,18}"  # longer numbers are not ids: 404 rather than a database overflow
PEER_FILTERS = ("sector", "size_band", "province")


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def caller(request: Request) -> User:
    """The signed-in user (IsAuthenticated has run)."""
    return cast(User, request.user)


def body_organization(request: Request, pk: int) -> Organization:
    """An organisation named in a request body: one the caller may see, else a 400 that reveals nothing."""
    organization = Organization.objects.visible_to(request.user, only=key_organization(request)).filter(pk=pk).first()
    if organization is None:
        raise ValidationError({"organization": [_("No such organisation.")]})
    return organization


def document_language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-Hans"


def _version_summary(version: FrameworkVersion) -> dict[str, Any]:
    language = document_language()
    return {
        "slug": version.framework.slug,
        "version": version.label,
        "status": version.status,
        "title": version.title_en if language == "en" else version.title_zh_hans,
        "description": version.description_en if language == "en" else version.description_zh_hans,
        "published_at": version.published_at,
    }


@extend_schema_view(
    list=extend_schema(summary="Published frameworks (index systems)", responses=s.FrameworkSerializer(many=True)),
    retrieve=extend_schema(
        summary="A framework's whole tree",
        parameters=[OpenApiParameter("version", str, description="A version label; the newest published if omitted.")],
        responses=s.FrameworkTreeSerializer,
    ),
)
class FrameworkViewSet(viewsets.ViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-z0-9_]{1,60}"

    def list(self, request: Request) -> Response:
        versions = FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).select_related("framework")
        newest: dict[str, FrameworkVersion] = {}
        for version in versions.order_by("framework__slug", "-published_at", "-id"):
            newest.setdefault(version.framework.slug, version)
        return Response([_version_summary(v) for v in newest.values()])

    def retrieve(self, request: Request, slug: str) -> Response:
        label = request.query_params.get("version", "")
        if "\x00" in label:  # PostgreSQL refuses NUL in text: a 400, not a database error
            raise ValidationError({"version": [_("Null characters are not allowed.")]})
        try:
            version = framework_version_get(f"{slug}@{label[:40]}" if label else slug)
        except FrameworkVersion.DoesNotExist:
            raise NotFound(_("No such framework or version.")) from None
        if version.status == FrameworkVersion.Status.DRAFT:
            raise NotFound(_("No such framework or version."))
        language = document_language()
        key = f"framework-tree:{version.pk}:{version.content_hash}:{language}"
        tree = cache.get(key)
        if tree is None:
            document = localised(framework_version_document(version), language)
            tree = {**_version_summary(version), **{k: document[k] for k in ("source", "scoring", "levels")}}
            tree["dimensions"] = document["dimensions"]
            cache.set(key, tree, 24 * 3600)
        return Response(tree)


# --- organisations ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Your organisations"),
    create=extend_schema(summary="Create an organisation (you become its owner)"),
    retrieve=extend_schema(summary="An organisation"),
    update=extend_schema(summary="Replace an organisation's profile (owner)"),
    partial_update=extend_schema(summary="Change an organisation's profile (owner)"),
)
class OrganizationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Organization],
):
    serializer_class = s.OrganizationSerializer
    lookup_value_regex = ID
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[Organization]:
        user = caller(self.request)
        role = Membership.objects.filter(organization=OuterRef("pk"), user_id=user.pk).values("role")[:1]
        return Organization.objects.visible_to(user, only=key_organization(self.request)).annotate(
            caller_role=Coalesce(Subquery(role), Value("consultant"))
        )

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if key_organization(request) is not None:
            raise PermissionDenied(_("This API key is limited to one organisation."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = organization_create(owner=caller(request), **serializer.validated_data)
        organization.caller_role = Membership.Role.OWNER  # type: ignore[attr-defined]
        return Response(self.get_serializer(organization).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_role(request, self.get_object().pk, OWNER)
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer: BaseSerializer[Organization]) -> None:
        fields = {k: v for k, v in serializer.validated_data.items() if k != "industry"}
        organization_update(organization=cast(Organization, serializer.instance), **fields)


# --- assessments --------------------------------------------------------------------------


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class UtcDateTimeField(IsoDateTimeField):
    """ISO 8601 allows offsets up to ±23:59, PostgreSQL only ±15:59: compare in UTC."""

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        try:
            return parsed.astimezone(UTC) if parsed is not None else None
        except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is after datetime.max in UTC
            raise forms.ValidationError(_("Enter a date and time between the years 1 and 9999."), "invalid") from None


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class AssessmentFilter(filters.FilterSet):
    organization = IdFilter(field_name="organization_id", min_value=1, max_value=2**62)
    status = filters.MultipleChoiceFilter(choices=Assessment.Status.choices)
    framework = filters.CharFilter(field_name="framework_version__framework__slug", max_length=60)
    submitted_after = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="lte")

    class Meta:
        model = Assessment
        fields: list[str] = []


_TIMESTAMP = DateTimeField()


def _audit(row: Answer) -> dict[str, Any]:
    """AnswerAuditSerializer's shape, made directly: a serializer per answer costs more than the rest."""
    return {
        "answered_by": row.answered_by.email if row.answered_by else None,
        "updated_at": _TIMESTAMP.to_representation(row.updated_at),
    }


def _answer_rows(assessment: Assessment) -> QuerySet[Answer]:
    """The answers with their question's key (`key`) and who last changed each."""
    return (
        Answer.objects.filter(assessment=assessment)
        .annotate(key=F("question__key"))
        .select_related("answered_by")
        .order_by("question__position")
    )


def _raw_items(data: Any, field: str, allowed: set[str]) -> list[Any]:
    """The list of answer-format items under `field`; the engine checks each item itself."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_('Send a JSON object such as {"%s": [...]}.') % field]})
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({str(unknown[0])[:40]: [_("Unknown field.")]})
    if field not in data:
        raise ValidationError({field: [_("This field is required.")]})
    if not isinstance(data[field], list):
        raise ValidationError({field: [_("Expected a list of answers.")]})
    return data[field]


@extend_schema_view(
    list=extend_schema(summary="Assessments of your organisations"),
    create=extend_schema(
        summary="Start an assessment", request=s.AssessmentCreateSerializer, responses={201: s.AssessmentSerializer}
    ),
    retrieve=extend_schema(summary="An assessment"),
)
class AssessmentViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Assessment]
):
    serializer_class = s.AssessmentSerializer
    lookup_value_regex = ID
    pagination_class = Pages
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = AssessmentFilter
    read_only_actions = ("what_if", "reports")  # save no answers: a read-only key (a viewer's dashboard) may ask

    def get_queryset(self) -> QuerySet[Assessment]:
        assessments = Assessment.objects.visible_to(self.request.user, only=key_organization(self.request))
        if self.action in ("list", "retrieve", "results"):  # those that show the result (writes: _representation)
            return assessments.select_related("framework_version__framework", "created_by", "result")
        return assessments.select_related("framework_version__framework")

    def _editable(self, roles: frozenset[str]) -> Assessment:
        """The assessment in the URL (404 if not visible), if the caller's membership role is one of `roles`."""
        queryset = self.get_queryset().annotate(caller_role=membership_role(caller(self.request)))
        assessment = get_object_or_404(queryset, pk=self.kwargs["pk"])  # one query: the role comes with it
        check_role(assessment.caller_role, roles)  # type: ignore[attr-defined]
        return assessment

    def _representation(self, assessment: Assessment) -> dict[str, Any]:
        shown = self.get_queryset().select_related("created_by", "result").get(pk=assessment.pk)
        return dict(self.get_serializer(shown).data)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.AssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = body_organization(request, data["organization"])
        require_role(request, organization.pk, CONTRIBUTORS)
        try:
            version = framework_version_get(data["framework"])
        except FrameworkVersion.DoesNotExist:
            raise ValidationError({"framework": [_("No published framework with this name.")]}) from None
        previous = None
        if "previous" in data:
            previous = self.get_queryset().filter(pk=data["previous"]).first()
            if previous is None:
                raise ValidationError({"previous": [_("No such assessment.")]})
        assessment = assessment_create(
            organization=organization,
            framework_version=version,
            created_by=caller(request),
            previous=previous,
        )
        return Response(self._representation(assessment), status=status.HTTP_201_CREATED)

    def _answer_set(self, assessment: Assessment) -> dict[str, Any]:
        framework = framework_structure(assessment.framework_version)
        rows = [(row.key, row) for row in _answer_rows(assessment)]  # type: ignore[attr-defined]
        return {
            "framework": assessment.framework_version.reference,
            "answers": [answer_item(framework.questions[key], engine_answer(row, key)) for key, row in rows],
            "audit": {key: _audit(row) for key, row in rows},
        }

    @extend_schema(summary="Every answer of the assessment", responses=s.AnswerSetSerializer)
    @action(detail=True, methods=["get"])
    def answers(self, request: Request, pk: str) -> Response:
        return Response(self._answer_set(self.get_object()))

    @extend_schema(
        summary="Create or replace answers (bulk; a partial set is fine before submission)",
        request=s.AnswerSetWriteSerializer,
        responses=s.AnswerSetSerializer,
    )
    @answers.mapping.put
    def answers_put(self, request: Request, pk: str) -> Response:
        assessment = self._editable(CONTRIBUTORS)
        items = _raw_items(request.data, "answers", {"answers", "framework"})
        framework = request.data.get("framework")
        if framework is not None and framework not in (
            assessment.framework_version.reference,
            assessment.framework_version.framework.slug,
        ):
            raise ValidationError(
                {"framework": [_("This assessment uses %s.") % assessment.framework_version.reference]}
            )
        answers_upsert(assessment=assessment, items=items, answered_by=caller(request))
        return Response(self._answer_set(assessment))

    @extend_schema(
        summary="Create or replace one answer", request=s.AnswerWriteSerializer, responses=s.AnswerSerializer
    )
    @action(detail=True, methods=["patch"], url_path=r"answers/(?P<question_key>[A-Za-z0-9._-]{1,40})")
    def answer(self, request: Request, pk: str, question_key: str) -> Response:
        assessment = self._editable(CONTRIBUTORS)
        framework = framework_structure(assessment.framework_version)
        question = framework.questions.get(question_key)
        if question is None:
            raise NotFound(_("No such question in this framework."))
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("Send one answer as a JSON object.")]})
        if request.data.get("question", question_key) != question_key:
            raise ValidationError({"question": [_("The question key differs from the one in the URL.")]})
        item = {**request.data, "question": question_key}
        [row] = answers_upsert(assessment=assessment, items=[item], answered_by=caller(request))
        return Response({"answer": answer_item(question, engine_answer(row, question_key)), "audit": _audit(row)})

    @extend_schema(
        summary="Submit with the truthfulness pledge; the result is frozen",
        request=s.SubmitSerializer,
        responses=s.AssessmentSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request: Request, pk: str) -> Response:
        assessment = self._editable(CONTRIBUTORS)
        serializer = s.SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submitted = assessment_submit(
            assessment=assessment,
            submitted_by=caller(request),
            pledge=serializer.validated_data["pledge"],
        )
        return Response(self.get_serializer(submitted).data)

    @extend_schema(
        summary="The scorecard, the path to the next level and the peer benchmark",
        parameters=[
            OpenApiParameter(
                "peers",
                str,
                description="Compare with peers of the same sector, size_band and/or province, comma-separated "
                "(e.g. sector,size_band); all peers of the framework version if omitted.",
            )
        ],
        responses=s.ResultsSerializer,
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        assessment = self.get_object()
        chosen = [p for p in request.query_params.get("peers", "").split(",") if p]
        unknown = [p for p in chosen if p not in PEER_FILTERS]
        if unknown:
            raise ValidationError({"peers": [_("Use sector, size_band or province, comma-separated.")]})
        result = assessment_result(assessment=assessment, with_path=True)
        peer_filter = PeerFilter(**{name: getattr(result, name) for name in chosen})
        standings = [asdict(p) for p in peer_benchmark(result, peer_filter)]
        body = {
            **result.card,
            "next_level_path": result.path,
            "frozen": result.frozen,
            "computed_at": result.computed_at,
            "peers": {"filter": {name: getattr(result, name) for name in chosen}, "standings": standings},
        }
        return Response(s.ResultsSerializer(body).data)

    @extend_schema(
        summary="Score hypothetical answer changes; nothing is saved",
        request=s.WhatIfSerializer,
        responses=s.ScoreCardSerializer,
    )
    @action(detail=True, methods=["post"], url_path="what-if")
    def what_if(self, request: Request, pk: str) -> Response:
        assessment = self.get_object()
        changes = _raw_items(request.data, "changes", {"changes"})
        return Response(s.ScoreCardSerializer(assessment_what_if(assessment, changes)).data)

    @extend_schema(
        summary="Request the PDF report in a language (the unchanged one comes back if inputs are the same)",
        request=s.ReportRequestSerializer,
        responses={202: s.ReportSerializer},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reports(self, request: Request, pk: str) -> Response:
        assessment = self.get_object()
        serializer = s.ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, _created = report_request(
            assessment=assessment, language=serializer.validated_data["language"], requested_by=caller(request)
        )
        return Response(s.ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


# --- reports ------------------------------------------------------------------------------


@extend_schema_view(retrieve=extend_schema(summary="A report job: status, attempts, error, download link"))
class ReportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Report]):
    serializer_class = s.ReportSerializer
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[Report]:
        visible = Assessment.objects.visible_to(self.request.user, only=key_organization(self.request))
        return Report.objects.filter(assessment__in=visible)

    @extend_schema(
        summary="The PDF file of a ready report",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str) -> FileResponse:
        report = self.get_object()
        if report.status != Report.Status.READY or not report.file:
            raise ApiError(409, "not_ready", _("The report is %(status)s, not ready.") % {"status": report.status})
        return FileResponse(
            report.file.open("rb"), content_type="application/pdf", filename=report.file.name.rsplit("/", 1)[-1]
        )


# --- webhooks -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Webhook endpoints of the organisations you own"),
    create=extend_schema(summary="Register an HTTPS endpoint (owner); the signing secret is shown once"),
    retrieve=extend_schema(summary="A webhook endpoint"),
    update=extend_schema(summary="Replace a webhook endpoint"),
    partial_update=extend_schema(summary="Change a webhook endpoint"),
    destroy=extend_schema(summary="Remove a webhook endpoint"),
)
class WebhookEndpointViewSet(viewsets.ModelViewSet[WebhookEndpoint]):
    serializer_class = s.WebhookEndpointSerializer
    lookup_value_regex = ID
    pagination_class = Pages
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        """Endpoints are visible to the owners of the organisation only (their secrets sign deliveries)."""
        user = caller(self.request)
        owned = Organization.objects.visible_to(user, only=key_organization(self.request)).filter(
            memberships__user_id=user.pk, memberships__role=Membership.Role.OWNER
        )
        return WebhookEndpoint.objects.filter(organization__in=owned)

    def get_serializer_class(self) -> type[BaseSerializer[WebhookEndpoint]]:
        return s.WebhookEndpointCreateSerializer if self.action == "create" else s.WebhookEndpointSerializer

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = body_organization(request, data.pop("organization_id"))
        require_role(request, organization.pk, OWNER)
        endpoint = webhook_services.webhook_endpoint_create(
            organization=organization,
            created_by=caller(request),
            **data,
        )
        return Response(s.WebhookEndpointCreateSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: BaseSerializer[WebhookEndpoint]) -> None:
        endpoint = cast(WebhookEndpoint, serializer.instance)
        webhook_services.webhook_endpoint_update(endpoint=endpoint, **serializer.validated_data)

    @extend_schema(
        summary="Deliveries to this endpoint, newest first, with every attempt",
        responses=s.WebhookDeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log")
        page = self.paginate_queryset(deliveries)  # type: ignore[arg-type]
        return self.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)
