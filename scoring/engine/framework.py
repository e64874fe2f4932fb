"""A framework version's structure as frozen dataclasses, built from a normalised framework document."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from scoring.engine.intervals import Interval

Kind = Literal["single_choice", "multiple_choice", "banded_number", "scenario", "before_after", "yes_no", "text"]
Outcome = Literal["improved", "unchanged", "worsened"]


@dataclass(frozen=True)
class Option:
    key: str
    points: Decimal
    exclusive: bool = False
    band: Interval | None = None


@dataclass(frozen=True)
class Band:
    interval: Interval
    points: Decimal


@dataclass(frozen=True)
class EvidenceField:
    key: str
    type: Literal["integer", "decimal", "text", "boolean"]
    required: bool = False
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass(frozen=True)
class Question:
    key: str
    kind: Kind
    points: Decimal
    required: bool = True
    not_applicable: Literal["exclude", "zero"] | None = None
    effort: Decimal = Decimal(1)
    options: tuple[Option, ...] = ()
    cap: Decimal | None = None
    bands: tuple[Band, ...] = ()
    constrained: bool = False
    level_points: tuple[Decimal, ...] | None = None
    better: Literal["higher", "lower"] | None = None
    outcome_points: Mapping[Outcome, Decimal] = field(default_factory=dict)
    max_length: int | None = None
    evidence: tuple[EvidenceField, ...] = ()
    suggest: tuple[str, str] | None = None  # (numerator, denominator) evidence references

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class Node:
    """A dimension or an indicator: its score is its children's, scaled to its points."""

    key: str
    points: Decimal
    children: tuple[Node, ...] = ()
    questions: tuple[Question, ...] = ()

    @cached_property
    def child_points(self) -> Decimal:
        return sum((c.points for c in self.children), Decimal(0)) + sum((q.points for q in self.questions), Decimal(0))

    @cached_property
    def question_keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)


@dataclass(frozen=True)
class ScoreGate:
    min: Decimal
    inclusive: bool = True

    def holds(self, total: Decimal) -> bool:
        return total >= self.min if self.inclusive else total > self.min


@dataclass(frozen=True)
class ScenarioGate:
    level: int
    count: int
    constrained: int = 0


@dataclass(frozen=True)
class LevelRule:
    level: int
    score: ScoreGate | None = None
    scenarios: ScenarioGate | None = None


@dataclass(frozen=True)
class Framework:
    slug: str
    version: str
    total: Literal["sum", "mean"]
    dimensions: tuple[Node, ...]
    rules: tuple[LevelRule, ...]  # highest level first
    base_level: int = 0
    questions: Mapping[str, Question] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        return f"{self.slug}@{self.version}"

    @property
    def max_total(self) -> Decimal:
        points = sum((d.points for d in self.dimensions), Decimal(0))
        return points if self.total == "sum" else points / len(self.dimensions)

    @cached_property
    def scenarios(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions.values() if q.kind == "scenario")

    @cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions.values() if q.required)


def walk_questions(nodes: tuple[Node, ...]) -> Iterator[Question]:
    for node in nodes:
        yield from node.questions
        yield from walk_questions(node.children)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _question(raw: Mapping[str, Any]) -> Question:
    suggest = raw.get("suggest")
    level_points = raw.get("level_points")
    return Question(
        key=raw["key"],
        kind=raw["kind"],
        points=Decimal(raw["points"]),
        required=raw["required"],
        not_applicable=raw["not_applicable"],
        effort=Decimal(raw["effort"]),
        options=tuple(
            Option(o["key"], Decimal(o["points"]), o["exclusive"], Interval.parse(o["band"]) if o["band"] else None)
            for o in raw.get("options", [])
        ),
        cap=_decimal(raw.get("cap")),
        bands=tuple(Band(Interval.parse(b["range"]), Decimal(b["points"])) for b in raw.get("bands", [])),
        constrained=raw.get("constrained", False),
        level_points=None if level_points is None else tuple(Decimal(p) for p in level_points),
        better=raw.get("better"),
        outcome_points={k: Decimal(v) for k, v in (raw.get("outcome_points") or {}).items()},
        max_length=raw.get("max_length"),
        evidence=tuple(
            EvidenceField(e["key"], e["type"], e["required"], _decimal(e["min"]), _decimal(e["max"]))
            for e in raw["evidence"]
        ),
        suggest=None if suggest is None else (suggest["numerator"], suggest["denominator"]),
    )


def _node(raw: Mapping[str, Any]) -> Node:
    return Node(
        key=raw["key"],
        points=Decimal(raw["points"]),
        children=tuple(_node(child) for child in raw.get("indicators", [])),
        questions=tuple(_question(q) for q in raw.get("questions", [])),
    )


def _rule(raw: Mapping[str, Any]) -> LevelRule:
    score = raw["gates"]["score"]
    scenarios = raw["gates"]["scenarios"]
    return LevelRule(
        level=raw["level"],
        score=None if score is None else ScoreGate(Decimal(score["min"]), score["inclusive"]),
        scenarios=None
        if scenarios is None
        else ScenarioGate(scenarios["level"], scenarios["count"], scenarios["constrained"]),
    )


def framework_from_document(document: Mapping[str, Any]) -> Framework:
    """Build the structure from a normalised framework document (see assessment.framework_format)."""
    dimensions = tuple(_node(d) for d in document["dimensions"])
    return Framework(
        slug=document["slug"],
        version=document["version"],
        total=document["scoring"]["total"],
        dimensions=dimensions,
        rules=tuple(_rule(r) for r in document["levels"]["rules"]),
        base_level=document["levels"]["base"]["level"],
        questions={q.key: q for q in walk_questions(dimensions)},
    )
