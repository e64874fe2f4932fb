"""The recommendation library (reports/recommendations/*.yaml) covers every scored question of its framework."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ROOT / "frameworks"
LIBRARY = ROOT / "reports" / "recommendations"
SLUGS = ["miit-2024-manufacturing", "eu-dma"]

SCENARIO_STAGES = {"0", "1", "2", "3"}
SCORE_STAGES = {"low", "mid", "high"}
SUPPORT_KINDS = {"consulting", "training", "funding", "technology"}

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Han characters plus CJK and full-width punctuation: none of it belongs in English text.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
ZH_SENTENCE_END = re.compile(r"[\u3002\uff01\uff1f]")  # ideographic full stop, full-width ! and ?
EN_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")

Document = dict[str, Any]


@cache
def load_yaml(path: Path) -> Document:
    with path.open(encoding="utf-8") as stream:
        document: Document = yaml.safe_load(stream)
    return document


def framework(slug: str) -> Document:
    return load_yaml(FRAMEWORKS / f"{slug}.yaml")


def library(slug: str) -> Document:
    return load_yaml(LIBRARY / f"{slug}.yaml")


def schema() -> Document:
    loaded: Document = json.loads((LIBRARY / "recommendations.schema.json").read_text(encoding="utf-8"))
    return loaded


def walk_indicators(indicators: list[Document]) -> Iterator[Document]:
    for indicator in indicators:
        yield indicator
        yield from walk_indicators(indicator.get("indicators") or [])


def scored_questions(document: Document) -> dict[str, str]:
    """Map the key of every scored question (any kind but text) to its kind, in file order."""
    kinds: dict[str, str] = {}
    for dimension in document["dimensions"]:
        for indicator in walk_indicators(dimension.get("indicators") or []):
            for question in indicator.get("questions") or []:
                if question["kind"] != "text":
                    kinds[question["key"]] = question["kind"]
    return kinds


def expected_stages(kind: str) -> set[str]:
    return SCENARIO_STAGES if kind == "scenario" else SCORE_STAGES


def stages(slug: str) -> Iterator[tuple[str, str, Document]]:
    for entry in library(slug)["advice"]:
        for stage_key, stage in entry["stages"].items():
            yield entry["question"], stage_key, stage


def localized_texts(slug: str) -> Iterator[tuple[str, Document]]:
    """Yield (where, {zh-Hans, en}) for every text of a library file."""
    for kind, text in library(slug)["support"].items():
        yield f"support.{kind}", text
    for question, stage_key, stage in stages(slug):
        yield f"{question}.{stage_key}.title", stage["title"]
        yield f"{question}.{stage_key}.action", stage["action"]


@pytest.fixture(params=SLUGS)
def slug(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def test_schema_is_valid_json_schema_draft_2020_12() -> None:
    Draft202012Validator.check_schema(schema())


def test_library_file_validates_against_the_schema(slug: str) -> None:
    validator = Draft202012Validator(schema())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(library(slug))]
    assert errors == []


def minimal_library(stages: Document) -> Document:
    text = {"zh-Hans": "建设网络", "en": "Build the network"}
    return {
        "framework": "x",
        "support": dict.fromkeys(SUPPORT_KINDS, text),
        "advice": [{"question": "Q1", "stages": stages}],
    }


def stage(support: list[str]) -> Document:
    text = {"zh-Hans": "建设网络", "en": "Build the network"}
    return {"title": text, "action": text, "support": support}


def schema_errors(document: Document) -> list[str]:
    return [error.message for error in Draft202012Validator(schema()).iter_errors(document)]


def test_schema_accepts_level_stages_and_share_stages() -> None:
    assert schema_errors(minimal_library(dict.fromkeys(SCENARIO_STAGES, stage(["funding"])))) == []
    assert schema_errors(minimal_library(dict.fromkeys(SCORE_STAGES, stage(["consulting", "training"])))) == []


@pytest.mark.parametrize(
    "stages",
    [
        pytest.param(dict.fromkeys(SCORE_STAGES, stage([])), id="empty support"),
        pytest.param(dict.fromkeys(SCORE_STAGES, stage(["coaching"])), id="unknown support kind"),
        pytest.param(dict.fromkeys(SCENARIO_STAGES | {"low"}, stage(["funding"])), id="level and share keys mixed"),
        pytest.param(dict.fromkeys({"low", "mid"}, stage(["funding"])), id="share stage missing"),
        pytest.param(dict.fromkeys({"1", "2", "3", "4"}, stage(["funding"])), id="level 4 instead of level 0"),
    ],
)
def test_schema_rejects_a_malformed_stage_set(stages: Document) -> None:
    assert schema_errors(minimal_library(stages)) != []


def test_library_names_its_framework_by_slug(slug: str) -> None:
    assert library(slug)["framework"] == framework(slug)["slug"] == slug


def test_question_walk_finds_nested_questions_and_skips_text() -> None:
    document = {
        "dimensions": [
            {
                "indicators": [
                    {
                        "questions": [{"key": "note", "kind": "text"}],
                        "indicators": [{"questions": [{"key": "deep", "kind": "yes_no"}]}],
                    }
                ]
            }
        ]
    }
    assert scored_questions(document) == {"deep": "yes_no"}


def test_question_walk_finds_every_scored_question_of_the_bundled_frameworks() -> None:
    miit = scored_questions(framework("miit-2024-manufacturing"))
    assert len(miit) == 31  # F1–F7, M1–M4, R1–R4 and scenarios S01–S16
    assert sum(kind == "scenario" for kind in miit.values()) == 16
    assert len(scored_questions(framework("eu-dma"))) == 26


def test_every_scored_question_has_advice(slug: str) -> None:
    advised = {entry["question"] for entry in library(slug)["advice"]}
    assert sorted(set(scored_questions(framework(slug))) - advised) == []


def test_no_advice_names_an_unknown_question(slug: str) -> None:
    advised = {entry["question"] for entry in library(slug)["advice"]}
    assert sorted(advised - set(scored_questions(framework(slug)))) == []


def test_no_question_is_advised_twice(slug: str) -> None:
    keys = [entry["question"] for entry in library(slug)["advice"]]
    assert sorted({key for key in keys if keys.count(key) > 1}) == []


def test_scenarios_are_staged_by_level_and_other_questions_by_share_of_points(slug: str) -> None:
    kinds = scored_questions(framework(slug))
    wrong = {
        entry["question"]: sorted(entry["stages"])
        for entry in library(slug)["advice"]
        if entry["question"] in kinds and set(entry["stages"]) != expected_stages(kinds[entry["question"]])
    }
    assert wrong == {}


def test_every_text_is_non_empty_in_both_languages(slug: str) -> None:
    empty = [
        f"{where} {language}"
        for where, text in localized_texts(slug)
        for language in ("zh-Hans", "en")
        if not str(text.get(language) or "").strip()
    ]
    assert empty == []


def test_chinese_texts_contain_han_characters_and_english_texts_none(slug: str) -> None:
    not_chinese = [where for where, text in localized_texts(slug) if not HAN.search(text["zh-Hans"])]
    not_english = [
        f"{where}: {CJK.findall(text['en'])}" for where, text in localized_texts(slug) if CJK.search(text["en"])
    ]
    assert not_chinese == []
    assert not_english == []


def test_support_kinds_are_known_non_empty_and_each_explained(slug: str) -> None:
    assert set(library(slug)["support"]) == SUPPORT_KINDS
    unknown = {
        f"{question}.{stage_key}": stage["support"]
        for question, stage_key, stage in stages(slug)
        if not stage["support"] or not set(stage["support"]) <= SUPPORT_KINDS
    }
    assert unknown == {}


def test_titles_are_short_phrases(slug: str) -> None:
    long_titles = [
        f"{question}.{stage_key}"
        for question, stage_key, stage in stages(slug)
        if len(stage["title"]["zh-Hans"]) > 24
        or len(stage["title"]["en"]) > 72
        or ZH_SENTENCE_END.search(stage["title"]["zh-Hans"])
        or stage["title"]["en"].endswith(".")
    ]
    assert long_titles == []


def test_actions_run_two_to_four_sentences_in_both_languages(slug: str) -> None:
    wrong = []
    for question, stage_key, stage in stages(slug):
        zh = len(ZH_SENTENCE_END.findall(stage["action"]["zh-Hans"]))
        en = len(EN_SENTENCE_END.findall(stage["action"]["en"]))
        if not (2 <= zh <= 4 and 2 <= en <= 4):
            wrong.append(f"{question}.{stage_key}: zh {zh}, en {en}")
    assert wrong == []
