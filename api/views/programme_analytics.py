"""A programme's cohort over the API: its figures (exact numbers), exports (a file at once when small, else a job),
export jobs' status and files. Tenancy: the programmes of the caller's operators (another's → 404); any member reads
the figures, analysts and administrators also named SMEs and exports (others → 403)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.downloads import stored_file_response
from api.errors import ApiError, ErrorSerializer
from api.permissions import key_organization
from api.views import ID, caller
from assessment.classification import PROVINCES, SECTORS
from assessment.framework_texts import document_language
from assessment.models import Membership
from programmes.analytics import CohortFilter, cohort_analytics, cohort_analytics_unnamed, cohort_filter_parse
from programmes.exports import CONTENT_TYPES, cohort_export_now, cohort_export_request, export_is_small
from programmes.models import CohortExport, Programme
from programmes.selectors import programme_get, programme_role

PROGRAMME_ID = OpenApiParameter(
    "id", str, OpenApiParameter.PATH, pattern=f"^{ID}$", description="The programme's id.", required=True
)
EXPORT_ID = OpenApiParameter(
    "id", str, OpenApiParameter.PATH, pattern=f"^{ID}$", description="The export job's id.", required=True
)
FILTERS = [
    OpenApiParameter("group", str, description="A sub-group's id (the programme's groups only)."),
    OpenApiParameter(
        "sector",
        str,
        enum=["", *(key for key, _label in SECTORS)],
        description="GB/T 4754-2017 section letter, e.g. C.",
    ),
    OpenApiParameter("size_band", str, enum=["micro", "small", "medium", "large"]),
    OpenApiParameter(
        "province", str, enum=["", *(key for key, _label in PROVINCES)], description="Two-digit province code, e.g. 64."
    ),
    OpenApiParameter("city", str, description="City name as the SMEs' profiles give it (case-insensitive)."),
]
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _programme(request: Request, pk: str) -> tuple[Programme, str]:
    """The programme if the caller may see it (an API key limited to another organisation: 404) and their role."""
    if len(pk) > 18:
        raise Http404
    programme = programme_get(request.user, int(pk))
    limited = key_organization(request)
    if limited is not None and limited != programme.operator_id:
        raise Http404
    return programme, programme_role(caller(request), programme) or ""


def _may_name(role: str) -> bool:
    return role in Membership.PROGRAMME_ANALYSTS


def _filters(request: Request, programme: Programme) -> CohortFilter:
    data = {name: request.query_params.get(name, "") for name in ("group", "sector", "size_band", "province", "city")}
    try:
        return cohort_filter_parse(programme, data)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict) from None


class CohortExportSerializer(serializers.ModelSerializer[CohortExport]):
    file_url = serializers.SerializerMethodField(help_text="Where to fetch the file once ready; null before.")

    class Meta:
        model = CohortExport
        fields = [
            "id",
            "programme",
            "format",
            "language",
            "filters",
            "status",
            "rows_total",
            "rows_done",
            "attempts",
            "error",
            "size",
            "created_at",
            "started_at",
            "finished_at",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, export: CohortExport) -> str | None:
        if export.status != CohortExport.Status.READY:
            return None
        return f"/api/v1/programme-exports/{export.pk}/file/"


class ProgrammeAnalyticsView(APIView):
    @extend_schema(
        summary="A programme's cohort figures",
        description=(
            "Counts, levels self-assessed and verified, five-number summaries and histograms of the total and each "
            "dimension, the scenario heatmap, the gates that hold SMEs back, the most common path steps, T0→T1 "
            "uplift and progress against the target by month. Numbers are exact decimals. Named SMEs (uplift.smes) "
            "only for analysts and administrators."
        ),
        parameters=[PROGRAMME_ID, *FILTERS],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        programme, role = _programme(request, id)
        figures = cohort_analytics(programme, _filters(request, programme), language=document_language())
        return Response(figures if _may_name(role) else cohort_analytics_unnamed(figures))


class ExportFormatNegotiation(DefaultContentNegotiation):
    """`?format=` names the export's format here, not DRF's response renderer: the answers that are not the file
    (a job, an error) are JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class ProgrammeExportView(APIView):
    content_negotiation_class = ExportFormatNegotiation

    @extend_schema(
        summary="Export a programme's cohort",
        description=(
            "One row per consenting SME. Up to COHORT_EXPORT_STREAM_MAX_ROWS rows the CSV or XLSX file is the "
            "answer (200); above it, and always for the PDF cohort report, a job is queued (202, Location: the "
            "job). Every SME in a file is written to its access log. Analysts and administrators only."
        ),
        parameters=[
            PROGRAMME_ID,
            OpenApiParameter("format", str, enum=["csv", "xlsx", "pdf"], required=True),
            *FILTERS,
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY,
            202: CohortExportSerializer,
            **ERRORS,
        },
    )
    def get(self, request: Request, id: str) -> Any:
        programme, role = _programme(request, id)
        if not _may_name(role):
            raise PermissionDenied(_("Your role in this programme does not allow exports."))
        format = request.query_params.get("format", "")
        if format not in CohortExport.Format.values:
            raise ValidationError({"format": [_("Choose csv, xlsx or pdf.")]})
        filters = _filters(request, programme)
        language = document_language()
        if export_is_small(programme, filters, format):
            made = cohort_export_now(
                programme=programme, format=format, filters=filters, language=language, viewer=caller(request)
            )
            response = StreamingHttpResponse(made.chunks, content_type=made.content_type)
            response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
            return response
        export = cohort_export_request(
            programme=programme, format=format, filters=filters, language=language, requested_by=caller(request)
        )
        body = CohortExportSerializer(export).data
        return Response(
            body, status=status.HTTP_202_ACCEPTED, headers={"Location": f"/api/v1/programme-exports/{export.pk}/"}
        )


def _export(request: Request, pk: str) -> CohortExport:
    if len(pk) > 18:
        raise Http404
    export = get_object_or_404(CohortExport.objects.select_related("programme"), pk=int(pk))
    role = _programme(request, str(export.programme_id))[1]
    if not _may_name(role):
        raise PermissionDenied(_("Your role in this programme does not allow exports."))
    return export


class ProgrammeExportJobView(APIView):
    @extend_schema(
        summary="An export job: status, rows done of rows total, error, file link",
        parameters=[EXPORT_ID],
        responses={200: CohortExportSerializer, **ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(CohortExportSerializer(_export(request, id)).data)


class ProgrammeExportFileView(APIView):
    @extend_schema(
        summary="The file of a ready export job",
        parameters=[EXPORT_ID],
        responses={
            **{(200, kind.split(";")[0]): OpenApiTypes.BINARY for kind in CONTENT_TYPES.values()},
            409: ErrorSerializer,
            **ERRORS,
        },
    )
    def get(self, request: Request, id: str) -> FileResponse:
        export = _export(request, id)
        if export.status != CohortExport.Status.READY or not export.file:
            raise ApiError(409, "not_ready", _("The export is %(status)s, not ready.") % {"status": export.status})
        return stored_file_response(
            export.file,
            size=export.size,
            content_type=CONTENT_TYPES[export.format],
            filename=export.file.name.rsplit("/", 1)[-1],
        )
