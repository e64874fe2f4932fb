"""Figures as people read them: two decimals, more where two would read across a threshold or as zero."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring.templatetags.figures import figure


@pytest.mark.parametrize(
    ("value", "thresholds", "shown"),
    [
        (Decimal("58.125"), (20, 40, 60, 80), "58.13"),
        (Decimal("63.50"), (), "63.5"),
        (Decimal("100.000000000000"), (), "100"),
        (Decimal("25"), (25, 50, 75), "25"),
        (Decimal("25.001984126984"), (25, 50, 75), "25.002"),  # above Basic's bound: not "25"
        (Decimal("24.9996"), (25,), "24.9996"),  # below it: not "25.00"
        (Decimal("59.996"), 60, "59.996"),
        (Decimal("0.004"), (), "0.004"),  # a shortfall is never shown as nothing
        (Decimal("-1.875"), (), "-1.88"),
        (None, (), ""),
    ],
)
def test_a_figure_is_rounded_only_as_far_as_it_stays_on_its_side(
    value: Decimal, thresholds: object, shown: str
) -> None:
    assert figure(value, thresholds) == shown


def test_a_figure_stops_at_the_engines_precision() -> None:
    assert figure(Decimal(25) + Decimal("1e-13"), (25,)) == "25"
