"""Scenario: the level 0–4 a business scenario has reached, judged against the framework's descriptors."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from scoring.engine.answers import Answer
from scoring.engine.errors import Invalid
from scoring.engine.framework import Question
from scoring.engine.kinds.base import QuestionKind, Rung, Sources, Words
from scoring.engine.numbers import ZERO

LEVELS = range(5)


def _level_points(question: Question) -> tuple[Decimal, ...]:
    return question.level_points or (ZERO,) * len(LEVELS)


class Scenario(QuestionKind):
    name = "scenario"
    value_keys = ("level",)

    def parse(self, question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
        if "level" not in item:
            return {}
        level = item["level"]
        if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
            raise Invalid("level_out_of_range")
        return {"level": level}

    def item(self, question: Question, answer: Answer) -> dict[str, Any]:
        return {"level": answer.level} if answer.level is not None else {}

    def points(self, question: Question, answer: Answer) -> Decimal:
        return _level_points(question)[answer.level or 0]

    def credits(self, question: Question, answer: Answer | None, earned: Decimal) -> tuple[Sources, Sources]:
        level = answer.level if answer else None
        points = _level_points(question)
        best = max(LEVELS, key=lambda i: (points[i], i))
        missed = [(f"level {best}", points[best] - earned)] if points[best] > earned else []
        return ([(f"level {level}", earned)] if level is not None else []), missed

    def text(self, question: Question, answer: Answer, words: Words, options: Mapping[str, str], unit: str) -> str:
        return words.level % {"level": answer.level}

    def ladder(self, question: Question) -> list[Rung]:
        return [{"level": level} for level in LEVELS]

    def rung(self, question: Question, answer: Answer) -> int:
        return answer.level if answer.level is not None else -1
