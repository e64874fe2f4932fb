"""Reads for scoring: framework structures, answers as engine values, peer benchmarks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet

from assessment.models import Answer as AnswerRow
from assessment.models import Assessment, FrameworkVersion
from assessment.selectors import framework_version_document
from scoring.engine import (
    Answer,
    Framework,
    apply_changes,
    framework_from_document,
    parse_answers,
    path_to_level,
    score,
)
from scoring.engine.serialize import card_as_dict, path_as_dict
from scoring.models import AssessmentResult, DimensionResult

MIN_PEER_ORGANIZATIONS = 5  # fewer peers than this could identify one another
QUARTILES_CACHE_SECONDS = 600  # the distribution drawn in charts may lag submissions by this much


@lru_cache(maxsize=64)
def _framework(version_id: int, content_hash: str) -> Framework:
    # Keyed by content hash too: a draft re-imported under the same id gets a fresh structure.
    return framework_from_document(framework_version_document(FrameworkVersion.objects.get(pk=version_id)))


def framework_structure(version: FrameworkVersion) -> Framework:
    """The engine's view of a framework version, built once per process."""
    return _framework(version.pk, version.content_hash)


def engine_answer(row: AnswerRow) -> Answer:
    return Answer(
        question=row.question.key,
        choices=tuple(row.option_keys or ()),
        chosen=row.option_keys is not None,
        number=row.number,
        level=row.level,
        before=row.before_value,
        after=row.after_value,
        yes=row.boolean,
        text=row.text or None,
        not_applicable=row.not_applicable,
        evidence=row.evidence,
        comment=row.comment,
    )


def assessment_answers(assessment: Assessment) -> dict[str, Answer]:
    rows = AnswerRow.objects.filter(assessment=assessment).select_related("question")
    return {row.question.key: engine_answer(row) for row in rows}


@dataclass(frozen=True)
class PeerFilter:
    sector: str | None = None
    size_band: str | None = None
    province: str | None = None

    def q(self) -> Q:
        return Q(**{k: v for k, v in self.__dict__.items() if v})


@dataclass(frozen=True)
class PeerStanding:
    key: str  # "total" or a dimension key
    percentile: Decimal | None  # 0–100: share of peers scoring lower, ties counted half
    quartiles: tuple[Decimal, Decimal, Decimal] | None
    peers: int
    withheld: str | None  # why the comparison is not shown


def _quartiles(queryset: QuerySet[Any], field: str, count: int) -> tuple[Decimal, Decimal, Decimal]:
    if connection.vendor == "postgresql":
        sql, params = queryset.values(field).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY v.{field}) FROM ({sql}) AS v",
                params,
            )
            values = cursor.fetchone()[0]
        return (Decimal(str(values[0])), Decimal(str(values[1])), Decimal(str(values[2])))
    ordered = queryset.order_by(field).values_list(field, flat=True)

    def at(fraction: Decimal) -> Decimal:  # linear interpolation, as percentile_cont does
        position = fraction * (count - 1)
        low = int(position)
        pair = list(ordered[low : low + 2])
        return pair[0] + (pair[-1] - pair[0]) * (position - low)

    return (at(Decimal("0.25")), at(Decimal("0.5")), at(Decimal("0.75")))


def _standing(key: str, group: QuerySet[Any], mine: Q, field: str, value: Decimal) -> PeerStanding:
    """One query for the counts (the organisation's own rows left out); quartiles cached briefly."""
    others = ~mine
    counts = group.aggregate(
        peers=Count("pk", filter=others),
        below=Count("pk", filter=others & Q(**{f"{field}__lt": value})),
        equal=Count("pk", filter=others & Q(**{field: value})),
        everyone=Count("pk"),
    )
    percentile = (Decimal(counts["below"]) + Decimal(counts["equal"]) / 2) * 100 / counts["peers"]
    cache_key = "peer-quartiles:" + hashlib.sha256(str(group.query).encode()).hexdigest()
    quartiles = cache.get(cache_key)
    if quartiles is None:
        quartiles = _quartiles(group, field, counts["everyone"])
        cache.set(cache_key, quartiles, QUARTILES_CACHE_SECONDS)
    return PeerStanding(key, percentile, quartiles, counts["peers"], None)


def peer_benchmark(result: AssessmentResult, peer_filter: PeerFilter | None = None) -> list[PeerStanding]:
    """Where a result stands among the submitted and finalised assessments of other organisations.

    Same framework version, optionally the same sector, size band or province. Withheld when fewer
    than MIN_PEER_ORGANIZATIONS other organisations are in the group.
    """
    peer_filter = peer_filter or PeerFilter()
    group = Q(framework_version_id=result.framework_version_id, peer_group=True) & peer_filter.q()
    mine = Q(organization_id=result.organization_id)
    dimensions = list(result.dimension_results.order_by("pk"))
    others = AssessmentResult.objects.filter(group).exclude(mine).values("organization_id").distinct()
    organizations = len(others[:MIN_PEER_ORGANIZATIONS])
    if organizations < MIN_PEER_ORGANIZATIONS:
        reason = f"fewer than {MIN_PEER_ORGANIZATIONS} other organisations in this peer group"
        keys = ["total", *(d.dimension for d in dimensions)]
        return [PeerStanding(key, None, None, organizations, reason) for key in keys]
    standings = [_standing("total", AssessmentResult.objects.filter(group), mine, "total", result.total)]
    for dimension in dimensions:
        scores = DimensionResult.objects.filter(group, dimension=dimension.dimension)
        standings.append(_standing(dimension.dimension, scores, mine, "score", dimension.score))
    return standings


def assessment_what_if(assessment: Assessment, changes: Any) -> dict[str, Any]:
    """Score the stored answers with hypothetical changes (answer-format items); nothing is saved.

    Raises AnswerSetError for invalid changes.
    """
    framework = framework_structure(assessment.framework_version)
    answers = apply_changes(assessment_answers(assessment), parse_answers(framework, changes).values())
    return {
        **card_as_dict(score(framework, answers)),
        "next_level_path": path_as_dict(framework, path_to_level(framework, answers)),
    }
