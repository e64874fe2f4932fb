"""Writes for scoring: store the result of an assessment's answers (load rows → engine → save)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessment.models import Assessment
from scoring.engine import Answer
from scoring.models import AssessmentResult, DimensionResult
from scoring.peers import peer_cache_invalidate
from scoring.selectors import answers_of, assessment_answers, path_data, result_is_current, result_rows


def _latest_peers_only(groups: set[tuple[int, int]]) -> list[tuple[AssessmentResult, list[str]]]:
    """Keep one peer result per organisation and framework version, that of the latest submission; return
    the results taken out of their peer groups (with their dimension keys)."""
    demoted: list[tuple[AssessmentResult, list[str]]] = []
    for organization_id, version_id in groups:
        results = AssessmentResult.objects.filter(
            organization_id=organization_id, framework_version_id=version_id, peer_group=True
        ).order_by("-assessment__submitted_at", "-assessment_id")
        older = list(results[1:])
        if older:
            AssessmentResult.objects.filter(pk__in=[r.pk for r in older]).update(peer_group=False)
            DimensionResult.objects.filter(result__in=older).update(peer_group=False)
            keys = list(DimensionResult.objects.filter(result=older[0]).values_list("dimension", flat=True))
            demoted.extend((result, keys) for result in older)
    return demoted


def _save_results(rows: list[tuple[AssessmentResult, list[DimensionResult]]]) -> None:
    AssessmentResult.objects.bulk_create([r for r, _ in rows])
    DimensionResult.objects.bulk_create([d for _, dimensions in rows for d in dimensions])
    peers = [(result, [d.dimension for d in dimensions]) for result, dimensions in rows if result.peer_group]
    if peers:
        peers += _latest_peers_only({(r.organization_id, r.framework_version_id) for r, _ in peers})
        transaction.on_commit(lambda: peer_cache_invalidate(peers))


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
        if with_path and existing.path_pending:
            existing.path = path_data(assessment, assessment_answers(assessment) if answers is None else answers)
            existing.path_pending = False
            existing.save(update_fields=["path", "path_pending"])
        return existing
    if existing is not None:
        existing.delete()
    rows = result_rows(assessment, assessment_answers(assessment) if answers is None else answers, with_path=with_path)
    _save_results([rows])
    return rows[0]


@transaction.atomic
def results_rescore(*, assessment_ids: list[int]) -> int:
    """Recompute and store the results of many assessments with a handful of queries; frozen ones included."""
    assessments = list(
        Assessment.objects.filter(pk__in=assessment_ids).select_related("organization", "framework_version")
    )
    answers = answers_of(a.pk for a in assessments)
    AssessmentResult.objects.filter(assessment__in=assessments).delete()
    _save_results([result_rows(a, answers[a.pk]) for a in assessments])
    return len(assessments)


def results_sweep(*, batch: int = 200) -> int:
    """Add the path to submitted results still without one: their task was lost (the broker was down)."""
    waited = timezone.now() - timedelta(seconds=settings.SWEEP_INTERVAL_SECONDS)
    pending = AssessmentResult.objects.filter(frozen=True, path_pending=True, computed_at__lt=waited)
    assessments = Assessment.objects.filter(pk__in=pending.values("assessment_id")[:batch])
    for assessment in assessments:
        assessment_result_ensure(assessment=assessment)
    return len(assessments)
