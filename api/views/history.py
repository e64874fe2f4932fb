"""An assessment's history: the append-only audit trail of every change, verdict, comment and transition."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from api import serializers as s
from api.filters import HistoryFilter
from api.pagination import Pages
from api.views import ASSESSMENT_ID, caller, url_assessment
from assessment.models import AuditEvent
from review.selectors import assessment_history, is_assigned_consultant


@extend_schema_view(
    list=extend_schema(
        summary="The assessment's history, oldest first (internal events for its consultants only)",
        parameters=[ASSESSMENT_ID],
    )
)
class HistoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[AuditEvent]):
    serializer_class = s.HistoryEventSerializer
    pagination_class = Pages
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = HistoryFilter

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if not self.request.user.is_authenticated:  # the schema generator asks too
            return AuditEvent.objects.none()
        assessment = url_assessment(self.request, self.kwargs["id"])
        internal = is_assigned_consultant(caller(self.request), assessment.organization_id)
        return assessment_history(assessment, with_internal=internal)
