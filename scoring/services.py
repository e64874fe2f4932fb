"""Writes for scoring: load rows → engine → save the result."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from assessment.models import Answer as AnswerRow
from assessment.models import Assessment
from scoring.engine import Answer, path_to_level, score
from scoring.engine.serialize import card_as_dict, path_as_dict
from scoring.models import AssessmentResult, DimensionResult
from scoring.selectors import assessment_answers, engine_answer, framework_structure, peer_cache_invalidate

PEER_STATUSES = frozenset({Assessment.Status.SUBMITTED, Assessment.Status.UNDER_REVIEW, Assessment.Status.FINALIZED})


def _result_rows(
    assessment: Assessment, answers: Mapping[str, Answer]
) -> tuple[AssessmentResult, list[DimensionResult]]:
    """Score one assessment into unsaved result rows."""
    framework = framework_structure(assessment.framework_version)
    card = score(framework, answers)
    organization = assessment.organization
    peer_group = assessment.status in PEER_STATUSES
    profile = {"sector": organization.sector, "size_band": organization.size_band, "province": organization.province}
    result = AssessmentResult(
        assessment=assessment,
        framework_version_id=assessment.framework_version_id,
        scoring_version=card.scoring_version,
        total=card.total,
        max_total=card.max_total,
        level=card.level,
        completeness=card.completeness,
        card=card_as_dict(card),
        path=path_as_dict(framework, path_to_level(framework, answers)),
        frozen=assessment.status not in Assessment.EDITABLE_STATUSES,
        computed_at=timezone.now(),
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
            score=d.score,
            max=d.max,
            peer_group=peer_group,
            **profile,
        )
        for d in card.dimensions
    ]
    return result, dimensions


def _replace_results(rows: list[tuple[AssessmentResult, list[DimensionResult]]]) -> None:
    AssessmentResult.objects.filter(assessment__in=[r.assessment for r, _ in rows]).delete()
    AssessmentResult.objects.bulk_create([r for r, _ in rows])
    DimensionResult.objects.bulk_create([d for _, dimensions in rows for d in dimensions])
    peers = [(result, [d.dimension for d in dimensions]) for result, dimensions in rows if result.peer_group]
    if peers:
        transaction.on_commit(lambda: peer_cache_invalidate(peers))


@transaction.atomic
def assessment_score(*, assessment: Assessment, force: bool = False) -> AssessmentResult:
    """Score an assessment and store its result; a frozen result is kept unless `force` (rescoring)."""
    existing = AssessmentResult.objects.filter(assessment=assessment).first()
    if existing is not None and existing.frozen and not force:
        return existing
    rows = _result_rows(assessment, assessment_answers(assessment))
    _replace_results([rows])
    return rows[0]


def assessment_result(*, assessment: Assessment) -> AssessmentResult:
    """The stored result; scored now if the assessment has none yet (created before results existed)."""
    return AssessmentResult.objects.filter(assessment=assessment).first() or assessment_score(assessment=assessment)


@transaction.atomic
def results_rescore(*, assessment_ids: list[int]) -> int:
    """Recompute the results of many assessments with a handful of queries; frozen ones included."""
    assessments = list(
        Assessment.objects.filter(pk__in=assessment_ids).select_related("organization", "framework_version")
    )
    answers: dict[int, dict[str, Answer]] = {a.pk: {} for a in assessments}
    for row in AnswerRow.objects.filter(assessment_id__in=assessment_ids).select_related("question"):
        answers[row.assessment_id][row.question.key] = engine_answer(row)
    _replace_results([_result_rows(a, answers[a.pk]) for a in assessments])
    return len(assessments)
