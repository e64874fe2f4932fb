"""Answers whose own evidence says otherwise (scoring.engine.suggest), worded for people: figures and option texts,
never keys. The questionnaire and the review page warn the enterprise; the consultant's screen flags the same."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext, pgettext

from assessment.framework_texts import FrameworkTexts
from scoring.engine import Answer, Framework
from scoring.engine.suggest import Contradiction, evidence_contradictions
from scoring.wording import evidence_labels


@dataclass(frozen=True)
class EvidenceWarning:
    contradiction: Contradiction
    message: str

    @property
    def suggested(self) -> str | None:
        """The option the figures point to ("band" only): the page may offer to choose it."""
        return self.contradiction.suggested


def _figure(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _label(texts: FrameworkTexts, own: str, reference: str) -> str:
    """The label of the evidence field a suggestion rule names: "devices_total" or "F2.devices_total"."""
    question, _, field = reference.rpartition(".")
    place = texts.places.get(question or own)
    return evidence_labels(place.node).get(field, field) if place is not None else field


def warning_text(framework: Framework, texts: FrameworkTexts, contradiction: Contradiction) -> str:
    """What the contradiction is, in the reader's language: the figures with their labels, the options' texts."""
    key = contradiction.question
    question = framework.questions[key]
    if contradiction.kind == "exceeds":
        numerator, denominator = question.suggest or ("", "")
        return gettext(
            "The evidence does not add up: “%(part)s” (%(numerator)s) is more than “%(whole)s” (%(denominator)s). "
            "Check the figures."
        ) % {
            "part": _label(texts, key, numerator),
            "numerator": _figure(contradiction.numerator),
            "whole": _label(texts, key, denominator),
            "denominator": _figure(contradiction.denominator),
        }
    options = texts.options(key)
    chosen = pgettext("list", "”, “").join(options.get(option, "") for option in contradiction.chosen)
    percentage = contradiction.percentage or Decimal(0)
    return gettext(
        "The evidence gives %(percentage)s %%, which is “%(suggested)s”, not the option chosen (“%(chosen)s”). "
        "Check the figures or the option."
    ) % {
        "percentage": f"{percentage.quantize(Decimal('0.1')):f}",
        "suggested": options.get(contradiction.suggested or "", ""),
        "chosen": chosen,
    }


def evidence_warnings(
    framework: Framework, texts: FrameworkTexts, answers: Mapping[str, Answer]
) -> dict[str, EvidenceWarning]:
    """Question key → the warning on its answer, for every answer its evidence contradicts (framework order)."""
    return {
        c.question: EvidenceWarning(c, warning_text(framework, texts, c))
        for c in evidence_contradictions(framework, answers)
    }


def evidence_warning(
    framework: Framework, texts: FrameworkTexts, key: str, answers: Mapping[str, Answer]
) -> EvidenceWarning | None:
    """The warning on one question's answer, or None."""
    found = next((c for c in evidence_contradictions(framework, answers) if c.question == key), None)
    return None if found is None else EvidenceWarning(found, warning_text(framework, texts, found))
