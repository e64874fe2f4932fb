"""Checks of single values inside answer items: numbers, texts, true or false."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from scoring.engine.errors import Invalid

LARGEST_NUMBER = Decimal(10) ** 12
LONGEST_TEXT = 20000
LONGEST_COMMENT = 5000
LONGEST_EVIDENCE_TEXT = 2000


def number_value(value: Any, field: str) -> Decimal:
    """A JSON number as an exact decimal, finite and at most 10^12 in size."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise Invalid("not_a_number", field=field)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Invalid("not_a_number", field=field) from None
    if not number.is_finite() or abs(number) > LARGEST_NUMBER:
        raise Invalid("number_too_large", field=field)
    return number


def text_value(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Invalid("not_a_string", field=field)
    if "\x00" in value:
        raise Invalid("nul_character", field=field)
    if len(value) > limit:
        raise Invalid("too_long", field=field, limit=limit)
    return value


def boolean_value(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid("not_boolean", field=field)
    return value
