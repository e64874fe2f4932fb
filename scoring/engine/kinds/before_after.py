"""Before/after outcome: two figures; points for improving (lower or higher is better, as the question says)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from scoring.engine.answers import Answer
from scoring.engine.errors import Invalid
from scoring.engine.framework import Outcome, Question
from scoring.engine.kinds.base import QuestionKind, Sources, Words
from scoring.engine.numbers import ZERO, plain
from scoring.engine.values import ANSWER_PLACES, number_value


def outcome(question: Question, answer: Answer) -> Outcome:
    before, after = answer.before or ZERO, answer.after or ZERO
    if after == before:
        return "unchanged"
    improved = after < before if question.better == "lower" else after > before
    return "improved" if improved else "worsened"


class BeforeAfter(QuestionKind):
    """Not on the path: an outcome is measured, not chosen."""

    name = "before_after"
    value_keys = ("before", "after")

    def parse(self, question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
        if "before" not in item and "after" not in item:
            return {}
        if "before" not in item or "after" not in item:
            raise Invalid("before_and_after")
        return {
            "before": number_value(item["before"], "before", ANSWER_PLACES),
            "after": number_value(item["after"], "after", ANSWER_PLACES),
        }

    def item(self, question: Question, answer: Answer) -> dict[str, Any]:
        if answer.before is None or answer.after is None:
            return {}
        return {"before": plain(answer.before), "after": plain(answer.after)}

    def points(self, question: Question, answer: Answer) -> Decimal:
        if answer.before is None or answer.after is None:
            return ZERO
        return question.outcome_points.get(outcome(question, answer), ZERO)

    def credits(self, question: Question, answer: Answer | None, earned: Decimal) -> tuple[Sources, Sources]:
        earned_sources: Sources = []
        if answer and answer.before is not None and answer.after is not None:
            earned_sources = [(outcome(question, answer), earned)]
        improved = question.outcome_points.get("improved", ZERO)
        return earned_sources, ([("improved", improved - earned)] if improved > earned else [])

    def text(self, question: Question, answer: Answer, words: Words, options: Mapping[str, str], unit: str) -> str:
        return f"{plain(answer.before or ZERO):f} → {plain(answer.after or ZERO):f}"
