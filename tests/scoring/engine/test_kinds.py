"""Question kinds: one definition each, and how each kind's answer reads as text."""

from __future__ import annotations

from typing import get_args

import pytest

from scoring.engine import KINDS, MESSAGES, Words, answer_text, parse_answer
from scoring.engine.framework import Kind
from tests.scoring.engine.frameworks import Item, mini

WORDS = Words(not_applicable="N/A", none_of_these="None of these", yes="Yes", no="No", level="Level %(level)s")
OPTIONS = {"A": "None", "B": "Control network", "C": "5G network"}


def test_every_kind_of_the_framework_format_has_one_definition() -> None:
    assert set(KINDS) == set(get_args(Kind))
    assert all(kind.name == name for name, kind in KINDS.items())


def test_no_two_kinds_share_a_value_key() -> None:
    keys = [key for kind in KINDS.values() for key in kind.value_keys]
    assert len(keys) == len(set(keys))


def test_every_message_names_its_parameters_for_translation() -> None:
    for code, message in MESSAGES.items():
        assert "{" not in message, code  # %(name)s placeholders, as gettext catalogues carry them


@pytest.mark.parametrize(
    ("item", "text"),
    [
        ({"question": "Q1", "choices": ["B", "C"]}, "B. Control network；C. 5G network"),
        ({"question": "Q1", "choices": []}, "None of these"),
        ({"question": "Q2", "choice": "B"}, "B. Control network"),
        ({"question": "N1", "number": 12.50}, "12.5 %"),
        ({"question": "S1", "level": 3}, "Level 3"),
        ({"question": "B1", "before": 4, "after": 3.25}, "4 → 3.25"),
        ({"question": "Y1", "yes": False}, "No"),
        ({"question": "Y1", "not_applicable": True}, "N/A"),
        ({"question": "T1", "text": "MES since 2022"}, "MES since 2022"),
        ({"question": "T1", "comment": "only a comment"}, "—"),
    ],
)
def test_an_answer_reads_as_the_reader_sees_it(item: Item, text: str) -> None:
    framework = mini()
    question = framework.questions[item["question"]]
    answer = parse_answer(framework, item)
    assert answer_text(question, answer, WORDS, OPTIONS, "%" if question.kind == "banded_number" else "") == text


def test_an_unanswered_question_reads_as_a_dash() -> None:
    assert answer_text(mini().questions["Q2"], None, WORDS) == "—"
