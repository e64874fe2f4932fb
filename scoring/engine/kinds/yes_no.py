"""Yes/no: the question's points for yes."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from scoring.engine.answers import Answer
from scoring.engine.framework import Question
from scoring.engine.kinds.base import QuestionKind, Rung, Sources, Words
from scoring.engine.numbers import ZERO
from scoring.engine.values import boolean_value


class YesNo(QuestionKind):
    name = "yes_no"
    value_keys = ("yes",)

    def parse(self, question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
        return {"yes": boolean_value(item["yes"], "yes")} if "yes" in item else {}

    def item(self, question: Question, answer: Answer) -> dict[str, Any]:
        return {"yes": answer.yes} if answer.yes is not None else {}

    def points(self, question: Question, answer: Answer) -> Decimal:
        return question.points if answer.yes else ZERO

    def credits(self, question: Question, answer: Answer | None, earned: Decimal) -> tuple[Sources, Sources]:
        return ([("yes", earned)], []) if earned else ([], [("yes", question.points)])

    def text(self, question: Question, answer: Answer, words: Words, options: Mapping[str, str], unit: str) -> str:
        return words.yes if answer.yes else words.no

    def ladder(self, question: Question) -> list[Rung]:
        return [{"yes": False}, {"yes": True}]

    def rung(self, question: Question, answer: Answer) -> int:
        return -1 if answer.yes is None else int(answer.yes)
