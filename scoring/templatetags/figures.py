"""Figures as people read them: rounded to two places, never so that they read across a threshold."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

from scoring.engine.numbers import PLACES as MOST_PLACES
from scoring.engine.numbers import plain

register = template.Library()
PLACES = 2


def _side(value: Decimal, threshold: Decimal) -> int:
    return (value > threshold) - (value < threshold)


@register.filter
def figure(value: Any, thresholds: Any = ()) -> str:
    """`value` to two decimal places, trailing zeros dropped (58.125 → 58.13, 63.50 → 63.5, 100 → 100).

    Where that would put it on the other side of a threshold, or make a non-zero figure read as 0,
    as many more places as it takes: 25.001984 against 25 reads 25.002, 59.996 against 60 reads 59.996.
    `thresholds` is one number or several ({{ total|figure:thresholds }}).
    """
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    limits = [Decimal(0)]
    if isinstance(thresholds, Iterable) and not isinstance(thresholds, str):
        limits += [Decimal(str(t)) for t in thresholds]
    elif thresholds not in (None, ""):
        limits.append(Decimal(str(thresholds)))
    places = PLACES
    while True:
        shown = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        if places >= MOST_PLACES or all(_side(shown, t) == _side(number, t) for t in limits):
            return f"{plain(shown):f}"
        places += 1
