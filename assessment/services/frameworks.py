"""Writes: framework import, publishing and retiring framework versions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from assessment.framework_format import GUIDANCE, PLAN, Document, canonical_decimal, walk_indicators
from assessment.models import Dimension, Framework, FrameworkVersion, Indicator, Option, Question
from assessment.services import ImmutableError, ServiceError
from scoring.models import AssessmentResult


def jsonable(value: Any) -> Any:
    """Decimals as canonical strings, for JSON columns."""
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    return value


@dataclass(frozen=True)
class ImportOutcome:
    version: FrameworkVersion
    created: bool
    published: bool
    guidance_updated: bool = False
    plan_updated: bool = False


def _texts(prefix: str, value: dict[str, str] | None) -> dict[str, str]:
    value = value or {"zh-Hans": "", "en": ""}
    return {f"{prefix}_zh_hans": value["zh-Hans"], f"{prefix}_en": value["en"]}


def _node_fields(node: Document, position: int) -> dict[str, Any]:
    return {
        "key": node["key"],
        "position": position,
        "points": node["points"],
        "weight": node["weight"],
        **_texts("text", node["text"]),
        **_texts("help", node["help"]),
    }


QUESTION_COLUMNS = frozenset(
    {
        "key",
        "kind",
        "text",
        "help",
        "definition",
        "points",
        "weight",
        "required",
        "not_applicable",
        "effort",
        "constrained",
        "options",
    }
)


def _create_tree(version: FrameworkVersion, document: Document) -> None:
    question_position = 0
    indicator_position = 0
    options: list[Option] = []
    for d_position, d_node in enumerate(document["dimensions"]):
        dimension = Dimension.objects.create(version=version, **_node_fields(d_node, d_position))
        parents: dict[str, Indicator] = {}
        for path, i_node in walk_indicators(d_node["indicators"], "d"):
            parent_path = path.rpartition(".indicators[")[0]
            indicator = Indicator.objects.create(
                version=version,
                dimension=dimension,
                parent=parents.get(parent_path),
                **_node_fields(i_node, indicator_position),
            )
            indicator_position += 1
            parents[path] = indicator
            for q_node in i_node["questions"]:
                question = Question.objects.create(
                    version=version,
                    indicator=indicator,
                    kind=q_node["kind"],
                    required=q_node["required"],
                    not_applicable=q_node["not_applicable"] or "",
                    effort=q_node["effort"],
                    constrained=q_node.get("constrained", False),
                    **_texts("definition", q_node["definition"]),
                    config=jsonable({k: v for k, v in q_node.items() if k not in QUESTION_COLUMNS}),
                    **_node_fields(q_node, question_position),
                )
                question_position += 1
                options.extend(
                    Option(
                        version=version,
                        question=question,
                        exclusive=o_node["exclusive"],
                        band=o_node["band"] or "",
                        **_node_fields(o_node, o_position),
                    )
                    for o_position, o_node in enumerate(q_node.get("options", []))
                )
    Option.objects.bulk_create(options)


def framework_version_publish(*, version: FrameworkVersion) -> FrameworkVersion:
    if version.status != FrameworkVersion.Status.DRAFT:
        raise ServiceError(f"{version.reference} is {version.status}, not a draft.")
    version.status = FrameworkVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    return version


def framework_version_retire(*, version: FrameworkVersion) -> FrameworkVersion:
    if version.status != FrameworkVersion.Status.PUBLISHED:
        raise ServiceError(f"{version.reference} is {version.status}; only a published version can be retired.")
    version.status = FrameworkVersion.Status.RETIRED
    version.save(update_fields=["status"])
    return version


@transaction.atomic
def framework_import(*, document: Document, content_hash: str, publish: bool = True) -> ImportOutcome:
    """Store a validated framework document; idempotent by content hash; published versions never change.

    Importing the same content again updates only its guidance (suggested documents) and its plan (effort and
    cost estimates), which are outside the hash. A changed plan changes what the paths to the next level cost:
    the stored results of the version have theirs worked out again (marked pending).
    """
    framework, _ = Framework.objects.get_or_create(slug=document["slug"])
    existing = (
        FrameworkVersion.objects.select_for_update().filter(framework=framework, label=document["version"]).first()
    )
    guidance = jsonable(document.get(GUIDANCE) or {})
    plan = jsonable(document.get(PLAN) or {})
    if existing is not None:
        if existing.content_hash == content_hash:
            # The same content: only its guidance and plan (outside the hash, unguarded by the triggers) may be
            # amended.
            guidance_updated = existing.guidance != guidance
            plan_updated = existing.plan != plan
            existing.guidance, existing.plan = guidance, plan
            if guidance_updated or plan_updated:
                existing.save(update_fields=["guidance", "plan"])
            if plan_updated:
                AssessmentResult.objects.filter(framework_version=existing).update(path=None, path_pending=True)
            published = publish and existing.status == FrameworkVersion.Status.DRAFT
            if published:
                framework_version_publish(version=existing)
            return ImportOutcome(
                existing,
                created=False,
                published=published,
                guidance_updated=guidance_updated,
                plan_updated=plan_updated,
            )
        if existing.status != FrameworkVersion.Status.DRAFT:
            raise ImmutableError(
                f"{existing.reference} is {existing.status} with different content "
                f"(hash {existing.content_hash[:12]}…, file {content_hash[:12]}…): "
                "a changed file needs a new version label."
            )
        existing.delete()
    version = FrameworkVersion.objects.create(
        framework=framework,
        label=document["version"],
        content_hash=content_hash,
        format=document["format"],
        **_texts("title", document["title"]),
        **_texts("description", document["description"]),
        source=document["source"],
        scoring=document["scoring"],
        levels=jsonable(document["levels"]),
        guidance=guidance,
        plan=plan,
    )
    _create_tree(version, document)
    if publish:
        framework_version_publish(version=version)
    return ImportOutcome(version, created=True, published=publish)
