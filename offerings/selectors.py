"""Reads for offerings: what a framework allows them to name, who may publish, which offerings fit an SME's gaps
(closest fit first, never more than a few), and the referrals each side sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from assessment.framework_texts import framework_texts
from assessment.models import (
    OPERATOR_KINDS,
    Assessment,
    Framework,
    FrameworkVersion,
    Membership,
    Organization,
    Question,
    User,
)
from offerings.models import Offering, Referral
from scoring.selectors import assessment_results

MATCH_LIMIT = 3  # offerings shown beside a result: a few that fit, not a directory
PROFILE_FIELDS = ("provinces", "sectors", "size_bands")


# --- what an offering may name -------------------------------------------------------------------------------


def framework_question_keys(framework: Framework | int) -> frozenset[str]:
    """The question and scenario keys of the framework's published versions."""
    published = Question.objects.filter(
        version__framework=framework, version__status=FrameworkVersion.Status.PUBLISHED
    ).values_list("key", flat=True)
    return frozenset(published)


def framework_level_range(framework: Framework | int) -> tuple[int, int] | None:
    """The lowest and highest level of the framework's published versions (None when none is published)."""
    levels: list[int] = []
    for spec in FrameworkVersion.objects.filter(
        framework=framework, status=FrameworkVersion.Status.PUBLISHED
    ).values_list("levels", flat=True):
        levels.append(int(spec["base"]["level"]))
        levels.extend(int(rule["level"]) for rule in spec["rules"])
    return (min(levels), max(levels)) if levels else None


def frameworks_published() -> QuerySet[Framework]:
    """Frameworks an offering may be for: those with a published version."""
    return Framework.objects.filter(versions__status=FrameworkVersion.Status.PUBLISHED).distinct()


# --- who publishes --------------------------------------------------------------------------------------------


def provider_organizations(user: User, *, admin: bool = False) -> QuerySet[Organization]:
    """The operator organisations `user` belongs to (as a programme administrator, `admin`)."""
    memberships = Membership.objects.filter(user=user)
    if admin:
        memberships = memberships.filter(role__in=Membership.PROGRAMME_ADMINS)
    return Organization.objects.filter(pk__in=memberships.values("organization"), kind__in=OPERATOR_KINDS)


def may_publish(user: User, provider: Organization) -> bool:
    """An operator's programme administrators publish its offerings."""
    return (
        provider.is_operator
        and Membership.objects.filter(user=user, organization=provider, role__in=Membership.PROGRAMME_ADMINS).exists()
    )


def offerings_of_providers(user: User, *, only: int | None = None) -> QuerySet[Offering]:
    """Every offering (published or not) of the operators `user` belongs to."""
    providers = provider_organizations(user)
    if only is not None:
        providers = providers.filter(pk=only)
    return Offering.objects.filter(provider__in=providers).select_related("provider", "framework")


def offerings_visible(user: User, *, only: int | None = None) -> QuerySet[Offering]:
    """What `user` may read: every published offering, and all of its own operators' offerings."""
    own = offerings_of_providers(user, only=only).values("pk")
    return Offering.objects.filter(Q(active=True) | Q(pk__in=own)).select_related("provider", "framework").distinct()


# --- matching -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A gap on an SME's path or roadmap: the question and the level it should reach."""

    question: str
    level: int


@dataclass(frozen=True)
class Profile:
    province: str
    sector: str
    size_band: str


@dataclass(frozen=True)
class Match:
    """An offering that fits one of the SME's needs, as a reader sees it (plain values: the report hashes them)."""

    offering_id: int
    title: str
    provider: str
    kind: str  # the kind's name in the reader's language
    description: str
    price: str
    subsidy: str
    contact_name: str
    contact_email: str
    contact_phone: str
    url: str
    question: str
    level: int
    reason: str  # "for S07 → level 2"


def serves(offering: Offering, profile: Profile) -> bool:
    """Whether the offering serves the SME's province, sector and size band (an empty list serves every one)."""
    wanted = {"provinces": profile.province, "sectors": profile.sector, "size_bands": profile.size_band}
    return all(not getattr(offering, name) or wanted[name] in getattr(offering, name) for name in PROFILE_FIELDS)


def covers(offering: Offering, need: Need) -> bool:
    return need.question in offering.question_keys and offering.level_min <= need.level <= offering.level_max


def fit(offering: Offering, need_index: int) -> tuple[int, ...]:
    """Closest fit first: the narrowest level range, then specific regions, sectors and sizes before "any", then
    the fewest questions; among equals, the earlier step of the path."""
    generic = sum(1 for name in PROFILE_FIELDS if not getattr(offering, name))
    return (
        offering.level_max - offering.level_min,
        generic,
        len(offering.question_keys),
        need_index,
        offering.pk,
    )


def offerings_matching(
    *, framework_id: int, needs: Sequence[Need], profile: Profile, limit: int = MATCH_LIMIT
) -> list[tuple[Offering, Need]]:
    """Published offerings of the framework for these needs, closest fit first: one per need and offering, at
    most `limit`."""
    if not needs or limit <= 0:
        return []
    offerings = [
        o
        for o in Offering.objects.filter(framework_id=framework_id, active=True).select_related("provider")
        if serves(o, profile)
    ]  # few per framework, and JSON containment differs per database: filtered here
    pairs = sorted(
        (
            (fit(offering, index), offering, need)
            for index, need in enumerate(needs)
            for offering in offerings
            if covers(offering, need)
        ),
        key=lambda found: found[0],
    )
    chosen: list[tuple[Offering, Need]] = []
    used_offerings: set[int] = set()
    used_needs: set[str] = set()
    for _fit, offering, need in pairs:
        if offering.pk in used_offerings or need.question in used_needs:
            continue
        chosen.append((offering, need))
        used_offerings.add(offering.pk)
        used_needs.add(need.question)
        if len(chosen) == limit:
            break
    return chosen


def match_of(offering: Offering, need: Need) -> Match:
    """An offering as the results page and the report show it, in the active language."""
    return Match(
        offering_id=offering.pk,
        title=offering.title,
        provider=offering.provider.name,
        kind=str(Offering.Kind(offering.kind).label),
        description=offering.description,
        price=offering.price,
        subsidy=offering.subsidy,
        contact_name=offering.contact_name,
        contact_email=offering.contact_email,
        contact_phone=offering.contact_phone,
        url=offering.url,
        question=need.question,
        level=need.level,
        reason=gettext("for %(question)s → level %(level)s") % {"question": need.question, "level": need.level},
    )


def offerings_filtered(queryset: QuerySet[Offering], filters: dict[str, Any]) -> list[Offering]:
    """Offerings narrowed by question, level and profile (framework filtering is the query's)."""
    found = []
    for offering in queryset:
        if filters.get("question") and filters["question"] not in offering.question_keys:
            continue
        level = filters.get("level")
        if level is not None and not offering.level_min <= level <= offering.level_max:
            continue
        if any(
            filters.get(name) and offering_values and filters[name] not in offering_values
            for name, offering_values in (
                ("province", offering.provinces),
                ("sector", offering.sectors),
                ("size_band", offering.size_bands),
            )
        ):
            continue
        found.append(offering)
    return found


# --- referrals ------------------------------------------------------------------------------------------------


def referrals_received(user: User, *, only: int | None = None) -> QuerySet[Referral]:
    """Referrals to the offerings of the operators `user` belongs to (the provider's inbox)."""
    return Referral.objects.filter(offering__in=offerings_of_providers(user, only=only)).select_related(
        "offering__provider", "organization"
    )


def referrals_sent(user: User, *, only: int | None = None) -> QuerySet[Referral]:
    """Referrals the SMEs `user` is a member of asked for."""
    organizations = Membership.objects.filter(user=user).values("organization")
    found = Referral.objects.filter(organization__in=organizations)
    if only is not None:
        found = found.filter(organization_id=only)
    return found.select_related("offering__provider", "organization")


def referrals_visible(user: User, *, only: int | None = None) -> QuerySet[Referral]:
    """Both sides: received by `user`'s operators, or sent by `user`'s SMEs."""
    received = referrals_received(user, only=only).values("pk")
    sent = referrals_sent(user, only=only).values("pk")
    return Referral.objects.filter(Q(pk__in=received) | Q(pk__in=sent)).select_related(
        "offering__provider", "organization"
    )


@dataclass(frozen=True)
class SharedDimension:
    name: str
    score: Decimal
    max: Decimal


@dataclass(frozen=True)
class SharedResults:
    """What an SME that agreed to share shows the provider: its latest submitted result on the offering's framework."""

    framework: str
    level: int
    level_name: str
    total: Decimal
    max_total: Decimal
    submitted_at: Any
    dimensions: tuple[SharedDimension, ...]


def referral_shared_results(referral: Referral, *, language: str) -> SharedResults | None:
    """The SME's level and scores for the provider, only when the SME agreed to share them."""
    if not referral.share_results:
        return None
    assessment = (
        Assessment.objects.filter(
            organization=referral.organization_id,
            framework_version__framework=referral.offering.framework_id,
            status__in=Assessment.PEER_STATUSES,
        )
        .select_related("result", "organization", "framework_version__framework")
        .order_by("-submitted_at", "-id")
        .first()
    )
    if assessment is None:
        return None
    result = assessment_results([assessment])[assessment.pk]
    card = result.scorecard()
    texts = framework_texts(assessment.framework_version, language)
    return SharedResults(
        framework=texts.title,
        level=card.level,
        level_name=texts.level_name(card.level),
        total=card.total,
        max_total=card.max_total,
        submitted_at=assessment.submitted_at,
        dimensions=tuple(
            SharedDimension(texts.dimension_names.get(d.key, d.key), d.score, d.max) for d in card.dimensions if d.max
        ),
    )
