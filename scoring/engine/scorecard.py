"""Score answers against a framework: question → indicator → dimension → total, levels and gates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from scoring.engine.answers import Answer
from scoring.engine.framework import Framework, LevelRule, Node, Outcome, Question

ZERO = Decimal(0)
SCORING_VERSION = 1  # bump whenever a rule in scoring/engine changes a result


@dataclass(frozen=True)
class Credit:
    """Points for one part of an answer: an option, a band, a level, an outcome."""

    source: str  # option key, band interval, "level 3", "improved", "yes"
    points: Decimal  # the question's own points
    total_points: Decimal  # what they are worth in the framework total


@dataclass(frozen=True)
class QuestionScore:
    key: str
    score: Decimal
    max: Decimal
    answered: bool
    excluded: bool  # not applicable under the "exclude" rule: left out of its parent
    to_total: Decimal  # the factor from this question's points to the total
    earned: tuple[Credit, ...]  # what earned the points
    missed: tuple[Credit, ...]  # what would have earned the missing points


@dataclass(frozen=True)
class NodeScore:
    key: str
    score: Decimal
    max: Decimal
    excluded: bool
    children: tuple[NodeScore, ...]
    questions: tuple[str, ...]


GateKind = Literal["score", "scenarios", "constrained"]


@dataclass(frozen=True)
class Gate:
    kind: GateKind
    level: int  # the level this gate belongs to
    required: Decimal
    actual: Decimal
    holds: bool
    inclusive: bool = True  # for score gates: "at least" rather than "more than"

    @property
    def shortfall(self) -> Decimal:
        return ZERO if self.holds else self.required - self.actual


@dataclass(frozen=True)
class ScoreCard:
    framework: str
    scoring_version: int
    total: Decimal
    max_total: Decimal
    level: int
    dimensions: tuple[NodeScore, ...]
    questions: Mapping[str, QuestionScore]
    scenario_levels: Mapping[str, int]
    completeness: Decimal  # answered required questions / required questions
    next_level: int | None
    next_level_gates: tuple[Gate, ...]  # the gates of the next level, holding or not

    @property
    def blocking_gates(self) -> tuple[Gate, ...]:
        return tuple(g for g in self.next_level_gates if not g.holds)


def _outcome(question: Question, answer: Answer) -> Outcome:
    before, after = answer.before or ZERO, answer.after or ZERO
    if after == before:
        return "unchanged"
    improved = after < before if question.better == "lower" else after > before
    return "improved" if improved else "worsened"


def question_points(
    question: Question, answer: Answer | None
) -> tuple[Decimal, list[tuple[str, Decimal]], list[tuple[str, Decimal]]]:
    """(points, earned sources, missed sources) for one question, before scaling."""
    chosen = set(answer.choices) if answer else set()
    if question.kind == "single_choice":
        earned = [(o.key, o.points) for o in question.options if o.key in chosen]
        score = earned[0][1] if earned else ZERO
        best = max(question.options, key=lambda o: o.points)
        missed = [(best.key, best.points - score)] if best.points > score else []
        return score, earned, missed
    if question.kind == "multiple_choice":
        earned = [(o.key, o.points) for o in question.options if o.key in chosen]
        total = sum((p for _, p in earned), ZERO)
        score = min(total, question.cap) if question.cap is not None else total
        room = question.points - score
        missed = []
        for option in question.options:
            if room <= 0:
                break
            if option.key not in chosen and not option.exclusive and option.points > 0:
                missed.append((option.key, min(option.points, room)))
                room -= min(option.points, room)
        return score, earned, missed
    if question.kind == "banded_number":
        number = answer.number if answer else None
        band = next((b for b in question.bands if number is not None and number in b.interval), None)
        score = band.points if band else ZERO
        top = max(question.bands, key=lambda b: b.points)
        earned = [(str(band.interval), band.points)] if band else []
        return score, earned, ([(str(top.interval), top.points - score)] if top.points > score else [])
    if question.kind == "scenario":
        points = question.level_points or (ZERO,) * 5
        level = answer.level if answer and answer.level is not None else 0
        best_level = max(range(5), key=lambda i: (points[i], i))
        gap = points[best_level] - points[level]
        missed = [(f"level {best_level}", gap)] if gap > 0 else []
        return (
            points[level],
            ([(f"level {level}", points[level])] if answer and answer.level is not None else []),
            missed,
        )
    if question.kind == "before_after":
        improved = question.outcome_points.get("improved", ZERO)
        if not answer or answer.before is None or answer.after is None:
            return ZERO, [], [("improved", improved)]
        outcome = _outcome(question, answer)
        score = question.outcome_points[outcome]
        return score, [(outcome, score)], ([("improved", improved - score)] if improved > score else [])
    if question.kind == "yes_no":
        if answer and answer.yes:
            return question.points, [("yes", question.points)], []
        return ZERO, [], [("yes", question.points)]
    return ZERO, [], []  # text: unscored


@dataclass
class _Scorer:
    framework: Framework
    answers: Mapping[str, Answer]

    def __post_init__(self) -> None:
        self.questions: dict[str, QuestionScore] = {}
        self.raw: dict[str, tuple[Decimal, list[tuple[str, Decimal]], list[tuple[str, Decimal]], bool]] = {}
        for question in self.framework.questions.values():
            answer = self.answers.get(question.key)
            excluded = bool(answer and answer.not_applicable and question.not_applicable == "exclude")
            if answer and answer.not_applicable:
                self.raw[question.key] = (ZERO, [], [], excluded)
            else:
                self.raw[question.key] = (*question_points(question, answer), excluded)

    def node(self, node: Node, to_total: Decimal) -> NodeScore:
        """Score a node: children and questions summed, then scaled to the node's points."""
        parts: list[tuple[Decimal, Decimal, bool]] = []  # (score, max, excluded) before scaling
        children = []
        # The scale needs the children's unscaled sums first; compute them, then recurse with the factor.
        child_max = sum((c.points for c in node.children if not self._excluded(c)), ZERO) + sum(
            (q.points for q in node.questions if not self.raw[q.key][3]), ZERO
        )
        scale = node.points / child_max if child_max else ZERO
        for child in node.children:
            child_score = self.node(child, to_total * scale)
            children.append(child_score)
            parts.append((child_score.score, child.points, child_score.excluded))
        for question in node.questions:
            points, earned, missed, excluded = self.raw[question.key]
            factor = to_total * scale
            answer = self.answers.get(question.key)
            self.questions[question.key] = QuestionScore(
                key=question.key,
                score=points,
                max=question.points,
                answered=bool(answer and answer.has_value),
                excluded=excluded,
                to_total=factor,
                earned=tuple(Credit(s, p, p * factor) for s, p in earned),
                missed=tuple(Credit(s, p, p * factor) for s, p in missed),
            )
            parts.append((points, question.points, excluded))
        kept = [(s, m) for s, m, excluded in parts if not excluded]
        excluded_node = bool(parts) and not kept
        raw_score = sum((s for s, _ in kept), ZERO)
        # Multiply first, divide once: full marks stay exactly the node's points.
        score = raw_score * node.points / child_max if child_max else ZERO
        return NodeScore(
            node.key, score, node.points, excluded_node, tuple(children), tuple(q.key for q in node.questions)
        )

    def _excluded(self, node: Node) -> bool:
        """A node whose every question is excluded drops out of its parent."""
        keys = [q.key for q in node.questions]
        own = all(self.raw[k][3] for k in keys) if keys else True
        return own and all(self._excluded(c) for c in node.children) and bool(keys or node.children)


def _scenario_counts(framework: Framework, levels: Mapping[str, int], at_least: int) -> tuple[int, int]:
    hit = [q for q in framework.scenarios if levels.get(q.key, 0) >= at_least]
    return len(hit), sum(1 for q in hit if q.constrained)


def rule_gates(framework: Framework, rule: LevelRule, total: Decimal, levels: Mapping[str, int]) -> tuple[Gate, ...]:
    """Every gate of one level rule, evaluated."""
    gates = []
    if rule.score is not None:
        gates.append(Gate("score", rule.level, rule.score.min, total, rule.score.holds(total), rule.score.inclusive))
    if rule.scenarios is not None:
        count, constrained = _scenario_counts(framework, levels, rule.scenarios.level)
        need = rule.scenarios
        gates.append(Gate("scenarios", rule.level, Decimal(need.count), Decimal(count), count >= need.count))
        if need.constrained:
            gates.append(
                Gate(
                    "constrained",
                    rule.level,
                    Decimal(need.constrained),
                    Decimal(constrained),
                    constrained >= need.constrained,
                )
            )
    return tuple(gates)


def level_of(framework: Framework, total: Decimal, levels: Mapping[str, int]) -> int:
    for rule in framework.rules:
        if all(g.holds for g in rule_gates(framework, rule, total, levels)):
            return rule.level
    return framework.base_level


def score(framework: Framework, answers: Mapping[str, Answer]) -> ScoreCard:
    """Score a set of answers; unanswered questions score zero and lower completeness."""
    scorer = _Scorer(framework, answers)
    count = Decimal(len(framework.dimensions))
    dimension_factor = Decimal(1) if framework.total == "sum" else 1 / count
    dimensions = tuple(scorer.node(d, dimension_factor) for d in framework.dimensions)
    summed = sum((d.score for d in dimensions), ZERO)
    total = summed if framework.total == "sum" else summed / count
    scenario_levels = {q.key: (answers[q.key].level or 0) if q.key in answers else 0 for q in framework.scenarios}
    level = level_of(framework, total, scenario_levels)
    higher = [r for r in framework.rules if r.level > level]
    next_rule = min(higher, key=lambda r: r.level) if higher else None
    required = [q for q in framework.questions.values() if q.required]
    answered = sum(1 for q in required if q.key in answers and answers[q.key].has_value)
    return ScoreCard(
        framework=framework.reference,
        scoring_version=SCORING_VERSION,
        total=total,
        max_total=framework.max_total,
        level=level,
        dimensions=dimensions,
        questions=scorer.questions,
        scenario_levels=scenario_levels,
        completeness=Decimal(answered) / len(required) if required else Decimal(1),
        next_level=next_rule.level if next_rule else None,
        next_level_gates=rule_gates(framework, next_rule, total, scenario_levels) if next_rule else (),
    )
