"""How each question kind scores, how not-applicable answers re-normalise, and how scores are explained.

The mini fixture: base (20) = net (10: Q1 multiple 4 + Q2 single 6) + ops (10: N1 banded 5 + Y1 yes/no 3,
N/A "exclude" + B1 before/after 2 + T1 text 0); scenes (0) = S1 (constrained) + S2.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from scoring.engine import Framework, ScoreCard, score
from tests.scoring.engine.frameworks import (
    MIIT_TOP_FOUNDATION_AND_MANAGEMENT,
    MIIT_TOP_OUTCOMES,
    Item,
    carried,
    eu_dma,
    miit,
    mini,
    mini_variant,
    node_scores,
    parsed,
    scored,
)


def credits(card: ScoreCard, question: str, which: str = "earned") -> list[tuple[str, Decimal]]:
    return [(c.source, c.points) for c in getattr(card.questions[question], which)]


def q1_capped_at_3(raw: dict[str, Any]) -> None:
    q1 = raw["dimensions"][0]["indicators"][0]["questions"][0]
    q1["cap"] = 3
    q1["points"] = 3


def y1_scores_zero_when_not_applicable(raw: dict[str, Any]) -> None:
    raw["dimensions"][0]["indicators"][1]["questions"][1]["not_applicable"] = "zero"


def s1_with_level_points(raw: dict[str, Any]) -> None:
    s1 = raw["dimensions"][1]["indicators"][0]["questions"][0]
    s1["level_points"] = [0, 1, 2, 4, 4]
    s1["points"] = 4


def totals_by_mean(raw: dict[str, Any]) -> None:
    raw["scoring"]["total"] = "mean"  # the maximum total becomes (20 + 0) / 2 = 10
    del raw["dimensions"][0]["weight"]
    raw["levels"]["rules"][0]["gates"]["score"]["min"] = 8


# Every scored mini question at its best: 4 + 6 + 5 + 3 + 2 = 20.
MINI_FULL: list[Item] = [
    {"question": "Q1", "choices": ["B", "C"]},
    {"question": "Q2", "choice": "B"},
    {"question": "N1", "number": 50},
    {"question": "Y1", "yes": True},
    {"question": "B1", "before": 10, "after": 8},
    {"question": "S1", "level": 4},
    {"question": "S2", "level": 4},
]


# --- multiple choice ---------------------------------------------------------------------------


def test_a_multiple_choice_question_scores_the_sum_of_its_chosen_options() -> None:
    card = scored(mini(), [{"question": "Q1", "choices": ["B", "C"]}])
    assert card.questions["Q1"].score == 4
    assert credits(card, "Q1") == [("B", 2), ("C", 2)]
    assert credits(card, "Q1", "missed") == []
    assert node_scores(card)["net"] == 4


def test_a_multiple_choice_question_misses_the_options_not_chosen() -> None:
    card = scored(mini(), [{"question": "Q1", "choices": ["B"]}])
    assert card.questions["Q1"].score == 2
    assert credits(card, "Q1", "missed") == [("C", 2)]


def test_the_exclusive_option_alone_scores_zero_and_misses_every_other_option() -> None:
    card = scored(mini(), [{"question": "Q1", "choices": ["A"]}])
    assert card.questions["Q1"].score == 0
    assert card.questions["Q1"].answered is True
    assert credits(card, "Q1") == [("A", 0)]
    assert credits(card, "Q1", "missed") == [("B", 2), ("C", 2)]


def test_a_capped_multiple_choice_question_scores_at_most_its_cap() -> None:
    framework = mini_variant(q1_capped_at_3)
    both = scored(framework, [{"question": "Q1", "choices": ["B", "C"]}])
    assert both.questions["Q1"].score == 3  # 2 + 2 = 4, capped at 3
    assert credits(both, "Q1", "missed") == []
    one = scored(framework, [{"question": "Q1", "choices": ["B"]}])
    assert one.questions["Q1"].score == 2
    assert credits(one, "Q1", "missed") == [("C", 1)]  # only 1 point of C is left under the cap


def test_the_earned_credits_of_a_capped_question_add_up_to_its_score() -> None:
    card = scored(mini_variant(q1_capped_at_3), [{"question": "Q1", "choices": ["B", "C"]}])
    question = card.questions["Q1"]
    assert sum(c.points for c in question.earned) == question.score == 3


# --- single choice, banded number, scenario ----------------------------------------------------


def test_a_single_choice_question_scores_the_chosen_option() -> None:
    best = scored(mini(), [{"question": "Q2", "choice": "B"}])
    assert best.questions["Q2"].score == 6
    assert credits(best, "Q2") == [("B", 6)]
    assert credits(best, "Q2", "missed") == []
    worst = scored(mini(), [{"question": "Q2", "choice": "A"}])
    assert worst.questions["Q2"].score == 0
    assert credits(worst, "Q2", "missed") == [("B", 6)]


@pytest.mark.parametrize(
    ("number", "points", "band"),
    [
        (0, 0, "[0, 10]"),
        (10, 0, "[0, 10]"),
        (Decimal("10.0001"), 5, "(10, inf)"),
        (10.5, 5, "(10, inf)"),
        (10**12, 5, "(10, inf)"),
    ],
)
def test_a_banded_number_scores_the_band_that_holds_it(number: object, points: int, band: str) -> None:
    card = scored(mini(), [{"question": "N1", "number": number}])
    assert card.questions["N1"].score == points
    assert credits(card, "N1") == [(band, points)]


def test_a_banded_number_in_the_lower_band_misses_the_top_band() -> None:
    card = scored(mini(), [{"question": "N1", "number": 10}])
    assert credits(card, "N1", "missed") == [("(10, inf)", 5)]


def test_a_scenario_without_level_points_scores_zero_at_any_level() -> None:
    card = scored(mini(), [{"question": "S1", "level": 4}, {"question": "S2", "level": 1}])
    assert card.questions["S1"].score == card.questions["S1"].max == 0
    assert credits(card, "S1") == [("level 4", 0)]
    assert credits(card, "S1", "missed") == []
    assert card.total == 0


def test_a_scenario_with_level_points_scores_the_points_of_its_level() -> None:
    framework = mini_variant(s1_with_level_points)
    card = scored(framework, [{"question": "S1", "level": 2}])
    assert card.questions["S1"].score == 2
    assert credits(card, "S1", "missed") == [("level 4", 2)]
    assert scored(framework, [{"question": "S1", "level": 3}]).questions["S1"].score == 4


# --- before/after, yes/no, text ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "outcome", "points"),
    [(10, 8, "improved", 2), (10, 10, "unchanged", 1), (10, 12, "worsened", 0), (0, 0, "unchanged", 1)],
)
def test_a_before_after_question_where_lower_is_better_scores_the_direction_of_change(
    before: int, after: int, outcome: str, points: int
) -> None:
    card = scored(mini(), [{"question": "B1", "before": before, "after": after}])
    assert card.questions["B1"].score == points
    assert credits(card, "B1") == [(outcome, points)]
    assert credits(card, "B1", "missed") == ([("improved", 2 - points)] if points < 2 else [])


def test_yes_scores_the_question_points_and_no_scores_zero() -> None:
    yes = scored(mini(), [{"question": "Y1", "yes": True}])
    assert yes.questions["Y1"].score == 3
    assert credits(yes, "Y1") == [("yes", 3)]
    no = scored(mini(), [{"question": "Y1", "yes": False}])
    assert no.questions["Y1"].score == 0
    assert no.questions["Y1"].answered is True
    assert credits(no, "Y1", "missed") == [("yes", 3)]


def test_text_is_answered_but_unscored() -> None:
    card = scored(mini(), [{"question": "T1", "text": "We plan an MES next year."}])
    text = card.questions["T1"]
    assert (text.score, text.max, text.answered, text.earned, text.missed) == (0, 0, True, (), ())
    assert card.total == 0


def test_full_marks_on_the_mini_framework_give_20() -> None:
    card = scored(mini(), MINI_FULL)
    assert node_scores(card) == {"base": 20, "net": 10, "ops": 10, "scenes": 0, "scene_group": 0}
    assert card.total == card.max_total == 20
    assert card.level == 2


# --- not applicable ----------------------------------------------------------------------------


def test_not_applicable_under_exclude_rescales_the_indicator_from_7_to_10() -> None:
    items = [
        {"question": "N1", "number": 50},  # 5
        {"question": "Y1", "not_applicable": True},
        {"question": "B1", "before": 10, "after": 8},  # 2
    ]
    card = scored(mini(), items)
    y1 = card.questions["Y1"]
    assert (y1.score, y1.excluded, y1.answered) == (0, True, True)
    assert node_scores(card)["ops"] == 10  # (5 + 2) x 10 / 7
    assert card.total == 10
    assert card.questions["N1"].to_total == Decimal(10) / 7
    assert abs(card.questions["N1"].earned[0].total_points - Decimal(50) / 7) < Decimal("1e-11")


def test_answering_no_instead_of_not_applicable_leaves_the_indicator_at_7() -> None:
    items = [
        {"question": "N1", "number": 50},
        {"question": "Y1", "yes": False},
        {"question": "B1", "before": 10, "after": 8},
    ]
    card = scored(mini(), items)
    assert node_scores(card)["ops"] == 7
    assert card.questions["Y1"].excluded is False


def test_not_applicable_under_exclude_rescales_a_partial_indicator_too() -> None:
    card = scored(mini(), [{"question": "Y1", "not_applicable": True}, {"question": "B1", "before": 1, "after": 0}])
    assert node_scores(card)["ops"] == carried(Decimal(20) / 7)  # 2 x 10 / 7


def test_not_applicable_under_zero_scores_zero_without_rescaling() -> None:
    items = [
        {"question": "N1", "number": 50},
        {"question": "Y1", "not_applicable": True},
        {"question": "B1", "before": 10, "after": 8},
    ]
    card = scored(mini_variant(y1_scores_zero_when_not_applicable), items)
    y1 = card.questions["Y1"]
    assert (y1.score, y1.excluded, y1.answered) == (0, False, True)
    assert node_scores(card)["ops"] == 7


# --- unanswered questions and completeness -----------------------------------------------------


def test_unanswered_questions_score_zero_and_lower_completeness() -> None:
    card = scored(mini(), [{"question": "Q1", "choices": ["B"]}, {"question": "N1", "number": 11}])
    assert card.questions["Q2"].score == 0
    assert card.questions["Q2"].answered is False
    assert credits(card, "Q2", "missed") == [("B", 6)]
    # Required: Q1 Q2 N1 Y1 B1 S1 S2 (T1, free text, is optional): 2 of 7 answered.
    assert card.completeness == Decimal(2) / 7
    assert card.total == 7


def test_every_required_question_answered_gives_completeness_one() -> None:
    assert scored(mini(), MINI_FULL).completeness == 1
    assert scored(mini(), []).completeness == 0


def test_unanswered_questions_miss_their_best_answer() -> None:
    card = scored(mini(), [])
    assert credits(card, "B1", "missed") == [("improved", 2)]
    assert credits(card, "Q1", "missed") == [("B", 2), ("C", 2)]


# --- explanation -------------------------------------------------------------------------------

MIIT_ANSWER_SETS: dict[str, list[Item]] = {
    "nothing": [],
    "partial": [
        {"question": "F1", "choices": ["A"]},
        {"question": "F2", "choice": "C"},
        {"question": "F4", "choices": ["B", "O"]},
        {"question": "F6", "choices": ["C", "E"]},
        {"question": "M1", "choice": "B"},
        {"question": "M4", "choice": "E"},
        {"question": "R3", "choice": "B"},
        {"question": "S01", "level": 2},
    ],
    "full": MIIT_TOP_FOUNDATION_AND_MANAGEMENT + MIIT_TOP_OUTCOMES,
}


@pytest.mark.parametrize("name", MIIT_ANSWER_SETS)
def test_every_point_of_a_miit_question_is_either_earned_or_missed(name: str) -> None:
    card = scored(miit(), MIIT_ANSWER_SETS[name])
    for key, question in card.questions.items():
        earned = sum((c.points for c in question.earned), Decimal(0))
        missed = sum((c.points for c in question.missed), Decimal(0))
        assert earned == question.score, key
        assert question.score + missed == question.max, key


@pytest.mark.parametrize("name", MIIT_ANSWER_SETS)
def test_the_earned_total_points_of_miit_questions_add_up_to_the_total(name: str) -> None:
    card = scored(miit(), MIIT_ANSWER_SETS[name])
    earned = sum((c.total_points for q in card.questions.values() for c in q.earned), Decimal(0))
    assert earned == card.total


def test_an_unanswered_miit_question_misses_every_option_that_scores() -> None:
    card = scored(miit(), [])
    f4 = card.questions["F4"]
    assert [c.source for c in f4.missed] == list("BCDEFGHIJKLMNO")
    assert sum(c.points for c in f4.missed) == 10
    assert [(c.source, c.points) for c in card.questions["F5"].missed] == [("E", 10)]


def test_credits_carry_the_question_factor_to_the_total() -> None:
    miit_card = scored(miit(), [{"question": "F1", "choices": ["B"]}])
    assert miit_card.questions["F1"].to_total == 1
    assert miit_card.questions["F1"].earned[0].total_points == 2
    # EU DMA: 1/6 (mean of six) x 100/10 (automation) x 10/25 (ai_applications) = 2/3 per row point.
    dma_card = scored(eu_dma(), [{"question": "M2.5.1.1", "choice": "5"}])
    row = dma_card.questions["M2.5.1.1"]
    assert abs(row.to_total - Decimal(2) / 3) < Decimal("1e-11")
    assert abs(row.earned[0].total_points - Decimal(10) / 3) < Decimal("1e-11")
    assert row.missed == ()
    assert abs(dma_card.total - Decimal(10) / 3) < Decimal("1e-11")


def test_every_credit_is_its_points_times_the_question_factor() -> None:
    card = score(eu_dma(), parsed(eu_dma(), [{"question": "M2.1.2", "choices": ["needs-identified"]}]))
    for question in card.questions.values():
        for credit in (*question.earned, *question.missed):
            assert credit.total_points == credit.points * question.to_total


def test_missed_total_points_say_what_the_missing_answer_would_add_to_the_total() -> None:
    framework: Framework = eu_dma()
    before = scored(framework, [{"question": "M2.5.1.1", "choice": "3"}])
    after = scored(framework, [{"question": "M2.5.1.1", "choice": "5"}])
    missed = before.questions["M2.5.1.1"].missed
    assert [(c.source, c.points) for c in missed] == [("5", 2)]
    assert abs((after.total - before.total) - missed[0].total_points) < Decimal("1e-11")


def test_full_marks_on_a_mean_framework_equal_its_maximum_total() -> None:
    card = scored(mini_variant(totals_by_mean), MINI_FULL)
    assert card.total == 10  # (base 20 + scenes 0) / 2
    assert card.max_total == card.total
