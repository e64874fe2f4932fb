"""frameworks/miit-2024-manufacturing.yaml must say exactly what the MIIT 2024 reference says.

The reference (/work/shared/reference/miit-2024.md, outside the repository) transcribes the platform's questionnaire.
We parse its markdown and compare every official Chinese text, point, weight, evidence label, scenario descriptor
and constraint flag. The test itself needs no Django and no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assessment.framework_format import read_yaml

HERE = Path(__file__).resolve()
REFERENCE = HERE.parents[3] / "shared" / "reference" / "miit-2024.md"
FRAMEWORK = HERE.parents[2] / "frameworks" / "miit-2024-manufacturing.yaml"

KINDS = {"1": "single_choice", "2": "multiple_choice"}  # the reference's questionType
LEVELS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
QUESTION = re.compile(r"^#### ([FMR]\d)\. (.+)$")
SCENARIO = re.compile(r"^#### (S\d\d)\. (.+?) — .+ — (★ 约束性|指导性) \(sceneType \d\)$")
CATEGORY = re.compile(r"^### (\S+) — ")
KIND_AND_POINTS = re.compile(r"questionType (\d)\)\*\*\. Max points: \*\*([\d.]+)\*\*")
PATH = re.compile(r"^- Path: (.+) \(weights (.+)\)$")
DEFINITION = "- Description (`questionDescription`, zh): "
EVIDENCE = re.compile(r"^\d+\. (.+?) — ")
STEP = "\u203a"  # SINGLE RIGHT-POINTING ANGLE QUOTATION MARK: separates the steps of a "Path:" line
Node = dict[str, Any]
Tree = dict[str, tuple[list[Node], Node]]  # question key -> (ancestor dimension/indicators, question)


def clean(text: str) -> str:
    """Trim a cell; the reference marks a dropped trailing space with †, which the data file omits."""
    return text.strip().removesuffix("†").strip()


def cells(row: str) -> list[str]:
    return [clean(cell) for cell in row.strip().strip("|").split("|")]


@dataclass
class RefQuestion:
    title: str
    kind: str = ""
    points: Decimal = Decimal(0)
    path: list[tuple[str, Decimal]] = field(default_factory=list)
    definition: str | None = None
    options: list[tuple[str, str, Decimal, Decimal]] = field(default_factory=list)  # key, zh, weight, points
    evidence: list[str] = field(default_factory=list)


@dataclass
class RefScenario:
    name: str
    category: str
    starred: bool  # "★ 约束性" in the scenario's heading
    descriptors: dict[int, str] = field(default_factory=dict)


@dataclass
class Reference:
    questions: dict[str, RefQuestion] = field(default_factory=dict)
    scenarios: dict[str, RefScenario] = field(default_factory=dict)
    constrained_column: dict[str, bool] = field(default_factory=dict)  # the "约束性 per A+B" column


def parse_reference(text: str) -> Reference:
    ref, question, scenario, section, category = Reference(), None, None, "", ""
    for line in text.splitlines():
        if line.startswith("#"):
            question = scenario = None
            if line.startswith("## "):
                section = line[3:].split(".")[0]
            elif m := QUESTION.match(line):
                question = ref.questions.setdefault(m[1], RefQuestion(clean(m[2])))
            elif section == "3" and (m := SCENARIO.match(line)):
                scenario = ref.scenarios.setdefault(m[1], RefScenario(m[2], category, m[3].startswith("★")))
            elif section == "3" and (m := CATEGORY.match(line)):
                category = m[1]
        elif question is not None:
            if m := KIND_AND_POINTS.search(line):
                question.kind, question.points = KINDS[m[1]], Decimal(m[2])
            elif m := PATH.match(line):
                weights = [Decimal(w.strip().rstrip("%")) for w in m[2].split(STEP)]
                question.path = list(zip([n.strip() for n in m[1].split(STEP)], weights, strict=True))
            elif line.startswith(DEFINITION):
                question.definition = clean(line.removeprefix(DEFINITION))
            elif re.match(r"^\| [A-Z] \|", line):
                key, zh, _en, weight, points = cells(line)
                question.options.append((key, zh, Decimal(weight), Decimal(points)))
            elif m := EVIDENCE.match(line):
                question.evidence.append(clean(m[1]))
        elif scenario is not None and line.startswith("| ") and cells(line)[0] in LEVELS:
            level, zh, _en = cells(line)
            scenario.descriptors[LEVELS[level]] = zh
        elif section == "3" and (m := re.match(r"^\|.*\| (S\d\d) \|", line)):
            ref.constrained_column[m[1]] = cells(line)[4].startswith("★")
    return ref


def walk(nodes: list[Node], chain: list[Node]) -> Iterator[tuple[list[Node], Node]]:
    """Yield (ancestor chain, question) for every question under the given dimensions/indicators."""
    for node in nodes:
        yield from (([*chain, node], q) for q in node.get("questions", []))
        yield from walk(node.get("indicators", []), [*chain, node])


def dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def zh(node: Node, name: str = "text") -> str | None:
    return node[name]["zh-Hans"] if name in node else None


@pytest.fixture(scope="module")
def reference() -> Reference:
    if not REFERENCE.is_file():
        pytest.skip(f"MIIT reference not found at {REFERENCE} (it lives outside the repository)")
    return parse_reference(REFERENCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tree() -> Tree:
    return {q["key"]: (chain, q) for chain, q in walk(read_yaml(FRAMEWORK)["dimensions"], [])}


def test_the_reference_parses_into_15_questions_and_16_scenarios(reference: Reference) -> None:
    assert len(reference.questions) == 15
    assert len(reference.scenarios) == 16
    assert sum(len(q.options) for q in reference.questions.values()) == 79
    assert all(sorted(s.descriptors) == [1, 2, 3, 4] for s in reference.scenarios.values())
    assert reference.constrained_column.keys() == reference.scenarios.keys()


def test_the_file_has_exactly_the_reference_questions_and_scenarios(reference: Reference, tree: Tree) -> None:
    assert sorted(tree) == sorted([*reference.questions, *reference.scenarios])


def test_every_question_title_kind_points_and_path_match_the_reference(reference: Reference, tree: Tree) -> None:
    for code, ref in reference.questions.items():
        chain, q = tree[code]
        assert (zh(q), q["kind"], dec(q["points"])) == (ref.title, ref.kind, ref.points), code
        assert [(zh(node), dec(node.get("weight"))) for node in chain] == ref.path, code


def test_every_option_text_and_points_match_the_reference(reference: Reference, tree: Tree) -> None:
    for code, ref in reference.questions.items():
        options = tree[code][1]["options"]
        ours = [(o["key"], zh(o), dec(o.get("weight")), dec(o["points"])) for o in options]
        assert ours == ref.options, code


def test_official_definitions_and_evidence_labels_match_the_reference(reference: Reference, tree: Tree) -> None:
    for code, ref in reference.questions.items():
        q = tree[code][1]
        assert zh(q, "definition") == ref.definition, code
        assert [f["label"]["zh-Hans"] for f in q.get("evidence", [])] == ref.evidence, code


def test_every_scenario_name_category_and_descriptor_match_the_reference(reference: Reference, tree: Tree) -> None:
    for code, ref in reference.scenarios.items():
        chain, q = tree[code]
        assert (q["kind"], zh(q), zh(chain[-1])) == ("scenario", ref.name, ref.category), code
        official = {d["level"]: d["text"]["zh-Hans"] for d in q["descriptors"] if d["level"] >= 1}
        assert official == ref.descriptors, code


def test_the_constrained_flag_follows_the_starred_column(reference: Reference, tree: Tree) -> None:
    for code, ref in reference.scenarios.items():
        assert ref.starred == reference.constrained_column[code], f"{code}: reference disagrees with itself"
        assert tree[code][1]["constrained"] is ref.starred, code
    assert sum(reference.constrained_column.values()) == 10
