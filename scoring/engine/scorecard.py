"""Score answers against a framework: question → indicator → dimension → total, levels and gates."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeVar

from scoring.engine.answers import Answer
from scoring.engine.framework import Framework, LevelRule, Node, Question
from scoring.engine.kinds import KINDS, Sources
from scoring.engine.numbers import PRECISION, ZERO

SCORING_VERSION = 4  # bump whenever a rule in scoring/engine changes a result (4: the path minimises estimated cost)
V = TypeVar("V")


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
    scenario_levels: Mapping[str, int]
    completeness: Decimal  # answered required questions / required questions
    next_level: int | None
    next_level_gates: tuple[Gate, ...]  # the gates of the next level, holding or not
    # Each question's factor from its own points to the total (what one of its points is worth), and
    # every question's score with its explanation: worked out on first use when scored.
    factors: Mapping[str, Decimal] = field(repr=False, compare=False)
    questions: Mapping[str, QuestionScore] = field(repr=False, compare=False)

    @property
    def blocking_gates(self) -> tuple[Gate, ...]:
        return tuple(g for g in self.next_level_gates if not g.holds)


class LazyMapping(Mapping[str, V]):
    """A mapping built on first use: the path search scores many answer sets and reads few explanations."""

    def __init__(self, build: Callable[[], Mapping[str, V]]) -> None:
        self._build: Callable[[], Mapping[str, V]] | None = build
        self._built: Mapping[str, V] = {}

    def _mapping(self) -> Mapping[str, V]:
        if self._build is not None:
            self._built, self._build = self._build(), None
        return self._built

    def __getitem__(self, key: str) -> V:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())


def points_of(question: Question, answer: Answer | None) -> Decimal:
    """The points one answer earns under its question's rule (none when unanswered)."""
    return ZERO if answer is None else KINDS[question.kind].points(question, answer)


def credits_of(question: Question, answer: Answer | None) -> tuple[Sources, Sources]:
    """(what earned the points, what would earn the missing ones), in the question's own points."""
    return KINDS[question.kind].credits(question, answer, points_of(question, answer))


class _Scorer:
    def __init__(self, framework: Framework, answers: Mapping[str, Answer]) -> None:
        self.framework = framework
        self.answers = answers
        self.points: dict[str, Decimal] = {}
        self.excluded: set[str] = set()
        for key, question in framework.questions.items():
            answer = answers.get(key)
            if answer is not None and answer.not_applicable:
                self.points[key] = ZERO
                if question.not_applicable == "exclude":
                    self.excluded.add(key)
            else:
                self.points[key] = points_of(question, answer)

    def child_max(self, node: Node) -> Decimal:
        """The points a node's children can earn, leaving out excluded ones."""
        if not self.excluded:
            return node.child_points
        return sum((c.points for c in node.children if not self.node_excluded(c)), ZERO) + sum(
            (q.points for q in node.questions if q.key not in self.excluded), ZERO
        )

    def node_excluded(self, node: Node) -> bool:
        """A node whose every question is excluded drops out of its parent."""
        return (
            bool(self.excluded)
            and all(q.key in self.excluded for q in node.questions)
            and all(self.node_excluded(c) for c in node.children)
            and bool(node.questions or node.children)
        )

    def node(self, node: Node) -> NodeScore:
        """Score a node: children and questions summed, then scaled to the node's points."""
        children = tuple(self.node(child) for child in node.children)
        raw = ZERO
        for child in children:
            if not child.excluded:
                raw += child.score
        for question in node.questions:
            raw += self.points[question.key]
        child_max = self.child_max(node)
        # Multiply first, divide once: full marks stay exactly the node's points. Then drop the noise
        # of non-terminating divisions (sevenths), so an exact 25 is 25 when a band starts there.
        score = (raw * node.points / child_max).quantize(PRECISION) if child_max else ZERO
        return NodeScore(node.key, score, node.points, self.node_excluded(node), children, node.question_keys)

    def factors(self) -> dict[str, Decimal]:
        """Each question's factor from its own points to the framework total."""
        factors: dict[str, Decimal] = {}
        top = Decimal(1) if self.framework.total == "sum" else 1 / Decimal(len(self.framework.dimensions))

        def walk(node: Node, to_total: Decimal) -> None:
            child_max = self.child_max(node)
            factor = to_total * node.points / child_max if child_max else ZERO
            for child in node.children:
                walk(child, factor)
            for question in node.questions:
                factors[question.key] = factor

        for dimension in self.framework.dimensions:
            walk(dimension, top)
        return factors

    def explain(self, factors: Mapping[str, Decimal]) -> dict[str, QuestionScore]:
        scores: dict[str, QuestionScore] = {}
        for key, question in self.framework.questions.items():
            answer = self.answers.get(key)
            earned, missed = ([], []) if answer and answer.not_applicable else credits_of(question, answer)
            factor = factors[key]
            scores[key] = QuestionScore(
                key=key,
                score=self.points[key],
                max=question.points,
                answered=bool(answer and answer.has_value),
                excluded=key in self.excluded,
                to_total=factor,
                earned=tuple(Credit(s, p, p * factor) for s, p in earned),
                missed=tuple(Credit(s, p, p * factor) for s, p in missed),
            )
        return scores


def _scenario_counts(framework: Framework, levels: Mapping[str, int], at_least: int) -> tuple[int, int]:
    count = constrained = 0
    for question in framework.scenarios:
        if levels.get(question.key, 0) >= at_least:
            count += 1
            constrained += question.constrained
    return count, constrained


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


def _holds(framework: Framework, rule: LevelRule, total: Decimal, levels: Mapping[str, int]) -> bool:
    if rule.score is not None and not rule.score.holds(total):
        return False
    if rule.scenarios is None:
        return True
    count, constrained = _scenario_counts(framework, levels, rule.scenarios.level)
    return count >= rule.scenarios.count and constrained >= rule.scenarios.constrained


def score(framework: Framework, answers: Mapping[str, Answer]) -> ScoreCard:
    """Score a set of answers; unanswered questions score zero and lower completeness."""
    scorer = _Scorer(framework, answers)
    dimensions = tuple(scorer.node(d) for d in framework.dimensions)
    summed = sum((d.score for d in dimensions), ZERO)
    total = summed if framework.total == "sum" else (summed / len(dimensions)).quantize(PRECISION)
    scenario_levels = {}
    for question in framework.scenarios:
        answer = answers.get(question.key)
        scenario_levels[question.key] = (answer.level or 0) if answer is not None else 0
    level = next(
        (r.level for r in framework.rules if _holds(framework, r, total, scenario_levels)), framework.base_level
    )
    higher = [r for r in framework.rules if r.level > level]
    next_rule = min(higher, key=lambda r: r.level) if higher else None
    answered = 0
    for key in framework.required:
        answer = answers.get(key)
        answered += answer is not None and answer.has_value
    factors = LazyMapping(scorer.factors)
    return ScoreCard(
        framework=framework.reference,
        scoring_version=SCORING_VERSION,
        total=total,
        max_total=framework.max_total,
        level=level,
        dimensions=dimensions,
        scenario_levels=scenario_levels,
        completeness=Decimal(answered) / len(framework.required) if framework.required else Decimal(1),
        next_level=next_rule.level if next_rule else None,
        next_level_gates=rule_gates(framework, next_rule, total, scenario_levels) if next_rule else (),
        factors=factors,
        questions=LazyMapping(lambda: scorer.explain(factors)),
    )
