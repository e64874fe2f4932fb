"""Writes for scoring: store the result of an assessment's answers (load rows → engine → save)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Q
from django.db.models.functions import Now
from django.utils import timezone

from assessment.collector import cyclic_gc_paused
from assessment.models import Assessment, FrameworkVersion
from scoring.engine import Answer
from scoring.models import AssessmentResult, DimensionResult, RescoreChunk, RescoreRun
from scoring.peers import peer_distributions_rebuild, peer_distributions_update
from scoring.selectors import answers_of, assessment_answers, result_details_add, result_is_current, result_rows
from scoring.signals import results_deleted

Figures = dict[str, tuple[Decimal, Decimal]]  # a result's dimensions as compared: key → (score, max)


def _figures(results: list[AssessmentResult]) -> dict[int, Figures]:
    figures: dict[int, Figures] = {r.pk: {} for r in results}
    rows = DimensionResult.objects.filter(result__in=results).values_list("result_id", "dimension", "score", "max")
    for result_id, dimension, figure, maximum in rows:
        figures[result_id][dimension] = (figure, maximum)
    return figures


def _latest_peers_only(groups: set[tuple[int, int]]) -> list[tuple[AssessmentResult, Figures]]:
    """Keep one peer result per organisation and framework version, that of the latest submission; return
    the results taken out of their peer groups (with their dimensions' figures). One query for all groups."""
    candidates = (
        AssessmentResult.objects.filter(
            organization_id__in={o for o, _ in groups}, framework_version_id__in={v for _, v in groups}, peer_group=True
        )
        .select_related("organization")
        .defer("card", "path")
        .order_by("organization_id", "framework_version_id", "-assessment__submitted_at", "-assessment_id")
    )
    seen: set[tuple[int, int]] = set()
    older: list[AssessmentResult] = []
    for result in candidates:
        group = (result.organization_id, result.framework_version_id)
        if group in groups and group in seen:
            older.append(result)
        seen.add(group)
    if not older:
        return []
    AssessmentResult.objects.filter(pk__in=[r.pk for r in older]).update(peer_group=False)
    DimensionResult.objects.filter(result__in=older).update(peer_group=False)
    figures = _figures(older)
    return [(result, figures[result.pk]) for result in older]


def _save_results(rows: list[tuple[AssessmentResult, list[DimensionResult]]]) -> None:
    AssessmentResult.objects.bulk_create([result for result, _ in rows])  # as VALUES lists (ExactJSONField)
    DimensionResult.objects.bulk_create([d for _, dimensions in rows for d in dimensions])
    joined = [
        (result, {d.dimension: (d.score, d.max) for d in dimensions})
        for result, dimensions in rows
        if result.peer_group
    ]
    if joined:
        left = _latest_peers_only({(r.organization_id, r.framework_version_id) for r, _ in joined})
        transaction.on_commit(lambda: peer_distributions_update(joined=joined, left=left))


def _results_delete(results: list[AssessmentResult]) -> None:
    """Delete stored results (read without their card and path); those among peers leave their groups'
    distributions on commit, and `results_deleted` tells who else keeps figures derived from them.

    Two plain DELETEs: Django's collector would load every result whole (its ~10 KB card) and send a signal
    per row, which costs more than the rescoring itself (docs/performance.md)."""
    if not results:
        return
    left = [r for r in results if r.peer_group]
    if left:
        figures = _figures(left)
        gone = [(r, figures[r.pk]) for r in left]
        transaction.on_commit(lambda: peer_distributions_update(joined=[], left=gone))
    ids = [r.pk for r in results]
    DimensionResult.objects.filter(result_id__in=ids).delete()
    AssessmentResult.objects.filter(pk__in=ids)._raw_delete(AssessmentResult.objects.db)
    results_deleted.send(AssessmentResult, organization_ids={r.organization_id for r in results if r.frozen})


@transaction.atomic
def assessment_result_ensure(
    *,
    assessment: Assessment,
    answers: Mapping[str, Answer] | None = None,
    with_path: bool = True,
    force: bool = False,
    locked: bool = False,
) -> AssessmentResult:
    """Store the result of the answers as they are, under the assessment's row lock; return it.

    A stored result that is still current (frozen, or scored from the answers as they are) is kept
    unless `force` (rescoring); its path is added if wanted and still pending. `answers` saves
    reading them again, and `locked` the lock, when the caller has them (assessment_submit).
    """
    if not locked:
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("organization", "framework_version")
            .get(pk=assessment.pk)
        )
    existing = AssessmentResult.objects.filter(assessment=assessment).first()
    if existing is not None and result_is_current(existing, assessment) and not force:
        changed = result_details_add(existing, assessment, answers, with_path=with_path)
        if changed:
            existing.save(update_fields=changed)
        return existing
    if existing is not None:
        _results_delete([existing])
    rows = result_rows(assessment, assessment_answers(assessment) if answers is None else answers, with_path=with_path)
    _save_results([rows])
    return rows[0]


@transaction.atomic
def results_rescore(*, assessment_ids: list[int], with_path: bool = True) -> int:
    """Recompute and store the results of many assessments with a handful of queries; frozen ones included.
    Without `with_path` each path and the card's explanations are left pending: worked out on first read, and
    stored by the sweeper."""
    assessments = list(Assessment.objects.filter(pk__in=assessment_ids).select_related("organization"))
    # Each version once, not joined to every assessment: its plan and guidance are large documents.
    versions = FrameworkVersion.objects.in_bulk({a.framework_version_id for a in assessments})
    for assessment in assessments:
        assessment.framework_version = versions[assessment.framework_version_id]
    answers = answers_of(a.pk for a in assessments)
    old = AssessmentResult.objects.filter(assessment__in=assessments).defer("card", "path")
    _results_delete(list(old.select_related("organization")))
    # Without the path, the explanations wait too: they were half of the cost of storing a result.
    _save_results([result_rows(a, answers[a.pk], with_path=with_path, explained=with_path) for a in assessments])
    return len(assessments)


def results_sweep(*, batch: int = 200, seconds: float | None = None) -> int:
    """Store the path and explanations of submitted results still without them: their task was lost (the broker
    was down), or `manage.py rescore` left them pending. Batch after batch while any are left, until `seconds`
    have passed (half the sweep interval by default: after a rescore of a million results a worker process
    catches up in hours, not days, and is free half of the time meanwhile); return how many were stored."""
    deadline = time.monotonic() + (settings.SWEEP_INTERVAL_SECONDS / 2 if seconds is None else seconds)
    stored = 0
    while True:
        waited = timezone.now() - timedelta(seconds=settings.SWEEP_INTERVAL_SECONDS)
        pending = AssessmentResult.objects.filter(frozen=True, path_pending=True, computed_at__lt=waited)
        assessments = list(Assessment.objects.filter(pk__in=pending.values("assessment_id")[:batch]))
        for assessment in assessments:
            assessment_result_ensure(assessment=assessment)
        stored += len(assessments)
        if len(assessments) < batch or time.monotonic() >= deadline:
            return stored


def peer_distributions_rebuild_all() -> int:
    """Rebuild the cached peer distributions of every framework version (beat): repairs lost updates and
    counts organisations that became established since."""
    versions = FrameworkVersion.objects.order_by("pk").values_list("pk", flat=True)
    return sum(peer_distributions_rebuild(version_id=pk) for pk in versions)


@transaction.atomic
def rescore_run_start(*, framework: str = "", with_path: bool = False, chunk_size: int = 500) -> RescoreRun:
    """The unfinished run of this framework (`""`: all), to resume; else a new run of every assessment, in chunks."""
    running = RescoreRun.objects.select_for_update().filter(framework=framework, status=RescoreRun.Status.RUNNING)
    run = running.order_by("pk").first()
    if run is not None:
        return run
    assessments = Assessment.objects.order_by("pk")
    if framework:
        assessments = assessments.filter(framework_version__framework__slug=framework)
    ids = list(assessments.values_list("pk", flat=True))
    run = RescoreRun.objects.create(framework=framework, with_path=with_path, assessments=len(ids))
    RescoreChunk.objects.bulk_create(
        RescoreChunk(run=run, position=n, assessment_ids=ids[start : start + chunk_size])
        for n, start in enumerate(range(0, len(ids), chunk_size))
    )
    _rescore_run_finish(run.pk)  # nothing to do: done at once
    return run


def _rescore_run_finish(run_id: int) -> None:
    unfinished = RescoreChunk.objects.filter(run_id=run_id).exclude(status=RescoreChunk.Status.DONE)
    RescoreRun.objects.filter(pk=run_id, status=RescoreRun.Status.RUNNING).exclude(Exists(unfinished)).update(
        status=RescoreRun.Status.DONE, finished_at=timezone.now()
    )


def rescore_chunk_run(*, chunk_id: int) -> bool:
    """Claim a chunk (pending, or running past its lease: its worker died) and rescore it in one transaction
    that also marks it done; False when it is done or another process holds it.

    A worker that dies mid-chunk rolls its transaction back, so the chunk is redone whole once its lease
    passes; one that is only slow keeps the chunk's row locked, so nobody can claim it until it has committed
    (and then it is done).
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.RESCORE_CHUNK_LEASE_SECONDS)
    claimable = Q(status=RescoreChunk.Status.PENDING) | Q(status=RescoreChunk.Status.RUNNING, lease_until__lt=now)
    claimed = RescoreChunk.objects.filter(claimable, pk=chunk_id).update(
        status=RescoreChunk.Status.RUNNING, attempts=F("attempts") + 1, lease_until=now + lease, started_at=Now()
    )
    if not claimed:
        return False
    attempt = RescoreChunk.objects.values_list("attempts", flat=True).get(pk=chunk_id)
    with transaction.atomic(), cyclic_gc_paused():  # a third of a chunk's CPU was the collector's
        chunk = (
            RescoreChunk.objects.select_for_update(of=("self",))  # not the run's row: chunks run side by side
            .select_related("run")
            .filter(pk=chunk_id, status=RescoreChunk.Status.RUNNING, attempts=attempt)
            .first()
        )
        if chunk is None:  # the lease ran out before the lock was taken, and another process has the chunk
            return False
        chunk.rescored = results_rescore(assessment_ids=chunk.assessment_ids, with_path=chunk.run.with_path)
        chunk.status, chunk.finished_at = RescoreChunk.Status.DONE, Now()
        chunk.save(update_fields=["rescored", "status", "finished_at"])
    _rescore_run_finish(chunk.run_id)
    return True


def rescore_chunks_enqueue(*, run_id: int | None = None) -> int:
    """Send the chunks that need a worker: pending ones never sent (or sent a lease ago: the message was
    lost), running ones past their lease; return how many were sent."""
    from scoring.tasks import rescore_chunk_task  # the tasks module imports this one

    now = timezone.now()
    stale = now - timedelta(seconds=settings.RESCORE_CHUNK_LEASE_SECONDS)
    chunks = RescoreChunk.objects.filter(run__status=RescoreRun.Status.RUNNING).filter(
        Q(status=RescoreChunk.Status.PENDING, enqueued_at__isnull=True)
        | Q(status=RescoreChunk.Status.PENDING, enqueued_at__lt=stale)
        | Q(status=RescoreChunk.Status.RUNNING, lease_until__lt=now)
    )
    if run_id is not None:
        chunks = chunks.filter(run_id=run_id)
    ids = list(chunks.order_by("position").values_list("pk", flat=True))
    for chunk_id in ids:
        rescore_chunk_task.delay(chunk_id)
        RescoreChunk.objects.filter(pk=chunk_id).update(enqueued_at=now)
    return len(ids)
