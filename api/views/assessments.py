"""Assessments: start, answers, submit, results, what-if, their reports (request, list) and evidence documents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import DateTimeField

from api import serializers as s
from api.errors import ErrorSerializer
from api.filters import AssessmentFilter
from api.idempotency import idempotent
from api.pagination import Pages
from api.parsers import EvidenceMultiPartParser
from api.permissions import CONTRIBUTORS, check_role, key_organization, require_role
from api.views import ID, body_organization, caller
from assessment.framework_texts import document_language
from assessment.models import Answer, Assessment, FrameworkVersion
from assessment.selectors import assessment_documents, framework_version_get, membership_role
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.documents import document_add
from reports.models import Report
from reports.roadmap import Roadmap
from reports.selectors import assessment_roadmap
from reports.services import report_request
from review.models import ReviewItem
from review.results import comparison
from review.services import assessment_resubmit
from scoring.engine import answer_item
from scoring.engine.serialize import card_as_data, path_as_data
from scoring.peers import PEER_PROFILE
from scoring.results import results_view
from scoring.selectors import assessment_results, assessment_what_if, engine_answer, framework_structure

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


def assessments_shown(assessments: Iterable[Assessment], context: dict[str, Any]) -> list[Any]:
    """Assessments as the API shows them, each with the result of its answers as they are (nothing saved)."""
    listed = list(assessments)
    context = {**context, "results": assessment_results(listed)}
    return list(s.AssessmentSerializer(listed, many=True, context=context).data)


def roadmap_as_data(roadmap: Roadmap) -> dict[str, Any]:
    """The roadmap as the API sends it: items by horizon, figures exact."""
    items = {
        horizon: [
            {
                **{f: getattr(item, f) for f in ("title", "action", "target", "owner", "cost_unit", "effort_class")},
                **{f: getattr(item, f) for f in ("kpi", "points", "consultant_note", "on_path")},
                "questions": list(item.questions),
                "keys": list(item.keys),
                "measures": [{"title": title, "action": action} for title, action in item.measures],
                "weeks": list(item.weeks) if item.weeks else None,
                "cost": list(item.cost) if item.cost else None,
                "support": list(item.support),
            }
            for item in found
        ]
        for horizon, found in roadmap.horizons.items()
    }
    return {
        "basis": roadmap.basis,
        **items,
        "reaches": roadmap.reaches.number if roadmap.reaches else None,
        "total_after": roadmap.total_after,
        "cost": list(roadmap.cost) if roadmap.cost else None,
        "cost_unit": roadmap.plan.unit if roadmap.plan else "",
        "note": roadmap.plan.note if roadmap.plan else "",
    }


def verified_as_data(assessment: Assessment, language: str) -> dict[str, Any] | None:
    """The verified result beside the self-assessed one (review.results.comparison), null until a verdict."""
    if not ReviewItem.objects.filter(assessment=assessment).exists():  # nor, then, a sign-off
        return None  # spares working out the comparison of an assessment nobody has reviewed
    view = comparison(assessment, language=language)
    if view.verified is None:
        return None
    signed = view.signed
    return {
        **card_as_data(view.verified),
        "next_level_path": signed.path if signed else None,
        "final": view.final,
        "signed_at": signed.signed_at if signed else None,
        "consultant": {
            "name": signed.consultant_name,
            "family_name": signed.family_name,
            "given_name": signed.given_name,
            "qualification": signed.qualification,
            "certificate_number": signed.certificate_number,
        }
        if signed
        else None,
        "statement": signed.statement if signed else None,
        "counts": dict(view.counts),
        "differences": [asdict(difference) for difference in view.differences],
        "reviewed_at": view.reviewed_at,
    }


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
    read_only_actions = ("what_if",)  # saves nothing: a read-only key (a viewer's dashboard) may ask

    def get_queryset(self) -> QuerySet[Assessment]:
        assessments = Assessment.objects.visible_to(self.request.user, only=key_organization(self.request))
        if self.action in ("list", "retrieve", "results"):  # those that show the result (writes: _representation)
            return assessments.select_related("framework_version__framework", "organization", "created_by", "result")
        return assessments.select_related("framework_version__framework")

    def _shown(self, assessments: Iterable[Assessment], *, many: bool = False) -> Any:
        data = assessments_shown(assessments, self.get_serializer_context())
        return data if many else data[0]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._shown(page or [], many=True))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._shown([self.get_object()]))

    def _editable(self, roles: frozenset[str]) -> Assessment:
        """The assessment in the URL (404 if not visible), if the caller's membership role is one of `roles`."""
        queryset = self.get_queryset().annotate(caller_role=membership_role(caller(self.request)))
        assessment = get_object_or_404(queryset, pk=self.kwargs["pk"])  # one query: the role comes with it
        check_role(assessment.caller_role, roles)  # type: ignore[attr-defined]
        return assessment

    def _representation(self, assessment: Assessment) -> dict[str, Any]:
        shown = self.get_queryset().select_related("organization", "created_by", "result").get(pk=assessment.pk)
        return dict(self._shown([shown]))

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
        summary="Submit (or resubmit a returned one) with the truthfulness pledge; the result is frozen",
        request=s.SubmitSerializer,
        responses=s.AssessmentSerializer,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request: Request, pk: str) -> Response:
        assessment = self._editable(CONTRIBUTORS)
        serializer = s.SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submitted = assessment_resubmit(  # the assigned consultants hear of it
            assessment=assessment,
            submitted_by=caller(request),
            pledge=serializer.validated_data["pledge"],
        )
        return Response(self._shown([submitted]))

    @extend_schema(
        summary="The scorecard, the path to the next level, the peer benchmark and the verified result",
        parameters=[
            OpenApiParameter(
                "peers",
                {"type": "array", "items": {"type": "string", "enum": sorted(PEER_PROFILE)}},
                style="form",
                explode=False,
                description="Compare with peers of the same sector, size_band and/or province, comma-separated "
                "(e.g. sector,size_band). If omitted, the narrowest group large enough is chosen (framework "
                "version, then the same sector, size band, province; docs/peers.md) and stated in `peers.group`.",
            )
        ],
        responses=s.ResultsSerializer,
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        assessment = self.get_object()
        chosen = [p for p in request.query_params.get("peers", "").split(",") if p]
        unknown = [p for p in chosen if p not in PEER_PROFILE]
        if unknown:
            raise ValidationError({"peers": [_("Use sector, size_band or province, comma-separated.")]})
        view = results_view(assessment, language=document_language(), peers_by=chosen)
        roadmap = assessment_roadmap(assessment, view)
        body = {
            **card_as_data(view.card),
            "next_level_path": path_as_data(view.framework, view.path),
            "frozen": view.frozen,
            "computed_at": view.computed_at,
            "peers": {
                "filter": view.peers.filter,
                "automatic": view.peers.automatic,
                "group": view.peers.group,
                "standings": [asdict(p) for p in view.peers.standings],
            },
            "verified": verified_as_data(assessment, document_language()),
            "roadmap": roadmap_as_data(roadmap),
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

    @extend_schema(
        summary="The assessment's evidence documents, oldest first", responses=s.DocumentSerializer(many=True)
    )
    @action(
        detail=True,
        methods=["get"],
        parser_classes=[EvidenceMultiPartParser],
        pagination_class=None,
        filter_backends=[],
    )
    def documents(self, request: Request, pk: str) -> Response:
        documents = assessment_documents(self.get_object())
        return Response(s.DocumentSerializer(documents, many=True).data)

    @extend_schema(
        summary="Attach a document (multipart: file, optional question) while the assessment may change",
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={
            201: s.DocumentSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="The assessment is submitted, or returned and the question is not one reopened.",
            ),
            413: OpenApiResponse(
                ErrorSerializer, description="Larger than one document may be (EVIDENCE_MAX_FILE_BYTES)."
            ),
            415: OpenApiResponse(ErrorSerializer, description="Not multipart/form-data."),
        },
    )
    @documents.mapping.post
    @idempotent
    def documents_post(self, request: Request, pk: str) -> Response:
        assessment = self._editable(CONTRIBUTORS)
        serializer = s.DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = document_add(
            assessment=assessment,
            uploaded_by=caller(request),
            upload=serializer.validated_data["file"],
            question_key=serializer.validated_data.get("question", ""),
        )
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The assessment's reports, every language and version, newest first",
        responses=s.ReportSerializer(many=True),
        filters=False,  # the assessment filters select assessments, not its reports
    )
    @reports.mapping.get
    def reports_list(self, request: Request, pk: str) -> Response:
        assessment = self.get_object()
        reports = Report.objects.filter(assessment=assessment).order_by("-created_at", "-id")
        page = self.paginate_queryset(reports)  # type: ignore[arg-type]  # typed for the viewset's model
        return self.get_paginated_response(s.ReportSerializer(page, many=True).data)
