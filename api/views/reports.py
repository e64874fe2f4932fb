"""Report jobs: status, attempts, error, and the PDF of a ready one."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from api import serializers as s
from api.downloads import stored_file_response
from api.errors import ApiError, ErrorSerializer
from api.permissions import key_organization
from api.views import ID
from assessment.models import Assessment
from reports.models import Report


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
        return stored_file_response(
            report.file,
            size=report.size,
            content_type="application/pdf",
            filename=report.file.name.rsplit("/", 1)[-1],
            as_attachment=False,
        )
