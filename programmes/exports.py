"""Cohort exports: one row per consenting SME (CSV, XLSX with a second sheet of aggregates) and the cohort PDF.

Small exports are streamed in the request; larger ones are a CohortExport job run by a Celery worker, the row the
truth (status, rows_done of rows_total, attempts, error, file), re-sent by the sweep when the broker was down.
Scores are written exactly: as the engine's decimals in CSV, as numbers in XLSX (at most fifteen significant
digits, which a spreadsheet's double holds exactly). Every SME whose figures leave in a file gets an AccessRecord.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import IO, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessment.models import User
from programmes.analytics import CohortFilter, Scales, cohort_analytics, cohort_members, programme_scales
from programmes.models import AccessRecord, CohortExport, Programme
from programmes.services import access_records_write
from reports.services import stuck_jobs_sweep
from scoring.engine.numbers import exact
from scoring.results import profile_name

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000  # rows between two progress notes on the job row
EXPORT_FIELDS = (
    "enrolment_id",
    "organization_id",
    "organization__name",
    "organization__uscc",
    "group__name",
    "sector",
    "size_band",
    "province",
    "city",
    "enrolment__consent",
    "submitted_at",
    "level",
    "total",
    "dimensions",
    "scenarios",
    "verified_level",
    "verified_total",
    "verified_dimensions",
    "verified_at",
    "t0_assessment_id",
    "assessment_id",
    "t0_level",
    "t0_total",
    "held_back_by",
)


def _language(language: str) -> str:
    return "en" if language.startswith("en") else "zh-Hans"


@dataclass(frozen=True)
class Sheet:
    """The export's columns and how many rows it will have."""

    header: list[str]
    scales: Scales
    rows_total: int


def _status(row: dict[str, Any]) -> str:
    if row["verified_level"] is not None:
        return _("verified")
    if row["assessment_id"] is not None:
        return _("self-assessed")
    return _("not assessed")


def _figure(value: Any) -> Decimal | None:
    return None if value is None else exact(Decimal(value))


def _difference(after: Any, before: Any) -> Decimal | int | None:
    if after is None or before is None:
        return None
    if isinstance(after, int) and isinstance(before, int):
        return after - before
    return exact(Decimal(after) - Decimal(before))


def export_sheet(programme: Programme, filters: CohortFilter, language: str) -> Sheet:
    """The header in `language` (active translation) and the number of rows."""
    scales = programme_scales(programme, _language(language))
    header = [
        _("Organisation ID"),
        _("Company"),
        _("Unified social credit code"),
        _("Group"),
        _("Sector"),
        _("Size band"),
        _("Province"),
        _("City"),
        _("Consent"),
        _("Status"),
        _("Submitted"),
        _("Self-assessed level"),
        _("Self-assessed total"),
        _("Verified level"),
        _("Verified total"),
        _("Verified on"),
        _("T0 level"),
        _("T0 total"),
        _("T1 level"),
        _("T1 total"),
        _("Level change T0→T1"),
        _("Total change T0→T1"),
        _("Held back by"),
    ]
    header += [_("%(dimension)s (self-assessed)") % {"dimension": name} for _key, name, _m, _s in scales.dimensions]
    header += [_("%(dimension)s (verified)") % {"dimension": name} for _key, name, _m, _s in scales.dimensions]
    header += [f"{key} {name}" for key, name in scales.scenarios]
    return Sheet(header, scales, cohort_members(programme, filters).count())


def export_rows(programme: Programme, filters: CohortFilter, sheet: Sheet) -> Iterator[tuple[int, list[Any]]]:
    """(enrolment id, cells) for each member, in a stable order, read in chunks (a server-side cursor)."""
    consent = {"results": _("results"), "answers": _("results and answers")}
    gates = {"score": _("score gate"), "scenarios": _("scenario gate")}
    language = _language(translation.get_language() or "")
    members = cohort_members(programme, filters).order_by("organization__name", "enrolment_id").values(*EXPORT_FIELDS)
    for row in members.iterator(chunk_size=2000):
        uplift = row["t0_assessment_id"] is not None and row["t0_assessment_id"] != row["assessment_id"]
        cells: list[Any] = [
            row["organization_id"],
            row["organization__name"],
            row["organization__uscc"],
            row["group__name"] or "",
            profile_name("sector", row["sector"], language),
            profile_name("size_band", row["size_band"], language),
            profile_name("province", row["province"], language),
            row["city"],
            consent.get(row["enrolment__consent"], row["enrolment__consent"]),
            _status(row),
            timezone.localtime(row["submitted_at"]).date() if row["submitted_at"] else None,
            row["level"],
            _figure(row["total"]),
            row["verified_level"],
            _figure(row["verified_total"]),
            timezone.localtime(row["verified_at"]).date() if row["verified_at"] else None,
            row["t0_level"],
            _figure(row["t0_total"]),
            row["level"] if uplift else None,
            _figure(row["total"]) if uplift else None,
            _difference(row["level"], row["t0_level"]) if uplift else None,
            _difference(row["total"], row["t0_total"]) if uplift else None,
            " + ".join(gates[g] for g in row["held_back_by"]) if row["assessment_id"] else None,
        ]
        cells += [_figure(row["dimensions"].get(key)) for key, _n, _m, _s in sheet.scales.dimensions]
        cells += [_figure(row["verified_dimensions"].get(key)) for key, _n, _m, _s in sheet.scales.dimensions]
        cells += [row["scenarios"].get(key) for key, _name in sheet.scales.scenarios]
        yield row["enrolment_id"], cells


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # A cell a spreadsheet would run as a formula is quoted (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not isinstance(value, int | Decimal) else text


def csv_lines(sheet: Sheet, rows: Iterator[tuple[int, list[Any]]], seen: list[int]) -> Iterator[str]:
    """The CSV text line by line (a BOM first, so spreadsheets read UTF-8), noting each enrolment in `seen`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(sheet.header)
    yield "\ufeff" + flush()
    for enrolment, cells in rows:
        seen.append(enrolment)
        writer.writerow([_csv_cell(c) for c in cells])
        yield flush()


def _aggregate_rows(figures: dict[str, Any]) -> list[list[Any]]:
    """The aggregates sheet: the analytics' figures as label/value tables."""
    counts = figures["counts"]
    rows: list[list[Any]] = [
        [_("Enrolled"), counts["enrolled"]],
        [_("Assessed"), counts["assessed"]],
        [_("Verified"), counts["verified"]],
        [_("Withdrawn"), counts["withdrawn"]],
        [],
        [_("Level"), _("Name"), _("Self-assessed"), _("Verified")],
    ]
    rows += [[lvl["level"], lvl["name"], lvl["self"], lvl["verified"]] for lvl in figures["levels"]]
    rows += [[], [_("Figure"), _("Basis"), _("Count"), "min", "Q1", _("median"), "Q3", "max", _("mean")]]
    metrics = [(_("Total"), figures["total"])] + [(d["name"], d) for d in figures["dimensions"]]
    for name, metric in metrics:
        for basis, label in (("self", _("self-assessed")), ("verified", _("verified"))):
            d = metric[basis]
            rows.append([name, label, d["count"], d["min"], d["q1"], d["median"], d["q3"], d["max"], d["mean"]])
    held = figures["held_back"]
    rows += [
        [],
        [_("Held back by the score gate only"), held["score_only"]],
        [_("Held back by the scenario gate only"), held["scenarios_only"]],
        [_("Held back by both gates"), held["both"]],
        [_("At the top level"), held["at_top"]],
        [],
        [_("Scenario"), *[_("level %(level)s") % {"level": n} for n in range(5)]],
    ]
    rows += [[s["name"], *[lvl["count"] for lvl in s["levels"]]] for s in figures["scenarios"]]
    rows += [[], [_("Path step"), _("SMEs")]]
    rows += [[step["name"], step["count"]] for step in figures["path_steps"]]
    uplift = figures["uplift"]
    rows += [
        [],
        [_("With T0 and T1"), uplift["count"]],
        [_("Rose a level or more"), uplift["rose"]],
        [_("Same level"), uplift["same"]],
        [_("Fell"), uplift["fell"]],
        [_("Mean total change"), uplift["total_change"]["mean"]],
        [_("Median total change"), uplift["total_change"]["median"]],
        [],
        [_("Month"), _("At the target level (self-assessed)"), _("At the target level (verified)")],
    ]
    rows += [[m["month"], m["self"]["at_target"], m["verified"]["at_target"]] for m in figures["progress"]["months"]]
    return rows


def xlsx_write(
    target: IO[bytes],
    sheet: Sheet,
    rows: Iterator[tuple[int, list[Any]]],
    figures: dict[str, Any],
    seen: list[int],
    progress: Callable[[int], None] | None = None,
) -> None:
    """The workbook (openpyxl, write-only: rows are streamed to disk, never held) into `target`."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    smes = book.create_sheet(_("SMEs"))
    smes.append(sheet.header)
    for done, (enrolment, cells) in enumerate(rows, start=1):
        seen.append(enrolment)
        smes.append([float(c) if isinstance(c, Decimal) else c for c in cells])
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
    aggregates = book.create_sheet(_("Aggregates"))
    for row in _aggregate_rows(figures):
        aggregates.append([float(c) if isinstance(c, Decimal) else c for c in row])
    book.save(target)


@dataclass(frozen=True)
class ExportFile:
    """A file made in the request: its content (CSV as lines, XLSX whole), type and name."""

    chunks: Iterable[bytes]
    content_type: str
    filename: str


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def cohort_export_now(
    *, programme: Programme, format: str, filters: CohortFilter, language: str, viewer: User | None
) -> ExportFile:
    """A small export made at once: the rows are read first and every SME in them logged, then the file is sent."""
    sheet = export_sheet(programme, filters, language)
    rows = list(export_rows(programme, filters, sheet))
    seen: list[int] = []
    name = f"cohort-{programme.pk}-{timezone.localdate():%Y%m%d}.{format}"
    if format == CohortExport.Format.CSV:
        lines = list(csv_lines(sheet, iter(rows), seen))
        chunks: Iterable[bytes] = (line.encode() for line in lines)
    else:
        buffer = io.BytesIO()
        xlsx_write(buffer, sheet, iter(rows), cohort_analytics(programme, filters, language=_language(language)), seen)
        chunks = [buffer.getvalue()]
    access_records_write(enrolment_ids=seen, viewer=viewer, kind=AccessRecord.Kind.EXPORT)
    return ExportFile(chunks, CONTENT_TYPES[format], name)


def export_is_small(programme: Programme, filters: CohortFilter, format: str) -> bool:
    """Whether a CSV or XLSX export is made in the request (a PDF is always a job)."""
    limit: int = settings.COHORT_EXPORT_STREAM_MAX_ROWS
    return format != CohortExport.Format.PDF and cohort_members(programme, filters).count() <= limit


def export_filters(export: CohortExport) -> CohortFilter:
    """The filters a job was requested with."""
    return _filters(export)


# --- the job ---------------------------------------------------------------------------------------


def _dispatch(export_id: int) -> None:
    from programmes.tasks import cohort_export_task  # the task module imports this one

    cohort_export_task.delay(export_id)
    CohortExport.objects.filter(pk=export_id).update(dispatched_at=timezone.now())


@transaction.atomic
def cohort_export_request(
    *, programme: Programme, format: str, filters: CohortFilter, language: str, requested_by: User | None
) -> CohortExport:
    """A queued export job, handed to the broker after commit (the sweep sends it if the broker is down)."""
    export = CohortExport.objects.create(
        programme=programme,
        format=format,
        language=language,
        filters=filters.as_dict(),
        rows_total=cohort_members(programme, filters).count(),
        requested_by=requested_by,
    )
    transaction.on_commit(lambda: _dispatch(export.pk), robust=True)
    return export


def _claim(export_id: int) -> CohortExport | None:
    with transaction.atomic():
        export = CohortExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status in (CohortExport.Status.READY, CohortExport.Status.FAILED):
            return None
        stale = timezone.now() - timedelta(seconds=settings.REPORT_RENDER_TIMEOUT_SECONDS)
        if export.status == CohortExport.Status.RUNNING and export.started_at and export.started_at > stale:
            return None  # another worker has it
        export.status = CohortExport.Status.RUNNING
        export.attempts += 1
        export.started_at = timezone.now()
        export.rows_done = 0
        export.save(update_fields=["status", "attempts", "started_at", "rows_done"])
        return export


def _fail(export: CohortExport, error: str) -> CohortExport:
    CohortExport.objects.filter(pk=export.pk).update(
        status=CohortExport.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    return CohortExport.objects.get(pk=export.pk)


def _filters(export: CohortExport) -> CohortFilter:
    data = export.filters or {}
    return CohortFilter(
        group=data.get("group"),
        sector=data.get("sector", ""),
        size_band=data.get("size_band", ""),
        province=data.get("province", ""),
        city=data.get("city", ""),
    )


def cohort_export_run(*, export_id: int) -> CohortExport | None:
    """Write the job's file (CSV, XLSX or the cohort PDF), note progress, store it and log who saw which SME."""
    export = _claim(export_id)
    if export is None:
        return None
    programme = Programme.objects.get(pk=export.programme_id)
    filters = _filters(export)
    seen: list[int] = []

    def progress(done: int) -> None:
        CohortExport.objects.filter(pk=export.pk).update(rows_done=done)

    try:
        with (
            translation.override("en" if export.language.startswith("en") else "zh-hans"),
            tempfile.TemporaryFile() as out,
        ):
            language = _language(export.language)
            if export.format == CohortExport.Format.PDF:
                from programmes.report import cohort_report_pdf

                pdf, seen = cohort_report_pdf(programme, filters, language=language)
                out.write(pdf)
                kind = AccessRecord.Kind.REPORT
            else:
                sheet = export_sheet(programme, filters, language)
                CohortExport.objects.filter(pk=export.pk).update(rows_total=sheet.rows_total)
                rows = export_rows(programme, filters, sheet)
                if export.format == CohortExport.Format.CSV:
                    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
                    for done, line in enumerate(csv_lines(sheet, rows, seen)):
                        text.write(line)
                        if done and done % PROGRESS_EVERY == 0:
                            progress(done)
                    text.flush()
                    text.detach()
                else:
                    figures = cohort_analytics(programme, filters, language=language)
                    xlsx_write(out, sheet, rows, figures, seen, progress)
                kind = AccessRecord.Kind.EXPORT
            size = out.tell()
            out.seek(0)
            name = f"cohort-{programme.pk}-{export.pk}.{export.format}"
            with transaction.atomic():
                locked = CohortExport.objects.select_for_update().get(pk=export.pk)
                if locked.status != CohortExport.Status.RUNNING:
                    return locked
                if locked.file:
                    locked.file.delete(save=False)
                locked.file.save(name, File(out, name=name), save=False)
                locked.status = CohortExport.Status.READY
                locked.size = size
                locked.rows_done = len(seen)
                locked.rows_total = locked.rows_total if export.format == CohortExport.Format.PDF else len(seen)
                locked.error = ""
                locked.finished_at = timezone.now()
                locked.save(update_fields=["file", "status", "size", "rows_done", "rows_total", "error", "finished_at"])
                access_records_write(enrolment_ids=seen, viewer=locked.requested_by, kind=kind)
            return locked
    except SoftTimeLimitExceeded:
        return _fail(export, f"The export took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} seconds.")
    except Exception as exc:  # a data or template problem: the same input fails again, so stop here
        logger.exception("cohort export %s failed", export.pk)
        return _fail(export, f"{type(exc).__name__}: {exc}")


def cohort_exports_sweep() -> list[int]:
    return stuck_jobs_sweep(CohortExport, running=CohortExport.Status.RUNNING, dispatch=_dispatch)
