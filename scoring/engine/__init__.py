"""The scoring core: pure Python, no Django. Framework structure and answers in, a ScoreCard out."""

from __future__ import annotations

from scoring.engine.answers import (
    Answer,
    AnswerError,
    AnswerSetError,
    Missing,
    apply_changes,
    missing_for_submission,
    parse_answer,
    parse_answers,
)
from scoring.engine.framework import Framework, framework_from_document
from scoring.engine.path import Improvement, PathToLevel, path_to_level
from scoring.engine.scorecard import SCORING_VERSION, Gate, NodeScore, QuestionScore, ScoreCard, score

__all__ = [
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
    "QuestionScore",
    "ScoreCard",
    "apply_changes",
    "framework_from_document",
    "missing_for_submission",
    "parse_answer",
    "parse_answers",
    "path_to_level",
    "score",
]
