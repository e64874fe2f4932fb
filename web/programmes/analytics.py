"""The cohort pages: analytics with filters and server-made charts, and exports (request, progress, download)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.framework_texts import document_language
from assessment.models import Membership, User
from programmes.analytics import CohortFilter, cohort_analytics, cohort_analytics_unnamed, cohort_filter_parse
from programmes.charts import cohort_charts, summary_rows
from programmes.exports import cohort_export_now, cohort_export_request, export_is_small
from programmes.models import CohortExport, Programme, ProgrammeGroup
from programmes.selectors import programme_get, programme_role
from scoring.results import profile_name
from web.programmes.pages import programme_page


class CohortFilterForm(forms.Form):
    """The analytics filters; the rules are programmes.analytics.cohort_filter_parse's, shown here as choices."""

    group = forms.ChoiceField(label=_("Group"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    size_band = forms.ChoiceField(label=_("Size band"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    city = forms.CharField(label=_("City"), required=False, max_length=60)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        language = document_language()
        anyone = [("", _("any"))]
        groups = ProgrammeGroup.objects.filter(programme=programme)
        self.fields["group"].choices = [("", _("whole programme"))] + [(str(g.pk), g.name) for g in groups]  # type: ignore[attr-defined]
        self.fields["sector"].choices = anyone + [(k, profile_name("sector", k, language)) for k, _l in SECTORS]  # type: ignore[attr-defined]
        self.fields["size_band"].choices = anyone + [  # type: ignore[attr-defined]
            (k, profile_name("size_band", k, language)) for k in SizeBand.values
        ]
        self.fields["province"].choices = anyone + [(k, profile_name("province", k, language)) for k, _l in PROVINCES]  # type: ignore[attr-defined]
        self.cohort_filter = CohortFilter()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                self.cohort_filter = cohort_filter_parse(self.programme, cleaned)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field if field in self.fields else None, message)
        return cleaned


class ExportRequestForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=CohortExport.Format.choices)


def _programme(request: HttpRequest, pk: int) -> tuple[Programme, str]:
    programme = programme_get(request.user, pk)
    return programme, programme_role(cast(User, request.user), programme) or ""


def _may_export(role: str) -> bool:
    return role in Membership.PROGRAMME_ANALYSTS


def _filters(request: HttpRequest, programme: Programme, data: Any) -> tuple[CohortFilterForm, CohortFilter]:
    form = CohortFilterForm(data or None, programme=programme)
    if data and form.is_valid():
        return form, form.cohort_filter
    return form, CohortFilter()


@login_required
@require_GET
def analytics(request: HttpRequest, pk: int) -> HttpResponse:
    programme, role = _programme(request, pk)
    form, filters = _filters(request, programme, request.GET)
    figures = cohort_analytics(programme, filters, language=document_language())
    named = _may_export(role)
    if not named:
        figures = cohort_analytics_unnamed(figures)
    context = programme_page(
        programme,
        role,
        "analytics",
        form=form,
        filtered=bool(filters.as_dict()),
        f=figures,
        charts=cohort_charts(figures),
        summaries=summary_rows(figures),
        may_export=named,
        query=request.GET.urlencode(),
        status=400 if form.errors else 200,
    )
    return render(request, "web/programmes/analytics.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    programme, role = _programme(request, pk)
    if not _may_export(role):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    filter_form, filters = _filters(
        request, programme, source if any(source.get(k) for k in CohortFilterForm.base_fields) else None
    )
    export_form = ExportRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if export_form.is_valid() and not filter_form.errors:
            format = export_form.cleaned_data["format"]
            user = cast(User, request.user)
            if export_is_small(programme, filters, format):
                made = cohort_export_now(
                    programme=programme, format=format, filters=filters, language=document_language(), viewer=user
                )
                response = StreamingHttpResponse(made.chunks, content_type=made.content_type)
                response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
                return response
            export = cohort_export_request(
                programme=programme, format=format, filters=filters, language=document_language(), requested_by=user
            )
            return redirect("web:programme_export", pk=programme.pk, export_id=export.pk)
        status = 400
    context = programme_page(
        programme,
        role,
        "exports",
        filter_form=filter_form,
        export_form=export_form,
        jobs=CohortExport.objects.filter(programme=programme)[:20],
        stream_max=settings.COHORT_EXPORT_STREAM_MAX_ROWS,
    )
    return render(request, "web/programmes/exports.html", context, status=status)


def _export(request: HttpRequest, pk: int, export_id: int) -> tuple[Programme, str, CohortExport]:
    programme, role = _programme(request, pk)
    if not _may_export(role):
        raise PermissionDenied
    return programme, role, get_object_or_404(CohortExport, programme=programme, pk=export_id)


@login_required
@require_GET
def export_progress(request: HttpRequest, pk: int, export_id: int) -> HttpResponse:
    programme, role, export = _export(request, pk, export_id)
    running = export.status in (CohortExport.Status.QUEUED, CohortExport.Status.RUNNING)
    percent = None
    if export.rows_total:
        percent = min(100, round(100 * export.rows_done / export.rows_total))
    context = programme_page(programme, role, "exports", export=export, running=running, percent=percent)
    return render(request, "web/programmes/exports_progress.html", context)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int, export_id: int) -> FileResponse:
    export = _export(request, pk, export_id)[2]
    if export.status != CohortExport.Status.READY or not export.file:
        raise Http404
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.file.name.rsplit("/", 1)[-1])
