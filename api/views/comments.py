"""Comments on an assessment: per question, or in its general thread; shared with the SME, or internal."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.errors import ErrorSerializer
from api.filters import CommentFilter
from api.idempotency import idempotent
from api.pagination import Pages
from api.views import ASSESSMENT_ID, caller, url_assessment
from review.models import ReviewComment
from review.selectors import is_assigned_consultant, review_comments
from review.services import review_comment_add


@extend_schema_view(
    list=extend_schema(
        summary="The assessment's comments, oldest first (internal ones for its consultants only)",
        parameters=[ASSESSMENT_ID],
    ),
    create=extend_schema(
        summary="Comment on a question, or in the general thread",
        parameters=[ASSESSMENT_ID],
        request=s.CommentWriteSerializer,
        responses={
            201: s.CommentSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description="An internal comment from anyone but a consultant assigned to the organisation, "
                "or a read-only API key.",
            ),
        },
    ),
)
class CommentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[ReviewComment]):
    serializer_class = s.CommentSerializer
    pagination_class = Pages
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = CommentFilter

    def get_queryset(self) -> QuerySet[ReviewComment]:
        if not self.request.user.is_authenticated:  # the schema generator asks too
            return ReviewComment.objects.none()
        assessment = url_assessment(self.request, self.kwargs["id"])
        internal = is_assigned_consultant(caller(self.request), assessment.organization_id)
        return review_comments(assessment, with_internal=internal)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = url_assessment(request, kwargs["id"])
        serializer = s.CommentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        comment = review_comment_add(
            assessment=assessment,
            author=caller(request),
            body=data["body"],
            question_key=data.get("question", ""),
            visibility=data["visibility"],
        )
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
