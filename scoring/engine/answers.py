"""The answer format (docs/answers-format.md): parse and check answers against a framework."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from scoring.engine.framework import EvidenceField, Framework, Question

# The key that carries the value, per question kind.
VALUE_KEYS: Mapping[str, tuple[str, ...]] = {
    "single_choice": ("choice",),
    "multiple_choice": ("choices",),
    "banded_number": ("number",),
    "scenario": ("level",),
    "before_after": ("before", "after"),
    "yes_no": ("yes",),
    "text": ("text",),
}
ALL_VALUE_KEYS = frozenset(k for keys in VALUE_KEYS.values() for k in keys)
COMMON_KEYS = frozenset({"question", "not_applicable", "evidence", "comment"})
LARGEST_NUMBER = Decimal(10) ** 12
LONGEST_TEXT = 20000


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

    def to_item(self) -> dict[str, Any]:
        """This answer as an item of the answer format (numbers as JSON-ready floats or ints)."""
        item: dict[str, Any] = {"question": self.question}
        if self.not_applicable:
            item["not_applicable"] = True
        for name in ("number", "before", "after"):
            value = getattr(self, name)
            if value is not None:
                item[name] = int(value) if value == value.to_integral_value() else float(value)
        if self.level is not None:
            item["level"] = self.level
        if self.yes is not None:
            item["yes"] = self.yes
        if self.text:
            item["text"] = self.text
        if self.evidence:
            item["evidence"] = dict(self.evidence)
        if self.comment:
            item["comment"] = self.comment
        return item


def answer_item(question: Question, answer: Answer) -> dict[str, Any]:
    """The answer as an answer-format item, with the choice key the question's kind expects."""
    item = answer.to_item()
    numeric = {f.key for f in question.evidence if f.type in ("integer", "decimal")}
    if "evidence" in item:  # decimals are kept as strings (exact); the format's numbers are JSON numbers
        item["evidence"] = {
            key: float(value) if key in numeric and isinstance(value, str) else value
            for key, value in item["evidence"].items()
        }
    if question.kind == "single_choice" and answer.chosen:
        item["choice"] = answer.choices[0]
    elif question.kind == "multiple_choice" and answer.chosen:
        item["choices"] = list(answer.choices)
    return item


@dataclass(frozen=True)
class AnswerError:
    question: str | None  # the question key the error is about, when there is one
    index: int | None  # the position of the item in the list, when there is one
    message: str

    def __str__(self) -> str:
        where = f"answers[{self.index}]" if self.index is not None else "answers"
        return f"{where} ({self.question}): {self.message}" if self.question else f"{where}: {self.message}"


class AnswerSetError(ValueError):
    def __init__(self, errors: list[AnswerError]) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


class _Invalid(Exception):
    pass


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise _Invalid(f'"{what}" must be a number')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _Invalid(f'"{what}" must be a number') from None
    if not number.is_finite() or abs(number) > LARGEST_NUMBER:
        raise _Invalid(f'"{what}" must be a finite number no larger than 10^12 in size')
    return number


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise _Invalid(f'"{what}" must be a string')
    if "\x00" in value:
        raise _Invalid(f'"{what}" must not contain NUL characters')
    if len(value) > limit:
        raise _Invalid(f'"{what}" is longer than {limit} characters')
    return value


def _evidence_value(spec: EvidenceField, value: Any) -> Any:
    what = f"evidence.{spec.key}"
    if value is None:
        return None
    if spec.type == "text":
        return _text(value, what, 2000)
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise _Invalid(f'"{what}" must be true or false')
        return value
    number = _number(value, what)
    if spec.type == "integer" and number != number.to_integral_value():
        raise _Invalid(f'"{what}" must be a whole number')
    if spec.min is not None and number < spec.min:
        raise _Invalid(f'"{what}" must be at least {spec.min}')
    if spec.max is not None and number > spec.max:
        raise _Invalid(f'"{what}" must be at most {spec.max}')
    # Stored as JSON: whole numbers as int, others as the decimal's string.
    return int(number) if number == number.to_integral_value() else str(number)


def _evidence(question: Question, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Invalid('"evidence" must be an object')
    fields = {f.key: f for f in question.evidence}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        known = ", ".join(fields) or "none"
        raise _Invalid(f'unknown evidence field "{unknown[0]}" (this question has: {known})')
    values = {key: _evidence_value(fields[key], value) for key, value in raw.items()}
    return {key: value for key, value in values.items() if value is not None}


def _choices(question: Question, raw: Any) -> tuple[str, ...]:
    if question.kind == "single_choice":
        if not isinstance(raw, str):
            raise _Invalid('"choice" must be an option key such as "B"')
        keys = [raw]
    else:
        if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
            raise _Invalid('"choices" must be a list of option keys such as ["B", "D"]')
        keys = raw
    for key in keys:
        if question.option(key) is None:
            valid = ", ".join(o.key for o in question.options)
            raise _Invalid(f'unknown option "{key[:40]}" (valid: {valid})')
    if len(set(keys)) != len(keys):
        raise _Invalid("an option is chosen more than once")
    exclusive = [k for k in keys if question.option(k).exclusive]  # type: ignore[union-attr]
    if exclusive and len(keys) > 1:
        raise _Invalid(f'option "{exclusive[0]}" excludes every other option; choose it alone')
    order = [o.key for o in question.options]
    return tuple(sorted(keys, key=order.index))


def _value(question: Question, item: Mapping[str, Any]) -> dict[str, Any]:
    kind = question.kind
    if kind in ("single_choice", "multiple_choice"):
        key = VALUE_KEYS[kind][0]
        return {"choices": _choices(question, item[key]), "chosen": True} if key in item else {}
    if kind == "banded_number" and "number" in item:
        number = _number(item["number"], "number")
        if not any(number in band.interval for band in question.bands):
            raise _Invalid(f"{number} is outside every band ({', '.join(str(b.interval) for b in question.bands)})")
        return {"number": number}
    if kind == "scenario" and "level" in item:
        level = item["level"]
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 4:
            raise _Invalid('"level" must be a whole number from 0 to 4')
        return {"level": level}
    if kind == "before_after" and ("before" in item or "after" in item):
        if "before" not in item or "after" not in item:
            raise _Invalid('give both "before" and "after"')
        return {"before": _number(item["before"], "before"), "after": _number(item["after"], "after")}
    if kind == "yes_no" and "yes" in item:
        if not isinstance(item["yes"], bool):
            raise _Invalid('"yes" must be true or false')
        return {"yes": item["yes"]}
    if kind == "text" and "text" in item:
        return {"text": _text(item["text"], "text", question.max_length or LONGEST_TEXT)}
    return {}


def parse_answer(framework: Framework, item: Any, index: int | None = None) -> Answer:
    """Check one item of the answer format; raise AnswerSetError with one error naming the question."""
    if not isinstance(item, dict):
        raise AnswerSetError([AnswerError(None, index, "each answer must be an object")])
    key = item.get("question")
    if not isinstance(key, str):
        raise AnswerSetError([AnswerError(None, index, '"question" must name a question key such as "F1"')])
    question = framework.questions.get(key)
    if question is None:
        raise AnswerSetError([AnswerError(key[:40], index, f'unknown question "{key[:40]}"')])
    try:
        expected = VALUE_KEYS[question.kind]
        unknown = sorted(set(item) - COMMON_KEYS - ALL_VALUE_KEYS)
        if unknown:
            raise _Invalid(f'unknown field "{unknown[0][:40]}"')
        wrong = sorted((set(item) & ALL_VALUE_KEYS) - set(expected))
        if wrong:
            names = " and ".join(f'"{k}"' for k in expected)
            raise _Invalid(f'this is a {question.kind.replace("_", "-")} question: give {names}, not "{wrong[0]}"')
        not_applicable = item.get("not_applicable", False)
        if not isinstance(not_applicable, bool):
            raise _Invalid('"not_applicable" must be true or false')
        if not_applicable and question.not_applicable is None:
            raise _Invalid("this question cannot be answered as not applicable")
        value = _value(question, item)
        if not_applicable and value:
            raise _Invalid("an answer is either not applicable or has a value, not both")
        evidence = _evidence(question, item.get("evidence", {}))
        comment = _text(item.get("comment", ""), "comment", 5000)
    except _Invalid as exc:
        raise AnswerSetError([AnswerError(key, index, str(exc))]) from None
    return Answer(question=key, not_applicable=not_applicable, evidence=evidence, comment=comment, **value)


def parse_answers(framework: Framework, items: Any) -> dict[str, Answer]:
    """Check a list of answer-format items; raise AnswerSetError listing every problem."""
    if not isinstance(items, list):
        raise AnswerSetError([AnswerError(None, None, '"answers" must be a list')])
    answers: dict[str, Answer] = {}
    first_index: dict[str, int] = {}
    errors: list[AnswerError] = []
    for index, item in enumerate(items):
        try:
            answer = parse_answer(framework, item, index)
        except AnswerSetError as exc:
            errors.extend(exc.errors)
            continue
        if answer.question in answers:
            errors.append(
                AnswerError(
                    answer.question, index, f"answered twice (first at answers[{first_index[answer.question]}])"
                )
            )
            continue
        answers[answer.question] = answer
        first_index[answer.question] = index
    if errors:
        raise AnswerSetError(errors)
    return answers


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
