"""The frameworks the engine tests score against, each parsed once per test session."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from assessment.framework_format import load_document, read_yaml, validate
from scoring.engine import Answer, Framework, NodeScore, ScoreCard, framework_from_document, parse_answers, score
from scoring.engine.numbers import PRECISION

ROOT = Path(__file__).resolve().parents[3]
MIIT_FILE = ROOT / "frameworks" / "miit-2024-manufacturing.yaml"
EU_DMA_FILE = ROOT / "frameworks" / "eu-dma.yaml"
MINI_FILE = ROOT / "tests" / "fixtures" / "mini-framework.yaml"

Item = dict[str, Any]


@cache
def miit() -> Framework:
    return framework_from_document(load_document(MIIT_FILE)[0])


@cache
def eu_dma() -> Framework:
    return framework_from_document(load_document(EU_DMA_FILE)[0])


@cache
def eu_dma_document() -> dict[str, Any]:
    return load_document(EU_DMA_FILE)[0]


@cache
def mini() -> Framework:
    return framework_from_document(load_document(MINI_FILE)[0])


@cache
def _mini_raw() -> dict[str, Any]:
    raw: dict[str, Any] = read_yaml(MINI_FILE)
    return raw


def mini_variant(change: Callable[[dict[str, Any]], None]) -> Framework:
    """The mini framework with `change` applied to its raw YAML; the result must pass the validator."""
    raw = copy.deepcopy(_mini_raw())
    change(raw)
    document, problems = validate(raw)
    assert problems == [], problems
    return framework_from_document(document)


def parsed(framework: Framework, items: list[Item]) -> dict[str, Answer]:
    return parse_answers(framework, items)


def scored(framework: Framework, items: list[Item]) -> ScoreCard:
    return score(framework, parse_answers(framework, items))


def walk_nodes(nodes: tuple[NodeScore, ...]) -> Iterator[NodeScore]:
    for node in nodes:
        yield node
        yield from walk_nodes(node.children)


def node_scores(card: ScoreCard) -> dict[str, Decimal]:
    """Every dimension's and indicator's score by key."""
    return {node.key: node.score for node in walk_nodes(card.dimensions)}


def levels(**by_scenario: int) -> list[Item]:
    """Scenario answers, e.g. levels(S01=3, S02=2)."""
    return [{"question": key, "level": level} for key, level in by_scenario.items()]


def carried(value: Decimal) -> Decimal:
    """A score as the engine carries it: to 12 decimal places (non-terminating divisions cut there)."""
    return value.quantize(PRECISION)


# Full marks on foundation (50) and management (30), then on outcomes (20).
MIIT_TOP_FOUNDATION_AND_MANAGEMENT: list[Item] = [
    {"question": "F1", "choices": ["B", "C", "D", "E"]},
    {"question": "F2", "choice": "E"},
    {"question": "F3", "choice": "E"},
    {"question": "F4", "choices": list("BCDEFGHIJKLMNO")},
    {"question": "F5", "choice": "E"},
    {"question": "F6", "choices": ["B", "C", "D", "E"]},
    {"question": "F7", "choices": ["B", "C", "D", "E"]},
    {"question": "M1", "choice": "F"},
    {"question": "M2", "choices": ["B", "C", "D", "E"]},
    {"question": "M3", "choices": ["B", "C", "D", "E", "F"]},
    {"question": "M4", "choice": "E"},
]
MIIT_TOP_OUTCOMES: list[Item] = [{"question": key, "choice": "C"} for key in ("R1", "R2", "R3", "R4")]


@cache
def miit_plan_document() -> dict[str, Any]:
    """The bundled MIIT framework's `plan` block, validated and normalised."""
    raw: dict[str, Any] = copy.deepcopy(read_yaml(MIIT_FILE))
    document, problems = validate(raw)
    assert problems == [], problems
    plan: dict[str, Any] = document["plan"]
    return plan
