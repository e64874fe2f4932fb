"""Numbers as the engine carries them: exact decimals, cut only where a division does not end."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

ZERO = Decimal(0)
ONE = Decimal(1)
PLACES = 12  # non-terminating divisions (sevenths, 1/504) are carried to 12 decimal places
PRECISION = Decimal(1).scaleb(-PLACES)


def plain(value: Decimal) -> Decimal:
    """The value without trailing zeros, whole numbers without an exponent: 58.125, 100."""
    return value.quantize(ONE) if value == value.to_integral_value() else value.normalize()


@lru_cache(maxsize=8192)
def exact(value: Decimal) -> Decimal:
    """A figure as machine outputs carry it: to the engine's precision, trailing zeros dropped. Cached: equal
    values give the same figure, and a card repeats few (its points, 0), hundreds of times."""
    return plain(value.quantize(PRECISION))
