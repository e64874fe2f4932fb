"""Peer benchmarks: where a result stands among other organisations' submitted results."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Round
from django.utils.translation import gettext

from scoring.models import AssessmentResult, DimensionResult

MIN_PEER_ORGANIZATIONS = 5  # fewer peers than this could identify one another
DISTRIBUTION_CACHE_SECONDS = 3600  # forgotten when a peer is added; the expiry only bounds staleness
BUCKET = Decimal("0.01")  # peers are compared at this resolution
PEER_PROFILE = ("sector", "size_band", "province")  # what a peer group may be narrowed by


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
    dimensions = [(d["key"], Decimal(d["score"])) for d in result.card["dimensions"]]
    others = totals.organizations - (1 if own_totals else 0)
    if others < MIN_PEER_ORGANIZATIONS:
        reason = gettext("fewer than %(count)s other organisations in this peer group") % {
            "count": MIN_PEER_ORGANIZATIONS
        }
        return [PeerStanding(key, None, None, others, reason) for key in ("total", *(k for k, _ in dimensions))]
    standings = [_standing("total", totals, own_totals, result.total)]
    own_scores: dict[str, list[int]] = {}
    for name, value in DimensionResult.objects.filter(group, mine).values_list("dimension", "score"):
        own_scores.setdefault(name, []).append(_hundredths(value))
    for metric, value in dimensions:
        queryset = DimensionResult.objects.filter(group, dimension=metric)
        scores = _distribution(queryset, "score", _cache_key(version, metric, peer_filter))
        standings.append(_standing(metric, scores, own_scores.get(metric, []), value))
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
