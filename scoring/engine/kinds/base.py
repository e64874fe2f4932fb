"""What every kind of question defines: its answer value, checks, points, path steps and text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from scoring.engine.answers import Answer, with_value
from scoring.engine.framework import Kind, Question

Rung = dict[str, Any]  # the value fields of one answer, e.g. {"choices": ("B",)}
Sources = list[tuple[str, Decimal]]  # (option key, band, "level 3" …, points in the question's own scale)


@dataclass(frozen=True)
class Words:
    """The words an answer's text is made of, in the reader's language: the caller's (the engine knows none)."""

    not_applicable: str
    none_of_these: str
    yes: str
    no: str
    level: str  # with %(level)s, e.g. "Level %(level)s" or "%(level)s 级"
    separator: str = "；"


class QuestionKind:
    """One kind of question. Subclasses fill in what differs; the ladder drives the path to a level."""

    name: ClassVar[Kind]
    value_keys: ClassVar[tuple[str, ...]]  # the answer-format keys that carry the value

    def parse(self, question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
        """The Answer fields of the value in `item` ({} when it gives none); raise Invalid."""
        raise NotImplementedError

    def item(self, question: Question, answer: Answer) -> dict[str, Any]:
        """The answer's value as answer-format keys, e.g. {"choice": "B"} ({} when it has none)."""
        raise NotImplementedError

    def points(self, question: Question, answer: Answer) -> Decimal:
        """The points the answer earns in the question's own scale."""
        raise NotImplementedError

    def credits(self, question: Question, answer: Answer | None, earned: Decimal) -> tuple[Sources, Sources]:
        """(what earned the `earned` points, what would earn the missing ones)."""
        raise NotImplementedError

    def text(self, question: Question, answer: Answer, words: Words, options: Mapping[str, str], unit: str) -> str:
        """The value as a reader sees it, given option texts and unit in the reader's language."""
        raise NotImplementedError

    # The path to a level climbs each question's ladder: its scoring values from worst to best.

    def ladder(self, question: Question) -> list[Rung]:
        return []

    def rung(self, question: Question, answer: Answer) -> int:
        """Where an answer with a value stands on the ladder; -1 when off it."""
        return -1

    def position(self, question: Question, answer: Answer | None) -> int:
        """The rung of any answer: -1 when unanswered, not applicable or off the ladder."""
        if answer is None or not answer.has_value or answer.not_applicable:
            return -1
        return self.rung(question, answer)

    def moves(self, question: Question, answer: Answer | None) -> Iterator[tuple[Rung, int]]:
        """Every single improvement of the answer: (new value, steps climbed)."""
        ladder = self.ladder(question)
        current = self.position(question, answer)
        for index in range(current + 1, len(ladder)):
            yield ladder[index], index - max(current, 0) or 1

    def weaker(self, question: Question, original: Answer | None, answer: Answer) -> Iterator[Answer]:
        """The answers one step back from an improved one, still above the original."""
        below = self.position(question, answer) - 1
        if below > self.position(question, original):
            yield with_value(answer, question, **self.ladder(question)[below])

    def steps(self, question: Question, before: Answer | None, after: Answer) -> int:
        """How many steps an improvement climbs (at least one)."""
        return max(self.position(question, after) - max(self.position(question, before), 0), 1)
