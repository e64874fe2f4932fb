from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.models import Assessment
from reports.models import Report
from reports.rendering import html_to_pdf, report_html
from reports.selectors import report_content


class Command(BaseCommand):
    help = "Render an assessment's PDF report synchronously, for operators (no worker, no job row)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("assessment", type=int, help="The assessment's id.")
        parser.add_argument("--language", choices=Report.Language.values, default=Report.Language.ZH_HANS)
        parser.add_argument("-o", "--output", required=True, type=Path, help="Where to write the PDF.")
        parser.add_argument("--html", type=Path, help="Also write the HTML given to WeasyPrint here.")

    def handle(self, *args: Any, **options: Any) -> None:
        assessment = Assessment.objects.select_related("organization", "framework_version").filter(
            pk=options["assessment"]
        )
        if not assessment.exists():
            raise CommandError(f"No assessment with id {options['assessment']}.")
        html = report_html(report_content(assessment.get(), options["language"]))
        if options["html"]:
            options["html"].write_text(html, encoding="utf-8")
        pdf = html_to_pdf(html)
        options["output"].write_bytes(pdf)
        self.stdout.write(f"Wrote {options['output']} ({len(pdf):,} bytes).")
