"""Writes for reports: request one (or get the unchanged one back), render it, sweep stuck jobs."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from assessment.models import Assessment, User
from reports.identity import (
    ReportIdentity,
    report_number,
    verification_code_display,
    verification_code_new,
    verify_url,
)
from reports.models import Report, ReportNumberCounter
from reports.rendering import html_to_pdf, report_html
from reports.selectors import report_content, report_inputs_hash
from scoring.services import assessment_result_ensure
from webhooks.models import Event
from webhooks.services import webhook_event_emit

logger = logging.getLogger(__name__)


def _dispatch(report_id: int) -> None:
    """Hand the job to the broker and note it; raises when the broker is down (the sweeper tries again)."""
    from reports.tasks import report_render_task  # the task module imports this one

    report_render_task.delay(report_id)
    Report.objects.filter(pk=report_id).update(dispatched_at=timezone.now())


def _enqueue(report_id: int) -> None:
    """After commit: the row exists for the worker, and a broker that is down fails nothing (robust)."""
    transaction.on_commit(lambda: _dispatch(report_id), robust=True)  # a lambda: robust logs its __qualname__


@transaction.atomic
def report_request(*, assessment: Assessment, language: str, requested_by: User | None) -> tuple[Report, bool]:
    """The report of the assessment's current inputs in `language`: the existing one, or a new queued version."""
    assessment.result = assessment_result_ensure(assessment=assessment)  # with its path, stored for the worker too
    inputs_hash = report_inputs_hash(report_content(assessment, language))
    Assessment.objects.select_for_update().get(pk=assessment.pk)  # one request at a time per assessment
    reports = Report.objects.filter(assessment=assessment, language=language)
    existing = reports.filter(inputs_hash=inputs_hash).exclude(status=Report.Status.FAILED).first()
    if existing is not None:
        return existing, False
    version = (reports.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    report = Report.objects.create(
        assessment=assessment, language=language, version=version, inputs_hash=inputs_hash, requested_by=requested_by
    )
    _enqueue(report.pk)
    return report, True


def _report_number_next(year: int) -> str:
    """The year's next report number: one upsert raises the year's counter, so concurrent workers never share one."""
    table = connection.ops.quote_name(ReportNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # the table name is our own, not input
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        (sequence,) = cursor.fetchone()
    return report_number(year, sequence)


def _identity_give(report: Report) -> None:
    """A number and a verification code for a report rendered the first time; a retry keeps the ones it has.

    A job that then fails keeps its number: numbers may have gaps, never repeats.
    """
    if report.number and report.verification_code:
        return
    report.number = report.number or _report_number_next(timezone.localdate().year)
    while not report.verification_code:
        code = verification_code_new()  # 100 random bits: a clash is all but impossible, but cheap to rule out
        if not Report.objects.filter(verification_code=code).exists():
            report.verification_code = code
    report.save(update_fields=["number", "verification_code"])


def _identity_printed(report: Report) -> ReportIdentity:
    """What the PDF prints about itself: issued now, under the number and code its claim gave it."""
    if not (report.number and report.verification_code):
        raise ValueError(f"Report {report.pk} was claimed without a number and verification code.")
    return ReportIdentity(
        number=report.number,
        issued_at=timezone.now(),
        code=verification_code_display(report.verification_code),
        verify_url=verify_url(report.verification_code),
    )


def _printed_facts(content: dict[str, Any]) -> dict[str, Any]:
    """What the public page shows of a report, as its PDF states it (the verified level once signed off)."""
    verification = content["verification"]
    verified = verification.state == "verified"
    level = verification.signed.level if verified else content["view"].level
    return {
        "organization_name": content["organization"].name,
        "framework_title": content["framework"]["title"],
        "level_number": level.number,
        "level_name": level.name,
        "verified": verified,
        "assessed_at": content["assessment"]["date"],
    }


def _claim(report_id: int) -> Report | None:
    """Mark a queued (or re-queued) job as rendering; None when another worker has it or it is finished."""
    with transaction.atomic():
        # Wait for the lock rather than skip: the dispatch notes dispatched_at right after handing the job to the
        # broker, and a worker that skipped the row then would drop the job until the sweep. Claims are short,
        # and one that finds the job rendering or finished below leaves it alone.
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in Report.FINISHED:
            return None
        stale = timezone.now() - timedelta(seconds=settings.REPORT_RENDER_TIMEOUT_SECONDS)
        if report.status == Report.Status.RENDERING and report.started_at and report.started_at > stale:
            return None  # another worker is rendering it right now
        report.status = Report.Status.RENDERING
        report.attempts += 1
        report.started_at = timezone.now()
        report.save(update_fields=["status", "attempts", "started_at"])
        _identity_give(report)
        return report


def _fail(report: Report, error: str) -> Report:
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    return Report.objects.get(pk=report.pk)


def report_render(*, report_id: int) -> Report | None:
    """Render the PDF of a job and store it as the job's only file; deterministic errors fail the job.

    Running twice for the same job is harmless: the file name is the job's, written once when it
    becomes ready, and a finished job is left alone.
    """
    report = _claim(report_id)
    if report is None:
        return None
    try:
        identity = _identity_printed(report)
        assessment_result_ensure(assessment=report.assessment)
        content = report_content(report.assessment, report.language)
        pdf = html_to_pdf(report_html(content, identity))
        facts = _printed_facts(content)
    except SoftTimeLimitExceeded:  # the same document would take as long again
        return _fail(report, f"Rendering took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} seconds.")
    except Exception as exc:  # a template or data problem: the same input fails again, so stop here
        logger.exception("report %s failed", report.pk)
        return _fail(report, f"{type(exc).__name__}: {exc}")
    name = f"report-{report.assessment_id}-{report.language}-v{report.version}-{report.pk}.pdf"
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == Report.Status.READY:
            return report
        if report.file:
            report.file.delete(save=False)
        report.file.save(name, ContentFile(pdf), save=False)
        report.status = Report.Status.READY
        report.size = len(pdf)
        report.sha256 = hashlib.sha256(pdf).hexdigest()
        report.issued_at = identity.issued_at  # the date printed in this file, whichever attempt made it
        for field, value in facts.items():
            setattr(report, field, value)
        report.error = ""
        report.finished_at = timezone.now()
        report.save(update_fields=["file", "status", "size", "sha256", "issued_at", *facts, "error", "finished_at"])
        webhook_event_emit(
            organization_id=report.assessment.organization_id,
            event=Event.REPORT_READY,
            data={"report": report.pk, "assessment": report.assessment_id, "language": report.language},
        )
    return report


def stuck_jobs_sweep(model: Any, *, running: str, dispatch: Callable[[int], None]) -> list[int]:
    """Send the jobs of `model` (a job row with status, attempts, created/dispatched/started/finished) the broker
    never took (it was down), re-queue those stuck `running` (a killed worker) or queued too long (a lost message);
    fail a job after its last attempt. Reports and cohort exports share it."""
    stale = timezone.now() - timedelta(seconds=settings.REPORT_RENDER_TIMEOUT_SECONDS)
    queued = model.Status.QUEUED
    stuck = (
        model.objects.filter(status=running, started_at__lt=stale)
        | model.objects.filter(status=queued, created_at__lt=stale)
        | model.objects.filter(status=queued, dispatched_at=None)
    )
    requeued = []
    for job in stuck:
        if job.attempts >= settings.REPORT_MAX_ATTEMPTS:
            model.objects.filter(pk=job.pk, status=job.status).update(
                status=model.Status.FAILED,
                error=f"Gave up after {job.attempts} attempts (the worker stopped each time).",
                finished_at=timezone.now(),
            )
            continue
        requeued.append(job.pk)
        dispatch(job.pk)
    return requeued


def reports_sweep() -> list[int]:
    return stuck_jobs_sweep(Report, running=Report.Status.RENDERING, dispatch=_dispatch)
