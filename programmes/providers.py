"""Provider evaluation, as pilot cities keep their 服务商库: per offering and per provider, the referrals of the
programme's consenting SMEs and the T0 → T1 uplift of the SMEs it served.

"Served": a referral in progress or closed (the provider took it up); an SME that only asked is counted among
the referrals, not in the uplift. Figures come from CohortMember (T1 level and total, T0 level and total), which
holds only SMEs whose consent stands; uplifts are exact Decimals (the mean of exact differences).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from offerings.models import Referral
from programmes.models import CohortMember, Programme
from programmes.selectors import enrolments_active

SERVED = frozenset({Referral.Status.PROGRESSED, Referral.Status.CLOSED})


@dataclass(frozen=True)
class Uplift:
    smes: int  # served SMEs with both a T0 and a T1 figure
    level: Decimal | None  # mean T1 - T0 level
    total: Decimal | None  # mean T1 - T0 total


@dataclass(frozen=True)
class Evaluation:
    key: int  # the offering's or the provider's id
    name: str
    provider: str
    referrals: int
    requested: int
    progressed: int
    closed: int
    smes: int  # distinct SMEs that asked
    served: int  # distinct SMEs served
    uplift: Uplift


@dataclass(frozen=True)
class ProviderEvaluation:
    offerings: tuple[Evaluation, ...]
    providers: tuple[Evaluation, ...]
    consenting: int  # the programme's SMEs whose consent stands


@dataclass(frozen=True)
class _Figures:
    level: int | None
    total: Decimal | None
    t0_level: int | None
    t0_total: Decimal | None


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def _uplift(organizations: Iterable[int], figures: dict[int, _Figures]) -> Uplift:
    levels: list[Decimal] = []
    totals: list[Decimal] = []
    both = 0
    for organization in organizations:
        f = figures.get(organization)
        if f is None:
            continue
        counted = False
        if f.level is not None and f.t0_level is not None:
            levels.append(Decimal(f.level - f.t0_level))
            counted = True
        if f.total is not None and f.t0_total is not None:
            totals.append(f.total - f.t0_total)
            counted = True
        both += counted
    return Uplift(both, _mean(levels), _mean(totals))


def _evaluate(
    key: int, name: str, provider: str, referrals: list[Referral], figures: dict[int, _Figures]
) -> Evaluation:
    statuses = [r.status for r in referrals]
    served = {r.organization_id for r in referrals if r.status in SERVED}
    return Evaluation(
        key=key,
        name=name,
        provider=provider,
        referrals=len(referrals),
        requested=statuses.count(Referral.Status.REQUESTED),
        progressed=statuses.count(Referral.Status.PROGRESSED),
        closed=statuses.count(Referral.Status.CLOSED),
        smes=len({r.organization_id for r in referrals}),
        served=len(served),
        uplift=_uplift(sorted(served), figures),
    )


def provider_evaluation(programme: Programme) -> ProviderEvaluation:
    """Per offering and per provider: referrals of the programme's consenting SMEs and the uplift of those served."""
    consenting = list(enrolments_active(programme).values_list("organization_id", flat=True))
    rows = CohortMember.objects.filter(programme=programme, organization_id__in=consenting).values_list(
        "organization_id", "level", "total", "t0_level", "t0_total"
    )
    figures = {org: _Figures(level, total, t0_level, t0_total) for org, level, total, t0_level, t0_total in rows}
    referrals = list(
        Referral.objects.filter(organization_id__in=consenting).select_related("offering__provider").order_by("id")
    )
    by_offering: dict[int, list[Referral]] = {}
    by_provider: dict[int, list[Referral]] = {}
    for referral in referrals:
        by_offering.setdefault(referral.offering_id, []).append(referral)
        by_provider.setdefault(referral.offering.provider_id, []).append(referral)
    offerings = [
        _evaluate(pk, found[0].offering.title, found[0].offering.provider.name, found, figures)
        for pk, found in by_offering.items()
    ]
    providers = [
        _evaluate(pk, found[0].offering.provider.name, found[0].offering.provider.name, found, figures)
        for pk, found in by_provider.items()
    ]
    order = lambda e: (-e.served, -e.referrals, e.name, e.key)  # noqa: E731 - the one order of both tables
    return ProviderEvaluation(tuple(sorted(offerings, key=order)), tuple(sorted(providers, key=order)), len(consenting))
