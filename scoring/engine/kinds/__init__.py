"""Question kinds: each module defines one kind's answer value, checks, points, path steps and text."""

from __future__ import annotations

from collections.abc import Mapping

from scoring.engine.kinds.banded_number import BandedNumber
from scoring.engine.kinds.base import QuestionKind, Rung, Sources, Words
from scoring.engine.kinds.before_after import BeforeAfter
from scoring.engine.kinds.choice import MultipleChoice, SingleChoice
from scoring.engine.kinds.scenario import Scenario
from scoring.engine.kinds.text import Text
from scoring.engine.kinds.yes_no import YesNo

KINDS: Mapping[str, QuestionKind] = {
    kind.name: kind
    for kind in (SingleChoice(), MultipleChoice(), BandedNumber(), Scenario(), BeforeAfter(), YesNo(), Text())
}

__all__ = ["KINDS", "QuestionKind", "Rung", "Sources", "Words"]
