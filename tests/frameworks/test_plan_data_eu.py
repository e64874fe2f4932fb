"""The EU DMA planning data: the `plan` block of frameworks/eu-dma.yaml and the roadmap fields of its advice.

Until the loader validates `plan` and the recommendation schema knows the roadmap fields, these checks keep the
data whole: every rung of every scored question has an effort class, the five classes carry sane bands in both
languages, the caveats name rungs that exist, the block leaves the content hash alone, and every advice entry has
an owner, a KPI, known prerequisites and advice for every option that adds points.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessment.classification import SizeBand
from assessment.framework_format import content_hash, load_document, read_yaml, validate

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK_FILE = ROOT / "frameworks" / "eu-dma.yaml"
LIBRARY_FILE = ROOT / "reports" / "recommendations" / "eu-dma.yaml"

# The content hash of eu-dma@2024 as published before the plan block was added: assessments were made against
# it, so the planning estimates (outside the hash) must never change it.
PUBLISHED_HASH = "76f5f42f360f3cd68126945f5b61fe75175912b322f3e2b1d3702fb264b77280"

CLASSES = {"policy", "training", "tool", "integration", "equipment"}
EXPENSIVE = {"integration", "equipment"}
SIZES = [band.value for band in SizeBand]
# Advanced technologies: from prototyping (rung 2) up they are system integration or equipment, never cheap.
ADVANCED = {
    "M2.2.2.1": "simulation and digital twins",
    "M2.2.2.2": "VR/AR",
    "M2.2.2.4": "MES",
    "M2.2.2.5": "IoT",
    "M2.2.2.6": "blockchain",
    "M2.5.1.2": "computer vision",
    "M2.5.1.4": "robotics",
}
# The basics every advanced technology waits for: data management and data security.
BASICS = {"M2.4.1", "M2.4.2"}

# Option keys that are also ordinary words and may appear in a text as such.
NATURAL_WORDS = {"e-commerce", "e-marketing", "e-government"}

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

Document = dict[str, Any]


@cache
def framework_raw() -> Document:
    raw: Document = read_yaml(FRAMEWORK_FILE)
    return raw


@cache
def library() -> Document:
    with LIBRARY_FILE.open(encoding="utf-8") as stream:
        loaded: Document = yaml.safe_load(stream)
    return loaded


def walk_indicators(indicators: list[Document]) -> Iterator[Document]:
    for indicator in indicators:
        yield indicator
        yield from walk_indicators(indicator.get("indicators") or [])


def scored_questions(raw: Document) -> dict[str, Document]:
    """Every scored question of a raw framework document by key, in file order."""
    return {
        question["key"]: question
        for dimension in raw["dimensions"]
        for indicator in walk_indicators(dimension.get("indicators") or [])
        for question in indicator.get("questions") or []
        if question["kind"] != "text"
    }


def rungs(question: Document) -> list[str]:
    """The rungs a path can climb: option keys of a choice question, levels 1–4 of a scenario."""
    if question["kind"] in ("single_choice", "multiple_choice"):
        return [str(option["key"]) for option in question["options"]]
    if question["kind"] == "scenario":
        return ["1", "2", "3", "4"]
    return []


def bilingual_problems(where: str, text: Any) -> list[str]:
    if not isinstance(text, dict) or set(text) != {"zh-Hans", "en"}:
        return [f"{where}: needs exactly zh-Hans and en"]
    problems = []
    if not HAN.search(str(text["zh-Hans"])):
        problems.append(f"{where}: the Chinese text has no Chinese")
    if not str(text["en"]).strip() or CJK.search(str(text["en"])):
        problems.append(f"{where}: the English text is empty or has Chinese characters")
    return problems


def band_problems(where: str, band: Any, *, positive: bool) -> list[str]:
    if not (isinstance(band, list) and len(band) == 2 and all(isinstance(v, (int, Decimal)) for v in band)):
        return [f"{where}: needs [low, high] numbers"]
    low, high = (Decimal(v) for v in band)
    if low > high or (low <= 0 if positive else low < 0):
        return [f"{where}: {low}–{high} is not a band"]
    return []


def class_problems(classes: Any) -> list[str]:
    if not isinstance(classes, dict) or set(classes) != CLASSES:
        return [f"classes: needs exactly {sorted(CLASSES)}"]
    problems = []
    for name, entry in classes.items():
        problems += bilingual_problems(f"classes.{name}.name", entry.get("name"))
        problems += band_problems(f"classes.{name}.weeks", entry.get("weeks"), positive=True)
        cost = entry.get("cost") or {}
        if list(cost) != SIZES:
            problems.append(f"classes.{name}.cost: needs the size bands {SIZES} in order")
            continue
        for size in SIZES:
            problems += band_problems(f"classes.{name}.cost.{size}", cost[size], positive=True)
        lows = [Decimal(cost[size][0]) for size in SIZES]
        highs = [Decimal(cost[size][1]) for size in SIZES]
        if lows != sorted(lows) or highs != sorted(highs):
            problems.append(f"classes.{name}.cost: a larger firm must not cost less")
    return problems


def step_problems(steps: Any, questions: dict[str, Document]) -> list[str]:
    if not isinstance(steps, dict):
        return ["steps: needs a mapping of question keys"]
    problems = [f"steps.{key}: no such scored question" for key in steps if key not in questions]
    for key, question in questions.items():
        if key not in steps:
            problems.append(f"steps.{key}: not classified")
            continue
        value = steps[key]
        if not isinstance(value, dict):
            # The format allows one class for every rung; this file lists every rung so that none is overlooked.
            problems.append(f"steps.{key}: needs a map rung → class")
            continue
        given = [str(rung) for rung in value]
        expected = rungs(question)
        problems += [f"steps.{key}.{rung}: rung not classified" for rung in expected if rung not in given]
        problems += [f"steps.{key}.{rung}: no such rung" for rung in given if rung not in expected]
        problems += [f"steps.{key}.{rung}: unknown class {cls!r}" for rung, cls in value.items() if cls not in CLASSES]
    return problems


def caveat_problems(caveats: Any, questions: dict[str, Document]) -> list[str]:
    if not isinstance(caveats, list):
        return ["caveats: needs a list"]
    problems = []
    for index, caveat in enumerate(caveats):
        where = f"caveats[{index}]"
        question = questions.get(caveat.get("question"))
        if question is None:
            problems.append(f"{where}: no such scored question {caveat.get('question')!r}")
            continue
        given = [str(rung) for rung in caveat.get("rungs") or []]
        if not given:
            problems.append(f"{where}: names no rung")
        problems += [
            f"{where}: question {question['key']} has no rung {rung}" for rung in given if rung not in rungs(question)
        ]
        sizes = caveat.get("sizes") or []
        if not sizes or not set(sizes) <= set(SIZES):
            problems.append(f"{where}: sizes {sizes} are not size bands")
        problems += bilingual_problems(f"{where}.text", caveat.get("text"))
    return problems


def plan_problems(raw: Document) -> list[str]:
    """Everything wrong with the plan block of a raw framework document."""
    plan = raw.get("plan")
    if not isinstance(plan, dict):
        return ["plan: missing"]
    questions = scored_questions(raw)
    problems = bilingual_problems("note", plan.get("note")) + bilingual_problems("unit", plan.get("unit"))
    problems += class_problems(plan.get("classes"))
    problems += step_problems(plan.get("steps"), questions)
    problems += caveat_problems(plan.get("caveats"), questions)
    return problems


def class_of(raw: Document, key: str, rung: str) -> str:
    value: str = raw["plan"]["steps"][key][rung]
    return value


# --- the plan block -----------------------------------------------------------------------------


def test_plan_block_classifies_every_rung_with_sane_classes_and_caveats() -> None:
    assert plan_problems(framework_raw()) == []


def test_plan_states_its_unit_as_euro_thousands_and_itself_as_our_estimate() -> None:
    plan = framework_raw()["plan"]
    assert plan["unit"] == {"zh-Hans": "千欧元", "en": "EUR 1k"}
    assert "EUR thousands" in plan["note"]["en"]
    assert "not official" in plan["note"]["en"]
    assert "千欧元" in plan["note"]["zh-Hans"]
    assert "不是官方数据" in plan["note"]["zh-Hans"]


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        pytest.param(lambda p: p["steps"]["M2.2.1"].pop("intranet"), "steps.M2.2.1.intranet: rung not classified"),
        pytest.param(lambda p: p["steps"]["M2.2.2.6"].pop("5"), "steps.M2.2.2.6.5: rung not classified"),
        pytest.param(lambda p: p["steps"].pop("M2.6.2.5"), "steps.M2.6.2.5: not classified"),
        pytest.param(lambda p: p["steps"]["M2.4.2"].update(firewall="tool"), "steps.M2.4.2.firewall: no such rung"),
        pytest.param(
            lambda p: p["steps"]["M2.4.1"].update(digital_storage="x"), "steps.M2.4.1.digital_storage: no such"
        ),
        pytest.param(
            lambda p: p["steps"]["M2.4.1"].update({"data-governance": "consulting"}), "unknown class 'consulting'"
        ),
        pytest.param(lambda p: p["steps"].update({"M2.6.2.1": "policy"}), "steps.M2.6.2.1: needs a map"),
        pytest.param(lambda p: p["classes"].pop("equipment"), "classes: needs exactly"),
        pytest.param(lambda p: p["classes"]["tool"]["cost"].pop("large"), "classes.tool.cost: needs the size bands"),
        pytest.param(lambda p: p["classes"]["tool"]["cost"].update(micro=[5, 1]), "classes.tool.cost.micro: 5–1"),
        pytest.param(lambda p: p["caveats"][0].update(rungs=["9"]), "has no rung 9"),
        pytest.param(lambda p: p["caveats"][0].update(sizes=["tiny"]), "are not size bands"),
        pytest.param(lambda p: p["caveats"][0]["text"].update(en="微型"), "the English text"),
    ],
)
def test_plan_check_reports_a_broken_block(mutation: Any, expected: str) -> None:
    raw = copy.deepcopy(framework_raw())
    mutation(raw["plan"])
    assert any(expected in problem for problem in plan_problems(raw)), plan_problems(raw)


def test_advanced_technologies_cost_integration_or_equipment_from_prototyping_up() -> None:
    raw = framework_raw()
    cheap = [
        f"{key} ({name}) rung {rung}: {class_of(raw, key, rung)}"
        for key, name in ADVANCED.items()
        for rung in ("2", "3", "4", "5")
        if class_of(raw, key, rung) not in EXPENSIVE
    ]
    assert cheap == []


def test_a_plan_to_invest_is_cheaper_than_the_investment_for_every_size() -> None:
    raw = framework_raw()
    classes = raw["plan"]["classes"]
    areas = [str(o["key"]) for o in scored_questions(raw)["M2.1.1-invested"]["options"]]
    for size in SIZES:
        for area in areas:
            plan_cost = classes[class_of(raw, "M2.1.1-planned", area)]["cost"][size]
            invest_cost = classes[class_of(raw, "M2.1.1-invested", area)]["cost"][size]
            assert sum(plan_cost) < sum(invest_cost), (size, area)


def test_heavy_technology_is_never_proposed_to_micro_firms_and_blockchain_to_none() -> None:
    barred: dict[tuple[str, str], set[str]] = {}
    for caveat in framework_raw()["plan"]["caveats"]:
        for rung in caveat["rungs"]:
            barred.setdefault((caveat["question"], str(rung)), set()).update(caveat["sizes"])
    for key in ("M2.2.2.1", "M2.2.2.2", "M2.2.2.4", "M2.5.1.4"):
        assert "micro" in barred.get((key, "5"), set()), key
    assert barred.get(("M2.2.2.6", "2")) == set(SIZES)


def test_the_plan_block_leaves_the_content_hash_unchanged() -> None:
    raw = framework_raw()
    document, file_hash = load_document(FRAMEWORK_FILE)
    without_plan = {key: value for key, value in raw.items() if key != "plan"}
    stripped, problems = validate(without_plan)
    assert problems == []
    assert file_hash == content_hash(stripped) == PUBLISHED_HASH
    assert document["plan"]  # read, and outside the hash


def test_the_file_validates_with_its_plan_block() -> None:
    _document, problems = validate(framework_raw())
    assert problems == []


# --- the advice library -------------------------------------------------------------------------


def advice() -> dict[str, Document]:
    return {entry["question"]: entry for entry in library()["advice"]}


def option_keys_that_add_points(question: Document) -> list[str]:
    return [str(o["key"]) for o in question["options"] if not o.get("exclusive") and Decimal(o["points"]) > 0]


def library_problems(entries: dict[str, Document], questions: dict[str, Document]) -> list[str]:
    """Everything missing or wrong in the roadmap fields of the advice entries."""
    problems = []
    for key, entry in entries.items():
        question = questions.get(key)
        if question is None:
            problems.append(f"{key}: no such scored question")
            continue
        problems += bilingual_problems(f"{key}.owner", entry.get("owner"))
        problems += bilingual_problems(f"{key}.kpi", entry.get("kpi"))
        for required in entry.get("requires") or []:
            if required not in questions or required == key:
                problems.append(f"{key}.requires: {required!r} is not another scored question")
        options = entry.get("options")
        if question["kind"] != "multiple_choice":
            if options is not None:
                problems.append(f"{key}.options: only multiple-choice questions have option advice")
            continue
        options = options or {}
        expected = option_keys_that_add_points(question)
        problems += [f"{key}.options.{o}: missing" for o in expected if o not in options]
        problems += [f"{key}.options.{o}: not an option that adds points" for o in options if o not in expected]
        for option, texts in options.items():
            for field in ("title", "action"):
                problems += bilingual_problems(f"{key}.options.{option}.{field}", texts.get(field))
    return problems


def titles(entries: dict[str, Document]) -> Iterator[tuple[str, Document]]:
    for key, entry in entries.items():
        for stage, texts in entry["stages"].items():
            yield f"{key}.stages.{stage}", texts["title"]
        for option, texts in (entry.get("options") or {}).items():
            yield f"{key}.options.{option}", texts["title"]


def all_texts(entries: dict[str, Document]) -> Iterator[tuple[str, str]]:
    for key, entry in entries.items():
        for field in ("owner", "kpi"):
            for language, text in entry[field].items():
                yield f"{key}.{field}.{language}", text
        parts = {**{f"stages.{k}": v for k, v in entry["stages"].items()}, **(entry.get("options") or {})}
        for part, texts in parts.items():
            for field in ("title", "action"):
                for language, text in texts[field].items():
                    yield f"{key}.{part}.{field}.{language}", text


def test_every_advice_entry_has_owner_kpi_known_prerequisites_and_option_advice() -> None:
    assert library_problems(advice(), scored_questions(framework_raw())) == []


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        pytest.param(
            lambda a: a["M2.4.2"]["options"].pop("backup-maintained"), "M2.4.2.options.backup-maintained: missing"
        ),
        pytest.param(lambda a: a["M2.4.1"]["options"].update({"no-digital-collection": {}}), "not an option that adds"),
        pytest.param(lambda a: a["M2.2.1"].pop("kpi"), "M2.2.1.kpi: needs exactly"),
        pytest.param(lambda a: a["M2.2.2.6"].update(requires=["M9"]), "'M9' is not another scored question"),
    ],
)
def test_library_check_reports_a_broken_entry(mutation: Any, expected: str) -> None:
    entries = copy.deepcopy(advice())
    mutation(entries)
    problems = library_problems(entries, scored_questions(framework_raw()))
    assert any(expected in problem for problem in problems), problems


def test_no_two_advice_titles_are_the_same_in_either_language() -> None:
    seen: dict[str, str] = {}
    duplicates = []
    for where, title in titles(advice()):
        for language in ("zh-Hans", "en"):
            text = title[language].strip().casefold()
            if text in seen:
                duplicates.append(f"{where} repeats {seen[text]}: {title[language]}")
            seen.setdefault(text, where)
    assert duplicates == []


def test_prerequisites_have_no_cycle() -> None:
    requires = {key: list(entry.get("requires") or []) for key, entry in advice().items()}

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        return any(
            nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})) for nxt in requires.get(start, [])
        )

    assert [key for key in requires if reaches(key, key, {key})] == []


def test_advanced_technologies_wait_for_the_data_basics() -> None:
    entries = advice()
    missing = {key: name for key, name in ADVANCED.items() if not set(entries[key].get("requires") or []) >= BASICS}
    assert missing == {}
    assert all(not entries[key].get("requires") for key in BASICS)


def test_no_roadmap_text_shows_a_question_or_option_key() -> None:
    raw = framework_raw()
    keys = set(scored_questions(raw))
    keys |= {
        str(o["key"]) for q in scored_questions(raw).values() for o in q.get("options", []) if "-" in str(o["key"])
    }
    keys -= NATURAL_WORDS
    leaks = [f"{where}: {key}" for where, text in all_texts(advice()) for key in keys if key in text]
    assert leaks == []
