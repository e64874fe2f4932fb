"""Checks of single values inside answer items: numbers, texts, true or false."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from scoring.engine.errors import Invalid

LARGEST_NUMBER = Decimal(10) ** 12
ANSWER_PLACES = 6  # decimal places an answer's number may have: as many as the database keeps
LONGEST_TEXT = 20000
LONGEST_COMMENT = 5000
LONGEST_EVIDENCE_TEXT = 2000


def number_value(value: Any, field: str, places: int | None = None) -> Decimal:
    """A JSON number as an exact decimal, finite, at most 10^12 in size and with at most `places` decimals."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise Invalid("not_a_number", field=field)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Invalid("not_a_number", field=field) from None
    if not number.is_finite() or abs(number) > LARGEST_NUMBER:
        raise Invalid("number_too_large", field=field)
    if places is not None and number != number.quantize(Decimal(1).scaleb(-places)):
        raise Invalid("too_many_places", field=field, places=places)
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
