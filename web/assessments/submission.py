"""What the review page shows before the irreversible submit: every answer in words, with its evidence, the
warnings on it and a link back to change it; and what the level rule asks of constrained scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from assessment.framework_format import Document
from scoring.engine import Answer, Framework
from scoring.wording import answer_as_text, evidence_labels
from web.assessments.contradictions import EvidenceWarning, evidence_warnings
from web.assessments.evidence import evidence_value
from web.assessments.pages import Questionnaire, Step


@dataclass(frozen=True)
class EvidenceLine:
    label: str
    value: str
    unit: str


@dataclass(frozen=True)
class ReviewedAnswer:
    key: str
    text: str  # the question
    answer: str  # the answer in words; "" when there is none
    evidence: tuple[EvidenceLine, ...]
    comment: str
    required: bool
    constrained: bool
    warning: EvidenceWarning | None


@dataclass(frozen=True)
class ReviewedStep:
    step: Step
    answers: tuple[ReviewedAnswer, ...]


def _evidence(node: Document, answer: Answer) -> tuple[EvidenceLine, ...]:
    labels = evidence_labels(node)
    lines = []
    for spec in node.get("evidence", []):
        value = answer.evidence.get(spec["key"])
        if value is None or value == "":
            continue
        unit = spec.get("unit") or ""
        label = labels[spec["key"]]
        lines.append(EvidenceLine(label, evidence_value(value), "" if unit and unit in label else unit))
    return tuple(lines)


def answers_for_review(
    framework: Framework, layout: Questionnaire, answers: Mapping[str, Answer]
) -> tuple[ReviewedStep, ...]:
    """Every question of every step, with its answer as the results and the report word it."""
    warnings = evidence_warnings(framework, layout.texts, answers)
    steps = []
    for step in layout.steps:
        rows = []
        for key in step.keys:
            node = layout.places[key].node
            answer = answers.get(key)
            answered = answer is not None and answer.has_value
            rows.append(
                ReviewedAnswer(
                    key=key,
                    text=node["text"],
                    answer=answer_as_text(framework, layout.texts, key, answer) if answered else "",
                    evidence=_evidence(node, answer) if answer is not None else (),
                    comment=answer.comment if answer is not None else "",
                    required=bool(node.get("required")),
                    constrained=bool(node.get("constrained")),
                    warning=warnings.get(key),
                )
            )
        steps.append(ReviewedStep(step, tuple(rows)))
    return tuple(steps)


@dataclass(frozen=True)
class ConstrainedGate:
    level: int  # the enterprise level the rule is for
    scenario_level: int  # the level each of those scenarios must reach
    constrained: int  # how many constrained scenarios must reach it


def constrained_gates(framework: Framework) -> tuple[ConstrainedGate, ...]:
    """The level rules that count constrained scenarios, lowest level first (none for a framework without)."""
    gates = [
        ConstrainedGate(rule.level, rule.scenarios.level, rule.scenarios.constrained)
        for rule in framework.rules
        if rule.scenarios is not None and rule.scenarios.constrained
    ]
    return tuple(sorted(gates, key=lambda gate: gate.level))


def constrained_explanation(framework: Framework) -> str:
    """Why a constrained (约束性) scenario matters, from the framework's own level rules."""
    gates = constrained_gates(framework)
    if not gates:
        return ""
    needs = gettext("; ").join(
        gettext("level %(level)s needs %(count)s of them at level %(scenario)s or above")
        % {"level": gate.level, "count": gate.constrained, "scenario": gate.scenario_level}
        for gate in gates
    )
    return gettext(
        "The level rule counts constrained scenarios separately: besides enough scenarios at a level, the "
        "enterprise needs enough constrained ones there (%(needs)s)."
    ) % {"needs": needs}
