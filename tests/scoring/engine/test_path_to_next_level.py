"""The path to a level: improvements that, applied, reach it; cheapest first; nothing unneeded.

These frameworks carry no plan: each rung costs its question's `effort` (tests/scoring/engine/test_path_costs.py
has the plan's cost bands and caveats)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from scoring.engine import Answer, Framework, Gate, PathToLevel, apply_changes, path_to_level, score
from tests.scoring.engine.frameworks import (
    MIIT_TOP_FOUNDATION_AND_MANAGEMENT,
    Item,
    eu_dma,
    levels,
    miit,
    mini,
    mini_variant,
    parsed,
)

# A level-1 enterprise: 4 + 3 + 1.5 + 2.1 + 5 + 1.25 + 0 + 3 + 1.875 + 0 + 1.875 + 3.5 + 3.5 + 0 + 1.5 = 32.1;
# seven scenarios at level >= 1 (S01 S03 S06 S12 constrained), two at level 2 (S01 constrained).
PARTIAL: list[Item] = [
    {"question": "F1", "choices": ["B", "C"]},  # 4
    {"question": "F2", "choice": "C"},  # 3
    {"question": "F3", "choice": "B"},  # 1.5
    {"question": "F4", "choices": ["B", "C", "D"]},  # 2.1
    {"question": "F5", "choice": "C"},  # 5
    {"question": "F6", "choices": ["B"]},  # 1.25
    {"question": "F7", "choices": ["A"]},  # 0
    {"question": "M1", "choice": "C"},  # 3
    {"question": "M2", "choices": ["B"]},  # 1.875
    {"question": "M3", "choices": ["A"]},  # 0
    {"question": "M4", "choice": "B"},  # 1.875
    {"question": "R1", "choice": "B"},  # 3.5
    {"question": "R2", "choice": "B"},  # 3.5
    {"question": "R3", "choice": "A"},  # 0
    {"question": "R4", "choice": "B"},  # 1.5
    *levels(S01=2, S02=1, S03=1, S05=2, S06=1, S10=0, S12=1, S14=1),
]

# 59.3 points (see test_miit_levels) with eight scenarios at level 3, five of them constrained.
FIFTY_NINE_POINT_THREE: list[Item] = [
    {"question": "F1", "choices": ["B", "C", "D", "E"]},  # 8
    {"question": "F2", "choice": "E"},  # 6
    {"question": "F3", "choice": "E"},  # 6
    {"question": "F4", "choices": list("BCDEFGHIJ")},  # 6.3
    {"question": "F5", "choice": "E"},  # 10
    {"question": "F6", "choices": ["B", "C", "D", "E"]},  # 5
    {"question": "M1", "choice": "F"},  # 7.5
    {"question": "R1", "choice": "C"},  # 7
    {"question": "R2", "choice": "B"},  # 3.5
]
EIGHT_AT_THREE = levels(S01=3, S03=3, S06=3, S07=3, S08=3, S02=3, S04=3, S05=3)


def applied(answers: dict[str, Answer], path: PathToLevel) -> dict[str, Answer]:
    return apply_changes(answers, [i.answer for i in path.improvements])


def path_of(framework: Framework, answers: dict[str, Answer], target: int | None = None) -> PathToLevel:
    path = path_to_level(framework, answers, target)
    assert path is not None
    return path


def test_the_partial_answer_set_is_at_level_one_with_32_1_points() -> None:
    card = score(miit(), parsed(miit(), PARTIAL))
    assert card.total == Decimal("32.1")
    assert card.level == 1


def test_the_path_to_the_next_level_applied_reaches_it() -> None:
    answers = parsed(miit(), PARTIAL)
    path = path_of(miit(), answers)
    assert path.target == 2
    assert path.reachable is True
    after = score(miit(), applied(answers, path))
    assert after.level >= 2
    assert (path.level_after, path.total_after) == (after.level, after.total)
    assert after.total >= 40


def test_the_path_names_the_gates_that_do_not_hold_yet() -> None:
    path = path_of(miit(), parsed(miit(), PARTIAL))
    assert path.shortfall == (
        Gate("score", 2, Decimal(40), Decimal("32.1"), False),
        Gate("scenarios", 2, Decimal(6), Decimal(2), False),
        Gate("constrained", 2, Decimal(3), Decimal(1), False),
    )


@pytest.mark.parametrize("target", [2, 3, 4])
def test_the_path_to_an_explicit_target_applied_reaches_it(target: int) -> None:
    answers = parsed(miit(), PARTIAL)
    path = path_of(miit(), answers, target)
    assert path.target == target
    assert path.reachable is True
    assert score(miit(), applied(answers, path)).level >= target


@pytest.mark.parametrize("target", [None, 3, 4])
def test_improvements_are_ordered_cheapest_first_then_by_more_points(target: int | None) -> None:
    path = path_of(miit(), parsed(miit(), PARTIAL), target)
    order = [(i.cost, -i.points) for i in path.improvements]
    assert order == sorted(order)
    assert len({i.cost for i in path.improvements}) > 1


@pytest.mark.parametrize("target", [None, 3, 4])
def test_the_path_is_minimal_removing_any_improvement_misses_the_target(target: int | None) -> None:
    answers = parsed(miit(), PARTIAL)
    path = path_of(miit(), answers, target)
    assert len(path.improvements) > 1
    for left_out in path.improvements:
        others = [i.answer for i in path.improvements if i is not left_out]
        assert score(miit(), apply_changes(answers, others)).level < path.target, left_out.question


@pytest.mark.parametrize("target", [None, 4])
def test_each_improvement_says_what_it_adds_alone_and_what_it_costs(target: int | None) -> None:
    answers = parsed(miit(), PARTIAL)
    before = score(miit(), answers).total
    path = path_of(miit(), answers, target)
    for improvement in path.improvements:
        alone = score(miit(), apply_changes(answers, [improvement.answer])).total
        assert improvement.points == alone - before, improvement.question
        assert improvement.cost == miit().questions[improvement.question].effort * improvement.steps
        assert (improvement.cost_low, improvement.cost_high, improvement.weeks, improvement.effort_class) == (
            None,
            None,
            None,
            None,
        )
        assert improvement.question == improvement.answer.question
    assert path.cost == sum(i.cost for i in path.improvements)
    assert not path.planned


def test_scenarios_short_of_the_next_level_are_raised_to_it_from_the_closest() -> None:
    answers = parsed(miit(), PARTIAL)
    path = path_of(miit(), answers)
    raised = {i.question: i.answer.level for i in path.improvements if i.question.startswith("S")}
    # S01 and S05 are at 2 already; four more are needed, two of them constrained (S03 S06 S12 are at 1).
    assert len(raised) == 4
    assert set(raised.values()) == {2}
    assert all(answers[key].level == 1 for key in raised)
    after = score(miit(), applied(answers, path))
    constrained = [k for k, v in after.scenario_levels.items() if v >= 2 and miit().questions[k].constrained]
    assert len(constrained) >= 3


SIXTY = [item for item in FIFTY_NINE_POINT_THREE if item["question"] != "F4"] + [
    {"question": "F4", "choices": list("BCDEFGHIJK")}  # 7: 60 points in all
]


def test_a_constrained_shortfall_is_fixed_by_raising_the_closest_constrained_scenario() -> None:
    # Seven scenarios at level 3, four constrained; S09 (constrained) is at level 2, S10 at 1.
    items = SIXTY + levels(S01=3, S03=3, S06=3, S07=3, S02=3, S04=3, S05=3, S09=2, S10=1)
    answers = parsed(miit(), items)
    assert score(miit(), answers).level == 2
    path = path_of(miit(), answers)
    assert path.shortfall == (
        Gate("scenarios", 3, Decimal(8), Decimal(7), False),
        Gate("constrained", 3, Decimal(5), Decimal(4), False),
    )
    assert [(i.question, i.answer.level, i.points, i.steps, i.cost) for i in path.improvements] == [("S09", 3, 0, 1, 1)]
    assert path.level_after == 3


def test_a_constrained_shortfall_with_enough_scenarios_raises_the_closest_constrained_scenario() -> None:
    # Eight scenarios at level 3 but only four constrained; S09 (constrained) is at level 2.
    items = SIXTY + levels(S01=3, S03=3, S06=3, S07=3, S02=3, S04=3, S05=3, S14=3, S09=2)
    answers = parsed(miit(), items)
    path = path_of(miit(), answers)
    assert path.shortfall == (Gate("constrained", 3, Decimal(5), Decimal(4), False),)
    assert [(i.question, i.answer.level, i.steps) for i in path.improvements] == [("S09", 3, 1)]


def test_a_score_shortfall_of_0_7_is_closed_by_the_cheapest_step_with_the_most_points() -> None:
    answers = parsed(miit(), FIFTY_NINE_POINT_THREE + EIGHT_AT_THREE)
    path = path_of(miit(), answers)
    assert path.shortfall == (Gate("score", 3, Decimal(60), Decimal("59.3"), False),)
    # One step of effort 1 is enough (an F4 option adds 0.7); of those, one M2 option or M4's first step adds most.
    assert len(path.improvements) == 1
    (step,) = path.improvements
    assert (step.points, step.cost, step.steps) == (Decimal("1.875"), 1, 1)
    assert step.question in {"M2", "M4"}
    assert path.total_after == Decimal("61.175")
    assert path.level_after == 3


def test_there_is_no_path_above_the_top_level() -> None:
    top = [
        *MIIT_TOP_FOUNDATION_AND_MANAGEMENT,
        *levels(S01=4, S03=4, S06=4, S07=4, S08=4, S09=4, S02=4, S04=4, S05=4, S14=4),
    ]
    answers = parsed(miit(), top)
    assert score(miit(), answers).level == 4
    assert path_to_level(miit(), answers) is None
    assert path_to_level(miit(), answers, 4) is None


def test_there_is_no_path_to_the_current_level_a_lower_one_or_an_unknown_one() -> None:
    answers = parsed(miit(), PARTIAL)
    assert path_to_level(miit(), answers, 1) is None
    assert path_to_level(miit(), answers, 0) is None
    assert path_to_level(miit(), answers, 5) is None


def test_the_path_from_nothing_reaches_level_one() -> None:
    path = path_of(miit(), {})
    assert path.target == 1
    assert path.reachable is True
    assert score(miit(), applied({}, path)).level == 1
    assert path.total_after >= 20


def test_not_applicable_answers_are_never_improved() -> None:
    answers = parsed(
        mini(),
        [
            {"question": "Y1", "not_applicable": True},
            {"question": "Q1", "choices": ["B"]},
            {"question": "S1", "level": 2},
            {"question": "S2", "level": 2},
        ],
    )
    for target in (1, 2):
        path = path_of(mini(), answers, target)
        assert path.reachable is True
        assert "Y1" not in {i.question for i in path.improvements}
        after = applied(answers, path)
        assert after["Y1"].not_applicable is True
        assert score(mini(), after).level >= target


def _scenario_group(raw: dict[str, Any]) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = raw["dimensions"][1]["indicators"][0]["questions"]
    return questions


def s1_may_be_not_applicable_and_s3_is_constrained(raw: dict[str, Any]) -> None:
    scenarios = _scenario_group(raw)
    scenarios[0]["not_applicable"] = "exclude"
    scenarios.append({**scenarios[0], "key": "S3"})
    del scenarios[-1]["not_applicable"]


def test_a_not_applicable_scenario_is_never_raised() -> None:
    framework = mini_variant(s1_may_be_not_applicable_and_s3_is_constrained)
    items = [
        {"question": "S1", "not_applicable": True},
        {"question": "S2", "level": 2},
        {"question": "Q1", "choices": ["B", "C"]},  # 4
        {"question": "Q2", "choice": "B"},  # 6
        {"question": "N1", "number": 50},  # 5
        {"question": "Y1", "yes": True},  # 3
        {"question": "B1", "before": 2, "after": 1},  # 2: 20 in all, only the constrained scenario is short
    ]
    answers = parsed(framework, items)
    path = path_of(framework, answers)
    assert path.target == 2
    assert [(i.question, i.answer.level) for i in path.improvements] == [("S3", 2)]


def six_scenarios_and_an_unreachable_level_two(raw: dict[str, Any]) -> None:
    scenarios = _scenario_group(raw)
    scenarios.extend({**scenarios[1], "key": f"S{n}"} for n in range(3, 7))
    raw["levels"]["rules"][0]["gates"]["score"]["min"] = 20
    raw["dimensions"][0]["indicators"][1]["questions"][1]["not_applicable"] = "zero"  # Y1


def test_an_unreachable_path_raises_no_scenario_when_the_scenario_gates_already_hold() -> None:
    framework = mini_variant(six_scenarios_and_an_unreachable_level_two)
    answers = parsed(
        framework,
        [
            *levels(S1=2, S2=2, S3=2),
            {"question": "Y1", "not_applicable": True},  # scores zero: 17 points at most, level 2 needs 20
            {"question": "Q2", "choice": "B"},
        ],
    )
    assert score(framework, answers).level == 1
    path = path_of(framework, answers)
    assert path.reachable is False
    assert path.shortfall == (Gate("score", 2, Decimal(20), Decimal(6), False),)
    assert [i.question for i in path.improvements if i.question.startswith("S")] == []


def test_the_eu_dma_path_from_exactly_25_to_average_takes_the_single_tick_worth_most() -> None:
    # Strategy 50 + automation 100 = 25 overall, Basic. Every tick costs 1; the one worth most is one data-security
    # tick: 10/6 on a 0-10 component, x 100/20 for the dimension, / 6 for the overall = 25/18 = 1.39.
    items = [
        {"question": "M2.1.1-invested", "choices": [o.key for o in eu_dma().questions["M2.1.1-invested"].options]},
        {"question": "M2.1.2", "choices": [o.key for o in eu_dma().questions["M2.1.2"].options][:5]},
        *({"question": f"M2.5.1.{n}", "choice": "5"} for n in range(1, 6)),
    ]
    answers = parsed(eu_dma(), items)
    assert score(eu_dma(), answers).total == 25
    path = path_of(eu_dma(), answers)
    assert path.target == 2
    assert [(i.question, i.answer.choices, i.steps) for i in path.improvements] == [
        ("M2.4.2", ("security-policies",), 1)
    ]
    assert abs(path.improvements[0].points - Decimal(25) / 18) < Decimal("1e-11")
    assert path.level_after == 2
