"""The MIIT advice library's owner, KPI, prerequisites and per-option advice: complete, bilingual, distinct."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from assessment.framework_format import load_document, walk_questions

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = ROOT / "frameworks" / "miit-2024-manufacturing.yaml"
LIBRARY = ROOT / "reports" / "recommendations" / "miit-2024-manufacturing.yaml"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
ZH_SENTENCE_END = re.compile(r"[\u3002\uff01\uff1f]")
EN_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")

Document = dict[str, Any]


def advice() -> dict[str, Document]:
    library: Document = yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))
    return {entry["question"]: entry for entry in library["advice"]}


def questions() -> dict[str, Document]:
    document, _hash = load_document(FRAMEWORK)
    return {q["key"]: q for _, q in walk_questions(document) if q["kind"] != "text"}


def text_problems(where: str, text: Any) -> list[str]:
    if not isinstance(text, dict) or set(text) != {"zh-Hans", "en"}:
        return [f"{where}: not a zh-Hans/en text"]
    problems = []
    if not HAN.search(str(text["zh-Hans"])):
        problems.append(f"{where}: no Han characters in the Chinese")
    if not str(text["en"]).strip() or CJK.search(str(text["en"])):
        problems.append(f"{where}: English empty or holding CJK characters")
    return problems


def option_problems(entries: dict[str, Document], by_key: dict[str, Document]) -> list[str]:
    """Every point-adding option of every multiple-choice question advised; nothing else has options."""
    problems = []
    for key, question in by_key.items():
        given = set(entries[key].get("options", {}))
        if question["kind"] == "multiple_choice":
            expected = {o["key"] for o in question["options"] if not o["exclusive"] and o["points"] > 0}
            if given != expected:
                problems.append(f"{key}: options {sorted(given)}, expected {sorted(expected)}")
        elif given:
            problems.append(f"{key}: options on a {question['kind']} question")
    return problems


def test_every_entry_names_an_owner_and_a_kpi_in_both_languages() -> None:
    entries = advice()
    assert set(entries) == set(questions())
    problems = []
    for key, entry in entries.items():
        problems += text_problems(f"{key}.owner", entry.get("owner"))
        problems += text_problems(f"{key}.kpi", entry.get("kpi"))
    assert problems == []


def test_every_option_that_adds_points_has_its_own_advice() -> None:
    assert option_problems(advice(), questions()) == []


def test_the_option_check_catches_a_missing_option_and_advice_for_none() -> None:
    entries, by_key = advice(), questions()
    f4 = entries["F4"]
    missing = {**entries, "F4": {**f4, "options": {k: v for k, v in f4["options"].items() if k != "K"}}}
    assert option_problems(missing, by_key) == [
        f"F4: options {sorted(set(f4['options']) - {'K'})}, expected {sorted(f4['options'])}"
    ]
    with_none = {**entries, "M2": {**entries["M2"], "options": {**entries["M2"]["options"], "A": {}}}}
    assert option_problems(with_none, by_key) == [
        "M2: options ['A', 'B', 'C', 'D', 'E'], expected ['B', 'C', 'D', 'E']"
    ]


def test_option_advice_is_a_short_title_and_a_two_to_four_sentence_action() -> None:
    problems = []
    for key, entry in advice().items():
        for option, item in entry.get("options", {}).items():
            where = f"{key}.{option}"
            problems += text_problems(f"{where}.title", item["title"])
            problems += text_problems(f"{where}.action", item["action"])
            title = item["title"]
            if len(title["zh-Hans"]) > 24 or len(title["en"]) > 72 or title["en"].endswith("."):
                problems.append(f"{where}: title too long or a sentence")
            zh = len(ZH_SENTENCE_END.findall(item["action"]["zh-Hans"]))
            en = len(EN_SENTENCE_END.findall(item["action"]["en"]))
            if not (2 <= zh <= 4 and 2 <= en <= 4):
                problems.append(f"{where}: action has {zh} Chinese and {en} English sentences")
    assert problems == []


def test_no_two_titles_are_the_same_in_either_language() -> None:
    titles: Counter[str] = Counter()
    for entry in advice().values():
        items = [*entry["stages"].values(), *entry.get("options", {}).values()]
        for item in items:
            titles.update({item["title"]["zh-Hans"], item["title"]["en"].casefold()})
    assert sorted(title for title, count in titles.items() if count > 1) == []


def test_prerequisites_are_other_known_questions_without_cycles() -> None:
    entries = advice()
    requires = {key: list(entry.get("requires", [])) for key, entry in entries.items()}
    assert (
        sorted(f"{key}→{other}" for key, others in requires.items() for other in others if other not in entries) == []
    )
    assert [key for key, others in requires.items() if key in others] == []

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            other == target or (other not in seen and reaches(other, target, seen | {other}))
            for other in requires[start]
        )

    assert [key for key in requires if reaches(key, key)] == []


def test_networking_builds_on_the_network_and_data_collection_on_networks_and_systems() -> None:
    entries = advice()
    assert entries["F3"]["requires"] == ["F1"]
    assert set(entries["F4"]["requires"]) == {"F1", "F5"}
    assert "requires" not in entries["F1"]
    assert "requires" not in entries["M2"]  # a written policy needs nothing first
