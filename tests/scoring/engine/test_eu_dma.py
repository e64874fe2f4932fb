"""EU DMA scores by hand: every component 0-10, every dimension 0-100, the overall score their average.

Bands on the overall score: Basic up to 25, Average up to 50, Moderately advanced up to 75, Advanced above
(upper bounds inclusive: the rules are "more than 25/50/75").
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring.engine import AnswerSetError, Gate, parse_answers
from tests.scoring.engine.frameworks import Item, carried, eu_dma, eu_dma_document, node_scores, scored

AREAS = [
    "product-service-design",
    "project-planning",
    "operations",
    "collaboration",
    "inbound-logistics",
    "marketing-sales",
    "delivery",
    "administration",
    "procurement",
    "security-compliance",
]
PREPAREDNESS = [
    "needs-identified",
    "financial-resources",
    "ict-infrastructure",
    "ict-specialists",
    "management-ready",
    "departments-ready",
    "processes-adaptable",
    "servitization",
    "customer-satisfaction",
    "risk-evaluation",
]
POSITIVE_DATA_GOVERNANCE = [
    "data-governance",
    "digital-storage",
    "data-integration",
    "real-time-access",
    "systematic-analysis",
    "external-enrichment",
    "self-service-analytics",
]


def every_option(question: str) -> list[str]:
    return [o.key for o in eu_dma().questions[question].options if not o.exclusive]


def rows(prefix: str, *values: str) -> list[Item]:
    """Matrix rows prefix.1, prefix.2, … answered with the given option keys."""
    return [{"question": f"{prefix}.{n}", "choice": value} for n, value in enumerate(values, start=1)]


def level_name(level: int) -> str:
    document = eu_dma_document()
    names = {r["level"]: r["name"]["en"] for r in document["levels"]["rules"]}
    names[document["levels"]["base"]["level"]] = document["levels"]["base"]["name"]["en"]
    return str(names[level])


# Strategy: (10 invested + 5 preparedness) x 100/30 = 50.
STRATEGY_50: list[Item] = [
    {"question": "M2.1.1-invested", "choices": AREAS},
    {"question": "M2.1.2", "choices": PREPAREDNESS[:5]},
]
STRATEGY_100: list[Item] = [
    {"question": "M2.1.1-invested", "choices": AREAS},
    {"question": "M2.1.1-planned", "choices": AREAS},
    {"question": "M2.1.2", "choices": PREPAREDNESS},
]
# Automation: 25 of 25 -> ai_applications 10 -> x 10 = 100.
AUTOMATION_100 = rows("M2.5.1", "5", "5", "5", "5", "5")
# Readiness: technologies 10 + advanced 35/35 x 10 = 10 -> (10 + 10) x 5 = 100.
READINESS_100 = [{"question": "M2.2.1", "choices": every_option("M2.2.1")}, *rows("M2.2.2", *"5555555")]
HUMAN_100: list[Item] = [
    {"question": "M2.3.1", "choices": every_option("M2.3.1")},
    {"question": "M2.3.2", "choices": every_option("M2.3.2")},
]
DATA_100: list[Item] = [
    {"question": "M2.4.1", "choices": POSITIVE_DATA_GOVERNANCE},
    {"question": "M2.4.2", "choices": every_option("M2.4.2")},
]
# Green: 10 technologies -> (10 + 0) x 5 = 50.
GREEN_50: list[Item] = [{"question": "M2.6.1", "choices": every_option("M2.6.1")}]
GREEN_100 = [*GREEN_50, *rows("M2.6.2", "yes", "yes", "yes", "yes", "yes")]
# One green technology: (1 + 0) x 5 = 5.
GREEN_5: list[Item] = [{"question": "M2.6.1", "choices": ["paperless-processes"]}]


def test_the_reference_worked_example_gives_strategy_40() -> None:
    card = scored(
        eu_dma(),
        [
            {"question": "M2.1.1-invested", "choices": AREAS[:4]},
            {"question": "M2.1.1-planned", "choices": AREAS[4:7]},
            {"question": "M2.1.2", "choices": PREPAREDNESS[:5]},
        ],
    )
    scores = node_scores(card)
    # (4 + 3) x 20/20 = 7; 5 x 10/10 = 5; (7 + 5) x 100/30 = 40.
    assert scores["investments"] == 7
    assert scores["preparedness"] == 5
    assert scores["strategy"] == 40
    assert card.total == carried(Decimal(40) / 6)


def test_an_area_both_invested_and_planned_counts_in_both_columns() -> None:
    card = scored(
        eu_dma(),
        [
            {"question": "M2.1.1-invested", "choices": ["operations"]},
            {"question": "M2.1.1-planned", "choices": ["operations"]},
        ],
    )
    assert node_scores(card)["investments"] == 2
    assert node_scores(card)["strategy"] == carried(Decimal(20) / 3)


def test_a_dimension_of_0_to_5_rows_is_their_sum_over_the_maximum() -> None:
    card = scored(eu_dma(), rows("M2.5.1", "5", "5", "0", "0", "0"))
    # 10 of 25 -> ai_applications 10 x 10/25 = 4 -> automation 4 x 100/10 = 40.
    assert node_scores(card)["ai_applications"] == 4
    assert node_scores(card)["automation"] == 40


def test_partially_counts_half_in_the_green_practices_matrix() -> None:
    card = scored(eu_dma(), rows("M2.6.2", "partially", "partially", "partially", "partially", "partially"))
    # 5 x 0.5 = 2.5 of 5 -> green_practices 5 -> green (0 + 5) x 100/20 = 25.
    assert node_scores(card)["green_practices"] == 5
    assert node_scores(card)["green"] == 25


def test_the_overall_score_is_the_average_of_the_six_dimensions() -> None:
    items = [
        {"question": "M2.1.1-invested", "choices": AREAS[:4]},
        {"question": "M2.1.1-planned", "choices": AREAS[4:7]},
        {"question": "M2.1.2", "choices": PREPAREDNESS[:5]},  # strategy 40
        {"question": "M2.2.1", "choices": every_option("M2.2.1")[:6]},
        *rows("M2.2.2", *"0000000"),  # readiness (6 + 0) x 5 = 30
        {"question": "M2.3.2", "choices": every_option("M2.3.2")},  # human (0 + 10) x 5 = 50
        {"question": "M2.4.2", "choices": every_option("M2.4.2")[:3]},  # data (0 + 5) x 5 = 25
        *rows("M2.5.1", "5", "5", "0", "0", "0"),  # automation 40
        *rows("M2.6.2", "yes", "yes", "yes", "yes", "yes"),  # green (0 + 10) x 5 = 50
    ]
    card = scored(eu_dma(), items)
    assert {d.key: d.score for d in card.dimensions} == {
        "strategy": 40,
        "readiness": 30,
        "human": 50,
        "data": 25,
        "automation": 40,
        "green": 50,
    }
    assert card.total == carried(Decimal(235) / 6)  # 39.17
    assert card.max_total == 100
    assert level_name(card.level) == "Average"


def test_an_overall_score_of_exactly_25_is_basic() -> None:
    card = scored(eu_dma(), STRATEGY_50 + AUTOMATION_100)  # (50 + 100) / 6 = 25
    assert card.total == 25
    assert card.level == 1
    assert level_name(card.level) == "Basic"
    assert card.blocking_gates == (Gate("score", 2, Decimal(25), Decimal(25), False, inclusive=False),)


def test_an_overall_score_just_above_25_is_average() -> None:
    card = scored(eu_dma(), STRATEGY_50 + AUTOMATION_100 + GREEN_5)  # (50 + 100 + 5) / 6 = 25.83
    assert card.total == carried(Decimal(155) / 6)
    assert level_name(card.level) == "Average"
    assert card.level == 2


def test_an_overall_score_of_exactly_50_is_average_and_just_above_is_moderately_advanced() -> None:
    fifty = scored(eu_dma(), STRATEGY_100 + AUTOMATION_100 + READINESS_100)  # 300 / 6
    assert fifty.total == 50
    assert level_name(fifty.level) == "Average"
    above = scored(eu_dma(), STRATEGY_100 + AUTOMATION_100 + READINESS_100 + GREEN_5)  # 305 / 6
    assert above.total == carried(Decimal(305) / 6)
    assert level_name(above.level) == "Moderately advanced"


def test_an_overall_score_of_exactly_75_is_moderately_advanced_and_just_above_is_advanced() -> None:
    base = STRATEGY_100 + AUTOMATION_100 + READINESS_100 + HUMAN_100
    seventy_five = scored(eu_dma(), base + GREEN_50)  # (400 + 50) / 6
    assert seventy_five.total == 75
    assert level_name(seventy_five.level) == "Moderately advanced"
    # One "partially" adds 0.5 x 10/5 = 1 to green_practices: green 55, overall 455 / 6.
    above = scored(eu_dma(), [*base, *GREEN_50, {"question": "M2.6.2.1", "choice": "partially"}])
    assert above.total == carried(Decimal(455) / 6)
    assert level_name(above.level) == "Advanced"
    assert above.next_level is None


def test_full_marks_give_100_in_every_dimension_and_advanced() -> None:
    card = scored(eu_dma(), STRATEGY_100 + READINESS_100 + HUMAN_100 + DATA_100 + AUTOMATION_100 + GREEN_100)
    assert [d.score for d in card.dimensions] == [100] * 6
    assert card.total == 100
    assert card.level == 4
    assert card.completeness == 1


def test_every_positive_data_statement_gives_full_data_governance() -> None:
    card = scored(eu_dma(), [{"question": "M2.4.1", "choices": POSITIVE_DATA_GOVERNANCE}])
    assert card.questions["M2.4.1"].score == 7
    assert card.questions["M2.4.1"].max == 7
    assert card.questions["M2.4.1"].missed == ()
    assert node_scores(card)["data_governance"] == 10
    assert node_scores(card)["data"] == 50


def test_data_not_collected_digitally_alone_scores_nothing_but_is_an_answer() -> None:
    card = scored(eu_dma(), [{"question": "M2.4.1", "choices": ["no-digital-collection"]}])
    assert card.questions["M2.4.1"].score == 0
    assert card.questions["M2.4.1"].answered is True
    assert node_scores(card)["data_governance"] == 0


def test_data_not_collected_digitally_combined_with_a_positive_statement_is_an_error() -> None:
    items = [{"question": "M2.4.1", "choices": ["data-governance", "no-digital-collection"]}]
    with pytest.raises(AnswerSetError) as raised:
        parse_answers(eu_dma(), items)
    [error] = raised.value.errors
    assert (error.question, error.index, error.code) == ("M2.4.1", 0, "exclusive_option")
    assert error.message == 'option "no-digital-collection" excludes every other option; choose it alone'


def test_an_overall_score_that_is_exactly_25_through_sevenths_is_still_basic() -> None:
    items = [
        *STRATEGY_50,  # 50
        # data: governance 6/7 x 10 = 60/7, security 0 -> 60/7 x 5 = 300/7
        {"question": "M2.4.1", "choices": POSITIVE_DATA_GOVERNANCE[:6]},
        # human: reskilling 1/7 x 10 = 10/7, engagement 8/8 x 10 = 10 -> (10/7 + 10) x 5 = 400/7
        {"question": "M2.3.1", "choices": every_option("M2.3.1")[:1]},
        {"question": "M2.3.2", "choices": every_option("M2.3.2")},
    ]
    # (50 + 300/7 + 400/7) / 6 = (50 + 100) / 6 = 25 exactly.
    card = scored(eu_dma(), items)
    assert level_name(card.level) == "Basic"
    assert card.total == 25
