"""Figures are exact decimals end to end: worked out by hand, carried unrounded into the data machines read."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from scoring.engine import Framework, ScoreCard, parse_answers, path_to_level, score
from scoring.engine.numbers import PRECISION, exact
from scoring.engine.serialize import card_as_data, card_from_data, path_as_data
from tests.scoring.engine.frameworks import ROOT, eu_dma, miit

ANSWERS = ROOT / "tests" / "fixtures" / "answers"


def answer_file(name: str) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = json.loads((ANSWERS / name).read_text(encoding="utf-8"))["answers"]
    return answers


def card(framework: Framework, name: str) -> ScoreCard:
    return score(framework, parse_answers(framework, answer_file(name)))


def by_key(card: ScoreCard) -> dict[str, Decimal]:
    return {d.key: d.score for d in card.dimensions}


def test_a_miit_total_of_58_125_is_scored_exactly() -> None:
    found = card(miit(), "miit-58.125.json")
    # Each dimension is the sum of its questions' points (their maxima add up to the dimension's):
    # foundation F1–F7 8 + 6 + 6 + 0 + 0 + 3.75 + 3.75 = 27.5; management M1–M4 3 + 7.5 + 4.5 + 5.625 = 20.625;
    # outcomes R1–R4 7 + 0 + 0 + 3 = 10; operations is judged by scenario levels and has no points.
    assert by_key(found) == {
        "foundation": Decimal("27.5"),
        "operations": 0,
        "management": Decimal("20.625"),
        "outcomes": 10,
    }
    assert found.total == Decimal("58.125")
    assert found.level == 2
    score_gate = found.next_level_gates[0]
    assert (score_gate.kind, score_gate.required, score_gate.shortfall) == ("score", 60, Decimal("1.875"))


def test_a_miit_total_of_28_125_is_scored_exactly() -> None:
    found = card(miit(), "miit-28.125.json")
    # foundation 2 + 3 + 3 + 3 + 5 + 3.75 + 0 = 19.75; management M4 1.875; outcomes 3.5 + 0 + 1.5 + 1.5 = 6.5
    assert by_key(found) == {
        "foundation": Decimal("19.75"),
        "operations": 0,
        "management": Decimal("1.875"),
        "outcomes": Decimal("6.5"),
    }
    assert found.total == Decimal("28.125")
    assert found.level == 1
    assert found.next_level_gates[0].shortfall == Decimal("11.875")


def test_an_eu_dma_total_just_above_25_is_average_not_basic() -> None:
    found = card(eu_dma(), "eu-dma-25+1-504.json")
    # The six dimensions add up to 150 + 1/84, so their mean is 25 + 1/504 = 25.001984126984126984…
    assert found.total == (Decimal(25) + Decimal(1) / 504).quantize(PRECISION) == Decimal("25.001984126984")
    assert found.level == 2  # Average: more than 25


def test_card_data_carries_every_figure_unrounded() -> None:
    data = card_as_data(card(miit(), "miit-58.125.json"))
    assert data["total"] == Decimal("58.125")
    assert str(data["total"]) == "58.125"  # no trailing zeros, no exponent
    assert [d["score"] for d in data["dimensions"]] == [Decimal("27.5"), 0, Decimal("20.625"), 10]
    assert data["gates"][0]["shortfall"] == Decimal("1.875")
    assert data["questions"]["M4"]["score"] == Decimal("5.625")
    assert str(data["max_total"]) == "100"
    eu = card_as_data(card(eu_dma(), "eu-dma-25+1-504.json"))
    assert eu["total"] == Decimal("25.001984126984")


def test_path_data_carries_the_figures_unrounded() -> None:
    answers = parse_answers(miit(), answer_file("miit-58.125.json"))
    data = path_as_data(miit(), path_to_level(miit(), answers))
    assert data is not None
    after = score(miit(), answers)
    assert data["total_after"] >= 60
    assert sum(i["points"] for i in data["improvements"]) >= after.next_level_gates[0].shortfall
    assert all(isinstance(i["points"], Decimal) for i in data["improvements"])


def test_a_stored_card_reads_back_with_its_explanation() -> None:
    original = card(miit(), "miit-58.125.json")
    read = card_from_data(card_as_data(original))
    assert read.total == Decimal("58.125")
    assert read.questions["M4"].score == Decimal("5.625")
    assert read.questions["M4"].missed == original.questions["M4"].missed
    assert read.factors["M4"] == original.factors["M4"]
    assert read.blocking_gates == original.blocking_gates


def test_exact_drops_trailing_zeros_and_cuts_only_what_does_not_end() -> None:
    assert str(exact(Decimal("58.125000000000"))) == "58.125"
    assert str(exact(Decimal("100.000000"))) == "100"
    assert exact(Decimal(1) / 3) == Decimal("0.333333333333")
    assert exact(Decimal(25) + Decimal(1) / 504) == Decimal("25.001984126984")
