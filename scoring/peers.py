"""Peer benchmarks: where a result stands among other organisations' submitted results.

The benchmark must not let anyone learn another organisation's score, however many organisations they
control (docs/peers.md says why each rule is there):
- a peer is an established organisation: it has a unified social credit code and has existed for
  PEER_MIN_AGE_DAYS, so fresh sign-ups cannot fill a group around a victim;
- each organisation counts once, with its latest submitted result of the framework version;
- scores are compared and published in bands of PEER_RESOLUTION_PERCENT of the maximum (5 points of 100),
  so even a group of an attacker's making reveals no more than the band a score is in;
- the percentile needs PEER_MIN_ORGANIZATIONS other organisations, the quartiles PEER_MIN_FOR_QUARTILES;
- the asking organisation is never among its own peers.

Unless a group is asked for, the narrowest of PEER_GROUPS large enough is chosen (peer_comparison).
A dimension without points (MIIT's 数字化经营, judged by scenario levels) is compared by its scenarios'
average level, 0–TOP_SCENARIO_LEVEL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DecimalField, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Floor, Least
from django.utils import timezone
from django.utils.translation import gettext

from scoring.engine import NodeScore, ScoreCard
from scoring.engine.numbers import PRECISION
from scoring.models import AssessmentResult, DimensionResult

DISTRIBUTION_CACHE_SECONDS = 3600  # forgotten when a peer is added; the expiry only bounds staleness
PEER_PROFILE = ("sector", "size_band", "province")  # what a peer group may be narrowed by
# The groups the automatic choice considers, widest first, each narrowing the one before: what a firm
# does digitally depends most on its sector, then on its size; the region matters least.
PEER_GROUPS: tuple[tuple[str, ...], ...] = ((), ("sector",), ("sector", "size_band"), PEER_PROFILE)
QUARTILES = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))
TOP_SCENARIO_LEVEL = 4  # a node judged by scenario levels is shown and compared as its average level out of this

Measure = Literal["points", "scenario_level"]


@dataclass(frozen=True)
class PeerFilter:
    sector: str | None = None
    size_band: str | None = None
    province: str | None = None

    def q(self) -> Q:
        return Q(**{k: v for k, v in self.__dict__.items() if v})

    @property
    def fields(self) -> dict[str, str]:
        """The profile values the group is narrowed by, in PEER_PROFILE order."""
        return {name: value for name in PEER_PROFILE if (value := getattr(self, name))}

    def admits(self, sector: str, size_band: str, province: str) -> bool:
        profile = {"sector": sector, "size_band": size_band, "province": province}
        return all(profile[name] == value for name, value in self.fields.items())


@dataclass(frozen=True)
class Metric:
    """A figure results are compared by: the total, or a dimension's points or its average scenario level."""

    key: str  # "total" or a dimension key
    score: Decimal
    max: Decimal
    measure: Measure


@dataclass(frozen=True)
class PeerStanding:
    key: str  # "total" or a dimension key
    percentile: Decimal | None  # 0–100: share of peers in lower bands, those in the same band counted half
    quartiles: tuple[Decimal, Decimal, Decimal] | None  # the middles of the bands Q1, the median and Q3 are in
    peers: int  # other organisations compared with
    withheld: str | None  # why the comparison is not shown
    score: Decimal  # the result's own figure that was compared
    max: Decimal
    measure: Measure  # "scenario_level": a dimension without points, by its average level (max 4)


@dataclass(frozen=True)
class PeerComparison:
    filter: PeerFilter  # the group: the framework version and these profile values
    automatic: bool  # chosen by peer_comparison, not asked for
    standings: tuple[PeerStanding, ...]  # the total first, then each compared dimension

    @property
    def peers(self) -> int:
        return self.standings[0].peers


@dataclass(frozen=True)
class Bands:
    """How a metric's scores are cut: `count` bands of `width` points from 0; full marks in the top one."""

    width: Decimal
    count: int

    @classmethod
    def of(cls, maximum: Decimal) -> Bands:
        count = 100 // settings.PEER_RESOLUTION_PERCENT
        return cls(maximum / count if maximum > 0 else Decimal(1), count)

    def band(self, score: Decimal) -> int:
        return max(0, min(int(score / self.width), self.count - 1))

    def middle(self, band: int) -> Decimal:
        return (band + Decimal("0.5")) * self.width


@dataclass(frozen=True)
class Distribution:
    """A peer group's organisations per band of one metric."""

    counts: tuple[int, ...]  # counts[band] = organisations whose score is in that band

    @property
    def organizations(self) -> int:
        return sum(self.counts)

    def without(self, bands: list[int]) -> Distribution:
        counts = list(self.counts)
        for band in bands:
            # Never below zero: a distribution cached just before the organisation became established
            # (it is forgotten within DISTRIBUTION_CACHE_SECONDS) does not hold it yet.
            counts[band] = max(0, counts[band] - 1)
        return Distribution(tuple(counts))

    def below_and_equal(self, band: int) -> tuple[int, int]:
        return sum(self.counts[:band]), self.counts[band]

    def band_at(self, rank: int) -> int:
        """The band of the organisation at a rank (0-based) of the group sorted by score."""
        seen = 0
        for band, count in enumerate(self.counts):
            seen += count
            if rank < seen:
                return band
        raise IndexError(rank)

    def quartile_bands(self) -> tuple[int, int, int]:
        """The bands at the nearest ranks to the quartiles: no interpolation that would say more."""
        last = self.organizations - 1
        ranks = [int((fraction * last).quantize(Decimal(1), ROUND_HALF_UP)) for fraction in QUARTILES]
        low, median, high = (self.band_at(rank) for rank in ranks)
        return low, median, high


def _scenario_keys(node: NodeScore) -> list[str]:
    return [*node.questions, *(key for child in node.children for key in _scenario_keys(child))]


def scenario_average(card: ScoreCard, node: NodeScore) -> Decimal | None:
    """The average level (0–4) of a node's scenarios; None when it has none."""
    levels = [card.scenario_levels[key] for key in _scenario_keys(node) if key in card.scenario_levels]
    return (Decimal(sum(levels)) / len(levels)).quantize(PRECISION) if levels else None


def dimension_metric(card: ScoreCard, node: NodeScore) -> Metric:
    """A dimension as compared: its points, or, without points, its scenarios' average level out of 4."""
    average = None if node.max else scenario_average(card, node)
    if average is None:
        return Metric(node.key, node.score, node.max, "points")
    return Metric(node.key, average, Decimal(TOP_SCENARIO_LEVEL), "scenario_level")


def compared_metrics(card: ScoreCard) -> list[Metric]:
    """The total, then every dimension that has something to compare (points or scenarios)."""
    dimensions = [dimension_metric(card, d) for d in card.dimensions]
    return [Metric("total", card.total, card.max_total, "points"), *(m for m in dimensions if m.max)]


def _cache_key(version_id: int, metric: str, peer_filter: PeerFilter) -> str:
    parts = (peer_filter.sector or "", peer_filter.size_band or "", peer_filter.province or "")
    return f"peers:v4:{version_id}:{metric}:{':'.join(parts)}"  # v4: scenario dimensions by their average level


def _established() -> Q:
    """Organisations that count as peers: a credit code, and old enough that no sign-up spree counts."""
    cutoff = timezone.now() - timedelta(days=settings.PEER_MIN_AGE_DAYS)
    return Q(organization__created_at__lte=cutoff) & ~Q(organization__uscc="")


def _counter(queryset: QuerySet[Any], field: str, bands: Bands) -> Callable[[], Distribution]:
    """What counts a group's organisations per band of `field`: one GROUP BY, run only when called."""
    return lambda: _count_bands(queryset, field, bands)


def _count_bands(queryset: QuerySet[Any], field: str, bands: Bands) -> Distribution:
    """The group's organisations per band: one GROUP BY over the bands."""
    width = Value(bands.width, output_field=DecimalField())
    band = Least(Floor(F(field) / width), Value(bands.count - 1), output_field=IntegerField())
    rows = queryset.annotate(band=band).values_list("band").annotate(n=Count("pk")).order_by()
    counts = [0] * bands.count
    for found, n in rows:
        counts[max(0, int(found))] += n
    return Distribution(tuple(counts))


def _distributions(wanted: dict[str, Callable[[], Distribution]]) -> dict[str, Distribution]:
    """The distributions under these cache keys: one cache read for all, and each one not cached counted
    (a GROUP BY) and cached. A warm lookup then scans nothing."""
    found: dict[str, Distribution] = cache.get_many(list(wanted))
    missing = {key: count() for key, count in wanted.items() if key not in found}
    if missing:
        cache.set_many(missing, DISTRIBUTION_CACHE_SECONDS)
    return found | missing


def _standing(metric: Metric, group: Distribution, bands: Bands) -> PeerStanding:
    peers = group.organizations
    below, equal = group.below_and_equal(bands.band(metric.score))
    percentile = (Decimal(below) + Decimal(equal) / 2) * 100 / peers
    quartiles = None
    if peers >= settings.PEER_MIN_FOR_QUARTILES:
        low, median, high = group.quartile_bands()
        quartiles = (bands.middle(low), bands.middle(median), bands.middle(high))
    return PeerStanding(metric.key, percentile, quartiles, peers, None, metric.score, metric.max, metric.measure)


def _choose(candidates: Sequence[PeerFilter], others: dict[PeerFilter, int]) -> PeerFilter:
    """The narrowest group with enough others for the whole comparison; else for a percentile; else the widest."""
    for enough in (settings.PEER_MIN_FOR_QUARTILES, settings.PEER_MIN_ORGANIZATIONS):
        for candidate in reversed(candidates):
            if others[candidate] >= enough:
                return candidate
    return candidates[0]


def peer_comparison(result: AssessmentResult, peer_filter: PeerFilter | None = None) -> PeerComparison:
    """Where a result stands among established organisations' latest submitted results (see the module).

    Peers have the same framework version and, with `peer_filter`, its profile values. Without one, the
    group is the narrowest of PEER_GROUPS (by the result's own profile) that has PEER_MIN_FOR_QUARTILES
    other organisations, else PEER_MIN_ORGANIZATIONS, else the whole framework version (then withheld).
    Withheld when fewer than PEER_MIN_ORGANIZATIONS other organisations are in the group.
    """
    version = result.framework_version_id
    base = Q(framework_version_id=version, peer_group=True) & _established()
    metrics = compared_metrics(result.scorecard())
    bands = {m.key: Bands.of(m.max) for m in metrics}
    # The asking organisation's own peer result (one; more only while a re-assessment is being stored).
    own = list(
        AssessmentResult.objects.filter(base, organization_id=result.organization_id).values_list(
            "pk", "sector", "size_band", "province", "total"
        )
    )
    if peer_filter is None:
        candidates = [PeerFilter(**{name: getattr(result, name) for name in names}) for names in PEER_GROUPS]
    else:
        candidates = [peer_filter]
    keys = {_cache_key(version, "total", c): c for c in candidates}
    results = AssessmentResult.objects.filter(base)
    totals = _distributions({key: _counter(results.filter(c.q()), "total", bands["total"]) for key, c in keys.items()})
    others = {
        c: totals[key].without([bands["total"].band(t) for _, s, z, p, t in own if c.admits(s, z, p)])
        for key, c in keys.items()
    }
    chosen = _choose(candidates, {c: d.organizations for c, d in others.items()})
    count = others[chosen].organizations
    if count < settings.PEER_MIN_ORGANIZATIONS:
        reason = gettext("fewer than %(count)s other organisations in this peer group") % {
            "count": settings.PEER_MIN_ORGANIZATIONS
        }
        withheld = tuple(PeerStanding(m.key, None, None, count, reason, m.score, m.max, m.measure) for m in metrics)
        return PeerComparison(chosen, peer_filter is None, withheld)
    standings = [_standing(metrics[0], others[chosen], bands["total"])]
    mine = [pk for pk, s, z, p, _ in own if chosen.admits(s, z, p)]
    own_bands: dict[str, list[int]] = {}
    if mine:
        for name, score in DimensionResult.objects.filter(result_id__in=mine).values_list("dimension", "score"):
            if name in bands:
                own_bands.setdefault(name, []).append(bands[name].band(score))
    dimensions = DimensionResult.objects.filter(base & chosen.q())
    wanted = {_cache_key(version, m.key, chosen): m for m in metrics[1:]}
    scores = _distributions(
        {key: _counter(dimensions.filter(dimension=m.key), "score", bands[m.key]) for key, m in wanted.items()}
    )
    for key, metric in wanted.items():
        group = scores[key].without(own_bands.get(metric.key, []))
        standings.append(_standing(metric, group, bands[metric.key]))
    return PeerComparison(chosen, peer_filter is None, tuple(standings))


def peer_benchmark(result: AssessmentResult, peer_filter: PeerFilter | None = None) -> list[PeerStanding]:
    """The standings among peers of the same framework version and `peer_filter`'s profile (all, without one)."""
    return list(peer_comparison(result, peer_filter or PeerFilter()).standings)


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
