"""ScoreCards and paths as plain data and back: the shape results are stored in and machines receive.

Figures stay Decimal (to the engine's precision, trailing zeros dropped): the JSON written from them
carries exact numbers, and reading the data back gives the same card and path (docs/answers-format.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from scoring.engine.answer_format import answer_item, parse_answer
from scoring.engine.framework import Framework
from scoring.engine.numbers import exact
from scoring.engine.path import DEFAULT_SIZE, Improvement, PathToLevel
from scoring.engine.scorecard import Credit, Gate, LazyMapping, NodeScore, QuestionScore, ScoreCard

Data = dict[str, Any]


def _gate(gate: Gate) -> Data:
    return {
        "gate": gate.kind,
        "level": gate.level,
        "required": exact(gate.required),
        "actual": exact(gate.actual),
        "holds": gate.holds,
        "inclusive": gate.inclusive,
        "shortfall": exact(gate.shortfall),
    }


def _node(node: NodeScore) -> Data:
    return {
        "key": node.key,
        "score": exact(node.score),
        "max": exact(node.max),
        "excluded": node.excluded,
        "children": [_node(child) for child in node.children],
        "questions": list(node.questions),
    }


def _credits(credits: tuple[Credit, ...]) -> list[Data]:
    return [{"source": c.source, "points": exact(c.points), "total_points": exact(c.total_points)} for c in credits]


def card_as_data(card: ScoreCard, *, explained: bool = True) -> Data:
    """The card as data; without `explained`, its questions' figures and credits are left out (a rescore stores
    them pending: scoring.selectors.result_details_add fills them in on first read)."""
    data = {
        "framework": card.framework,
        "scoring_version": card.scoring_version,
        "total": exact(card.total),
        "max_total": exact(card.max_total),
        "level": card.level,
        "completeness": exact(card.completeness),
        "dimensions": [_node(d) for d in card.dimensions],
        "scenario_levels": dict(card.scenario_levels),
        "gates": [_gate(g) for g in card.next_level_gates],
        "next_level": card.next_level,
    }
    if explained:
        data["questions"] = {key: _question(q) for key, q in card.questions.items()}
    return data


@lru_cache(maxsize=4096)
def _question(q: QuestionScore) -> Data:
    """A question's figures as data. Cached: a framework's questions are answered in a few ways, so most cards
    repeat entries other cards had (rescoring a million of them). The data is shared: never change it."""
    return {
        "score": exact(q.score),
        "max": exact(q.max),
        "answered": q.answered,
        "excluded": q.excluded,
        "to_total": exact(q.to_total),
        "earned": _credits(q.earned),
        "missed": _credits(q.missed),
    }


def path_as_data(framework: Framework, path: PathToLevel | None) -> Data | None:
    """The path with each improved answer as an answer-format item."""
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
                "points": exact(i.points),
                "cost": exact(i.cost),
                "cost_low": _maybe(i.cost_low),
                "cost_high": _maybe(i.cost_high),
                "weeks": list(i.weeks) if i.weeks else None,
                "effort_class": i.effort_class,
                "steps": i.steps,
            }
            for i in path.improvements
        ],
        "cost": exact(path.cost),
        "cost_low": _maybe(path.cost_low),
        "cost_high": _maybe(path.cost_high),
        "size": path.size,
        "planned": path.planned,
        "total_after": exact(path.total_after),
        "level_after": path.level_after,
    }


def _maybe(value: Decimal | None) -> Decimal | None:
    return None if value is None else exact(value)


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _gate_from(data: Mapping[str, Any]) -> Gate:
    return Gate(
        kind=data["gate"],
        level=data["level"],
        required=_decimal(data["required"]),
        actual=_decimal(data["actual"]),
        holds=data["holds"],
        inclusive=data["inclusive"],
    )


def _node_from(data: Mapping[str, Any]) -> NodeScore:
    return NodeScore(
        key=data["key"],
        score=_decimal(data["score"]),
        max=_decimal(data["max"]),
        excluded=data["excluded"],
        children=tuple(_node_from(child) for child in data["children"]),
        questions=tuple(data["questions"]),
    )


def _credits_from(data: list[Mapping[str, Any]]) -> tuple[Credit, ...]:
    return tuple(Credit(c["source"], _decimal(c["points"]), _decimal(c["total_points"])) for c in data)


def card_from_data(data: Mapping[str, Any]) -> ScoreCard:
    """A card written by card_as_data (stored, or sent), as the engine's value again. The questions are read on
    first use: peers and summaries need only the totals. A card stored without them (card_as_data) has none
    to give: reading them is an error, not an empty explanation."""
    questions = data.get("questions")
    return ScoreCard(
        framework=data["framework"],
        scoring_version=data["scoring_version"],
        total=_decimal(data["total"]),
        max_total=_decimal(data["max_total"]),
        level=data["level"],
        dimensions=tuple(_node_from(d) for d in data["dimensions"]),
        scenario_levels=dict(data["scenario_levels"]),
        completeness=_decimal(data["completeness"]),
        next_level=data["next_level"],
        next_level_gates=tuple(_gate_from(g) for g in data["gates"]),
        factors=LazyMapping(
            _unexplained if questions is None else lambda: {k: _decimal(q["to_total"]) for k, q in questions.items()}
        ),
        questions=LazyMapping(
            _unexplained if questions is None else lambda: {k: _question_from(k, q) for k, q in questions.items()}
        ),
    )


def _unexplained() -> dict[str, Any]:
    raise LookupError("this card was stored without its explanations: read it through assessment_result")


def _question_from(key: str, q: Mapping[str, Any]) -> QuestionScore:
    return QuestionScore(
        key=key,
        score=_decimal(q["score"]),
        max=_decimal(q["max"]),
        answered=q["answered"],
        excluded=q["excluded"],
        to_total=_decimal(q["to_total"]),
        earned=_credits_from(q["earned"]),
        missed=_credits_from(q["missed"]),
    )


def path_from_data(framework: Framework, data: Mapping[str, Any] | None) -> PathToLevel | None:
    """A path written by path_as_data, its answers parsed back into the engine's values."""
    if data is None:
        return None
    return PathToLevel(
        target=data["target"],
        reachable=data["reachable"],
        shortfall=tuple(_gate_from(g) for g in data["shortfall"]),
        improvements=tuple(
            Improvement(
                question=i["question"],
                answer=parse_answer(framework, i["answer"]),
                points=_decimal(i["points"]),
                cost=_decimal(i.get("cost", i.get("effort"))),  # paths stored before scoring version 4: effort
                steps=i["steps"],
                cost_low=_maybe_from(i.get("cost_low")),
                cost_high=_maybe_from(i.get("cost_high")),
                weeks=(i["weeks"][0], i["weeks"][1]) if i.get("weeks") else None,
                effort_class=i.get("effort_class"),
            )
            for i in data["improvements"]
        ),
        total_after=_decimal(data["total_after"]),
        level_after=data["level_after"],
        size=data.get("size", DEFAULT_SIZE),
        planned=data.get("planned", False),
    )


def _maybe_from(value: Any) -> Decimal | None:
    return None if value is None else _decimal(value)
