"""The answer format (docs/answers-format.md): what is accepted, and every refusal naming question and item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from scoring.engine import AnswerError, AnswerSetError, Framework, answer_item, parse_answer, parse_answers, score
from tests.scoring.engine.frameworks import Item, miit, mini, mini_variant, scored

VALID_F1: Item = {"question": "F1", "choices": ["B", "D"]}


def t1_at_most_10_characters(raw: dict[str, Any]) -> None:
    raw["dimensions"][0]["indicators"][1]["questions"][3]["max_length"] = 10


def errors(framework: Framework, items: Any) -> list[AnswerError]:
    with pytest.raises(AnswerSetError) as raised:
        parse_answers(framework, items)
    return raised.value.errors


def said(question: str | None, index: int | None, message: str) -> tuple[str | None, int | None, str]:
    """An error as it reads: question, item position and the English message."""
    return (question, index, message)


def reads(error: AnswerError) -> tuple[str | None, int | None, str]:
    return (error.question, error.index, error.message)


def only_error(framework: Framework, item: Any) -> AnswerError:
    """The one error for `item`, placed second after a valid answer so the index is checked."""
    found = errors(framework, [VALID_F1 if framework is miit() else {"question": "Q2", "choice": "B"}, item])
    assert len(found) == 1, found
    assert found[0].index == 1
    return found[0]


# --- what is accepted --------------------------------------------------------------------------


def test_the_documented_example_items_parse_into_answers() -> None:
    answers = parse_answers(
        miit(),
        [
            {"question": "F1", "choices": ["D", "B"]},
            {"question": "F2", "choice": "C", "evidence": {"devices_total": 120, "devices_digital": 40}},
            {"question": "S06", "level": 3, "comment": "MES since 2022"},
        ],
    )
    assert list(answers) == ["F1", "F2", "S06"]
    assert answers["F1"].choices == ("B", "D")  # in the question's option order
    assert answers["F2"].choices == ("C",)
    assert answers["F2"].evidence == {"devices_total": 120, "devices_digital": 40}
    assert answers["S06"].level == 3
    assert answers["S06"].comment == "MES since 2022"


def test_numbers_are_kept_as_exact_decimals() -> None:
    answers = parse_answers(
        mini(), [{"question": "N1", "number": 10.1}, {"question": "B1", "before": 3, "after": Decimal("2.50")}]
    )
    assert answers["N1"].number == Decimal("10.1")
    assert answers["B1"].before == 3
    assert answers["B1"].after == Decimal("2.5")


def test_the_largest_accepted_number_is_ten_to_the_twelfth() -> None:
    answers = parse_answers(mini(), [{"question": "N1", "number": 10**12}])
    assert answers["N1"].number == Decimal(10) ** 12


def test_evidence_numbers_are_stored_as_whole_numbers_or_decimal_strings_and_nulls_are_dropped() -> None:
    answers = parse_answers(
        miit(),
        [{"question": "F2", "evidence": {"rate_percent": 33.25, "devices_total": 12.0, "devices_digital": None}}],
    )
    assert answers["F2"].evidence == {"rate_percent": "33.25", "devices_total": 12}


def test_an_answer_item_round_trips_with_decimal_evidence() -> None:
    framework = miit()
    item = {"question": "F2", "choice": "C", "evidence": {"rate_percent": 33.25, "devices_total": 120}}
    parsed = parse_answers(framework, [item])["F2"]
    written = answer_item(framework.questions["F2"], parsed)
    assert written["evidence"] == {"rate_percent": 33.25, "devices_total": 120}
    assert parse_answers(framework, [written])["F2"] == parsed


def test_an_evidence_only_item_is_kept_and_counts_as_unanswered() -> None:
    items = [{"question": "F2", "evidence": {"devices_total": 120, "devices_digital": 40}}]
    answers = parse_answers(miit(), items)
    assert answers["F2"].evidence == {"devices_total": 120, "devices_digital": 40}
    assert answers["F2"].has_value is False
    card = score(miit(), answers)
    assert card.questions["F2"].answered is False
    assert card.questions["F2"].score == 0
    assert card.completeness == 0


def test_a_comment_only_item_is_kept_and_counts_as_unanswered() -> None:
    card = scored(mini(), [{"question": "Q1", "comment": "ask IT"}])
    assert card.questions["Q1"].answered is False
    assert card.completeness == 0


def test_an_empty_choices_list_parses_as_an_answer_of_none_of_these_scoring_zero() -> None:
    answers = parse_answers(miit(), [{"question": "F1", "choices": []}])
    assert answers["F1"].choices == ()
    assert score(miit(), answers).questions["F1"].score == 0


def test_an_empty_choices_list_counts_as_answered() -> None:
    card = scored(miit(), [{"question": "F1", "choices": []}, {"question": "F4", "choices": ["A"]}])
    assert card.questions["F4"].answered is True
    assert card.questions["F1"].answered is True
    assert card.completeness == Decimal(2) / 31  # 15 scored questions + 16 scenarios are required


def test_not_applicable_is_accepted_where_the_framework_allows_it() -> None:
    answers = parse_answers(mini(), [{"question": "Y1", "not_applicable": True}])
    assert answers["Y1"].not_applicable is True
    assert answers["Y1"].has_value is True


def test_text_up_to_20000_characters_is_accepted() -> None:
    answers = parse_answers(mini(), [{"question": "T1", "text": "x" * 20000}])
    assert answers["T1"].text is not None
    assert len(answers["T1"].text) == 20000


# --- refusals, each naming the question and the item -------------------------------------------


def test_an_unknown_question_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "X9", "choice": "A"})) == said("X9", 1, 'unknown question "X9"')


def test_a_question_answered_twice_is_refused_pointing_at_the_first_answer() -> None:
    found = errors(miit(), [VALID_F1, {"question": "F2", "choice": "B"}, {"question": "F1", "choices": ["C"]}])
    assert [reads(e) for e in found] == [said("F1", 2, "answered twice (first at answers[0])")]


def test_choices_on_a_single_choice_question_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "F2", "choices": ["B"]})) == said(
        "F2", 1, 'this is a single-choice question: give "choice", not "choices"'
    )


def test_a_level_on_a_multiple_choice_question_is_refused() -> None:
    assert only_error(miit(), {"question": "F4", "level": 2}).message == (
        'this is a multiple-choice question: give "choices", not "level"'
    )


def test_a_list_as_a_single_choice_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "F2", "choice": ["B"]})) == said(
        "F2", 1, '"choice" must be an option key such as "B"'
    )


def test_a_string_as_multiple_choices_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "F1", "choices": "B"})) == said(
        "F1", 1, '"choices" must be a list of option keys such as ["B", "D"]'
    )


def test_an_unknown_option_is_refused_listing_the_valid_ones() -> None:
    assert reads(only_error(miit(), {"question": "F2", "choice": "Z"})) == said(
        "F2", 1, 'unknown option "Z" (valid: A, B, C, D, E)'
    )


def test_an_exclusive_option_combined_with_others_is_refused() -> None:
    found = only_error(miit(), {"question": "F1", "choices": ["A", "B"]})
    assert reads(found) == said("F1", 1, 'option "A" excludes every other option; choose it alone')
    assert str(found) == 'answers[1] (F1): option "A" excludes every other option; choose it alone'


def test_an_option_chosen_twice_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "F1", "choices": ["B", "B"]})) == said(
        "F1", 1, "an option is chosen more than once"
    )


@pytest.mark.parametrize("level", [5, -1, 2.5, True, "3", None])
def test_a_level_that_is_not_a_whole_number_from_0_to_4_is_refused(level: object) -> None:
    assert reads(only_error(miit(), {"question": "S06", "level": level})) == said(
        "S06", 1, '"level" must be a whole number from 0 to 4'
    )


def test_a_number_outside_every_band_is_refused() -> None:
    assert reads(only_error(mini(), {"question": "N1", "number": -1})) == said(
        "N1", 1, "-1 is outside every band ([0, 10], (10, inf))"
    )


@pytest.mark.parametrize(
    "number", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("Infinity"), 1e13, 10**12 + 1]
)
def test_a_non_finite_or_huge_number_is_refused(number: object) -> None:
    assert reads(only_error(mini(), {"question": "N1", "number": number})) == said(
        "N1", 1, '"number" must be a finite number no larger than 10^12 in size'
    )


@pytest.mark.parametrize("number", ["42", True, None, [1]])
def test_a_number_that_is_not_a_number_is_refused(number: object) -> None:
    assert reads(only_error(mini(), {"question": "N1", "number": number})) == said("N1", 1, '"number" must be a number')


def test_a_before_without_an_after_is_refused() -> None:
    assert reads(only_error(mini(), {"question": "B1", "before": 3})) == said("B1", 1, 'give both "before" and "after"')


def test_an_infinite_after_is_refused() -> None:
    assert reads(only_error(mini(), {"question": "B1", "before": 3, "after": float("inf")})) == said(
        "B1", 1, '"after" must be a finite number no larger than 10^12 in size'
    )


def test_yes_that_is_not_a_boolean_is_refused() -> None:
    assert reads(only_error(mini(), {"question": "Y1", "yes": "yes"})) == said("Y1", 1, '"yes" must be true or false')


def test_a_nul_character_in_text_is_refused() -> None:
    assert reads(only_error(mini(), {"question": "T1", "text": "ok\x00"})) == said(
        "T1", 1, '"text" must not contain NUL characters'
    )


def test_a_nul_character_in_a_comment_is_refused() -> None:
    assert reads(only_error(mini(), {"question": "Q2", "choice": "A", "comment": "\x00"})) == said(
        "Q2", 1, '"comment" must not contain NUL characters'
    )


def test_text_longer_than_20000_characters_is_refused() -> None:
    assert reads(only_error(mini(), {"question": "T1", "text": "x" * 20001})) == said(
        "T1", 1, '"text" is longer than 20000 characters'
    )


def test_text_longer_than_the_question_allows_is_refused() -> None:
    framework = mini_variant(t1_at_most_10_characters)
    assert parse_answers(framework, [{"question": "T1", "text": "x" * 10}])["T1"].text == "x" * 10
    assert [reads(e) for e in errors(framework, [{"question": "T1", "text": "x" * 11}])] == [
        said("T1", 0, '"text" is longer than 10 characters')
    ]


def test_not_applicable_where_the_framework_does_not_allow_it_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "F1", "not_applicable": True})) == said(
        "F1", 1, "this question cannot be answered as not applicable"
    )


def test_not_applicable_together_with_a_value_is_refused() -> None:
    assert reads(only_error(mini(), {"question": "Y1", "yes": True, "not_applicable": True})) == said(
        "Y1", 1, "an answer is either not applicable or has a value, not both"
    )


def test_not_applicable_that_is_not_a_boolean_is_refused() -> None:
    assert reads(only_error(mini(), {"question": "Y1", "not_applicable": "yes"})) == said(
        "Y1", 1, '"not_applicable" must be true or false'
    )


def test_an_unknown_evidence_field_is_refused_listing_the_known_ones() -> None:
    assert reads(only_error(miit(), {"question": "F2", "choice": "B", "evidence": {"colour": "red"}})) == said(
        "F2", 1, 'unknown evidence field "colour" (this question has: rate_percent, devices_total, devices_digital)'
    )


def test_evidence_on_a_question_without_evidence_fields_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "F5", "evidence": {"systems": 3}})) == said(
        "F5", 1, 'unknown evidence field "systems" (this question has: none)'
    )


def test_evidence_that_is_not_an_object_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "F2", "evidence": [120]})) == said(
        "F2", 1, '"evidence" must be an object'
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", '"evidence.devices_total" must be a number'),
        (True, '"evidence.devices_total" must be a number'),
        (2.5, '"evidence.devices_total" must be a whole number'),
        (-1, '"evidence.devices_total" must be at least 0'),
        (1e13, '"evidence.devices_total" must be a finite number no larger than 10^12 in size'),
    ],
)
def test_a_wrong_integer_evidence_value_is_refused(value: object, message: str) -> None:
    item = {"question": "F2", "choice": "B", "evidence": {"devices_total": value}}
    assert reads(only_error(miit(), item)) == said("F2", 1, message)


def test_a_decimal_evidence_value_above_its_maximum_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "F2", "evidence": {"rate_percent": 100.5}})) == said(
        "F2", 1, '"evidence.rate_percent" must be at most 100'
    )


def test_an_unknown_item_field_is_refused() -> None:
    assert reads(only_error(miit(), {"question": "F1", "choices": ["B"], "note": "x"})) == said(
        "F1", 1, 'unknown field "note"'
    )


@pytest.mark.parametrize("item", ["F1", ["F1", "B"], None, 3])
def test_an_item_that_is_not_an_object_is_refused(item: object) -> None:
    assert reads(only_error(miit(), item)) == said(None, 1, "each answer must be an object")


@pytest.mark.parametrize("item", [{"choices": ["B"]}, {"question": 1, "choices": ["B"]}])
def test_an_item_without_a_question_key_is_refused(item: Item) -> None:
    assert reads(only_error(miit(), item)) == said(None, 1, '"question" must name a question key such as "F1"')


@pytest.mark.parametrize("items", [{"F1": ["B"]}, "F1", None, ({"question": "F1", "choices": ["B"]},)])
def test_answers_that_are_not_a_list_are_refused(items: object) -> None:
    found = errors(miit(), items)
    assert [reads(e) for e in found] == [said(None, None, '"answers" must be a list')]
    assert str(found[0]) == 'answers: "answers" must be a list'


def test_a_long_unknown_question_key_is_shortened_in_the_error() -> None:
    found = only_error(miit(), {"question": "Q" * 100, "choice": "A"})
    assert found.question == "Q" * 40
    assert found.message == f'unknown question "{"Q" * 40}"'


def test_every_problem_of_an_answer_set_is_reported_at_once_in_item_order() -> None:
    found = errors(
        miit(),
        [
            {"question": "F1", "choices": ["A", "C"]},
            {"question": "F2", "choice": "B"},
            {"question": "S06", "level": 7},
            "F3",
            {"question": "F2", "choice": "C"},
            {"question": "R9", "choice": "A"},
        ],
    )
    assert [str(e) for e in found] == [
        'answers[0] (F1): option "A" excludes every other option; choose it alone',
        'answers[2] (S06): "level" must be a whole number from 0 to 4',
        "answers[3]: each answer must be an object",
        "answers[4] (F2): answered twice (first at answers[1])",
        'answers[5] (R9): unknown question "R9"',
    ]


def test_parse_answer_reports_one_item_without_an_index() -> None:
    with pytest.raises(AnswerSetError) as raised:
        parse_answer(miit(), {"question": "F1", "choices": ["Z"]})
    assert [reads(e) for e in raised.value.errors] == [said("F1", None, 'unknown option "Z" (valid: A, B, C, D, E)')]
    assert str(raised.value) == 'answers (F1): unknown option "Z" (valid: A, B, C, D, E)'


def test_a_number_with_more_decimal_places_than_are_kept_is_refused() -> None:
    assert parse_answers(mini(), [{"question": "N1", "number": Decimal("10.123456")}])["N1"].number == Decimal(
        "10.123456"
    )
    found = only_error(mini(), {"question": "N1", "number": Decimal("10.1234567")})
    assert (found.code, found.params) == ("too_many_places", {"field": "number", "places": 6})
    assert found.message == '"number" may have at most 6 decimal places'
