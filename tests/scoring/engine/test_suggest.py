from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from assessment.framework_format import load_document
from scoring.engine import Framework, framework_from_document
from scoring.engine.suggest import suggest_option

FRAMEWORKS = Path(__file__).resolve().parents[3] / "frameworks"


@cache
def miit() -> Framework:
    return framework_from_document(load_document(FRAMEWORKS / "miit-2024-manufacturing.yaml")[0])


def test_the_digitalisation_rate_suggests_the_band_holding_it() -> None:
    evidence = {"F2": {"devices_total": 120, "devices_digital": 40}}  # 33.3 % → (20%, 40%] = C
    key, percentage = suggest_option(miit(), "F2", evidence)  # type: ignore[misc]
    assert key == "C"
    assert round(percentage, 1) == Decimal("33.3")


def test_band_edges_follow_the_official_open_and_closed_bounds() -> None:
    assert suggest_option(miit(), "F2", {"F2": {"devices_total": 10, "devices_digital": 1}})[0] == "A"  # 10 %: [0,10]
    assert suggest_option(miit(), "F2", {"F2": {"devices_total": 100, "devices_digital": 11}})[0] == "B"
    assert suggest_option(miit(), "F2", {"F2": {"devices_total": 5, "devices_digital": 5}})[0] == "E"  # 100 %


def test_the_networking_rate_uses_the_device_total_from_f2() -> None:
    evidence = {"F2": {"devices_total": 200}, "F3": {"devices_networked": 130}}  # 65 % → E
    assert suggest_option(miit(), "F3", evidence)[0] == "E"  # type: ignore[index]


def test_no_suggestion_without_both_figures_or_with_a_zero_total() -> None:
    assert suggest_option(miit(), "F3", {"F3": {"devices_networked": 130}}) is None
    assert suggest_option(miit(), "F2", {"F2": {"devices_total": 0, "devices_digital": 0}}) is None
    assert suggest_option(miit(), "F2", {"F2": {"devices_total": 10, "devices_digital": 30}}) is None  # 300 %
    assert suggest_option(miit(), "F1", {}) is None  # no suggest rule
