"""Reads: framework versions, resolved by reference and rebuilt as documents."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, OuterRef, Prefetch, QuerySet, Subquery, Value, When

from assessment.classification import (
    INDUSTRY_RULES,
    SECTOR_INDUSTRIES,
    ClassificationError,
    SizeBand,
    Threshold,
    classify_size,
)
from assessment.framework_format import Document, normalise
from assessment.models import (
    Assessment,
    ConsultantAssignment,
    EvidenceDocument,
    FrameworkVersion,
    Indicator,
    Invitation,
    Membership,
    Option,
    Organization,
    Question,
    User,
)

CONSULTANT = "consultant"


def organization_role(user: User, organization_id: int) -> str | None:
    """The user's role in the organisation: a Membership role, "consultant" when assigned, else None."""
    role = Membership.objects.filter(user=user, organization_id=organization_id).values_list("role", flat=True).first()
    if role is not None:
        return role
    assigned = ConsultantAssignment.objects.filter(consultant=user, organization_id=organization_id).exists()
    return CONSULTANT if assigned else None


def membership_role(user: User) -> Subquery:
    """The user's membership role in the outer query's `organization`, to annotate with."""
    return Subquery(Membership.objects.filter(user=user, organization=OuterRef("organization")).values("role")[:1])


def account_exists(email: str) -> bool:
    """Whether an account has this address, in any letter case."""
    return User.objects.for_login(email.strip()).exists()


def login_identity(name: str) -> str:
    """The one spelling of a log-in name: the address of the account it reaches, else the name case-folded.

    Failed log-ins and password-reset requests are counted under it, so typing an address in
    another letter case (or any spelling the database compares as equal) counts against the same account.
    """
    email: str | None = User.objects.for_login(name).values_list("email", flat=True).first()
    return email if email is not None else name.casefold()


def organization_members(organization: Organization) -> QuerySet[Membership]:
    """The organisation's members with their accounts: owners first, then respondents, viewers; by address."""
    rank = Case(
        When(role=Membership.Role.OWNER, then=Value(0)),
        When(role=Membership.Role.RESPONDENT, then=Value(1)),
        default=Value(2),
    )
    return Membership.objects.filter(organization=organization).select_related("user").order_by(rank, "user__email")


def organization_consultants(organization: Organization) -> QuerySet[ConsultantAssignment]:
    return (
        ConsultantAssignment.objects.filter(organization=organization)
        .select_related("consultant")
        .order_by("consultant__email")
    )


def invitations_open(organization: Organization) -> QuerySet[Invitation]:
    """Invitations neither accepted nor withdrawn, expired ones included (an owner renews or withdraws them)."""
    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation an emailed link stands for, whatever its state; None for an unknown token."""
    return (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


@dataclass(frozen=True)
class SizeBandSuggestion:
    """What the 2011 SME rules make of the figures given, and why."""

    band: SizeBand | None  # None: the figures are not enough, or the section is not covered
    industry: str = ""  # the rule applied, e.g. 工业
    reached: Threshold | None = None  # the band's lower limits, all met (None for micro)
    next_band: SizeBand | None = None
    next_threshold: Threshold | None = None  # what the next band up needs
    missing: tuple[str, ...] = ()  # figures the rule needs and did not get: employees, annual_revenue, total_assets
    uncovered: bool = False  # a section the rules leave out (finance, public bodies)


def size_band_suggest(
    *,
    sector: str,
    employees: int | None,
    annual_revenue: Decimal | None,
    total_assets: Decimal | None,
    industry: str | None = None,
) -> SizeBandSuggestion:
    """Classify the figures under 工信部联企业〔2011〕300号 and keep the limits that decided it."""
    allowed = SECTOR_INDUSTRIES.get(sector)
    if allowed is None:
        return SizeBandSuggestion(band=None, uncovered=True)
    key = industry if industry in allowed else allowed[0]
    rule = INDUSTRY_RULES[key]
    ladder: list[tuple[SizeBand, Threshold | None]] = [
        (SizeBand.MICRO, None),
        (SizeBand.SMALL, rule.small),
        (SizeBand.MEDIUM, rule.medium),
        (SizeBand.LARGE, rule.large),
    ]
    try:
        band = classify_size(
            sector=sector, employees=employees, revenue=annual_revenue, assets=total_assets, industry=key
        )
    except ClassificationError:
        limits = [threshold for _band, threshold in ladder if threshold is not None]
        figures = {
            "employees": (employees, any(t.employees is not None for t in limits)),
            "annual_revenue": (annual_revenue, any(t.revenue is not None for t in limits)),
            "total_assets": (total_assets, any(t.assets is not None for t in limits)),
        }
        missing = tuple(name for name, (value, used) in figures.items() if used and value is None)
        return SizeBandSuggestion(band=None, industry=rule.name, missing=missing)
    position = [step for step, _threshold in ladder].index(band)
    next_band, next_threshold = ladder[position + 1] if position + 1 < len(ladder) else (None, None)
    return SizeBandSuggestion(
        band=band,
        industry=rule.name,
        reached=ladder[position][1],
        next_band=next_band,
        next_threshold=next_threshold,
    )


def framework_version_get(reference: str) -> FrameworkVersion:
    """Resolve "slug" (the newest published version) or "slug@label"; raise DoesNotExist."""
    slug, _, label = reference.partition("@")
    versions = FrameworkVersion.objects.select_related("framework").filter(framework__slug=slug)
    if label:
        return versions.get(label=label)
    version = versions.filter(status=FrameworkVersion.Status.PUBLISHED).order_by("-published_at", "-id").first()
    if version is None:
        raise FrameworkVersion.DoesNotExist(f"No published version of {slug!r}.")
    return version


def _text(obj: Any, prefix: str) -> dict[str, str] | None:
    zh, en = getattr(obj, f"{prefix}_zh_hans"), getattr(obj, f"{prefix}_en")
    return {"zh-Hans": zh, "en": en} if zh or en else None


def _node(obj: Any) -> dict[str, Any]:
    node = {"key": obj.key, "text": _text(obj, "text"), "help": _text(obj, "help"), "points": obj.points}
    if obj.weight is not None:
        node["weight"] = obj.weight
    return node


def framework_version_document(version: FrameworkVersion) -> Document:
    """Rebuild the normalised framework document from the database rows (four queries)."""
    indicators = list(Indicator.objects.filter(version=version).order_by("position"))
    questions = (
        Question.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position")))
    )
    questions_by_indicator: dict[int, list[dict[str, Any]]] = {}
    for question in questions:
        raw = {
            **_node(question),
            **question.config,
            "kind": question.kind,
            "required": question.required,
            "effort": question.effort,
            "constrained": question.constrained,
            "definition": _text(question, "definition"),
            "not_applicable": question.not_applicable or None,
            "options": [
                {**_node(o), "exclusive": o.exclusive, **({"band": o.band} if o.band else {})}
                for o in question.options.all()
            ],
        }
        questions_by_indicator.setdefault(question.indicator_id, []).append(
            {k: v for k, v in raw.items() if v is not None and (k != "options" or raw["options"])}
        )
    children: dict[int | None, list[Indicator]] = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)

    def indicator_tree(indicator: Indicator) -> dict[str, Any]:
        return {
            **_node(indicator),
            "indicators": [indicator_tree(child) for child in children.get(indicator.pk, [])],
            "questions": questions_by_indicator.get(indicator.pk, []),
        }

    raw_document = {
        "format": version.format,
        "slug": version.framework.slug,
        "version": version.label,
        "title": _text(version, "title"),
        "description": _text(version, "description"),
        "source": version.source,
        "scoring": version.scoring,
        "levels": version.levels,
        "dimensions": [
            {**_node(d), "indicators": [indicator_tree(i) for i in children.get(None, []) if i.dimension_id == d.pk]}
            for d in version.dimensions.order_by("position")
        ],
    }
    return normalise({k: v for k, v in raw_document.items() if v is not None})


def documents_visible_to(user: Any, *, only: int | None = None) -> QuerySet[EvidenceDocument]:
    """The evidence documents of the assessments `user` may see (Assessment.objects.visible_to)."""
    return EvidenceDocument.objects.filter(assessment__in=Assessment.objects.visible_to(user, only=only))


def assessment_documents(assessment: Assessment) -> list[EvidenceDocument]:
    """The assessment's documents, oldest first, with their question (key) and uploader: one query."""
    return list(
        EvidenceDocument.objects.filter(assessment=assessment)
        .select_related("question", "uploaded_by")
        .order_by("uploaded_at", "id")
    )
