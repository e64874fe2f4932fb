"""The answer format (docs/answers-format.md): check items into Answers, write Answers back as items or text."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from scoring.engine.answers import Answer
from scoring.engine.errors import AnswerError, AnswerSetError, Invalid
from scoring.engine.framework import EvidenceField, Framework, Question
from scoring.engine.kinds import KINDS, Words
from scoring.engine.numbers import plain
from scoring.engine.values import LONGEST_COMMENT, LONGEST_EVIDENCE_TEXT, boolean_value, number_value, text_value

ALL_VALUE_KEYS = frozenset(key for kind in KINDS.values() for key in kind.value_keys)
COMMON_KEYS = frozenset({"question", "not_applicable", "evidence", "comment"})
NUMERIC_EVIDENCE = frozenset({"integer", "decimal"})


def _evidence_value(spec: EvidenceField, value: Any) -> Any:
    field = f"evidence.{spec.key}"
    if value is None:
        return None
    if spec.type == "text":
        return text_value(value, field, LONGEST_EVIDENCE_TEXT)
    if spec.type == "boolean":
        return boolean_value(value, field)
    number = number_value(value, field)
    if spec.type == "integer" and number != number.to_integral_value():
        raise Invalid("not_whole", field=field)
    if spec.min is not None and number < spec.min:
        raise Invalid("below_minimum", field=field, minimum=spec.min)
    if spec.max is not None and number > spec.max:
        raise Invalid("above_maximum", field=field, maximum=spec.max)
    # Stored as JSON: whole numbers as int, others as the decimal's string.
    return int(number) if number == number.to_integral_value() else str(number)


def _evidence(question: Question, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise Invalid("evidence_not_object")
    fields = {f.key: f for f in question.evidence}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise Invalid("unknown_evidence", field=unknown[0], known=", ".join(fields) or "none")
    values = {key: _evidence_value(fields[key], value) for key, value in raw.items()}
    return {key: value for key, value in values.items() if value is not None}


def _checked(question: Question, item: Mapping[str, Any]) -> Answer:
    kind = KINDS[question.kind]
    unknown = sorted(set(item) - COMMON_KEYS - ALL_VALUE_KEYS)
    if unknown:
        raise Invalid("unknown_field", field=unknown[0][:40])
    wrong = sorted((set(item) & ALL_VALUE_KEYS) - set(kind.value_keys))
    if wrong:
        expected = " and ".join(f'"{k}"' for k in kind.value_keys)
        raise Invalid("wrong_value_field", kind=kind.name.replace("_", "-"), expected=expected, field=wrong[0])
    not_applicable = item.get("not_applicable", False)
    if not isinstance(not_applicable, bool):
        raise Invalid("not_applicable_not_boolean")
    if not_applicable and question.not_applicable is None:
        raise Invalid("not_applicable_not_allowed")
    value = kind.parse(question, item)
    if not_applicable and value:
        raise Invalid("not_applicable_with_value")
    evidence = _evidence(question, item.get("evidence", {}))
    comment = text_value(item.get("comment", ""), "comment", LONGEST_COMMENT)
    return Answer(question=question.key, not_applicable=not_applicable, evidence=evidence, comment=comment, **value)


def parse_answer(framework: Framework, item: Any, index: int | None = None) -> Answer:
    """Check one item of the answer format; raise AnswerSetError with one error naming the question."""
    if not isinstance(item, dict):
        raise AnswerSetError([AnswerError(None, index, "item_not_object")])
    key = item.get("question")
    if not isinstance(key, str):
        raise AnswerSetError([AnswerError(None, index, "question_missing")])
    question = framework.questions.get(key)
    if question is None:
        raise AnswerSetError([AnswerError(key[:40], index, "unknown_question", {"question": key[:40]})])
    try:
        return _checked(question, item)
    except Invalid as exc:
        raise AnswerSetError([AnswerError(key, index, exc.code, exc.params)]) from None


def parse_answers(framework: Framework, items: Any) -> dict[str, Answer]:
    """Check a list of answer-format items; raise AnswerSetError listing every problem."""
    if not isinstance(items, list):
        raise AnswerSetError([AnswerError(None, None, "answers_not_list")])
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
            first = first_index[answer.question]
            errors.append(AnswerError(answer.question, index, "answered_twice", {"first": first}))
            continue
        answers[answer.question] = answer
        first_index[answer.question] = index
    if errors:
        raise AnswerSetError(errors)
    return answers


def answer_item(question: Question, answer: Answer) -> dict[str, Any]:
    """The answer as an answer-format item; numbers (evidence too) as exact decimals."""
    item: dict[str, Any] = {"question": answer.question}
    if answer.not_applicable:
        item["not_applicable"] = True
    else:
        item.update(KINDS[question.kind].item(question, answer))
    if answer.evidence:
        numeric = {f.key for f in question.evidence if f.type in NUMERIC_EVIDENCE}
        item["evidence"] = {
            key: plain(Decimal(str(value))) if key in numeric and not isinstance(value, bool) else value
            for key, value in answer.evidence.items()
        }
    if answer.comment:
        item["comment"] = answer.comment
    return item


def answer_text(
    question: Question, answer: Answer | None, words: Words, options: Mapping[str, str] | None = None, unit: str = ""
) -> str:
    """The answer as a reader sees it: option texts, the level's name, the number with its unit; "—" unanswered."""
    if answer is None or not answer.has_value:
        return "—"
    if answer.not_applicable:
        return words.not_applicable
    return KINDS[question.kind].text(question, answer, words, options or {}, unit)
