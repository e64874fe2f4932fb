"""Effort and cost as data: a framework's `plan` block (our estimates) as the path to a level weighs it.

Every rung an improvement newly reaches (an option added, an option climbed over or reached, a scenario
level climbed) belongs to an effort class; a class has a typical duration and a cost band per size band.
An improvement costs the sum of the midpoints of its rungs' bands. Rungs a caveat names are never proposed
for the size bands it names. Without a plan, each rung costs the question's `effort` (no unit, no band).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

SIZES = ("micro", "small", "medium", "large")
CLASSES = ("policy", "training", "tool", "integration", "equipment")
EVERY_RUNG = "*"  # a question with one class for all its rungs


@dataclass(frozen=True)
class EffortClass:
    key: str
    weeks: tuple[int, int]
    cost: Mapping[str, tuple[Decimal, Decimal]]  # size band → (low, high), in the plan's unit

    def band(self, size: str) -> tuple[Decimal, Decimal]:
        return self.cost[size]

    def midpoint(self, size: str) -> Decimal:
        low, high = self.cost[size]
        return (low + high) / 2


@dataclass(frozen=True)
class Caveat:
    question: str
    rungs: frozenset[str]
    sizes: frozenset[str]


@dataclass(frozen=True)
class Plan:
    classes: Mapping[str, EffortClass]
    steps: Mapping[str, Mapping[str, str]]  # question → rung → class key ("*": every rung)
    caveats: tuple[Caveat, ...] = ()

    def class_of(self, question: str, rung: str) -> EffortClass | None:
        """The class of one rung; None for a rung the plan leaves out (an option worth no points)."""
        rungs = self.steps.get(question)
        if rungs is None:
            return None
        key = rungs.get(rung) or rungs.get(EVERY_RUNG)
        return self.classes[key] if key else None

    def rejects(self, question: str, rung: str, size: str) -> bool:
        return any(c.question == question and rung in c.rungs and size in c.sizes for c in self.caveats)


def _band(raw: Any) -> tuple[Decimal, Decimal]:
    return Decimal(str(raw[0])), Decimal(str(raw[1]))


def plan_from_document(raw: Mapping[str, Any] | None) -> Plan | None:
    """The engine's plan from a normalised `plan` block (assessment.framework_format) or its stored JSON."""
    if not raw:
        return None
    classes = {
        key: EffortClass(
            key=key,
            weeks=(int(spec["weeks"][0]), int(spec["weeks"][1])),
            cost={size: _band(band) for size, band in spec["cost"].items()},
        )
        for key, spec in raw["classes"].items()
    }
    steps = {
        question: ({EVERY_RUNG: value} if isinstance(value, str) else {str(k): v for k, v in value.items()})
        for question, value in raw["steps"].items()
    }
    caveats = tuple(
        Caveat(c["question"], frozenset(str(r) for r in c["rungs"]), frozenset(c["sizes"])) for c in raw["caveats"]
    )
    return Plan(classes, steps, caveats)
