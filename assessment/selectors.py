"""Reads: framework versions, resolved by reference and rebuilt as documents."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Prefetch, Subquery

from assessment.framework_format import Document, normalise
from assessment.models import ConsultantAssignment, FrameworkVersion, Indicator, Membership, Option, Question, User

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
