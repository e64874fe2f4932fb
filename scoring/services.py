"""Writes for scoring: load rows → engine → save the result."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from assessment.models import Answer as AnswerRow
from assessment.models import Assessment
from scoring.engine import Answer, path_to_level, score
from scoring.engine.serialize import card_as_dict, path_as_dict
from scoring.models import AssessmentResult, DimensionResult
from scoring.selectors import assessment_answers, engine_answer, framework_structure, peer_cache_invalidate

SIX_PLACES = Decimal("0.000001")
PEER_STATUSES = frozenset({Assessment.Status.SUBMITTED, Assessment.Status.UNDER_REVIEW, Assessment.Status.FINALIZED})


def _stored(value: Decimal) -> Decimal:
    """A figure as the database keeps it (6 decimal places), so a fresh result reads like a stored one."""
    return value.quantize(SIX_PLACES)


def _path(assessment: Assessment, answers: Mapping[str, Answer]) -> dict[str, Any] | None:
    framework = framework_structure(assessment.framework_version)
    return path_as_dict(framework, path_to_level(framework, answers))


def _result_rows(
    assessment: Assessment, answers: Mapping[str, Answer], *, with_path: bool = True
) -> tuple[AssessmentResult, list[DimensionResult]]:
    """Score one assessment into unsaved result rows; the path (the costly part) only `with_path`."""
    framework = framework_structure(assessment.framework_version)
    card = score(framework, answers)
    organization = assessment.organization
    peer_group = assessment.status in PEER_STATUSES
    profile = {"sector": organization.sector, "size_band": organization.size_band, "province": organization.province}
    result = AssessmentResult(
        assessment=assessment,
        framework_version_id=assessment.framework_version_id,
        scoring_version=card.scoring_version,
        total=_stored(card.total),
        max_total=_stored(card.max_total),
        level=card.level,
        completeness=_stored(card.completeness),
        card=card_as_dict(card),
        path=_path(assessment, answers) if with_path else None,
        path_pending=not with_path,
        frozen=assessment.status not in Assessment.EDITABLE_STATUSES,
        computed_at=timezone.now(),
        answers_as_of=assessment.updated_at,
        peer_group=peer_group,
        organization=organization,
        **profile,
    )
    dimensions = [
        DimensionResult(
            result=result,
            framework_version_id=assessment.framework_version_id,
            organization=organization,
            dimension=d.key,
            score=_stored(d.score),
            max=_stored(d.max),
            peer_group=peer_group,
            **profile,
        )
        for d in card.dimensions
    ]
    return result, dimensions


def _save_results(rows: list[tuple[AssessmentResult, list[DimensionResult]]]) -> None:
    AssessmentResult.objects.bulk_create([r for r, _ in rows])
    DimensionResult.objects.bulk_create([d for _, dimensions in rows for d in dimensions])
    peers = [(result, [d.dimension for d in dimensions]) for result, dimensions in rows if result.peer_group]
    if peers:
        transaction.on_commit(lambda: peer_cache_invalidate(peers))


def _current(result: AssessmentResult, assessment: Assessment) -> bool:
    return result.frozen or result.answers_as_of == assessment.updated_at


@transaction.atomic
def assessment_score(
    *,
    assessment: Assessment,
    answers: Mapping[str, Answer] | None = None,
    force: bool = False,
    with_path: bool = True,
    locked: bool = False,
) -> AssessmentResult:
    """Score an assessment and store its result, under the assessment's row lock.

    A result that is still current (frozen, or scored from the answers as they are) is kept unless
    `force` (rescoring); its path is filled in if it is wanted and still pending. `answers` saves
    reading them again, and `locked` the lock, when the caller has them (assessment_submit).
    """
    if not locked:
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("organization", "framework_version")
            .get(pk=assessment.pk)
        )
    existing = AssessmentResult.objects.filter(assessment=assessment).first()
    if existing is not None and _current(existing, assessment) and not force:
        if with_path and existing.path_pending:
            existing.path = _path(assessment, assessment_answers(assessment) if answers is None else answers)
            existing.path_pending = False
            existing.save(update_fields=["path", "path_pending"])
        return existing
    if existing is not None:
        existing.delete()
    answers = assessment_answers(assessment) if answers is None else answers
    rows = _result_rows(assessment, answers, with_path=with_path)
    _save_results([rows])
    return rows[0]


def assessment_result(*, assessment: Assessment, with_path: bool = False) -> AssessmentResult:
    """The result of the answers as they are now; `with_path` when the path to the next level is needed.

    Writing answers does not score (it stays cheap), and submitting scores without the path: the first
    read after a change scores (or adds the path) and stores it, later reads use it. Uses
    `assessment.result` when it was loaded with the assessment.
    """
    result: AssessmentResult | None = getattr(assessment, "result", None)
    if result is not None and _current(result, assessment) and not (with_path and result.path_pending):
        return result
    return assessment_score(assessment=assessment, with_path=with_path)


@transaction.atomic
def results_rescore(*, assessment_ids: list[int]) -> int:
    """Recompute the results of many assessments with a handful of queries; frozen ones included."""
    assessments = list(
        Assessment.objects.filter(pk__in=assessment_ids).select_related("organization", "framework_version")
    )
    answers: dict[int, dict[str, Answer]] = {a.pk: {} for a in assessments}
    for row in AnswerRow.objects.filter(assessment_id__in=assessment_ids).select_related("question"):
        answers[row.assessment_id][row.question.key] = engine_answer(row)
    AssessmentResult.objects.filter(assessment__in=assessments).delete()
    _save_results([_result_rows(a, answers[a.pk]) for a in assessments])
    return len(assessments)
