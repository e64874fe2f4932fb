"""Answers as engine values, and what a submission still lacks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from scoring.engine.framework import Framework, Question


@dataclass(frozen=True)
class Answer:
    question: str
    choices: tuple[str, ...] = ()
    chosen: bool = False  # a choice was given: an empty `choices` then means "none of these"
    number: Decimal | None = None
    level: int | None = None
    before: Decimal | None = None
    after: Decimal | None = None
    yes: bool | None = None
    text: str | None = None
    not_applicable: bool = False
    evidence: Mapping[str, Any] = field(default_factory=dict)
    comment: str = ""

    @property
    def has_value(self) -> bool:
        """Answered (a value, or not applicable), as opposed to evidence or a comment alone."""
        return self.not_applicable or any(
            (
                self.chosen,
                self.number is not None,
                self.level is not None,
                self.before is not None and self.after is not None,
                self.yes is not None,
                self.text,
            )
        )


def apply_changes(answers: Mapping[str, Answer], changes: Iterable[Answer]) -> dict[str, Answer]:
    """The answers with some replaced: for what-if and the path to the next level."""
    merged = dict(answers)
    for change in changes:
        merged[change.question] = change
    return merged


def with_value(answer: Answer | None, question: Question, **value: Any) -> Answer:
    """A copy of the answer (or a new one) holding another value, evidence and comment kept."""
    base = answer or Answer(question=question.key)
    cleared = replace(
        base,
        choices=(),
        chosen=False,
        number=None,
        level=None,
        before=None,
        after=None,
        yes=None,
        not_applicable=False,
    )
    return replace(cleared, chosen="choices" in value, **value)


@dataclass(frozen=True)
class Missing:
    """Something a submission still lacks: an answer to a required question, or required evidence."""

    question: str
    evidence: str | None = None  # the evidence field, when the answer is there but its evidence is not

    def __str__(self) -> str:
        if self.evidence:
            return f'{self.question}: evidence "{self.evidence}" is required'
        return f"{self.question}: a required question is unanswered"


def missing_for_submission(framework: Framework, answers: Mapping[str, Answer]) -> list[Missing]:
    """Every unanswered required question and every required evidence field left empty, in framework order."""
    missing: list[Missing] = []
    for key, question in framework.questions.items():
        answer = answers.get(key)
        if answer is None or not answer.has_value:
            if question.required:
                missing.append(Missing(key))
            continue
        if answer.not_applicable:
            continue
        missing.extend(Missing(key, f.key) for f in question.evidence if f.required and f.key not in answer.evidence)
    return missing
