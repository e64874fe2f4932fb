from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from assessment.framework_format import load_document
from scoring.engine import Answer, Framework, framework_from_document
from scoring.engine.suggest import evidence_contradictions, suggest_option

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


def _answer(
    key: str, choices: tuple[str, ...] | None = None, evidence: dict[str, int] | None = None, *, na: bool = False
) -> tuple[str, Answer]:
    answer = Answer(key, choices or (), choices is not None, not_applicable=na, evidence=evidence or {})
    return key, answer


def test_a_rate_in_another_band_than_the_chosen_option_is_a_contradiction() -> None:
    # 30 % digitised (band (20%, 40%] = C) while the answer claims E (60–100 %).
    answers = dict([_answer("F2", ("E",), {"devices_total": 100, "devices_digital": 30})])
    (found,) = evidence_contradictions(miit(), answers)
    assert (found.question, found.kind, found.chosen, found.suggested) == ("F2", "band", ("E",), "C")
    assert found.percentage == Decimal(30)


def test_more_devices_digitised_than_there_are_is_a_contradiction_whatever_was_chosen() -> None:
    answers = dict([_answer("F2", ("A",), {"devices_total": 10, "devices_digital": 25})])
    (found,) = evidence_contradictions(miit(), answers)
    assert (found.kind, found.numerator, found.denominator, found.suggested) == ("exceeds", 25, 10, None)
    assert found.percentage == Decimal(250)


def test_the_networked_devices_are_checked_against_the_total_given_in_f2() -> None:
    answers = dict(
        [
            _answer("F2", ("C",), {"devices_total": 100, "devices_digital": 30}),
            _answer("F3", ("A",), {"devices_networked": 130}),
        ]
    )
    assert [(c.question, c.kind) for c in evidence_contradictions(miit(), answers)] == [("F3", "exceeds")]


def test_an_answer_matching_its_evidence_or_without_figures_is_not_flagged() -> None:
    answers = dict(
        [
            _answer("F2", ("C",), {"devices_total": 100, "devices_digital": 30}),
            _answer("F3", ("E",)),  # no networked figure
            _answer("F1", ("B",)),  # no suggestion rule
        ]
    )
    assert evidence_contradictions(miit(), answers) == ()


def test_no_flag_without_a_choice_a_zero_total_or_for_not_applicable() -> None:
    answers = dict([_answer("F2", None, {"devices_total": 100, "devices_digital": 90})])
    assert evidence_contradictions(miit(), answers) == ()
    answers = dict([_answer("F2", ("E",), {"devices_total": 0, "devices_digital": 0})])
    assert evidence_contradictions(miit(), answers) == ()
    answers = dict([_answer("F2", None, {"devices_total": 10, "devices_digital": 90}, na=True)])
    assert evidence_contradictions(miit(), answers) == ()


def test_a_positive_count_of_a_zero_total_exceeds_it() -> None:
    answers = dict([_answer("F2", ("A",), {"devices_total": 0, "devices_digital": 3})])
    (found,) = evidence_contradictions(miit(), answers)
    assert (found.kind, found.percentage) == ("exceeds", None)
