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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DecimalField, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Floor, Least
from django.utils import timezone
from django.utils.translation import gettext

from scoring.models import AssessmentResult, DimensionResult

DISTRIBUTION_CACHE_SECONDS = 3600  # forgotten when a peer is added; the expiry only bounds staleness
PEER_PROFILE = ("sector", "size_band", "province")  # what a peer group may be narrowed by
QUARTILES = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))


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
    percentile: Decimal | None  # 0–100: share of peers in lower bands, those in the same band counted half
    quartiles: tuple[Decimal, Decimal, Decimal] | None  # the middles of the bands Q1, the median and Q3 are in
    peers: int  # other organisations compared with
    withheld: str | None  # why the comparison is not shown


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
            counts[band] -= 1
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


def _cache_key(version_id: int, metric: str, peer_filter: PeerFilter) -> str:
    parts = (peer_filter.sector or "", peer_filter.size_band or "", peer_filter.province or "")
    return f"peers:v3:{version_id}:{metric}:{':'.join(parts)}"  # v3: bands of established organisations


def _established() -> Q:
    """Organisations that count as peers: a credit code, and old enough that no sign-up spree counts."""
    cutoff = timezone.now() - timedelta(days=settings.PEER_MIN_AGE_DAYS)
    return Q(organization__created_at__lte=cutoff) & ~Q(organization__uscc="")


def _distribution(queryset: QuerySet[Any], field: str, bands: Bands, key: str) -> Distribution:
    """One GROUP BY over the group's bands, cached: a lookup then scans nothing."""
    distribution = cache.get(key)
    if distribution is None:
        width = Value(bands.width, output_field=DecimalField())
        band = Least(Floor(F(field) / width), Value(bands.count - 1), output_field=IntegerField())
        rows = queryset.annotate(band=band).values_list("band").annotate(n=Count("pk")).order_by()
        counts = [0] * bands.count
        for found, n in rows:
            counts[max(0, int(found))] += n
        distribution = Distribution(tuple(counts))
        cache.set(key, distribution, DISTRIBUTION_CACHE_SECONDS)
    return distribution


def _standing(key: str, group: Distribution, bands: Bands, value: Decimal) -> PeerStanding:
    peers = group.organizations
    below, equal = group.below_and_equal(bands.band(value))
    percentile = (Decimal(below) + Decimal(equal) / 2) * 100 / peers
    quartiles = None
    if peers >= settings.PEER_MIN_FOR_QUARTILES:
        low, median, high = group.quartile_bands()
        quartiles = (bands.middle(low), bands.middle(median), bands.middle(high))
    return PeerStanding(key, percentile, quartiles, peers, None)


def peer_benchmark(result: AssessmentResult, peer_filter: PeerFilter | None = None) -> list[PeerStanding]:
    """Where a result stands among established organisations' latest submitted results (see the module).

    Same framework version, optionally the same sector, size band or province. Withheld when fewer than
    PEER_MIN_ORGANIZATIONS other organisations are in the group.
    """
    peer_filter = peer_filter or PeerFilter()
    version = result.framework_version_id
    group = Q(framework_version_id=version, peer_group=True) & peer_filter.q() & _established()
    mine = Q(organization_id=result.organization_id)
    card = result.scorecard()
    metrics = [("total", card.total, Bands.of(card.max_total))]
    metrics += [(d.key, d.score, Bands.of(d.max)) for d in card.dimensions]
    total_bands = metrics[0][2]
    own = {
        "total": [
            total_bands.band(t) for t in AssessmentResult.objects.filter(group, mine).values_list("total", flat=True)
        ]
    }
    totals = _distribution(
        AssessmentResult.objects.filter(group), "total", total_bands, _cache_key(version, "total", peer_filter)
    )
    others = totals.without(own["total"])
    if others.organizations < settings.PEER_MIN_ORGANIZATIONS:
        reason = gettext("fewer than %(count)s other organisations in this peer group") % {
            "count": settings.PEER_MIN_ORGANIZATIONS
        }
        return [PeerStanding(key, None, None, others.organizations, reason) for key, _, _ in metrics]
    standings = [_standing("total", others, total_bands, card.total)]
    dimension_bands = {key: bands for key, _, bands in metrics[1:]}
    for name, score in DimensionResult.objects.filter(group, mine).values_list("dimension", "score"):
        if name in dimension_bands:
            own.setdefault(name, []).append(dimension_bands[name].band(score))
    for key, value, bands in metrics[1:]:
        queryset = DimensionResult.objects.filter(group, dimension=key)
        scores = _distribution(queryset, "score", bands, _cache_key(version, key, peer_filter)).without(
            own.get(key, [])
        )
        standings.append(_standing(key, scores, bands, value))
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
