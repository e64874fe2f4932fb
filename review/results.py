"""The verified result beside the self-assessed one: one builder for the results page, the PDF and the API.

The verified basis is the SME's answers with the consultant's adjustments applied, scored by the same engine;
the SME's answer rows are never changed. While a review is in progress it is computed from the verdicts so far;
from sign-off on, the Verification row holds it as it was signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from assessment.framework_texts import framework_texts
from assessment.models import Assessment
from review.models import ReviewItem, Verification
from scoring.engine import Answer, Framework, NodeScore, ScoreCard, apply_changes, parse_answers, score
from scoring.engine.serialize import card_as_data, card_from_data, path_as_data
from scoring.results import TOP_SCENARIO_LEVEL, node_share
from scoring.selectors import assessment_answers, assessment_result, framework_structure, next_level_path
from scoring.wording import answer_as_text


def adjusted_items(assessment: Assessment) -> list[dict[str, Any]]:
    """The consultant's answers (answer format) for every adjusted question."""
    rows = ReviewItem.objects.filter(assessment=assessment, verdict=ReviewItem.Verdict.ADJUSTED).select_related(
        "question"
    )
    return [{**row.answer, "question": row.question.key} for row in rows]


def verified_answers(assessment: Assessment, answers: Mapping[str, Answer] | None = None) -> dict[str, Answer]:
    """The SME's answers with the consultant's adjustments applied."""
    framework = framework_structure(assessment.framework_version)
    own = assessment_answers(assessment) if answers is None else answers
    return apply_changes(own, parse_answers(framework, adjusted_items(assessment)).values())


def verified_result_data(assessment: Assessment) -> dict[str, Any]:
    """The verified ScoreCard and path as data, to store at sign-off."""
    framework = framework_structure(assessment.framework_version)
    answers = verified_answers(assessment)
    return {
        "card": card_as_data(score(framework, answers)),
        "path": path_as_data(framework, next_level_path(assessment, answers)),
    }


@dataclass(frozen=True)
class Difference:
    """One answer the consultant did not simply verify."""

    question: str
    text: str  # the question, in the reader's language
    verdict: str
    verdict_label: str
    self_answer: str
    verified_answer: str  # the adjusted answer; the SME's own for the other verdicts
    self_points: Decimal | None
    verified_points: Decimal | None
    reason: str  # adjusted: why; change requested: the message; cannot verify: the reason given


@dataclass(frozen=True)
class DimensionPair:
    key: str
    name: str
    self_score: Decimal
    verified_score: Decimal
    max: Decimal  # 0 for a dimension judged by scenario levels (MIIT's 数字化经营): see the averages
    self_scenario_average: Decimal | None = None  # such a dimension's average scenario level, 0–4
    verified_scenario_average: Decimal | None = None


@dataclass(frozen=True)
class Comparison:
    """Self-assessed and verified, side by side. `verified` is None until the first verdict."""

    self_card: ScoreCard
    verified: ScoreCard | None
    final: bool  # signed off: the verified figures are those of the Verification
    signed: Verification | None
    dimensions: tuple[DimensionPair, ...]
    differences: tuple[Difference, ...]
    counts: Mapping[str, int]  # verdict → how many answers
    reviewed_at: datetime | None


def _scenario_average(framework: Framework, card: ScoreCard, node: NodeScore) -> Decimal | None:
    share = node_share(framework, card, node)
    return None if share is None else share * TOP_SCENARIO_LEVEL


def _question_points(card: ScoreCard) -> dict[str, Decimal]:
    return {key: q.score for key, q in card.questions.items()}


def comparison(assessment: Assessment, *, language: str) -> Comparison:
    """What the verification says of the assessment, in `language`."""
    framework = framework_structure(assessment.framework_version)
    texts = framework_texts(assessment.framework_version, language)
    self_card = assessment_result(assessment).scorecard()
    items = list(ReviewItem.objects.filter(assessment=assessment).select_related("question"))
    signed = Verification.objects.filter(assessment=assessment).first()
    own = assessment_answers(assessment)
    if signed is not None:
        verified: ScoreCard | None = card_from_data(signed.card)
    elif items:
        verified = score(framework, verified_answers(assessment, own))
    else:
        verified = None
    self_points = _question_points(self_card)
    verified_points = _question_points(verified) if verified else {}
    labels = dict(ReviewItem.Verdict.choices)
    differences = []
    for item in items:
        if item.verdict == ReviewItem.Verdict.VERIFIED:
            continue
        key = item.question.key
        answer = own.get(key)
        mine = answer_as_text(framework, texts, key, answer) if answer else ""
        adjusted = (
            answer_as_text(framework, texts, key, parse_answers(framework, [{**item.answer, "question": key}])[key])
            if item.verdict == ReviewItem.Verdict.ADJUSTED
            else mine
        )
        differences.append(
            Difference(
                question=key,
                text=texts.places[key].node["text"],
                verdict=item.verdict,
                verdict_label=str(labels[item.verdict]),
                self_answer=mine,
                verified_answer=adjusted,
                self_points=self_points.get(key),
                verified_points=verified_points.get(key),
                reason=item.reason if item.verdict != ReviewItem.Verdict.CHANGE_REQUESTED else item.message,
            )
        )
    counts = {verdict: 0 for verdict in ReviewItem.Verdict.values}
    for item in items:
        counts[item.verdict] += 1
    dimensions = tuple(
        DimensionPair(
            key=d.key,
            name=texts.dimension_names.get(d.key, d.key),
            self_score=d.score,
            verified_score=v.score,
            max=d.max,
            self_scenario_average=None if d.max else _scenario_average(framework, self_card, d),
            verified_scenario_average=None if d.max or verified is None else _scenario_average(framework, verified, v),
        )
        for d, v in zip(self_card.dimensions, verified.dimensions if verified else (), strict=False)
    )
    return Comparison(
        self_card=self_card,
        verified=verified,
        final=signed is not None,
        signed=signed,
        dimensions=dimensions,
        differences=tuple(differences),
        counts=counts,
        reviewed_at=max((i.updated_at for i in items), default=None),
    )
