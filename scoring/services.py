"""Writes for scoring: load rows → engine → save the result."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from assessment.models import Assessment
from scoring.engine import path_to_level, score
from scoring.engine.serialize import card_as_dict, path_as_dict
from scoring.models import AssessmentResult, DimensionResult
from scoring.selectors import assessment_answers, framework_structure

PEER_STATUSES = frozenset({Assessment.Status.SUBMITTED, Assessment.Status.UNDER_REVIEW, Assessment.Status.FINALIZED})


@transaction.atomic
def assessment_score(*, assessment: Assessment, force: bool = False) -> AssessmentResult:
    """Score an assessment and store its result; a frozen result is kept unless `force` (rescoring)."""
    existing = AssessmentResult.objects.filter(assessment=assessment).first()
    if existing is not None and existing.frozen and not force:
        return existing
    framework = framework_structure(assessment.framework_version)
    answers = assessment_answers(assessment)
    card = score(framework, answers)
    path = path_to_level(framework, answers)
    organization = assessment.organization
    frozen = assessment.status not in Assessment.EDITABLE_STATUSES
    peer_group = assessment.status in PEER_STATUSES
    values = {
        "framework_version": assessment.framework_version,
        "scoring_version": card.scoring_version,
        "total": card.total,
        "max_total": card.max_total,
        "level": card.level,
        "completeness": card.completeness,
        "card": card_as_dict(card),
        "path": path_as_dict(framework, path),
        "frozen": frozen,
        "computed_at": timezone.now(),
        "peer_group": peer_group,
        "organization": organization,
        "sector": organization.sector,
        "size_band": organization.size_band,
        "province": organization.province,
    }
    result, _ = AssessmentResult.objects.update_or_create(assessment=assessment, defaults=values)
    result.dimension_results.all().delete()
    DimensionResult.objects.bulk_create(
        DimensionResult(
            result=result,
            framework_version=assessment.framework_version,
            organization=organization,
            dimension=d.key,
            score=d.score,
            max=d.max,
            peer_group=peer_group,
            sector=organization.sector,
            size_band=organization.size_band,
            province=organization.province,
        )
        for d in card.dimensions
    )
    return result
