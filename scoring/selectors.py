"""Reads for scoring: framework structures, answers as engine values, peer benchmarks."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Round

from assessment.models import Answer as AnswerRow
from assessment.models import Assessment, FrameworkVersion, Question
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
DISTRIBUTION_CACHE_SECONDS = 3600  # forgotten when a peer is added; the expiry only bounds staleness
BUCKET = Decimal("0.01")  # peers are compared at this resolution


@lru_cache(maxsize=64)
def _framework(version_id: int, content_hash: str) -> Framework:
    # Keyed by content hash too: a draft re-imported under the same id gets a fresh structure.
    return framework_from_document(framework_version_document(FrameworkVersion.objects.get(pk=version_id)))


def framework_structure(version: FrameworkVersion) -> Framework:
    """The engine's view of a framework version, built once per process."""
    return _framework(version.pk, version.content_hash)


@lru_cache(maxsize=64)
def _question_ids(version_id: int, content_hash: str) -> dict[str, int]:
    return dict(Question.objects.filter(version=version_id).values_list("key", "pk"))


def question_ids_by_key(version: FrameworkVersion) -> dict[str, int]:
    """Question primary keys by question key, read once per process (published versions never change)."""
    return _question_ids(version.pk, version.content_hash)


def engine_answer(row: AnswerRow, key: str | None = None) -> Answer:
    """An answer row as the engine's value; `key` spares loading `row.question` when known."""
    return Answer(
        question=key or row.question.key,
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
    rows = AnswerRow.objects.filter(assessment=assessment).annotate(key=F("question__key"))
    return {row.key: engine_answer(row, row.key) for row in rows}


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


@dataclass(frozen=True)
class Distribution:
    """A peer group's scores in hundredths of a point: distinct values, sorted, with cumulative counts."""

    hundredths: tuple[int, ...]
    cumulative: tuple[int, ...]  # cumulative[i] = peers scoring hundredths[i] or less
    organizations: int

    @property
    def count(self) -> int:
        return self.cumulative[-1] if self.cumulative else 0

    def below_and_equal(self, value: int) -> tuple[int, int]:
        index = bisect_left(self.hundredths, value)
        below = self.cumulative[index - 1] if index else 0
        equal = (
            self.cumulative[index] - below if index < len(self.hundredths) and self.hundredths[index] == value else 0
        )
        return below, equal

    def value_at(self, rank: int) -> int:
        """The score at a rank (0-based) of the sorted group."""
        return self.hundredths[min(bisect_right(self.cumulative, rank), len(self.hundredths) - 1)]

    def quartiles(self) -> tuple[Decimal, Decimal, Decimal]:
        """Interpolated between ranks, as PostgreSQL's percentile_cont does."""

        def at(fraction: Decimal) -> Decimal:
            position = fraction * (self.count - 1)
            low = int(position)
            below, above = self.value_at(low), self.value_at(min(low + 1, self.count - 1))
            return (below + (above - below) * (position - low)) / 100

        return (at(Decimal("0.25")), at(Decimal("0.5")), at(Decimal("0.75")))


def _hundredths(value: Decimal) -> int:
    return int(value.quantize(BUCKET) * 100)


def _cache_key(version_id: int, metric: str, peer_filter: PeerFilter) -> str:
    parts = (peer_filter.sector or "", peer_filter.size_band or "", peer_filter.province or "")
    return f"peers:v2:{version_id}:{metric}:{':'.join(parts)}"  # v2: the Distribution layout


def _distribution(queryset: QuerySet[Any], field: str, key: str) -> Distribution:
    """One GROUP BY over the group, cached: a lookup then scans nothing."""
    distribution = cache.get(key)
    if distribution is None:
        rows = (
            queryset.annotate(bucket=Round(field, 2)).values_list("bucket").annotate(n=Count("pk")).order_by("bucket")
        )
        values, counts = zip(*rows, strict=True) if rows else ((), ())
        distribution = Distribution(
            tuple(_hundredths(Decimal(v)) for v in values),
            tuple(accumulate(counts)),
            queryset.aggregate(n=Count("organization_id", distinct=True))["n"],
        )
        cache.set(key, distribution, DISTRIBUTION_CACHE_SECONDS)
    return distribution


def _standing(key: str, distribution: Distribution, own: list[int], value: Decimal) -> PeerStanding:
    """Count the peers below and level with `value`, the organisation's own scores taken out."""
    mark = _hundredths(value)
    below, equal = distribution.below_and_equal(mark)
    below -= sum(1 for v in own if v < mark)
    equal -= sum(1 for v in own if v == mark)
    peers = distribution.count - len(own)
    percentile = (Decimal(below) + Decimal(equal) / 2) * 100 / peers
    return PeerStanding(key, percentile, distribution.quartiles(), peers, None)


def peer_benchmark(result: AssessmentResult, peer_filter: PeerFilter | None = None) -> list[PeerStanding]:
    """Where a result stands among the submitted and finalised assessments of other organisations.

    Same framework version, optionally the same sector, size band or province. Scores are compared at
    0.01-point resolution from a cached distribution (one GROUP BY per group and metric, forgotten
    when a peer is added). Withheld when fewer than MIN_PEER_ORGANIZATIONS other organisations are in it.
    """
    peer_filter = peer_filter or PeerFilter()
    version = result.framework_version_id
    group = Q(framework_version_id=version, peer_group=True) & peer_filter.q()
    mine = Q(organization_id=result.organization_id)
    totals = _distribution(AssessmentResult.objects.filter(group), "total", _cache_key(version, "total", peer_filter))
    own_totals = [_hundredths(t) for t in AssessmentResult.objects.filter(group, mine).values_list("total", flat=True)]
    dimensions = list(result.dimension_results.order_by("pk"))
    others = totals.organizations - (1 if own_totals else 0)
    if others < MIN_PEER_ORGANIZATIONS:
        reason = f"fewer than {MIN_PEER_ORGANIZATIONS} other organisations in this peer group"
        keys = ["total", *(d.dimension for d in dimensions)]
        return [PeerStanding(key, None, None, others, reason) for key in keys]
    standings = [_standing("total", totals, own_totals, result.total)]
    own_scores: dict[str, list[int]] = {}
    for name, value in DimensionResult.objects.filter(group, mine).values_list("dimension", "score"):
        own_scores.setdefault(name, []).append(_hundredths(value))
    for dimension in dimensions:
        metric = dimension.dimension
        queryset = DimensionResult.objects.filter(group, dimension=metric)
        scores = _distribution(queryset, "score", _cache_key(version, metric, peer_filter))
        standings.append(_standing(metric, scores, own_scores.get(metric, []), dimension.score))
    return standings


def peer_cache_invalidate(results: list[tuple[AssessmentResult, list[str]]]) -> None:
    """Forget the cached distributions that peer results (with their dimension keys) belong to."""
    keys = {
        _cache_key(result.framework_version_id, metric, PeerFilter(sector, size_band, province))
        for result, dimensions in results
        for metric in ("total", *dimensions)
        for sector in (None, result.sector)
        for size_band in (None, result.size_band)
        for province in (None, result.province)
    }
    cache.delete_many(sorted(keys))


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
