"""Free text: kept for the reader and the consultant, never scored."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from scoring.engine.answers import Answer
from scoring.engine.framework import Question
from scoring.engine.kinds.base import QuestionKind, Sources, Words
from scoring.engine.numbers import ZERO
from scoring.engine.values import LONGEST_TEXT, text_value


class Text(QuestionKind):
    name = "text"
    value_keys = ("text",)

    def parse(self, question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
        if "text" not in item:
            return {}
        return {"text": text_value(item["text"], "text", question.max_length or LONGEST_TEXT)}

    def item(self, question: Question, answer: Answer) -> dict[str, Any]:
        return {"text": answer.text} if answer.text else {}

    def points(self, question: Question, answer: Answer) -> Decimal:
        return ZERO

    def credits(self, question: Question, answer: Answer | None, earned: Decimal) -> tuple[Sources, Sources]:
        return [], []

    def text(self, question: Question, answer: Answer, words: Words, options: Mapping[str, str], unit: str) -> str:
        return answer.text or ""
