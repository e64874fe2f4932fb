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

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DecimalField, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Floor, Least
from django.utils import timezone
from django.utils.translation import gettext

from assessment.models import Organization
from scoring import distributions
from scoring.distributions import Group, Slot
from scoring.engine import NodeScore, ScoreCard
from scoring.engine.numbers import PRECISION
from scoring.models import AssessmentResult, DimensionResult

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
    def group(self) -> Group:
        """The group as scoring.distributions names it."""
        return (self.sector or "", self.size_band or "", self.province or "")

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
            # Never below zero: a distribution counted before the organisation became established does not
            # hold it yet (the next rebuild adds it: scoring.distributions).
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


def _established() -> Q:
    """Organisations that count as peers: a credit code, and old enough that no sign-up spree counts."""
    cutoff = timezone.now() - timedelta(days=settings.PEER_MIN_AGE_DAYS)
    return Q(organization__created_at__lte=cutoff) & ~Q(organization__uscc="")


def _counter(
    model: type[AssessmentResult] | type[DimensionResult], q: Q, field: str, bands: Bands
) -> Callable[[], Distribution]:
    """What counts a group's organisations per band of `field`: one GROUP BY, run only when called (the
    queryset too is built only then: a reader answered from the cache builds none)."""
    return lambda: _count_bands(model.objects.filter(q), field, bands)


def _count_bands(queryset: QuerySet[Any], field: str, bands: Bands) -> Distribution:
    """The group's organisations per band: one GROUP BY over the bands."""
    width = Value(bands.width, output_field=DecimalField())
    band = Least(Floor(F(field) / width), Value(bands.count - 1), output_field=IntegerField())
    rows = queryset.annotate(band=band).values_list("band").annotate(n=Count("pk")).order_by()
    counts = [0] * bands.count
    for found, n in rows:
        counts[max(0, int(found))] += n
    return Distribution(tuple(counts))


def _distributions(
    version_id: int, cached: Mapping[Slot, tuple[int, ...]] | None, wanted: dict[Slot, Callable[[], Distribution]]
) -> dict[Slot, Distribution]:
    """The distributions of these slots: from what `_counts_kept` read; without it (before any rebuild), counted
    in the database (one GROUP BY each)."""
    if cached is not None:
        return {slot: Distribution(cached[slot]) for slot in wanted}
    distributions.STATS["read_database"] += 1
    return {slot: count() for slot, count in wanted.items()}


def _counts_kept(version_id: int, slots: list[Slot]) -> Mapping[Slot, tuple[int, ...]] | None:
    """The slots' counts from the cache, kept current there (scoring.distributions); without them (no
    generation, or Redis failing), a rebuild asked for and the last rebuild's counts from PostgreSQL; None
    before any rebuild."""
    generation = distributions.generation_current(version_id)
    cached = None if generation is None else distributions.counts_read(version_id, generation, slots)
    if cached is not None:
        return cached
    if distributions.rebuild_ask(version_id):
        _rebuild_enqueue(version_id)
    return distributions.snapshot_read(version_id, slots)


def _rebuild_enqueue(version_id: int) -> None:
    from scoring.tasks import peer_distributions_rebuild_task  # the tasks module imports the services

    # Robust: a broker that is down fails no reader (beat's rebuild comes once it is back).
    transaction.on_commit(lambda: peer_distributions_rebuild_task.delay(version_id), robust=True)


def _withheld(metric: Metric, count: int) -> PeerStanding:
    reason = gettext("fewer than %(count)s other organisations in this peer group") % {
        "count": settings.PEER_MIN_ORGANIZATIONS
    }
    return PeerStanding(metric.key, None, None, count, reason, metric.score, metric.max, metric.measure)


def _standing(metric: Metric, group: Distribution, bands: Bands) -> PeerStanding:
    peers = group.organizations
    if peers < settings.PEER_MIN_ORGANIZATIONS:  # a dimension's counts may lag its total's (scoring.distributions)
        return _withheld(metric, peers)
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
    keys: dict[Slot, PeerFilter] = {("total", c.group): c for c in candidates}
    # One read of the cache for the whole comparison: every candidate's total and dimensions (short values).
    cached = _counts_kept(version, [(m.key, c.group) for c in candidates for m in metrics])
    totals = _distributions(
        version,
        cached,
        {key: _counter(AssessmentResult, base & c.q(), "total", bands["total"]) for key, c in keys.items()},
    )
    others = {
        c: totals[key].without([bands["total"].band(t) for _, s, z, p, t in own if c.admits(s, z, p)])
        for key, c in keys.items()
    }
    chosen = _choose(candidates, {c: d.organizations for c, d in others.items()})
    count = others[chosen].organizations
    if count < settings.PEER_MIN_ORGANIZATIONS:
        withheld = tuple(_withheld(m, count) for m in metrics)
        return PeerComparison(chosen, peer_filter is None, withheld)
    standings = [_standing(metrics[0], others[chosen], bands["total"])]
    mine = [pk for pk, s, z, p, _ in own if chosen.admits(s, z, p)]
    own_bands: dict[str, list[int]] = {}
    if mine == [result.pk]:  # the result itself: its dimensions' figures are the card's
        own_bands = {m.key: [bands[m.key].band(m.score)] for m in metrics[1:]}
    elif mine:
        for name, score in DimensionResult.objects.filter(result_id__in=mine).values_list("dimension", "score"):
            if name in bands:
                own_bands.setdefault(name, []).append(bands[name].band(score))
    wanted: dict[Slot, Metric] = {(m.key, chosen.group): m for m in metrics[1:]}
    counters = {
        key: _counter(DimensionResult, base & chosen.q() & Q(dimension=m.key), "score", bands[m.key])
        for key, m in wanted.items()
    }
    scores = _distributions(version, cached, counters)
    for key, metric in wanted.items():
        group = scores[key].without(own_bands.get(metric.key, []))
        standings.append(_standing(metric, group, bands[metric.key]))
    return PeerComparison(chosen, peer_filter is None, tuple(standings))


def peer_benchmark(result: AssessmentResult, peer_filter: PeerFilter | None = None) -> list[PeerStanding]:
    """The standings among peers of the same framework version and `peer_filter`'s profile (all, without one)."""
    return list(peer_comparison(result, peer_filter or PeerFilter()).standings)


def _is_established(organization: Organization) -> bool:
    cutoff = timezone.now() - timedelta(days=settings.PEER_MIN_AGE_DAYS)
    return bool(organization.uscc) and organization.created_at <= cutoff


def peer_distributions_update(
    *,
    joined: Iterable[tuple[AssessmentResult, dict[str, tuple[Decimal, Decimal]]]],
    left: Iterable[tuple[AssessmentResult, dict[str, tuple[Decimal, Decimal]]]],
) -> None:
    """Count results that joined their peers in every group they belong to, and take out those that left,
    in place (call on commit). Each result comes with its dimensions' (score, max)."""
    changes: dict[int, Counter[tuple[Slot, int]]] = {}
    for results, sign in ((joined, 1), (left, -1)):
        for result, dimensions in results:
            if not _is_established(result.organization):
                continue  # not a peer yet: the rebuild after it is established counts it
            figures = {"total": (result.total, result.max_total), **dimensions}
            counter = changes.setdefault(result.framework_version_id, Counter())
            for metric, (figure, maximum) in figures.items():
                if not maximum:
                    continue  # nothing to compare (scoring.peers.compared_metrics)
                band = Bands.of(maximum).band(figure)
                for group in distributions.groups_of(result.sector, result.size_band, result.province):
                    counter[((metric, group), band)] += sign
    for version_id, counter in changes.items():
        distributions.counts_add(version_id, counter)


def _count_groups(queryset: QuerySet[Any], field: str, bands: Bands) -> dict[Group, list[int]]:
    """Every group's organisations per band of `field`, by one GROUP BY over profile and band."""
    width = Value(bands.width, output_field=DecimalField())
    band = Least(Floor(F(field) / width), Value(bands.count - 1), output_field=IntegerField())
    rows = (
        queryset.annotate(band=band)
        .values_list("sector", "size_band", "province", "band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[Group, list[int]] = {}
    for sector, size_band, province, found, n in rows:
        for group in distributions.groups_of(sector, size_band, province):
            counts.setdefault(group, [0] * bands.count)[max(0, int(found))] += n
    return counts


def peer_distributions_rebuild(*, version_id: int) -> int:
    """Count every peer group of a framework version in the database and store them as the cache's new
    generation (scoring.distributions); return the number of slots stored."""
    base = Q(framework_version_id=version_id, peer_group=True) & _established()
    sample = AssessmentResult.objects.filter(framework_version_id=version_id, peer_group=True).first()
    counts: dict[Slot, list[int]] = {}
    if sample is not None:
        metrics = {"total": sample.max_total}
        metrics |= dict(DimensionResult.objects.filter(result=sample).values_list("dimension", "max"))
        for metric, maximum in metrics.items():
            if not maximum:
                continue
            if metric == "total":
                queryset: QuerySet[Any] = AssessmentResult.objects.filter(base)
                field = "total"
            else:
                queryset, field = DimensionResult.objects.filter(base, dimension=metric), "score"
            for group, values in _count_groups(queryset, field, Bands.of(maximum)).items():
                counts[(metric, group)] = values
    distributions.generation_write(version_id, counts)
    return len(counts)
