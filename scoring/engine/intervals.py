"""Number intervals in the usual notation: [0, 10], (10, 20], (100, inf)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_INTERVAL = re.compile(r"^([\[(])\s*(-?[0-9.]+)\s*,\s*(-?[0-9.]+|inf)\s*([\])])$")


@dataclass(frozen=True)
class Interval:
    lower: Decimal
    lower_closed: bool
    upper: Decimal | None  # None = unbounded
    upper_closed: bool

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Parse "[a, b]", "(a, b]", "[a, inf)" …; raise ValueError with the reason."""
        match = _INTERVAL.match(text.strip())
        if not match:
            raise ValueError(f'"{text}" is not an interval such as "(10, 20]"')
        opening, low, high, closing = match.groups()
        try:
            lower = Decimal(low)
            upper = None if high == "inf" else Decimal(high)
        except InvalidOperation:
            raise ValueError(f'"{text}" has a bound that is not a number') from None
        if upper is None and closing == "]":
            raise ValueError(f'"{text}": an unbounded interval ends with ")"')
        if upper is not None and (upper < lower or (upper == lower and not (opening == "[" and closing == "]"))):
            raise ValueError(f'"{text}" is empty')
        return cls(lower, opening == "[", upper, closing == "]")

    def __contains__(self, value: Decimal) -> bool:
        above = value >= self.lower if self.lower_closed else value > self.lower
        if self.upper is None:
            return above
        below = value <= self.upper if self.upper_closed else value < self.upper
        return above and below

    def overlaps(self, other: Interval) -> bool:
        first, second = sorted((self, other), key=lambda i: (i.lower, not i.lower_closed))
        if first.upper is None:
            return True
        if first.upper > second.lower:
            return True
        return first.upper == second.lower and first.upper_closed and second.lower_closed

    def __str__(self) -> str:
        upper = "inf" if self.upper is None else str(self.upper)
        return f"{'[' if self.lower_closed else '('}{self.lower}, {upper}{']' if self.upper_closed else ')'}"
