"""Suggest a banded option from evidence, e.g. 设备联网率 = networked devices / all devices."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from scoring.engine.framework import Framework


def _evidence_number(evidence: Mapping[str, Mapping[str, Any]], own: str, reference: str) -> Decimal | None:
    question, _, field = reference.rpartition(".")
    value = evidence.get(question or own, {}).get(field)
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def suggest_option(
    framework: Framework, question_key: str, evidence: Mapping[str, Mapping[str, Any]]
) -> tuple[str, Decimal] | None:
    """(option key, percentage) whose band holds numerator / denominator × 100, or None.

    `evidence` maps question keys to their evidence values, so a reference such as F2.devices_total
    can use another question's figure.
    """
    question = framework.questions.get(question_key)
    if question is None or question.suggest is None:
        return None
    numerator = _evidence_number(evidence, question_key, question.suggest[0])
    denominator = _evidence_number(evidence, question_key, question.suggest[1])
    if numerator is None or not denominator or numerator < 0 or denominator < 0:
        return None
    percentage = numerator * 100 / denominator
    option = next((o for o in question.options if o.band is not None and percentage in o.band), None)
    return (option.key, percentage) if option else None
