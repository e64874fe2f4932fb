"""Single and multiple choice: option keys; a multiple choice sums its options up to its cap."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from scoring.engine.answers import Answer, with_value
from scoring.engine.errors import Invalid
from scoring.engine.framework import Question
from scoring.engine.kinds.base import QuestionKind, Rung, Sources, Words
from scoring.engine.numbers import ZERO


def _option_keys(question: Question, keys: list[str]) -> tuple[str, ...]:
    """Known, distinct option keys, an exclusive one alone; in the question's option order."""
    for key in keys:
        if question.option(key) is None:
            raise Invalid("unknown_option", option=key[:40], valid=", ".join(o.key for o in question.options))
    if len(set(keys)) != len(keys):
        raise Invalid("option_repeated")
    exclusive = [k for k in keys if question.option(k).exclusive]  # type: ignore[union-attr]
    if exclusive and len(keys) > 1:
        raise Invalid("exclusive_option", option=exclusive[0])
    order = [o.key for o in question.options]
    return tuple(sorted(keys, key=order.index))


def _earned(question: Question, answer: Answer | None, earned: Decimal) -> Sources:
    """The chosen options' points; where a cap cuts the sum, each option is credited its share."""
    chosen = set(answer.choices) if answer else set()
    sources = [(o.key, o.points) for o in question.options if o.key in chosen]
    chosen_points = sum((p for _, p in sources), ZERO)
    if chosen_points > earned:
        sources = [(key, p * earned / chosen_points) for key, p in sources]
    return sources


class _Choice(QuestionKind):
    def text(self, question: Question, answer: Answer, words: Words, options: Mapping[str, str], unit: str) -> str:
        chosen = [f"{key}. {options.get(key, '')}" for key in answer.choices]
        return words.separator.join(chosen) if chosen else words.none_of_these


class SingleChoice(_Choice):
    name = "single_choice"
    value_keys = ("choice",)

    def parse(self, question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
        if "choice" not in item:
            return {}
        if not isinstance(item["choice"], str):
            raise Invalid("choice_not_key")
        return {"choices": _option_keys(question, [item["choice"]]), "chosen": True}

    def item(self, question: Question, answer: Answer) -> dict[str, Any]:
        return {"choice": answer.choices[0]} if answer.chosen and answer.choices else {}

    def points(self, question: Question, answer: Answer) -> Decimal:
        return next((o.points for o in question.options if o.key in answer.choices), ZERO)

    def credits(self, question: Question, answer: Answer | None, earned: Decimal) -> tuple[Sources, Sources]:
        best = max(question.options, key=lambda o: o.points)
        missed = [(best.key, best.points - earned)] if best.points > earned else []
        return _earned(question, answer, earned), missed

    def ladder(self, question: Question) -> list[Rung]:
        return [{"choices": (o.key,)} for o in sorted(question.options, key=lambda o: o.points)]

    def rung(self, question: Question, answer: Answer) -> int:
        return next((i for i, rung in enumerate(self.ladder(question)) if rung["choices"] == answer.choices), -1)


class MultipleChoice(_Choice):
    """Improvements add one option at a time; an exclusive option ("none of these") is left for the others."""

    name = "multiple_choice"
    value_keys = ("choices",)

    def parse(self, question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
        if "choices" not in item:
            return {}
        raw = item["choices"]
        if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
            raise Invalid("choices_not_list")
        return {"choices": _option_keys(question, raw), "chosen": True}

    def item(self, question: Question, answer: Answer) -> dict[str, Any]:
        return {"choices": list(answer.choices)} if answer.chosen else {}

    def points(self, question: Question, answer: Answer) -> Decimal:
        chosen = sum((o.points for o in question.options if o.key in answer.choices), ZERO)
        return chosen if question.cap is None else min(chosen, question.cap)

    def credits(self, question: Question, answer: Answer | None, earned: Decimal) -> tuple[Sources, Sources]:
        chosen = set(answer.choices) if answer else set()
        missed: Sources = []
        room = question.points - earned
        for option in question.options:
            if room > 0 and option.key not in chosen and not option.exclusive and option.points > 0:
                missed.append((option.key, min(option.points, room)))
                room -= min(option.points, room)
        return _earned(question, answer, earned), missed

    def moves(self, question: Question, answer: Answer | None) -> Iterator[tuple[Rung, int]]:
        chosen = set() if answer is None else set(answer.choices)
        if any(question.option(k).exclusive for k in chosen):  # type: ignore[union-attr]
            chosen = set()
        order = [o.key for o in question.options]
        for option in question.options:
            if option.key not in chosen and not option.exclusive and option.points > 0:
                yield {"choices": tuple(sorted(chosen | {option.key}, key=order.index))}, 1

    def weaker(self, question: Question, original: Answer | None, answer: Answer) -> Iterator[Answer]:
        for key in [k for k in answer.choices if k not in (original.choices if original else ())]:
            yield with_value(answer, question, choices=tuple(k for k in answer.choices if k != key))

    def steps(self, question: Question, before: Answer | None, after: Answer) -> int:
        return len(set(after.choices) - set(before.choices if before else ()))
