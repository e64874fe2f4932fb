"""MIIT 2024 levels at every gate, with totals worked out by hand from the option points.

Level L (4, 3, 2, 1) needs total >= 80/60/40/20, at least 10/8/6/6 scenarios at level >= L and, of those,
at least 6/5/3/3 constrained (S01 S03 S06-S13); otherwise level 0. Scenarios score no points.
"""

from __future__ import annotations

from decimal import Decimal

from scoring.engine import Gate
from tests.scoring.engine.frameworks import Item, levels, miit, node_scores, scored


def replaced(items: list[Item], *changes: Item) -> list[Item]:
    """The items with the answer to each changed question replaced."""
    keys = {change["question"] for change in changes}
    return [item for item in items if item["question"] not in keys] + list(changes)


# foundation 8 + 6 + 6 + 7 + 10 + 5 = 42; management 7.5; outcomes 7 + 3.5 = 10.5; total 60.
SIXTY: list[Item] = [
    {"question": "F1", "choices": ["B", "C", "D", "E"]},  # 4 x 2 = 8
    {"question": "F2", "choice": "E"},  # 6
    {"question": "F3", "choice": "E"},  # 6
    {"question": "F4", "choices": list("BCDEFGHIJK")},  # 10 x 0.7 = 7
    {"question": "F5", "choice": "E"},  # 10
    {"question": "F6", "choices": ["B", "C", "D", "E"]},  # 4 x 1.25 = 5
    {"question": "M1", "choice": "F"},  # 7.5
    {"question": "R1", "choice": "C"},  # 7
    {"question": "R2", "choice": "B"},  # 3.5
]
# One F4 option less: 60 - 0.7 = 59.3.
FIFTY_NINE_POINT_THREE = replaced(SIXTY, {"question": "F4", "choices": list("BCDEFGHIJ")})

# foundation 8 + 6 + 6 + 10 + 10 + 5 + 5 = 50 (F4: 13 x 0.7 + 0.9 = 10); management 4 x 7.5 = 30; total 80.
EIGHTY: list[Item] = [
    {"question": "F1", "choices": ["B", "C", "D", "E"]},  # 8
    {"question": "F2", "choice": "E"},  # 6
    {"question": "F3", "choice": "E"},  # 6
    {"question": "F4", "choices": list("BCDEFGHIJKLMNO")},  # 10
    {"question": "F5", "choice": "E"},  # 10
    {"question": "F6", "choices": ["B", "C", "D", "E"]},  # 5
    {"question": "F7", "choices": ["B", "C", "D", "E"]},  # 5
    {"question": "M1", "choice": "F"},  # 7.5
    {"question": "M2", "choices": ["B", "C", "D", "E"]},  # 4 x 1.875 = 7.5
    {"question": "M3", "choices": ["B", "C", "D", "E", "F"]},  # 5 x 1.5 = 7.5
    {"question": "M4", "choice": "E"},  # 7.5
]
# Without F4's O (0.9): 80 - 0.9 = 79.1.
SEVENTY_NINE_POINT_ONE = replaced(EIGHTY, {"question": "F4", "choices": list("BCDEFGHIJKLMN")})
# EIGHTY plus R1 C 7, R2 C 7, R3 C 3, R4 C 3: 100.
HUNDRED = [*EIGHTY, *({"question": key, "choice": "C"} for key in ("R1", "R2", "R3", "R4"))]

# foundation 10 + outcomes 7 + 3 = 20.
TWENTY: list[Item] = [
    {"question": "F5", "choice": "E"},  # 10
    {"question": "R1", "choice": "C"},  # 7
    {"question": "R4", "choice": "C"},  # 3
]
# 10 + 7 + 1.5 + 0.7 = 19.2.
NINETEEN_POINT_TWO: list[Item] = [
    {"question": "F5", "choice": "E"},  # 10
    {"question": "R1", "choice": "C"},  # 7
    {"question": "R3", "choice": "B"},  # 1.5
    {"question": "F4", "choices": ["B"]},  # 0.7
]

# 10 + 8 + 6 + 6 + 7 + 3 = 40.
FORTY: list[Item] = [
    {"question": "F5", "choice": "E"},  # 10
    {"question": "F1", "choices": ["B", "C", "D", "E"]},  # 8
    {"question": "F2", "choice": "E"},  # 6
    {"question": "F3", "choice": "E"},  # 6
    {"question": "R1", "choice": "C"},  # 7
    {"question": "R4", "choice": "C"},  # 3
]
# R4 C -> B loses 1.5, F4 B adds 0.7: 40 - 1.5 + 0.7 = 39.2.
THIRTY_NINE_POINT_TWO = replaced(FORTY, {"question": "R4", "choice": "B"}, {"question": "F4", "choices": ["B"]})

# Five constrained (S01 S03 S06 S07 S08) and three others (S02 S04 S05) at level 3.
EIGHT_AT_THREE = levels(S01=3, S03=3, S06=3, S07=3, S08=3, S02=3, S04=3, S05=3)
# Six constrained (S01 S03 S06 S07 S08 S09) and four others (S02 S04 S05 S14) at level 4.
TEN_AT_FOUR = levels(S01=4, S03=4, S06=4, S07=4, S08=4, S09=4, S02=4, S04=4, S05=4, S14=4)
# Three constrained (S01 S03 S06) and three others (S02 S04 S05).
SIX_AT_TWO = levels(S01=2, S03=2, S06=2, S02=2, S04=2, S05=2)
SIX_AT_ONE = levels(S01=1, S03=1, S06=1, S02=1, S04=1, S05=1)


def test_sixty_points_and_eight_scenarios_at_level_three_five_constrained_give_level_three() -> None:
    card = scored(miit(), SIXTY + EIGHT_AT_THREE)
    assert card.total == 60
    assert card.level == 3
    assert card.next_level == 4
    assert card.next_level_gates == (
        Gate("score", 4, Decimal(80), Decimal(60), False),
        Gate("scenarios", 4, Decimal(10), Decimal(0), False),
        Gate("constrained", 4, Decimal(6), Decimal(0), False),
    )


def test_dimension_scores_are_the_hand_sums_and_the_maximum_total_is_100() -> None:
    card = scored(miit(), SIXTY + EIGHT_AT_THREE)
    dimensions = {d.key: (d.score, d.max) for d in card.dimensions}
    assert dimensions == {
        "foundation": (Decimal(42), Decimal(50)),
        "operations": (Decimal(0), Decimal(0)),
        "management": (Decimal("7.5"), Decimal(30)),
        "outcomes": (Decimal("10.5"), Decimal(20)),
    }
    assert card.max_total == 100


def test_indicator_scores_are_the_hand_sums_of_their_questions() -> None:
    scores = node_scores(scored(miit(), SIXTY))
    assert scores["network"] == 8
    assert scores["equipment_systems"] == 20  # 8 + 6 + 6
    assert scores["automatic_data_collection"] == 7
    assert scores["information_security"] == 5  # network security 5 + data security 0
    assert scores["planning"] == Decimal("7.5")
    assert scores["resources"] == 0
    assert scores["product_quality"] == Decimal("3.5")


def test_full_marks_give_every_dimension_its_maximum() -> None:
    card = scored(miit(), HUNDRED)
    assert {d.key: d.score for d in card.dimensions} == {
        "foundation": 50,
        "operations": 0,
        "management": 30,
        "outcomes": 20,
    }
    assert card.total == card.max_total == 100


def test_59_3_points_with_eight_scenarios_give_level_two_blocked_by_the_score_gate_of_level_three() -> None:
    card = scored(miit(), FIFTY_NINE_POINT_THREE + EIGHT_AT_THREE)
    assert card.total == Decimal("59.3")
    assert card.level == 2
    assert card.blocking_gates == (Gate("score", 3, Decimal(60), Decimal("59.3"), False),)
    assert card.blocking_gates[0].shortfall == Decimal("0.7")
    scenario_gates = [(g.kind, g.actual, g.holds) for g in card.next_level_gates if g.kind != "score"]
    assert scenario_gates == [("scenarios", 8, True), ("constrained", 5, True)]


def test_seven_scenarios_at_level_three_give_level_two_blocked_by_the_scenario_count() -> None:
    card = scored(miit(), SIXTY + replaced(EIGHT_AT_THREE, {"question": "S05", "level": 2}))
    assert card.level == 2
    assert card.blocking_gates == (Gate("scenarios", 3, Decimal(8), Decimal(7), False),)
    assert card.blocking_gates[0].shortfall == 1


def test_eight_scenarios_at_level_three_with_four_constrained_give_level_two_blocked_by_the_constrained_gate() -> None:
    four_constrained = levels(S01=3, S03=3, S06=3, S07=3, S02=3, S04=3, S05=3, S14=3)
    card = scored(miit(), SIXTY + four_constrained)
    assert card.level == 2
    assert card.blocking_gates == (Gate("constrained", 3, Decimal(5), Decimal(4), False),)
    assert card.blocking_gates[0].shortfall == 1


def test_a_scenario_at_level_four_counts_for_level_three() -> None:
    card = scored(miit(), SIXTY + replaced(EIGHT_AT_THREE, {"question": "S08", "level": 4}))
    assert card.scenario_levels["S08"] == 4
    assert card.level == 3
    lower = scored(miit(), SIXTY + replaced(EIGHT_AT_THREE, {"question": "S08", "level": 2}))
    assert lower.level == 2
    assert lower.blocking_gates == (
        Gate("scenarios", 3, Decimal(8), Decimal(7), False),
        Gate("constrained", 3, Decimal(5), Decimal(4), False),
    )


def test_eighty_points_and_ten_scenarios_at_level_four_six_constrained_give_level_four() -> None:
    card = scored(miit(), EIGHTY + TEN_AT_FOUR)
    assert card.total == 80
    assert {d.key: d.score for d in card.dimensions} == {
        "foundation": 50,
        "operations": 0,
        "management": 30,
        "outcomes": 0,
    }
    assert card.level == 4
    assert card.next_level is None
    assert card.next_level_gates == ()
    assert card.blocking_gates == ()


def test_79_1_points_give_level_three_blocked_by_the_score_gate_of_level_four() -> None:
    card = scored(miit(), SEVENTY_NINE_POINT_ONE + TEN_AT_FOUR)
    assert card.total == Decimal("79.1")
    assert card.level == 3
    assert card.blocking_gates == (Gate("score", 4, Decimal(80), Decimal("79.1"), False),)
    assert card.blocking_gates[0].shortfall == Decimal("0.9")


def test_nine_scenarios_at_level_four_give_level_three_blocked_by_the_scenario_count() -> None:
    card = scored(miit(), EIGHTY + replaced(TEN_AT_FOUR, {"question": "S14", "level": 3}))
    assert card.level == 3
    assert card.blocking_gates == (Gate("scenarios", 4, Decimal(10), Decimal(9), False),)


def test_ten_scenarios_at_level_four_with_five_constrained_give_level_three_blocked_by_the_constrained_gate() -> None:
    five_constrained = replaced(TEN_AT_FOUR, {"question": "S09", "level": 3}, {"question": "S15", "level": 4})
    card = scored(miit(), EIGHTY + five_constrained)
    assert card.level == 3
    assert card.blocking_gates == (Gate("constrained", 4, Decimal(6), Decimal(5), False),)


def test_forty_points_and_six_scenarios_at_level_two_three_constrained_give_level_two() -> None:
    card = scored(miit(), FORTY + SIX_AT_TWO)
    assert card.total == 40
    assert card.level == 2


def test_39_2_points_with_six_scenarios_at_level_two_give_level_one() -> None:
    card = scored(miit(), THIRTY_NINE_POINT_TWO + SIX_AT_TWO)
    assert card.total == Decimal("39.2")
    assert card.level == 1
    assert card.blocking_gates == (Gate("score", 2, Decimal(40), Decimal("39.2"), False),)
    assert card.blocking_gates[0].shortfall == Decimal("0.8")


def test_twenty_points_and_six_scenarios_at_level_one_three_constrained_give_level_one() -> None:
    card = scored(miit(), TWENTY + SIX_AT_ONE)
    assert card.total == 20
    assert {d.key: d.score for d in card.dimensions}["outcomes"] == 10
    assert card.level == 1
    assert card.blocking_gates == (
        Gate("score", 2, Decimal(40), Decimal(20), False),
        Gate("scenarios", 2, Decimal(6), Decimal(0), False),
        Gate("constrained", 2, Decimal(3), Decimal(0), False),
    )


def test_19_2_points_give_level_zero_blocked_by_the_score_gate_of_level_one() -> None:
    card = scored(miit(), NINETEEN_POINT_TWO + SIX_AT_ONE)
    assert card.total == Decimal("19.2")
    assert card.level == 0
    assert card.next_level == 1
    assert card.blocking_gates == (Gate("score", 1, Decimal(20), Decimal("19.2"), False),)
    assert card.blocking_gates[0].shortfall == Decimal("0.8")


def test_five_scenarios_at_level_one_give_level_zero_blocked_by_the_scenario_count() -> None:
    card = scored(miit(), TWENTY + replaced(SIX_AT_ONE, {"question": "S05", "level": 0}))
    assert card.level == 0
    assert card.blocking_gates == (Gate("scenarios", 1, Decimal(6), Decimal(5), False),)


def test_six_scenarios_at_level_one_with_two_constrained_give_level_zero_blocked_by_the_constrained_gate() -> None:
    two_constrained = levels(S01=1, S03=1, S02=1, S04=1, S05=1, S14=1)
    card = scored(miit(), TWENTY + two_constrained)
    assert card.level == 0
    assert card.blocking_gates == (Gate("constrained", 1, Decimal(3), Decimal(2), False),)


def test_full_points_without_scenarios_stay_at_level_zero() -> None:
    card = scored(miit(), HUNDRED)
    assert card.total == 100
    assert card.level == 0
    assert card.blocking_gates == (
        Gate("scenarios", 1, Decimal(6), Decimal(0), False),
        Gate("constrained", 1, Decimal(3), Decimal(0), False),
    )


def test_scenarios_at_level_four_score_no_points() -> None:
    every_scenario = levels(**{f"S{n:02}": 4 for n in range(1, 17)})
    card = scored(miit(), every_scenario)
    assert card.total == 0
    assert card.level == 0
    assert card.scenario_levels == {f"S{n:02}": 4 for n in range(1, 17)}
    assert card.blocking_gates == (Gate("score", 1, Decimal(20), Decimal(0), False),)


def test_unanswered_scenarios_count_as_level_zero() -> None:
    card = scored(miit(), SIXTY + levels(S01=3))
    assert card.scenario_levels["S01"] == 3
    assert card.scenario_levels["S16"] == 0
    assert len(card.scenario_levels) == 16
