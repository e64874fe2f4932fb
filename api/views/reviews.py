"""Reviews: the consultant's queue, and the review of one assessment (start, verdicts, return, sign-off)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import DateTimeField

from api import serializers as s
from api.errors import ErrorSerializer
from api.filters import AssessmentFilter
from api.idempotency import idempotent
from api.pagination import Pages
from api.permissions import key_organization
from api.views import ASSESSMENT_ID, caller
from api.views.assessments import assessments_shown
from assessment.models import Assessment
from review.models import ReviewItem
from review.selectors import is_assigned_consultant, review_items, review_queue, verdict_count, waiting_seconds
from review.services import finalize_checklist, review_finalize, review_item_set, review_return, review_start

_TIMESTAMP = DateTimeField()
NOT_REVIEWER = OpenApiResponse(
    ErrorSerializer, description="You are not a consultant assigned to the organisation, or the API key is read-only."
)


def _wrong_status(needed: str) -> OpenApiResponse:
    return OpenApiResponse(
        ErrorSerializer,
        description=f"The assessment is not {needed} (the message says what it is), or the same Idempotency-Key "
        "is in flight.",
    )


def _queued(assessment: Assessment, now: datetime) -> dict[str, Any]:
    """ReviewQueueItemSerializer's shape."""
    return {
        "id": assessment.pk,
        "organization": assessment.organization_id,
        "organization_name": assessment.organization.name,
        "framework": assessment.framework_version.reference,
        "status": assessment.status,
        "submitted_at": _TIMESTAMP.to_representation(assessment.submitted_at) if assessment.submitted_at else None,
        "waiting_seconds": waiting_seconds(assessment, now),
        "verdicts": {verdict: getattr(assessment, verdict_count(verdict)) for verdict in ReviewItem.Verdict.values},
        "reopened_questions": assessment.reopened_questions,
    }


@extend_schema_view(
    list=extend_schema(
        summary="Your review queue: assessments of the organisations assigned to you, newest submission first"
    )
)
class ReviewQueueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Assessment]):
    serializer_class = s.ReviewQueueItemSerializer
    pagination_class = Pages
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = AssessmentFilter

    def get_queryset(self) -> QuerySet[Assessment]:
        if not self.request.user.is_authenticated:  # the schema generator asks too
            return Assessment.objects.none()
        return review_queue(caller(self.request), only=key_organization(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        now = timezone.now()
        return self.get_paginated_response([_queued(assessment, now) for assessment in page or []])


def _item(item: ReviewItem) -> dict[str, Any]:
    """ReviewItemSerializer's shape; the adjusted answer as the answer format writes it (exact numbers)."""
    key = item.question.key
    return {
        "question": key,
        "verdict": item.verdict,
        "answer": {"question": key, **item.answer} if item.answer is not None else None,
        "reason": item.reason,
        "message": item.message,
        "reviewer": item.reviewer.email,
        "updated_at": _TIMESTAMP.to_representation(item.updated_at),
    }


@extend_schema(parameters=[ASSESSMENT_ID])
class AssessmentReviewViewSet(viewsets.GenericViewSet[Assessment]):
    """The review of one assessment: only a consultant assigned to its organisation takes its steps (start, verdicts,
    return, finalize); everyone who sees the assessment reads the verdicts. Guide: docs/api.md, "The consultant
    review"."""

    serializer_class = s.ReviewItemSerializer
    lookup_url_kwarg = "id"  # the routes' prefix has it; get_object() is the assessment (OPTIONS asks for it too)

    def get_queryset(self) -> QuerySet[Assessment]:
        visible = Assessment.objects.visible_to(self.request.user, only=key_organization(self.request))
        return visible.select_related("organization", "framework_version__framework")

    def _assessment(self) -> Assessment:
        return self.get_object()

    def _reviewed(self) -> Assessment:
        """The assessment in the URL (404 if not visible), if the caller is a consultant assigned to it."""
        assessment = self._assessment()
        if not is_assigned_consultant(caller(self.request), assessment.organization_id):
            raise PermissionDenied(_("Only a consultant assigned to the organisation reviews its assessments."))
        return assessment

    def _shown(self, assessment: Assessment) -> Any:
        shown = Assessment.objects.select_related("framework_version__framework", "created_by").get(pk=assessment.pk)
        return assessments_shown([shown], self.get_serializer_context())[0]

    @extend_schema(
        summary="Start reviewing a submitted (or resubmitted) assessment: it is under review",
        request=None,
        responses={200: s.AssessmentSerializer, 403: NOT_REVIEWER, 409: _wrong_status("submitted")},
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def start(self, request: Request, id: str) -> Response:
        request.data  # noqa: B018  (no body is needed, but one that is not JSON is refused like everywhere)
        assessment = review_start(assessment=self._reviewed(), consultant=caller(request))
        return Response(self._shown(assessment))

    @extend_schema(
        summary="Return the assessment to the SME to change the answers with a change request",
        request=s.ReviewReturnSerializer,
        responses={
            200: s.AssessmentSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No message, or no change requested on any answer."),
            403: NOT_REVIEWER,
            409: _wrong_status("under review"),
        },
    )
    @action(detail=False, methods=["post"], url_path="return", url_name="return")
    @idempotent
    def return_(self, request: Request, id: str) -> Response:
        assessment = self._reviewed()
        serializer = s.ReviewReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        returned = review_return(
            assessment=assessment, consultant=caller(request), message=serializer.validated_data["message"]
        )
        return Response(self._shown(returned))

    @extend_schema(
        summary="Sign off: the verified result is stored as it stands, and the assessment is finalized",
        request=s.ReviewFinalizeSerializer,
        responses={
            200: s.VerificationSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="`details.checklist`: what stands before sign-off (answers without a verdict, open change "
                "requests); `details.statement`: no statement; `details.profile`: your consultant profile is empty.",
            ),
            403: NOT_REVIEWER,
            409: _wrong_status("under review"),
        },
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def finalize(self, request: Request, id: str) -> Response:
        assessment = self._reviewed()
        serializer = s.ReviewFinalizeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        verification = review_finalize(
            assessment=assessment, consultant=caller(request), statement=serializer.validated_data["statement"]
        )
        return Response(s.VerificationSerializer(verification).data)

    @extend_schema(
        summary="The verdicts given so far, and what still stands before sign-off", responses=s.ReviewItemsSerializer
    )
    @action(detail=False, methods=["get"])
    def items(self, request: Request, id: str) -> Response:
        assessment = self._assessment()
        return Response(
            {
                "items": [_item(item) for item in review_items(assessment)],
                "checklist": finalize_checklist(assessment),
            }
        )

    @extend_schema(
        summary="Give (or change) the verdict on one answer",
        request=s.VERDICT_REQUEST,
        responses={
            200: s.ReviewItemSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="What the verdict lacks or has too much of, by field: `answer` (the engine's problems, or "
                "an answer on another verdict than adjusted), `reason`, `message`, `verdict`, `question` (unknown).",
            ),
            403: NOT_REVIEWER,
            409: _wrong_status("under review"),
        },
    )
    @action(detail=False, methods=["put"], url_path=r"items/(?P<question_key>[A-Za-z0-9._-]{1,40})")
    def item(self, request: Request, id: str, question_key: str) -> Response:
        assessment = self._reviewed()
        serializer = s.ReviewItemWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answer = data.get("answer")
        if answer is not None and answer.get("question", question_key) != question_key:
            raise ValidationError({"answer.question": [_("The question key differs from the one in the URL.")]})
        item = review_item_set(
            assessment=assessment,
            reviewer=caller(request),
            question_key=question_key,
            verdict=data["verdict"],
            answer=answer,
            reason=data.get("reason", ""),
            message=data.get("message", ""),
        )
        return Response(_item(item))
