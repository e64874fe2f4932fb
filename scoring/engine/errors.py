"""What is wrong with an answer: a code and its parameters, worded (in English) only when printed.

The web and the API translate the same wording through Django's catalogue (`scoring.messages`), so a
Chinese user reads Chinese and no edge keeps a second copy of a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a message for translation (Django's makemessages collects calls by this name); return it as is."""
    return message


# Every refusal the answer format knows, by code. Parameters are named as in the text.
MESSAGES: Mapping[str, str] = {
    "answers_not_list": gettext_noop('"answers" must be a list'),
    "item_not_object": gettext_noop("each answer must be an object"),
    "question_missing": gettext_noop('"question" must name a question key such as "F1"'),
    "unknown_question": gettext_noop('unknown question "%(question)s"'),
    "answered_twice": gettext_noop("answered twice (first at answers[%(first)s])"),
    "unknown_field": gettext_noop('unknown field "%(field)s"'),
    "wrong_value_field": gettext_noop('this is a %(kind)s question: give %(expected)s, not "%(field)s"'),
    "not_applicable_not_boolean": gettext_noop('"not_applicable" must be true or false'),
    "not_applicable_not_allowed": gettext_noop("this question cannot be answered as not applicable"),
    "not_applicable_with_value": gettext_noop("an answer is either not applicable or has a value, not both"),
    "not_a_number": gettext_noop('"%(field)s" must be a number'),
    "number_too_large": gettext_noop('"%(field)s" must be a finite number no larger than 10^12 in size'),
    "not_whole": gettext_noop('"%(field)s" must be a whole number'),
    "too_many_places": gettext_noop('"%(field)s" may have at most %(places)s decimal places'),
    "below_minimum": gettext_noop('"%(field)s" must be at least %(minimum)s'),
    "above_maximum": gettext_noop('"%(field)s" must be at most %(maximum)s'),
    "not_a_string": gettext_noop('"%(field)s" must be a string'),
    "nul_character": gettext_noop('"%(field)s" must not contain NUL characters'),
    "too_long": gettext_noop('"%(field)s" is longer than %(limit)s characters'),
    "not_boolean": gettext_noop('"%(field)s" must be true or false'),
    "evidence_not_object": gettext_noop('"evidence" must be an object'),
    "unknown_evidence": gettext_noop('unknown evidence field "%(field)s" (this question has: %(known)s)'),
    "choice_not_key": gettext_noop('"choice" must be an option key such as "B"'),
    "choices_not_list": gettext_noop('"choices" must be a list of option keys such as ["B", "D"]'),
    "unknown_option": gettext_noop('unknown option "%(option)s" (valid: %(valid)s)'),
    "option_repeated": gettext_noop("an option is chosen more than once"),
    "exclusive_option": gettext_noop('option "%(option)s" excludes every other option; choose it alone'),
    "outside_bands": gettext_noop("%(number)s is outside every band (%(bands)s)"),
    "level_out_of_range": gettext_noop('"level" must be a whole number from 0 to 4'),
    "before_and_after": gettext_noop('give both "before" and "after"'),
}


class Invalid(Exception):
    """One problem with one answer item, raised while it is checked."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class AnswerError:
    question: str | None  # the question key the error is about, when there is one
    index: int | None  # the position of the item in the list, when there is one
    code: str  # a key of MESSAGES
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The problem in English; the edges translate MESSAGES[code] with the same parameters."""
        return MESSAGES[self.code] % self.params

    @property
    def where(self) -> str:
        return f"answers[{self.index}]" if self.index is not None else "answers"

    def __str__(self) -> str:
        return f"{self.where} ({self.question}): {self.message}" if self.question else f"{self.where}: {self.message}"


class AnswerSetError(ValueError):
    def __init__(self, errors: list[AnswerError]) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors
