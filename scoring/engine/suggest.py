"""Suggest a banded option from evidence, e.g. 设备联网率 = networked devices / all devices; and flag answers
whose own evidence contradicts the option chosen (what a consultant checks first)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from scoring.engine.answers import Answer
from scoring.engine.framework import Framework, Question


def _evidence_number(evidence: Mapping[str, Mapping[str, Any]], own: str, reference: str) -> Decimal | None:
    question, _, field = reference.rpartition(".")
    value = evidence.get(question or own, {}).get(field)
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _figures(question: Question, evidence: Mapping[str, Mapping[str, Any]]) -> tuple[Decimal, Decimal] | None:
    """(numerator, denominator) of the question's suggestion rule, when both are given and not negative."""
    if question.suggest is None:
        return None
    numerator = _evidence_number(evidence, question.key, question.suggest[0])
    denominator = _evidence_number(evidence, question.key, question.suggest[1])
    if numerator is None or denominator is None or numerator < 0 or denominator < 0:
        return None
    return numerator, denominator


def _banded(question: Question, percentage: Decimal) -> str | None:
    return next((o.key for o in question.options if o.band is not None and percentage in o.band), None)


def suggest_option(
    framework: Framework, question_key: str, evidence: Mapping[str, Mapping[str, Any]]
) -> tuple[str, Decimal] | None:
    """(option key, percentage) whose band holds numerator / denominator × 100, or None.

    `evidence` maps question keys to their evidence values, so a reference such as F2.devices_total
    can use another question's figure.
    """
    question = framework.questions.get(question_key)
    figures = None if question is None else _figures(question, evidence)
    if question is None or figures is None or not figures[1]:
        return None
    percentage = figures[0] * 100 / figures[1]
    option = _banded(question, percentage)
    return (option, percentage) if option else None


ContradictionKind = Literal["exceeds", "band"]


@dataclass(frozen=True)
class Contradiction:
    """An answer whose own evidence says otherwise: a part larger than its whole, or a rate in another band."""

    question: str
    kind: ContradictionKind  # "exceeds": numerator > denominator; "band": the rate lies in another option's band
    numerator: Decimal
    denominator: Decimal
    chosen: tuple[str, ...]  # the options chosen (empty when none was)
    suggested: str | None = None  # "band": the option whose band holds the rate
    percentage: Decimal | None = None  # numerator / denominator × 100 (None for a zero denominator)


def evidence_contradictions(framework: Framework, answers: Mapping[str, Answer]) -> tuple[Contradiction, ...]:
    """The answers, in framework order, whose evidence contradicts them (by the questions' suggestion rules).

    "Not applicable" answers are left out: their evidence is not what they claim.
    """
    evidence = {key: answer.evidence for key, answer in answers.items()}
    found: list[Contradiction] = []
    for key, question in framework.questions.items():
        answer = answers.get(key)
        if answer is None or answer.not_applicable:
            continue
        figures = _figures(question, evidence)
        if figures is None:
            continue
        numerator, denominator = figures
        percentage = numerator * 100 / denominator if denominator else None
        if numerator > denominator:
            found.append(Contradiction(key, "exceeds", numerator, denominator, answer.choices, None, percentage))
            continue
        suggested = None if percentage is None else _banded(question, percentage)
        if answer.chosen and suggested is not None and answer.choices != (suggested,):
            found.append(Contradiction(key, "band", numerator, denominator, answer.choices, suggested, percentage))
    return tuple(found)
