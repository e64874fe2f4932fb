"""The MIIT file's `plan` block (effort class, duration and cost per step): complete, bilingual, outside the hash."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assessment.framework_format import content_hash, load_document, read_yaml, validate, walk_questions

MIIT = Path(__file__).resolve().parents[2] / "frameworks" / "miit-2024-manufacturing.yaml"
# The content hash miit-2024-manufacturing@2024 was published with: assessments were made against it, so
# amending the plan (like the guidance) must never change it.
PUBLISHED_HASH = "1a8646b8c2f85e685b9fba2aa7f6e4a1e281d8d9d02c46ce5d97a49aa7031a52"
CLASSES = {"policy", "training", "tool", "integration", "equipment"}
SIZES = ("micro", "small", "medium", "large")
SCENARIO_RUNGS = {"1", "2", "3", "4"}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

Document = dict[str, Any]


def raw() -> Document:
    document: Document = read_yaml(MIIT)
    return document


def plan() -> Document:
    block: Document = raw()["plan"]
    return block


def questions() -> dict[str, Document]:
    document, _hash = load_document(MIIT)
    return {q["key"]: q for _, q in walk_questions(document) if q["kind"] != "text"}


def rungs(question: Document) -> set[str]:
    """The steps a firm can climb: every option that adds points, or a scenario's levels 1–4."""
    if question["kind"] == "scenario":
        return SCENARIO_RUNGS
    return {option["key"] for option in question["options"] if option["points"] > 0}


def rung_class(key: str, rung: str) -> str:
    step = plan()["steps"][key]
    return step if isinstance(step, str) else step[rung]


def midpoint(effort_class: str, size: str) -> Decimal:
    low, high = plan()["classes"][effort_class]["cost"][size]
    return (Decimal(low) + Decimal(high)) / 2


def bilingual_problems(where: str, text: Any) -> list[str]:
    if not isinstance(text, dict) or set(text) != {"zh-Hans", "en"}:
        return [f"{where}: not a zh-Hans/en text"]
    problems = []
    if not HAN.search(str(text["zh-Hans"])):
        problems.append(f"{where}: the Chinese text has no Han characters")
    if not str(text["en"]).strip() or CJK.search(str(text["en"])):
        problems.append(f"{where}: the English text is empty or holds CJK characters")
    return problems


def test_the_plan_leaves_the_published_content_hash_unchanged() -> None:
    document = raw()
    _loaded, file_hash = load_document(MIIT)
    assert file_hash == PUBLISHED_HASH
    del document["plan"]
    without, problems = validate(document)
    assert problems == []
    assert content_hash(without) == file_hash


def test_the_plan_says_it_is_our_estimate_in_both_languages_and_names_its_unit() -> None:
    block = plan()
    assert bilingual_problems("note", block["note"]) == []
    assert "不是官方" in block["note"]["zh-Hans"]
    assert "not official" in block["note"]["en"]
    assert block["unit"] == {"zh-Hans": "万元", "en": "CNY 10k"}


def test_there_are_exactly_five_classes_each_with_a_bilingual_name_weeks_and_cost_per_size() -> None:
    classes = plan()["classes"]
    assert set(classes) == CLASSES
    problems = []
    for name, entry in classes.items():
        problems += bilingual_problems(f"{name}.name", entry["name"])
        low, high = entry["weeks"]
        if not 0 < low <= high:
            problems.append(f"{name}.weeks {low}–{high}")
        if set(entry["cost"]) != set(SIZES):
            problems.append(f"{name}.cost sizes {sorted(entry['cost'])}")
            continue
        for size in SIZES:
            low, high = entry["cost"][size]
            if not 0 < low <= high:
                problems.append(f"{name}.cost.{size} {low}–{high}")
        mids = [midpoint(name, size) for size in SIZES]
        if mids != sorted(mids):
            problems.append(f"{name}: a bigger firm pays less ({mids})")
    assert problems == []


def test_classes_rank_from_policy_to_equipment_for_every_size() -> None:
    for size in SIZES:
        ranked = [midpoint(name, size) for name in ("policy", "tool", "integration", "equipment")]
        assert ranked == sorted(ranked), size
        assert len(set(ranked)) == 4, size
        assert midpoint("training", size) < midpoint("tool", size), size


def step_problems(steps: Document, by_key: dict[str, Document]) -> list[str]:
    """Every scored question classified, and every rung of it: one class for all, or a class per rung."""
    problems = [f"{key}: not classified" for key in by_key if key not in steps]
    problems += [f"{key}: no such question" for key in steps if key not in by_key]
    for key, step in steps.items():
        if key not in by_key:
            continue
        if isinstance(step, str):
            if step not in CLASSES:
                problems.append(f"{key}: unknown class {step}")
            continue
        expected = rungs(by_key[key])
        if set(step) != expected:
            problems.append(f"{key}: rungs {sorted(step)}, expected {sorted(expected)}")
        problems += [f"{key}.{rung}: unknown class {value}" for rung, value in step.items() if value not in CLASSES]
    return problems


def test_every_rung_of_every_scored_question_has_one_of_the_five_classes() -> None:
    assert step_problems(plan()["steps"], questions()) == []


def test_the_rung_check_catches_a_missing_rung_an_unknown_class_and_an_unclassified_question() -> None:
    by_key = questions()
    assert rungs(by_key["F1"]) == {"B", "C", "D", "E"}  # A (none) adds nothing and is no step
    assert len(rungs(by_key["F4"])) == 14
    steps = plan()["steps"]
    without_rung = {**steps, "S05": {k: v for k, v in steps["S05"].items() if k != "4"}}
    assert step_problems(without_rung, by_key) == ["S05: rungs ['1', '2', '3'], expected ['1', '2', '3', '4']"]
    assert step_problems({**steps, "M2": "consulting"}, by_key) == ["M2: unknown class consulting"]
    assert step_problems({k: v for k, v in steps.items() if k != "R4"}, by_key) == ["R4: not classified"]


def test_caveats_name_real_rungs_and_sizes_and_explain_themselves_in_both_languages() -> None:
    by_key = questions()
    problems = []
    for index, caveat in enumerate(plan()["caveats"]):
        where = f"caveats[{index}]"
        question = by_key.get(caveat["question"])
        if question is None:
            problems.append(f"{where}: no question {caveat['question']}")
            continue
        if not caveat["rungs"] or not set(map(str, caveat["rungs"])) <= rungs(question):
            problems.append(f"{where}: rungs {caveat['rungs']}")
        if not caveat["sizes"] or not set(caveat["sizes"]) <= set(SIZES):
            problems.append(f"{where}: sizes {caveat['sizes']}")
        problems += bilingual_problems(f"{where}.text", caveat["text"])
    assert problems == []


def caveated(question: str, rung: str, size: str) -> bool:
    return any(
        c["question"] == question and rung in map(str, c["rungs"]) and size in c["sizes"] for c in plan()["caveats"]
    )


@pytest.mark.parametrize("size", SIZES)
def test_investing_20_percent_of_turnover_or_more_is_never_proposed(size: str) -> None:
    # M4's options C–E: 20–40%, 40–60%, 60–100% of revenue on digital, averaged over three years.
    assert [rung for rung in "BCDE" if caveated("M4", rung, size)] == (
        ["C", "D", "E"] if size == "micro" else list("BCDE")
    )


def test_large_equipment_steps_are_caveated_for_micro_firms_only() -> None:
    for question, rung in (("F1", "D"), ("F2", "E"), ("S12", "4"), ("S07", "4")):
        assert rung_class(question, rung) == "equipment"
        assert caveated(question, rung, "micro")
        assert not caveated(question, rung, "medium")


def route_cost(steps: list[tuple[str, str]], size: str) -> Decimal:
    return sum((midpoint(rung_class(question, rung), size) for question, rung in steps), Decimal(0))


@pytest.mark.parametrize("size", SIZES)
def test_policies_training_and_spreadsheet_scenarios_cost_less_than_one_equipment_step(size: str) -> None:
    # The cheaper route for the level-0 firm: two policies, one staff measure, two scenarios at level 1.
    cheap = route_cost([("M2", "B"), ("M2", "C"), ("M3", "D"), ("S03", "1"), ("S05", "1")], size)
    one_machine_step = route_cost([("F2", "B")], size)
    systems_everywhere = route_cost([("F5", "B"), ("F5", "C"), ("F5", "D")], size)
    assert cheap < systems_everywhere < one_machine_step
    assert cheap * 4 < one_machine_step
