"""The path to a level: the answer improvements that reach it at the lowest estimated cost.

Cost is data (scoring.engine.plan): each rung an improvement newly reaches costs the midpoint of its effort
class's cost band for the firm's size band; rungs a caveat rejects for that size band are never proposed.
Scenario gates are met first, by the cheapest scenarios to raise (constrained ones where constrained
scenarios are short); then the score gate, by the cheapest combination of improvements that closes it (an
exact search over each question's improvements, ties broken by more points); then every step that is not
needed is taken back, the most expensive first. The result is checked by scoring the improved answers, so a
path that is returned reaches its level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from scoring.engine.answers import Answer, apply_changes, with_value
from scoring.engine.framework import Framework, LevelRule, Question
from scoring.engine.kinds import KINDS
from scoring.engine.numbers import ZERO
from scoring.engine.plan import EffortClass, Plan
from scoring.engine.scorecard import Gate, points_of, rule_gates, score

DEFAULT_SIZE = "small"


@dataclass(frozen=True)
class Improvement:
    question: str
    answer: Answer  # the improved answer
    points: Decimal  # total points it adds, on its own
    cost: Decimal  # estimated: the midpoints of its rungs' cost bands (without a plan: `effort` per rung)
    steps: int  # rungs newly reached: options added, options or levels climbed
    cost_low: Decimal | None = None  # the band's ends summed over its rungs; None without a plan
    cost_high: Decimal | None = None
    weeks: tuple[int, int] | None = None  # the longest of its rungs' typical durations
    effort_class: str | None = None  # the class of its costliest rung


@dataclass(frozen=True)
class PathToLevel:
    target: int
    reachable: bool
    shortfall: tuple[Gate, ...]  # the target's gates that do not hold yet
    improvements: tuple[Improvement, ...]  # cheapest first (ties: more points first)
    total_after: Decimal
    level_after: int
    size: str = DEFAULT_SIZE  # the size band the costs are for
    planned: bool = False  # costs come from the framework's plan (else from each question's effort)

    @property
    def cost(self) -> Decimal:
        return sum((i.cost for i in self.improvements), ZERO)

    @property
    def cost_low(self) -> Decimal | None:
        return sum((i.cost_low or ZERO for i in self.improvements), ZERO) if self.planned else None

    @property
    def cost_high(self) -> Decimal | None:
        return sum((i.cost_high or ZERO for i in self.improvements), ZERO) if self.planned else None


class _Weigher:
    """The rungs an improvement reaches, what they cost and whether a caveat rejects them."""

    def __init__(self, plan: Plan | None, size: str) -> None:
        self.plan = plan
        self.size = size

    def rungs(self, question: Question, before: Answer | None, after: Answer) -> list[str]:
        if question.kind == "multiple_choice":
            had = set(before.choices) if before else set()
            if any(o.exclusive for o in question.options if o.key in had):
                had = set()
            return [k for k in after.choices if k not in had]
        if question.kind == "scenario":
            start = (before.level or 0) if before else 0
            return [str(level) for level in range(start + 1, (after.level or 0) + 1)]
        kind = KINDS[question.kind]
        ladder = kind.ladder(question)
        # The bottom of a ladder is where an unanswered question starts: it is never a step of its own.
        start = max(kind.position(question, before) + 1, 1)
        end = kind.position(question, after) + 1
        if question.kind == "single_choice":
            return [ladder[i]["choices"][0] for i in range(start, end)]
        return [str(i) for i in range(start, end)]

    def allowed(self, question: Question, rungs: list[str]) -> bool:
        return self.plan is None or not any(self.plan.rejects(question.key, r, self.size) for r in rungs)

    def classes(self, question: Question, rungs: list[str]) -> list[EffortClass]:
        if self.plan is None:
            return []
        return [c for r in rungs if (c := self.plan.class_of(question.key, r)) is not None]

    def cost(self, question: Question, rungs: list[str]) -> Decimal:
        if self.plan is None:
            return question.effort * len(rungs)
        return sum((c.midpoint(self.size) for c in self.classes(question, rungs)), ZERO)

    def improvement(self, question: Question, before: Answer | None, after: Answer, points: Decimal) -> Improvement:
        rungs = self.rungs(question, before, after)
        cost = self.cost(question, rungs)
        classes = self.classes(question, rungs)
        if self.plan is None or not classes:
            return Improvement(question.key, after, points, cost, max(len(rungs), 1))
        bands = [c.band(self.size) for c in classes]
        return Improvement(
            question=question.key,
            answer=after,
            points=points,
            cost=cost,
            steps=max(len(rungs), 1),
            cost_low=sum((low for low, _ in bands), ZERO),
            cost_high=sum((high for _, high in bands), ZERO),
            weeks=(max(c.weeks[0] for c in classes), max(c.weeks[1] for c in classes)),
            effort_class=max(classes, key=lambda c: c.midpoint(self.size)).key,
        )


@dataclass(frozen=True)
class _Option:
    """One way to improve one question: the improved answer, its cost and the points it adds to the total."""

    question: str
    answer: Answer
    cost: Decimal
    gain: Decimal


def _open(question: Question, answer: Answer | None) -> bool:
    return not (answer is not None and answer.not_applicable)  # the enterprise said it does not apply


def _menu(
    question: Question, answer: Answer | None, factor: Decimal, weigh: _Weigher, original: Answer | None
) -> list[_Option]:
    """Every improvement of one question worth points, each at its cost (from the original answer)."""
    now = points_of(question, answer)
    spent = weigh.cost(question, weigh.rungs(question, original, answer)) if answer != original and answer else ZERO
    found: list[_Option] = []

    def consider(candidate: Answer) -> None:
        gain = (points_of(question, candidate) - now) * factor
        rungs = weigh.rungs(question, original, candidate)
        if gain > 0 and weigh.allowed(question, rungs):
            found.append(_Option(question.key, candidate, weigh.cost(question, rungs) - spent, gain))

    if question.kind == "multiple_choice":
        # Add the cheapest options first: the cheapest way to any number of added options.
        had = set(answer.choices) if answer else set()
        if any(o.exclusive for o in question.options if o.key in had):
            had = set()
        order = [o.key for o in question.options]
        addable = [
            o
            for o in question.options
            if o.key not in had and not o.exclusive and o.points > 0 and weigh.allowed(question, [o.key])
        ]
        addable.sort(key=lambda o: (weigh.cost(question, [o.key]), -o.points, order.index(o.key)))
        chosen = set(had)
        best = now
        for option in addable:
            chosen.add(option.key)
            candidate = with_value(answer, question, choices=tuple(sorted(chosen, key=order.index)))
            if points_of(question, candidate) <= best:
                break  # the cap is reached: more options add nothing
            best = points_of(question, candidate)
            consider(candidate)
        return found
    for rung, _steps in KINDS[question.kind].moves(question, answer):
        consider(with_value(answer, question, **rung))
    return found


def _raise_scenarios(
    framework: Framework, original: Mapping[str, Answer], answers: dict[str, Answer], rule: LevelRule, weigh: _Weigher
) -> None:
    gate = rule.scenarios
    if gate is None:
        return
    levels = {q.key: (answers[q.key].level or 0) if q.key in answers else 0 for q in framework.scenarios}

    def raised(question: Question) -> Answer:
        return with_value(answers.get(question.key), question, level=gate.level)

    def price(question: Question) -> tuple[Decimal, int, str] | None:
        if levels[question.key] >= gate.level or not _open(question, answers.get(question.key)):
            return None
        rungs = weigh.rungs(question, original.get(question.key), raised(question))
        if not weigh.allowed(question, rungs):
            return None
        # The cheapest to raise first; at equal cost the closest to the gate's level.
        return weigh.cost(question, rungs), -levels[question.key], question.key

    def lift(candidates: list[Question], needed: int) -> None:
        priced = sorted((p, q) for q in candidates if (p := price(q)) is not None)
        for _, question in priced[: max(needed, 0)]:
            answers[question.key] = raised(question)
            levels[question.key] = gate.level

    constrained_now = sum(1 for q in framework.scenarios if q.constrained and levels[q.key] >= gate.level)
    lift([q for q in framework.scenarios if q.constrained], gate.constrained - constrained_now)
    count_now = sum(1 for q in framework.scenarios if levels[q.key] >= gate.level)
    lift(list(framework.scenarios), gate.count - count_now)


_State = tuple[Decimal, Decimal, tuple[_Option, ...]]  # (cost, gain, the options taken)


def _cheapest_cover(menus: list[list[_Option]], enough: Callable[[Decimal], bool]) -> tuple[_Option, ...] | None:
    """The cheapest choice of at most one option per menu whose gains together are `enough` (ties: more gain).

    A Pareto search: after each menu only the states that gain more than every cheaper state are kept, and
    none dearer than the cheapest complete choice found so far.
    """
    best: _State | None = None
    frontier: list[_State] = [(ZERO, ZERO, ())]
    for menu in menus:
        grown = list(frontier)
        for cost, gain, taken in frontier:
            for option in menu:
                state = (cost + option.cost, gain + option.gain, (*taken, option))
                if best is not None and state[0] > best[0]:
                    continue
                if enough(state[1]):
                    if best is None or (state[0], -state[1]) < (best[0], -best[1]):
                        best = state
                    continue
                grown.append(state)
        grown.sort(key=lambda s: (s[0], -s[1]))
        frontier = []
        most = Decimal(-1)
        for state in grown:
            if state[1] > most and (best is None or state[0] <= best[0]):
                frontier.append(state)
                most = state[1]
    return None if best is None else best[2]


def _raise_score(
    framework: Framework, original: Mapping[str, Answer], answers: dict[str, Answer], rule: LevelRule, weigh: _Weigher
) -> None:
    gate = rule.score
    if gate is None:
        return
    card = score(framework, answers)
    if gate.holds(card.total):
        return
    total = card.total
    menus = [
        menu
        for question in framework.questions.values()
        if _open(question, answers.get(question.key))
        and (
            menu := _menu(
                question, answers.get(question.key), card.factors[question.key], weigh, original.get(question.key)
            )
        )
    ]
    chosen = _cheapest_cover(menus, lambda gain: gate.holds(total + gain))
    for option in chosen or ():
        answers[option.question] = option.answer
    _close_by_rate(framework, original, answers, rule, weigh)


def _close_by_rate(
    framework: Framework, original: Mapping[str, Answer], answers: dict[str, Answer], rule: LevelRule, weigh: _Weigher
) -> None:
    """Add the best points per cost until the score gate holds: where the search found no cover, and to
    absorb the rounding of scores worked out node by node."""
    gate = rule.score
    if gate is None:
        return
    card = score(framework, answers)
    while not gate.holds(card.total):
        best: tuple[Decimal, Decimal, _Option] | None = None
        for question in framework.questions.values():
            answer = answers.get(question.key)
            if not _open(question, answer):
                continue
            for option in _menu(question, answer, card.factors[question.key], weigh, original.get(question.key)):
                rate = option.gain / option.cost if option.cost else Decimal("Infinity")
                if best is None or (rate, option.gain) > (best[0], best[1]):
                    best = (rate, option.gain, option)
        if best is None:
            return
        answers[best[2].question] = best[2].answer
        card = score(framework, answers)


def _weaker(question: Question, original: Answer | None, answer: Answer) -> Iterator[Answer | None]:
    """The answers to try instead of an improved one: the original, then one step back."""
    yield original
    yield from KINDS[question.kind].weaker(question, original, answer)


def _take_back(
    framework: Framework, original: Mapping[str, Answer], answers: dict[str, Answer], target: int, weigh: _Weigher
) -> None:
    """Undo every improvement, whole or step by step, that the target does not need; the dearest first."""

    def cost(key: str, answer: Answer | None) -> Decimal:
        if answer is None or answer == original.get(key):
            return ZERO
        question = framework.questions[key]
        return weigh.cost(question, weigh.rungs(question, original.get(key), answer))

    changed = True
    while changed:
        changed = False
        keys = sorted((k for k in answers if answers[k] != original.get(k)), key=lambda k: (-cost(k, answers[k]), k))
        for key in keys:
            question = framework.questions[key]
            trials = sorted(_weaker(question, original.get(key), answers[key]), key=lambda a: cost(key, a))
            for trial_answer in trials:
                trial = dict(answers)
                if trial_answer is None:
                    del trial[key]
                else:
                    trial[key] = trial_answer
                if score(framework, trial).level >= target:
                    answers.clear()
                    answers.update(trial)
                    changed = True
                    break
            if changed:
                break


def path_to_level(
    framework: Framework,
    answers: Mapping[str, Answer],
    target: int | None = None,
    *,
    plan: Plan | None = None,
    size: str = DEFAULT_SIZE,
) -> PathToLevel | None:
    """The improvements that reach `target` (default: the next level) at the lowest estimated cost for a firm of
    size band `size`; None when already there or above."""
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
    weigh = _Weigher(plan, size)
    improved = dict(answers)
    _raise_scenarios(framework, answers, improved, rule, weigh)
    _raise_score(framework, answers, improved, rule, weigh)
    reachable = score(framework, improved).level >= target
    if reachable:
        _take_back(framework, answers, improved, target, weigh)
    improvements = []
    for key, answer in improved.items():
        before = answers.get(key)
        if answer == before:
            continue
        points = score(framework, apply_changes(answers, [answer])).total - card.total
        improvements.append(weigh.improvement(framework.questions[key], before, answer, points))
    improvements.sort(key=lambda i: (i.cost, -i.points, i.question))
    after = score(framework, improved)
    return PathToLevel(
        target=target,
        reachable=reachable,
        shortfall=tuple(g for g in rule_gates(framework, rule, card.total, card.scenario_levels) if not g.holds),
        improvements=tuple(improvements),
        total_after=after.total,
        level_after=after.level,
        size=size,
        planned=plan is not None,
    )


def improvement_of(
    framework: Framework,
    answers: Mapping[str, Answer],
    after: Answer,
    *,
    plan: Plan | None = None,
    size: str = DEFAULT_SIZE,
    total: Decimal | None = None,
) -> Improvement | None:
    """One improvement as the path would cost it (points it adds on its own, cost band, duration, class);
    None when the plan's caveats reject a rung it reaches for the size band. `total`: the answers' total,
    when the caller has it."""
    question = framework.questions[after.question]
    weigh = _Weigher(plan, size)
    before = answers.get(after.question)
    if not weigh.allowed(question, weigh.rungs(question, before, after)):
        return None
    before_total = score(framework, answers).total if total is None else total
    points = score(framework, apply_changes(answers, [after])).total - before_total
    return weigh.improvement(question, before, after, points)
