"""ScoreCards and paths as plain JSON-ready data, numbers rounded for display only here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from scoring.engine.answers import answer_item
from scoring.engine.framework import Framework
from scoring.engine.path import PathToLevel
from scoring.engine.scorecard import Credit, Gate, NodeScore, ScoreCard

PLACES = Decimal("0.01")


def number(value: Decimal) -> int | float:
    """A decimal rounded to two places, as a JSON number (63.5, not "63.50")."""
    rounded = value.quantize(PLACES, rounding=ROUND_HALF_UP)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def _gate(gate: Gate) -> dict[str, Any]:
    return {
        "gate": gate.kind,
        "level": gate.level,
        "required": number(gate.required),
        "actual": number(gate.actual),
        "holds": gate.holds,
        "inclusive": gate.inclusive,
        "shortfall": number(gate.shortfall),
    }


def _node(node: NodeScore) -> dict[str, Any]:
    return {
        "key": node.key,
        "score": number(node.score),
        "max": number(node.max),
        "excluded": node.excluded,
        "children": [_node(child) for child in node.children],
        "questions": list(node.questions),
    }


def _credits(credits: tuple[Credit, ...]) -> list[dict[str, Any]]:
    return [{"source": c.source, "points": number(c.points), "total_points": number(c.total_points)} for c in credits]


def path_as_dict(framework: Framework, path: PathToLevel | None) -> dict[str, Any] | None:
    if path is None:
        return None
    return {
        "target": path.target,
        "reachable": path.reachable,
        "shortfall": [_gate(g) for g in path.shortfall],
        "improvements": [
            {
                "question": i.question,
                "answer": answer_item(framework.questions[i.question], i.answer),
                "points": number(i.points),
                "effort": number(i.effort),
                "steps": i.steps,
            }
            for i in path.improvements
        ],
        "effort": number(path.effort),
        "total_after": number(path.total_after),
        "level_after": path.level_after,
    }


def card_as_dict(card: ScoreCard) -> dict[str, Any]:
    return {
        "framework": card.framework,
        "scoring_version": card.scoring_version,
        "total": number(card.total),
        "max_total": number(card.max_total),
        "level": card.level,
        "completeness": number(card.completeness),
        "dimensions": [_node(d) for d in card.dimensions],
        "scenario_levels": dict(card.scenario_levels),
        "gates": [_gate(g) for g in card.next_level_gates],
        "next_level": card.next_level,
        "questions": {
            key: {
                "score": number(q.score),
                "max": number(q.max),
                "answered": q.answered,
                "excluded": q.excluded,
                "earned": _credits(q.earned),
                "missed": _credits(q.missed),
            }
            for key, q in card.questions.items()
        },
    }
