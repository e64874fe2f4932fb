"""The path to a level: the smallest set of answer improvements that reaches it, cheapest first.

Scenario gates are met first (raising the scenarios closest to the needed level, constrained ones
where constrained scenarios are short); then the score gate, greedily by total points gained per
unit of effort; then every step that is not needed is taken back. The result is checked by scoring
the improved answers, so a path that is returned reaches its level.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from scoring.engine.answers import Answer, apply_changes, with_value
from scoring.engine.framework import Framework, LevelRule, Question
from scoring.engine.kinds import KINDS, Rung
from scoring.engine.numbers import ZERO
from scoring.engine.scorecard import Gate, points_of, rule_gates, score


@dataclass(frozen=True)
class Improvement:
    question: str
    answer: Answer  # the improved answer
    points: Decimal  # total points it adds, on its own
    effort: Decimal
    steps: int  # options, levels or bands climbed


@dataclass(frozen=True)
class PathToLevel:
    target: int
    reachable: bool
    shortfall: tuple[Gate, ...]  # the target's gates that do not hold yet
    improvements: tuple[Improvement, ...]  # best points per effort first
    total_after: Decimal
    level_after: int

    @property
    def effort(self) -> Decimal:
        return sum((i.effort for i in self.improvements), ZERO)


def _moves(framework: Framework, answers: Mapping[str, Answer]) -> Iterator[tuple[Question, Rung, int]]:
    """Every single improvement of one question: (question, new value, steps)."""
    for question in framework.questions.values():
        answer = answers.get(question.key)
        if answer is not None and answer.not_applicable:
            continue  # the enterprise said it does not apply; do not advise it
        for rung, steps in KINDS[question.kind].moves(question, answer):
            yield question, rung, steps


def _raise_scenarios(framework: Framework, answers: dict[str, Answer], rule: LevelRule) -> None:
    gate = rule.scenarios
    if gate is None:
        return
    levels = {q.key: (answers[q.key].level or 0) if q.key in answers else 0 for q in framework.scenarios}

    def open_to_raise(question: Question) -> bool:
        answer = answers.get(question.key)
        return levels[question.key] < gate.level and not (answer and answer.not_applicable)

    def lift(candidates: list[Question], needed: int) -> None:
        # The scenarios already closest to the gate's level cost the fewest steps.
        for question in sorted(candidates, key=lambda q: -levels[q.key])[: max(needed, 0)]:
            answers[question.key] = with_value(answers.get(question.key), question, level=gate.level)
            levels[question.key] = gate.level

    constrained_now = sum(1 for q in framework.scenarios if q.constrained and levels[q.key] >= gate.level)
    lift([q for q in framework.scenarios if q.constrained and open_to_raise(q)], gate.constrained - constrained_now)
    count_now = sum(1 for q in framework.scenarios if levels[q.key] >= gate.level)
    lift([q for q in framework.scenarios if open_to_raise(q)], gate.count - count_now)


def _raise_score(framework: Framework, answers: dict[str, Answer], rule: LevelRule) -> None:
    if rule.score is None:
        return
    card = score(framework, answers)
    while not rule.score.holds(card.total):
        best: tuple[Decimal, Question, Rung] | None = None
        for question, rung, steps in _moves(framework, answers):
            # Moves never change what is excluded, so a question's factor to the total stays exact.
            now = points_of(question, answers.get(question.key))
            candidate = Answer(question.key, chosen="choices" in rung, **rung)
            gained = (points_of(question, candidate) - now) * card.factors[question.key]
            ratio = gained / (question.effort * steps)
            if gained > 0 and (best is None or ratio > best[0]):
                best = (ratio, question, rung)
        if best is None:
            return
        _, question, rung = best
        answers[question.key] = with_value(answers.get(question.key), question, **rung)
        card = score(framework, answers)


def _take_back(framework: Framework, original: Mapping[str, Answer], answers: dict[str, Answer], target: int) -> None:
    """Undo every improvement, whole or step by step, that the target does not need."""
    changed = True
    while changed:
        changed = False
        for key in [k for k in answers if answers[k] != original.get(k)]:
            question = framework.questions[key]
            whole = original.get(key)
            for trial_answer in (whole, *KINDS[question.kind].weaker(question, whole, answers[key])):
                trial = apply_changes(answers, [trial_answer]) if trial_answer else dict(answers)
                if trial_answer is None:
                    del trial[key]
                if score(framework, trial).level >= target:
                    answers.clear()
                    answers.update(trial)
                    changed = True
                    break


def path_to_level(framework: Framework, answers: Mapping[str, Answer], target: int | None = None) -> PathToLevel | None:
    """The improvements that reach `target` (default: the next level); None when already there or above."""
    card = score(framework, answers)
    rules = {r.level: r for r in framework.rules}
    if target is None:
        higher = [level for level in rules if level > card.level]
        if not higher:
            return None
        target = min(higher)
    if target <= card.level or target not in rules:
        return None
    rule = rules[target]
    improved = dict(answers)
    _raise_scenarios(framework, improved, rule)
    _raise_score(framework, improved, rule)
    reachable = score(framework, improved).level >= target
    if reachable:
        _take_back(framework, answers, improved, target)
    improvements = []
    for key, answer in improved.items():
        if answer == answers.get(key):
            continue
        question = framework.questions[key]
        points = score(framework, apply_changes(answers, [answer])).total - card.total
        steps = KINDS[question.kind].steps(question, answers.get(key), answer)
        improvements.append(Improvement(key, answer, points, question.effort * steps, steps))
    improvements.sort(key=lambda i: (-(i.points / i.effort) if i.effort else Decimal(0), i.question))
    after = score(framework, improved)
    return PathToLevel(
        target=target,
        reachable=reachable,
        shortfall=tuple(g for g in rule_gates(framework, rule, card.total, card.scenario_levels) if not g.holds),
        improvements=tuple(improvements),
        total_after=after.total,
        level_after=after.level,
    )
