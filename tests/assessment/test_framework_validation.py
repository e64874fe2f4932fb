from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from assessment.framework_format import FrameworkFileError, load_document, read_yaml, validate

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-framework.yaml"
Q1 = "dimensions[0].indicators[0].questions[0]"
Q2 = "dimensions[0].indicators[0].questions[1]"
OPS = "dimensions[0].indicators[1]"


def mini() -> dict[str, Any]:
    return copy.deepcopy(read_yaml(MINI))


def question(doc: dict[str, Any], indicator: int, index: int) -> dict[str, Any]:
    return doc["dimensions"][0]["indicators"][indicator]["questions"][index]  # type: ignore[no-any-return]


def duplicate_option_key(doc: dict[str, Any]) -> None:
    question(doc, 0, 0)["options"][2]["key"] = "B"


def duplicate_question_key(doc: dict[str, Any]) -> None:
    question(doc, 1, 0)["key"] = "Q1"


def points_above_best_answer(doc: dict[str, Any]) -> None:
    question(doc, 0, 0)["points"] = 5


def weight_disagrees_with_points(doc: dict[str, Any]) -> None:
    doc["dimensions"][0]["indicators"][1]["weight"] = 40


def english_text_missing(doc: dict[str, Any]) -> None:
    del doc["dimensions"][0]["text"]["en"]


def exclusive_on_single_choice(doc: dict[str, Any]) -> None:
    question(doc, 0, 1)["options"][0]["exclusive"] = True


def overlapping_bands(doc: dict[str, Any]) -> None:
    question(doc, 1, 0)["bands"][1]["range"] = "[10, inf)"


def malformed_interval(doc: dict[str, Any]) -> None:
    question(doc, 0, 1)["options"][1]["band"] = "50-100"


def scenario_without_level_four(doc: dict[str, Any]) -> None:
    scenario = doc["dimensions"][1]["indicators"][0]["questions"][1]
    scenario["descriptors"] = [*scenario["descriptors"][:3], scenario["descriptors"][2]]


def scenario_with_three_descriptors(doc: dict[str, Any]) -> None:
    scenario = doc["dimensions"][1]["indicators"][0]["questions"][1]
    scenario["descriptors"] = scenario["descriptors"][:3]


def gate_asks_more_scenarios_than_exist(doc: dict[str, Any]) -> None:
    doc["levels"]["rules"][0]["gates"]["scenarios"]["count"] = 10


def rules_in_ascending_order(doc: dict[str, Any]) -> None:
    doc["levels"]["rules"].reverse()


def suggest_names_a_missing_question(doc: dict[str, Any]) -> None:
    question(doc, 0, 1)["suggest"]["denominator"] = "F9.total"


def unknown_field(doc: dict[str, Any]) -> None:
    question(doc, 0, 0)["colour"] = "red"


def options_on_a_banded_number(doc: dict[str, Any]) -> None:
    question(doc, 1, 0)["options"] = question(doc, 0, 0)["options"]


def text_question_with_points(doc: dict[str, Any]) -> None:
    question(doc, 1, 3)["points"] = 1


CASES: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (duplicate_option_key, f'{Q1}.options: duplicate key "B"'),
    (duplicate_question_key, f'{OPS}.questions[0]: duplicate key "Q1" (first used at {Q1})'),
    (points_above_best_answer, f"{Q1}.points: declared 5 but the best possible answer scores 4"),
    (weight_disagrees_with_points, f"{OPS}: points 10 do not match weight 40% of the parent's 20"),
    (english_text_missing, "dimensions[0].text: 'en' is a required property"),
    (exclusive_on_single_choice, f"{Q2}.options[0]: exclusive applies only to multiple_choice options"),
    (overlapping_bands, f"{OPS}.questions[0].bands: bands [0, 10] and [10, inf) overlap"),
    (malformed_interval, f"{Q2}.options[1].band: '50-100' does not match"),
    (scenario_without_level_four, "dimensions[1].indicators[0].questions[1].descriptors: no descriptor for level 4"),
    (scenario_with_three_descriptors, "dimensions[1].indicators[0].questions[1].descriptors: needs at least 4 item(s)"),
    (
        gate_asks_more_scenarios_than_exist,
        "levels.rules[0].gates.scenarios: asks for 10 scenarios; the framework has 2",
    ),
    (rules_in_ascending_order, "levels.rules: list the rules from the highest level down"),
    (suggest_names_a_missing_question, f'{Q2}.suggest.denominator: no question "F9"'),
    (unknown_field, f"{Q1}: Additional properties are not allowed ('colour' was unexpected)"),
    (options_on_a_banded_number, f"{OPS}.questions[0]: has a field that does not belong to this question kind"),
    (text_question_with_points, f"{OPS}.questions[3].points: a text question is unscored: points must be 0"),
]


def test_the_unbroken_fixture_is_valid() -> None:
    document, problems = validate(mini())
    assert problems == []
    assert document["dimensions"][0]["indicators"][0]["questions"][0]["points"] == Decimal(4)


@pytest.mark.parametrize(("breakage", "message"), CASES, ids=[c[0].__name__ for c in CASES])
def test_each_broken_file_is_reported_with_the_path_of_the_problem(
    breakage: Callable[[dict[str, Any]], None], message: str
) -> None:
    doc = mini()
    breakage(doc)
    _, problems = validate(doc)
    assert any(problem.startswith(message) for problem in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    doc = mini()
    duplicate_option_key(doc)
    rules_in_ascending_order(doc)
    points_above_best_answer(doc)
    _, problems = validate(doc)
    assert len(problems) == 3


def test_a_file_that_is_not_yaml_is_rejected_with_the_parser_message() -> None:
    with pytest.raises(FrameworkFileError, match=r"not valid YAML"):
        load_document("dimensions: [unclosed")


def test_a_yaml_list_is_not_a_framework() -> None:
    _, problems = validate(["a", "b"])
    assert problems == ["(top level): a framework file is a YAML mapping"]


def test_the_check_command_prints_every_problem_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINI.read_text(encoding="utf-8").replace("{key: C,", "{key: B,"), encoding="utf-8")
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("import_framework", "--check", str(broken))
    assert f'{Q1}.options: duplicate key "B"' in capsys.readouterr().err


def test_decimals_stay_exact_through_yaml() -> None:
    document = read_yaml("points: 0.7\nweight: 1.875\nlabel: '2024'\n")
    assert document == {"points": Decimal("0.7"), "weight": Decimal("1.875"), "label": "2024"}
