from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from assessment.framework_format import load_document, walk_questions

FRAMEWORKS = Path(__file__).resolve().parents[2] / "frameworks"

# Every option's points per the MIIT 2024 reference (section 2), option A first.
MIIT_OPTION_POINTS: dict[str, list[str]] = {
    "F1": ["0", "2", "2", "2", "2"],
    "F2": ["0", "1.5", "3", "4.5", "6"],
    "F3": ["0", "1.5", "3", "4.5", "6"],
    "F4": ["0"] + ["0.7"] * 13 + ["0.9"],
    "F5": ["0", "2.5", "5", "7.5", "10"],
    "F6": ["0", "1.25", "1.25", "1.25", "1.25"],
    "F7": ["0", "1.25", "1.25", "1.25", "1.25"],
    "M1": ["0", "1.5", "3", "4.5", "6", "7.5"],
    "M2": ["0", "1.875", "1.875", "1.875", "1.875"],
    "M3": ["0", "1.5", "1.5", "1.5", "1.5", "1.5"],
    "M4": ["0", "1.875", "3.75", "5.625", "7.5"],
    "R1": ["0", "3.5", "7"],
    "R2": ["0", "3.5", "7"],
    "R3": ["0", "1.5", "3"],
    "R4": ["0", "1.5", "3"],
}
MULTIPLE_CHOICE = {"F1", "F4", "F6", "F7", "M2", "M3"}
CONSTRAINED = {"S01", "S03", "S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13"}


def miit() -> dict:  # type: ignore[type-arg]
    return load_document(FRAMEWORKS / "miit-2024-manufacturing.yaml")[0]


def test_miit_dimensions_add_up_to_foundation_50_management_30_outcomes_20() -> None:
    document = miit()
    points = {d["key"]: d["points"] for d in document["dimensions"]}
    assert points == {"foundation": 50, "operations": 0, "management": 30, "outcomes": 20}
    assert sum(points.values()) == 100
    by_dimension: dict[str, D] = {}
    for path, question in walk_questions(document):
        dimension = document["dimensions"][int(path[len("dimensions[")])]["key"]
        by_dimension[dimension] = by_dimension.get(dimension, D(0)) + question["points"]
    assert by_dimension == {"foundation": 50, "operations": 0, "management": 30, "outcomes": 20}


def test_every_miit_option_has_the_reference_points_and_official_letter() -> None:
    questions = {q["key"]: q for _, q in walk_questions(miit()) if q["kind"] != "scenario"}
    assert set(questions) == set(MIIT_OPTION_POINTS)
    for key, expected in MIIT_OPTION_POINTS.items():
        options = questions[key]["options"]
        assert [o["points"] for o in options] == [D(p) for p in expected], key
        assert [o["key"] for o in options] == [chr(ord("A") + i) for i in range(len(expected))], key
        assert questions[key]["kind"] == ("multiple_choice" if key in MULTIPLE_CHOICE else "single_choice"), key


def test_miit_none_options_are_exclusive_in_multiple_choice_questions() -> None:
    for _, question in walk_questions(miit()):
        if question["kind"] == "multiple_choice":
            assert [o["key"] for o in question["options"] if o["exclusive"]] == ["A"], question["key"]
            assert question["options"][0]["text"]["zh-Hans"] == "无"


def test_miit_has_16_scenarios_of_which_10_are_constrained() -> None:
    scenarios = [q for _, q in walk_questions(miit()) if q["kind"] == "scenario"]
    assert [s["key"] for s in scenarios] == [f"S{n:02d}" for n in range(1, 17)]
    assert {s["key"] for s in scenarios if s["constrained"]} == CONSTRAINED
    assert all([d["level"] for d in s["descriptors"]] == [0, 1, 2, 3, 4] for s in scenarios)


def test_miit_level_rule_is_the_dual_gate_from_the_reference() -> None:
    rules = {
        r["level"]: (
            r["gates"]["score"]["min"],
            r["gates"]["scenarios"]["level"],
            r["gates"]["scenarios"]["count"],
            r["gates"]["scenarios"]["constrained"],
        )
        for r in miit()["levels"]["rules"]
    }
    assert rules == {4: (80, 4, 10, 6), 3: (60, 3, 8, 5), 2: (40, 2, 6, 3), 1: (20, 1, 6, 3)}


def test_eu_dma_has_six_dimensions_of_100_averaged_into_the_total() -> None:
    document = load_document(FRAMEWORKS / "eu-dma.yaml")[0]
    assert [d["key"] for d in document["dimensions"]] == [
        "strategy",
        "readiness",
        "human",
        "data",
        "automation",
        "green",
    ]
    assert all(d["points"] == 100 for d in document["dimensions"])
    assert document["scoring"]["total"] == "mean"
    bands = [
        (r["level"], r["gates"]["score"]["min"], r["gates"]["score"]["inclusive"]) for r in document["levels"]["rules"]
    ]
    assert bands == [(4, 75, False), (3, 50, False), (2, 25, False)]
    assert document["levels"]["base"]["name"]["en"] == "Basic"


def test_every_bundled_text_exists_in_both_languages() -> None:
    for name in ("miit-2024-manufacturing.yaml", "eu-dma.yaml"):
        for _, question in walk_questions(load_document(FRAMEWORKS / name)[0]):
            assert question["text"]["zh-Hans"]
            assert question["text"]["en"]
            assert question["help"] is not None, f"{name} {question['key']} has no help text"
            for option in question.get("options", []):
                assert option["text"]["zh-Hans"]
                assert option["text"]["en"]
