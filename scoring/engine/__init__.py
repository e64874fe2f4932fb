"""The scoring core: pure Python, no Django. Framework structure and answers in, a ScoreCard out."""

from __future__ import annotations

from scoring.engine.answer_format import answer_item, answer_text, parse_answer, parse_answers
from scoring.engine.answers import Answer, Missing, apply_changes, missing_for_submission
from scoring.engine.errors import MESSAGES, AnswerError, AnswerSetError
from scoring.engine.framework import Framework, framework_from_document
from scoring.engine.kinds import KINDS, Words
from scoring.engine.path import Improvement, PathToLevel, improvement_of, path_to_level
from scoring.engine.plan import Plan, plan_from_document
from scoring.engine.scorecard import SCORING_VERSION, Gate, NodeScore, QuestionScore, ScoreCard, score

__all__ = [
    "KINDS",
    "MESSAGES",
    "SCORING_VERSION",
    "Answer",
    "AnswerError",
    "AnswerSetError",
    "Framework",
    "Gate",
    "Improvement",
    "Missing",
    "NodeScore",
    "PathToLevel",
    "Plan",
    "QuestionScore",
    "ScoreCard",
    "Words",
    "answer_item",
    "answer_text",
    "apply_changes",
    "framework_from_document",
    "improvement_of",
    "missing_for_submission",
    "parse_answer",
    "parse_answers",
    "path_to_level",
    "plan_from_document",
    "score",
]
