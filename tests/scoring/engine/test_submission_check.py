"""What a submission still lacks: unanswered required questions and required evidence."""

from __future__ import annotations

from typing import Any

from scoring.engine import Missing, missing_for_submission
from tests.scoring.engine.frameworks import miit, mini_variant, parsed


def q2_needs_total_devices(raw: dict[str, Any]) -> None:
    raw["dimensions"][0]["indicators"][0]["questions"][1]["evidence"][0]["required"] = True


def test_an_empty_miit_assessment_lacks_every_required_question_in_framework_order() -> None:
    framework = miit()
    missing = missing_for_submission(framework, {})
    assert [m.question for m in missing] == [k for k, q in framework.questions.items() if q.required]
    assert all(m.evidence is None for m in missing)


def test_evidence_or_a_comment_alone_does_not_answer_a_question() -> None:
    answers = parsed(miit(), [{"question": "F2", "evidence": {"devices_total": 10}, "comment": "later"}])
    assert Missing("F2") in missing_for_submission(miit(), answers)


def test_not_applicable_counts_as_answered() -> None:
    framework = mini_variant(lambda raw: None)
    answers = parsed(framework, [{"question": "Y1", "not_applicable": True}])
    assert "Y1" not in {m.question for m in missing_for_submission(framework, answers)}


def test_an_answer_without_its_required_evidence_is_listed_with_the_field() -> None:
    framework = mini_variant(q2_needs_total_devices)
    without = parsed(framework, [{"question": "Q2", "choice": "B", "evidence": {"networked": 3}}])
    assert Missing("Q2", "total") in missing_for_submission(framework, without)
    assert str(Missing("Q2", "total")) == 'Q2: evidence "total" is required'
    with_it = parsed(framework, [{"question": "Q2", "choice": "B", "evidence": {"total": 9}}])
    assert not [m for m in missing_for_submission(framework, with_it) if m.question == "Q2"]


def test_a_fully_answered_miit_assessment_lacks_nothing() -> None:
    framework = miit()
    items: list[dict[str, Any]] = []
    for key, question in framework.questions.items():
        if question.kind == "scenario":
            items.append({"question": key, "level": 2})
        elif question.kind == "single_choice":
            items.append({"question": key, "choice": question.options[0].key})
        elif question.kind == "multiple_choice":
            items.append({"question": key, "choices": [question.options[-1].key]})
    assert missing_for_submission(framework, parsed(framework, items)) == []
