"""The cohort PDF: the analytics' charts and tables through the report pipeline (reports.rendering.html_to_pdf,
which fetches nothing but bundled assets; the template autoescapes every name)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from programmes.analytics import CohortFilter, cohort_analytics
from programmes.charts import cohort_charts, summary_rows
from programmes.models import Enrolment, Programme, ProgrammeGroup
from reports.rendering import html_to_pdf


def cohort_report_html(programme: Programme, filters: CohortFilter, *, language: str) -> tuple[str, list[int]]:
    """The report's HTML in `language` ("zh-Hans" or "en") and the enrolments it names."""
    with translation.override("en" if language == "en" else "zh-hans"):
        figures = cohort_analytics(programme, filters, language=language)
        named = [u["organization"] for u in figures["uplift"]["smes"]]
        group = ProgrammeGroup.objects.filter(pk=filters.group).first() if filters.group else None
        context: dict[str, Any] = {
            "programme": programme,
            "operator": programme.operator,
            "f": figures,
            "charts": cohort_charts(figures),
            "summaries": summary_rows(figures),
            "group": group,
            "filters": filters,
            "language": language,
            "issued": timezone.localdate(),
        }
        html = render_to_string("programmes/cohort_report.html", context)
    enrolments = list(
        Enrolment.objects.filter(programme=programme, organization__in=named, withdrawn_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    return html, enrolments


def cohort_report_pdf(programme: Programme, filters: CohortFilter, *, language: str) -> tuple[bytes, list[int]]:
    """The cohort PDF and the enrolments it names (each gets an AccessRecord)."""
    html, named = cohort_report_html(programme, filters, language=language)
    return html_to_pdf(html), named
