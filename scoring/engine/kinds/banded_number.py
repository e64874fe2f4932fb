"""Banded number: a figure (e.g. a share in %) scored by the band it falls in."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from scoring.engine.answers import Answer
from scoring.engine.errors import Invalid
from scoring.engine.framework import Band, Question
from scoring.engine.kinds.base import QuestionKind, Rung, Sources, Words
from scoring.engine.numbers import ZERO, plain
from scoring.engine.values import ANSWER_PLACES, number_value

STEP_INTO_OPEN_BAND = Decimal("0.01")  # how far above its bound the path puts a number in a band open below


def _by_points(question: Question) -> list[Band]:
    return sorted(question.bands, key=lambda b: b.points)


def _band(question: Question, answer: Answer | None) -> Band | None:
    number = answer.number if answer else None
    return next((b for b in question.bands if number is not None and number in b.interval), None)


class BandedNumber(QuestionKind):
    name = "banded_number"
    value_keys = ("number",)

    def parse(self, question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
        if "number" not in item:
            return {}
        number = number_value(item["number"], "number", ANSWER_PLACES)
        if not any(number in band.interval for band in question.bands):
            raise Invalid("outside_bands", number=str(number), bands=", ".join(str(b.interval) for b in question.bands))
        return {"number": number}

    def item(self, question: Question, answer: Answer) -> dict[str, Any]:
        return {"number": plain(answer.number)} if answer.number is not None else {}

    def points(self, question: Question, answer: Answer) -> Decimal:
        band = _band(question, answer)
        return band.points if band else ZERO

    def credits(self, question: Question, answer: Answer | None, earned: Decimal) -> tuple[Sources, Sources]:
        band = _band(question, answer)
        top = max(question.bands, key=lambda b: b.points)
        missed = [(str(top.interval), top.points - earned)] if top.points > earned else []
        return ([(str(band.interval), band.points)] if band else []), missed

    def text(self, question: Question, answer: Answer, words: Words, options: Mapping[str, str], unit: str) -> str:
        return f"{plain(answer.number or ZERO):f} {unit}".strip()

    def ladder(self, question: Question) -> list[Rung]:
        """The smallest number inside each band; in a band open below, just above its bound."""
        return [
            {"number": b.interval.lower if b.interval.lower_closed else b.interval.lower + STEP_INTO_OPEN_BAND}
            for b in _by_points(question)
        ]

    def rung(self, question: Question, answer: Answer) -> int:
        number = answer.number
        return next((i for i, b in enumerate(_by_points(question)) if number is not None and number in b.interval), -1)
