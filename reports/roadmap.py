"""The roadmap: one plan with the path to the next level, chosen from the answers.

"now" (at most 3) and "next" (at most 5, the next six months) are the path's steps, grouped so they fit;
doing them reaches the next level (`Roadmap.reaches`, scored by the engine). "later" (at most 5) are the
cheapest further gaps. Advice is answer-aware: a multiple-choice item is about options the firm has not
chosen, a single-choice item about the next option up, a scenario item about the next level's descriptor.
Items are de-duplicated by title and ordered so that a prerequisite (`requires` in the advice library) is
never scheduled after what needs it; an item the consultant commented on comes first, the note attached.
When a signed verification exists, its adjusted answers are the basis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils import translation
from django.utils.translation import gettext, ngettext

from assessment.models import Assessment
from review.results import verified_answers
from scoring.engine import Answer, PathToLevel, apply_changes, improvement_of, score
from scoring.engine.answers import with_value
from scoring.engine.kinds import KINDS
from scoring.engine.path import DEFAULT_SIZE
from scoring.results import Level, PathStep, PlanTexts, ResultsView, level_of, path_steps, step_change
from scoring.selectors import framework_plan, next_level_path
from scoring.wording import question_text

LIBRARY_DIR = Path(__file__).resolve().parent / "recommendations"
HORIZONS = ("now", "next", "later")
LIMITS = {"now": 3, "next": 5, "later": 5}
SCENARIO_PREREQUISITES_FROM = 3  # the advice file's `requires` of a scenario apply to its levels 3 and 4


@cache
def recommendation_library(slug: str) -> dict[str, Any]:
    """The advice file of a framework (reports/recommendations/<slug>.yaml); empty when there is none."""
    path = LIBRARY_DIR / f"{slug}.yaml"
    if not path.exists():
        return {"support": {}, "advice": []}
    library: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return library


def advice_stage(kind: str, score: Decimal, maximum: Decimal, level: int | None) -> str | None:
    """A question's advice stage: a scenario's current level, else the share of points earned; None when full."""
    if kind == "scenario":
        current = level or 0
        return str(current) if current < 4 else None
    if maximum <= 0 or score >= maximum:
        return None
    share = score / maximum
    return "low" if share < Decimal(1) / 3 else "mid" if share < Decimal(2) / 3 else "high"


@dataclass(frozen=True)
class RoadmapItem:
    title: str
    action: str
    questions: tuple[str, ...]  # the texts of the questions it covers
    keys: tuple[str, ...]  # their keys: for links and tests, never shown
    target: str  # what the answers become: option texts, "Level 2"
    owner: str  # the role that drives it
    weeks: tuple[int, int] | None  # typical duration; None without a plan
    cost: tuple[Decimal, Decimal] | None  # estimated cost band (low, high) in `cost_unit`; None without a plan
    cost_unit: str
    effort_class: str  # the effort class's name
    kpi: str  # the one figure to watch
    support: tuple[str, ...]  # consulting, training, funding, technology
    points: Decimal | None  # added to the total; None for a scenario step (it counts towards the scenario gates)
    consultant_note: str | None
    on_path: bool
    changes: tuple[Answer, ...]  # the improved answers: what doing it means, for scoring
    parts: tuple[tuple[str, str], ...] = ()  # a merged item's measures: (title, action) each, in order

    @property
    def measures(self) -> tuple[tuple[str, str], ...]:
        """What to do, measure by measure: the merged items' (title, action), else this item's own."""
        return self.parts or ((self.title, self.action),)


@dataclass(frozen=True)
class Roadmap:
    horizons: Mapping[str, tuple[RoadmapItem, ...]]  # "now", "next", "later", in that order
    reaches: Level | None  # the level doing "now" and "next" reaches (scored); None at the top level
    total_after: Decimal | None
    basis: str  # "self": the answers as given; "verified": with the signed verification's adjustments
    path: PathToLevel | None  # the path the plan is made of
    steps: tuple[PathStep, ...]  # that path as people read it
    plan: PlanTexts | None  # the plan's note, unit and size band; None without a plan
    cost: tuple[Decimal, Decimal] | None  # "now" and "next" together

    @property
    def items(self) -> tuple[RoadmapItem, ...]:
        return tuple(item for horizon in HORIZONS for item in self.horizons[horizon])


@dataclass(frozen=True)
class _Advice:
    title: str
    action: str
    support: tuple[str, ...]
    owner: str
    kpi: str
    requires: tuple[str, ...]


def _text(value: Mapping[str, str] | None, language: str) -> str:
    return value[language] if value else ""


def _advice_for(
    entry: Mapping[str, Any] | None, stage: str | None, options: Sequence[str], language: str
) -> _Advice | None:
    """The library's advice for one question at its stage; for a multiple choice, that of the options to add."""
    if entry is None:
        return None
    staged = entry["stages"].get(stage or "")
    per_option = [entry.get("options", {}).get(key) for key in options]
    per_option = [o for o in per_option if o]
    if staged is None and not per_option:
        return None
    title = per_option[0]["title"][language] if per_option else staged["title"][language]
    action = " ".join(o["action"][language] for o in per_option) if per_option else staged["action"][language]
    return _Advice(
        title=title,
        action=action,
        support=tuple(staged["support"]) if staged else ("consulting",),
        owner=_text(entry.get("owner"), language),
        kpi=_text(entry.get("kpi"), language),
        requires=tuple(entry.get("requires", ())),
    )


class _Builder:
    def __init__(
        self,
        view: ResultsView,
        library: Mapping[str, Any],
        notes: Mapping[str, list[Any]],
        answers: Mapping[str, Answer],
        path: PathToLevel | None,
        plan: PlanTexts | None,
        size: str,
        assessment: Assessment,
    ) -> None:
        self.view = view
        self.language = view.language
        self.entries = {entry["question"]: entry for entry in library.get("advice", [])}
        self.notes: dict[str, str] = {}
        for key, found in notes.items():
            by_consultant = [n.text for n in found if n.by_consultant]
            if key and by_consultant:
                self.notes[key] = by_consultant[-1]  # the latest word
        self.answers = answers
        self.card = view.card if answers is view.answers else score(view.framework, answers)
        self.path = path
        self.plan = plan
        self.size = size
        self.engine_plan = framework_plan(assessment.framework_version)

    def stage(self, key: str) -> str | None:
        question = self.card.questions[key]
        answer = self.answers.get(key)
        kind = self.view.framework.questions[key].kind
        return advice_stage(kind, question.score, question.max, answer.level if answer else None)

    def stages(self, key: str, after: Answer) -> list[str | None]:
        """The advice stages a change goes through: each level a scenario climbs, else the question's stage."""
        if self.view.framework.questions[key].kind != "scenario":
            return [self.stage(key)]
        before = self.answers.get(key)
        return [str(level) for level in range((before.level or 0) if before else 0, after.level or 0)]

    def target(self, key: str, after: Answer) -> tuple[str, tuple[str, ...]]:
        """What the improved answer newly has, as text, and the option keys it adds."""
        before = self.answers.get(key)
        had = set(before.choices) if before else set()
        added = tuple(k for k in after.choices if k not in had)
        return step_change(self.view.framework, self.view.texts, key, before, after), added

    def item(self, key: str, after: Answer, *, on_path: bool, points: Decimal | None, cost: Any) -> RoadmapItem | None:
        question = self.view.framework.questions[key]
        target, added = self.target(key, after)
        entry = self.entries.get(key)
        found = [a for stage in self.stages(key, after) if (a := _advice_for(entry, stage, added, self.language))]
        if not found:
            return None
        advice = found[-1]  # the advice for the last step; a climb over several levels lists each one
        return RoadmapItem(
            title=advice.title,
            action=advice.action,
            questions=(question_text(self.view.texts, key),),
            keys=(key,),
            target=target,
            owner=advice.owner,
            weeks=cost.weeks if cost else None,
            cost=(cost.cost_low, cost.cost_high) if cost and cost.cost_low is not None else None,
            cost_unit=self.plan.unit if self.plan else "",
            effort_class=self.plan.classes.get(cost.effort_class, "")
            if self.plan and cost and cost.effort_class
            else "",
            kpi=advice.kpi,
            support=advice.support,
            points=None if question.kind == "scenario" else points,
            consultant_note=self.notes.get(key),
            on_path=on_path,
            changes=(after,),
            parts=tuple((a.title, a.action) for a in found) if len(found) > 1 else (),
        )

    def path_items(self) -> list[RoadmapItem]:
        found = []
        for step in self.path.improvements if self.path else ():
            item = self.item(step.question, step.answer, on_path=True, points=step.points, cost=step)
            if item is None:  # no advice in the library: the step itself, in the framework's words
                item = self.bare_item(step)
            found.append(item)
        return found

    def bare_item(self, step: Any) -> RoadmapItem:
        key = step.question
        target, _added = self.target(key, step.answer)
        text = question_text(self.view.texts, key)
        question = self.view.framework.questions[key]
        return RoadmapItem(
            title=text,
            action=target,
            questions=(text,),
            keys=(key,),
            target=target,
            owner="",
            weeks=step.weeks,
            cost=(step.cost_low, step.cost_high) if step.cost_low is not None else None,
            cost_unit=self.plan.unit if self.plan else "",
            effort_class=self.plan.classes.get(step.effort_class, "") if self.plan and step.effort_class else "",
            kpi="",
            support=("consulting",),
            points=None if question.kind == "scenario" else step.points,
            consultant_note=self.notes.get(key),
            on_path=True,
            changes=(step.answer,),
        )

    def next_move(self, key: str) -> Any:
        """The cheapest single improvement of a question off the path (its next option or level), if any."""
        question = self.view.framework.questions[key]
        answer = self.answers.get(key)
        if answer is not None and answer.not_applicable:
            return None
        best = None
        for rung, _steps in KINDS[question.kind].moves(question, answer):
            after = _with(answer, question, rung)
            found = improvement_of(
                self.view.framework, self.answers, after, plan=self.engine_plan, size=self.size, total=self.card.total
            )
            if found is None or (question.kind != "scenario" and found.points <= 0):
                continue
            if best is None or (found.cost, -found.points) < (best.cost, -best.points):
                best = found
            if question.kind != "multiple_choice":
                break  # the next option or level up, never a jump
        return best

    def later_items(self, exclude: set[str]) -> list[RoadmapItem]:
        found = []
        for key in self.view.framework.questions:
            if key in exclude:
                continue
            move = self.next_move(key)
            if move is None:
                continue
            item = self.item(key, move.answer, on_path=False, points=move.points, cost=move)
            if item is not None:
                found.append((move.cost, -(move.points or 0), item))
        found.sort(key=lambda f: (f[2].consultant_note is None, f[0], f[1], f[2].keys))
        return [item for _, _, item in found]


def _with(answer: Answer | None, question: Any, rung: Mapping[str, Any]) -> Answer:
    return with_value(answer, question, **rung)


def _merge(items: Sequence[RoadmapItem], title: str, action: str) -> RoadmapItem:
    """Several items as one: their questions, changes and costs together."""
    weeks = [i.weeks for i in items if i.weeks]
    costs = [i.cost for i in items if i.cost]
    points = [i.points for i in items if i.points is not None]
    notes = [i.consultant_note for i in items if i.consultant_note]
    first = items[0]
    return replace(
        first,
        title=title,
        action=action,
        questions=tuple(q for i in items for q in i.questions),
        keys=tuple(k for i in items for k in i.keys),
        target=gettext("; ").join(i.target for i in items),
        weeks=(max(w[0] for w in weeks), max(w[1] for w in weeks)) if weeks else None,
        cost=(sum((c[0] for c in costs), Decimal(0)), sum((c[1] for c in costs), Decimal(0))) if costs else None,
        support=tuple(dict.fromkeys(s for i in items for s in i.support)),
        points=sum(points, Decimal(0)) if points else None,
        consultant_note=" ".join(notes) or None,
        changes=tuple(c for i in items for c in i.changes),
        parts=tuple(dict.fromkeys(part for i in items for part in i.measures)),
    )


def _dedupe(items: Iterable[RoadmapItem]) -> list[RoadmapItem]:
    """One item per title: items with the same advice become one."""
    by_title: dict[str, list[RoadmapItem]] = {}
    for item in items:
        by_title.setdefault(item.title, []).append(item)
    return [
        group[0] if len(group) == 1 else _merge(group, group[0].title, group[0].action) for group in by_title.values()
    ]


def _group_scenarios(items: list[RoadmapItem], framework_kinds: Mapping[str, str], by_class: bool) -> list[RoadmapItem]:
    """Scenario items raised to the same level (and of the same effort class, `by_class`) as one item."""
    groups: dict[tuple[Any, ...], list[RoadmapItem]] = {}
    others: list[RoadmapItem] = []
    for item in items:
        if all(framework_kinds[k] == "scenario" for k in item.keys):
            level = max(c.level or 0 for c in item.changes)
            groups.setdefault((level, item.effort_class if by_class else ""), []).append(item)
        else:
            others.append(item)
    grouped = []
    for (level, _class), members in groups.items():
        if len(members) == 1:
            grouped.append(members[0])
            continue
        title = ngettext(
            "Raise %(count)d business scenario to level %(level)d",
            "Raise %(count)d business scenarios to level %(level)d",
            len(members),
        ) % {"count": len(members), "level": level}
        named = [replace(m, parts=((f"{m.questions[0]}: {m.title}", m.action),)) for m in members]
        grouped.append(_merge(named, title, ""))
    return others + grouped


def _group_by_class(items: list[RoadmapItem]) -> list[RoadmapItem]:
    groups: dict[str, list[RoadmapItem]] = {}
    for item in items:
        groups.setdefault(item.effort_class, []).append(item)
    merged = []
    for members in groups.values():
        if len(members) == 1:
            merged.append(members[0])
        else:
            title = ngettext("%(count)d measure: %(effort)s", "%(count)d measures: %(effort)s", len(members)) % {
                "count": len(members),
                "effort": members[0].effort_class or gettext("other measures"),
            }
            merged.append(_merge(members, title, ""))
    return merged


def _order(items: list[RoadmapItem], prerequisites: Callable[[RoadmapItem], Iterable[str]]) -> list[RoadmapItem]:
    """Consultant-noted first, then cheapest; a prerequisite is always placed before what needs it."""
    ranked = sorted(items, key=lambda i: (i.consultant_note is None, i.cost[0] if i.cost else Decimal(0), i.keys))
    placed: list[RoadmapItem] = []
    covering = {key: item for item in ranked for key in item.keys}

    def place(item: RoadmapItem, seen: set[int]) -> None:
        if item in placed or id(item) in seen:
            return
        seen.add(id(item))
        for needed in prerequisites(item):
            prerequisite = covering.get(needed)
            if prerequisite is not None and prerequisite is not item:
                place(prerequisite, seen)
        placed.append(item)

    for item in ranked:
        place(item, set())
    return placed


def build_roadmap(
    assessment: Assessment,
    view: ResultsView,
    library: Mapping[str, Any],
    notes: Mapping[str, list[Any]],
) -> Roadmap:
    """The plan for the assessment: the path's steps now and next, further gaps later (see the module's doc)."""
    with translation.override("en" if view.language == "en" else "zh-hans"):
        return _build(assessment, view, library, notes)


def _build(
    assessment: Assessment, view: ResultsView, library: Mapping[str, Any], notes: Mapping[str, list[Any]]
) -> Roadmap:
    size = assessment.organization.size_band or DEFAULT_SIZE
    signed = assessment.status == Assessment.Status.FINALIZED  # finalised: the verification is signed
    if signed:
        answers: Mapping[str, Answer] = verified_answers(assessment, view.answers)
        path = next_level_path(assessment, answers)
        steps = path_steps(view.framework, view.texts, view.plan, path, answers)
    else:
        answers, path, steps = view.answers, view.path, view.steps
    builder = _Builder(view, library, notes, answers, path, view.plan, size, assessment)
    requires = {key: tuple(entry.get("requires", ())) for key, entry in builder.entries.items()}
    kinds = {key: q.kind for key, q in view.framework.questions.items()}

    def prerequisites(item: RoadmapItem) -> list[str]:
        """What an item needs first: a scenario's prerequisites hold from level 3 on (levels 1 and 2 are
        spreadsheet- and tool-level work that needs no system first), other questions' always."""
        return [
            needed
            for change in item.changes
            if kinds[change.question] != "scenario" or (change.level or 0) >= SCENARIO_PREREQUISITES_FROM
            for needed in requires.get(change.question, ())
        ]

    on_path = _dedupe(builder.path_items())
    exclude = {key for item in on_path for key in item.keys}
    # A prerequisite the firm has nothing of yet comes into the plan before what needs it.
    for item in list(on_path):
        for needed in prerequisites(item):
            if needed in exclude or needed not in view.framework.questions or builder.card.questions[needed].score:
                continue
            move = builder.next_move(needed)
            extra = move and builder.item(needed, move.answer, on_path=True, points=move.points, cost=move)
            if extra:
                on_path.append(extra)
                exclude.add(needed)
    later = _dedupe(builder.later_items(exclude))
    noted = [i for i in later if i.consultant_note]  # the consultant's word brings an item into the plan
    later = [i for i in later if not i.consultant_note]
    room = LIMITS["now"] + LIMITS["next"]
    planned = _dedupe(on_path + noted)
    for tighten in (
        lambda found: _group_scenarios(found, kinds, by_class=True),
        lambda found: _group_scenarios(found, kinds, by_class=False),
        _group_by_class,
    ):
        if len(planned) <= room:
            break
        planned = tighten(planned)
    planned = _order(planned, prerequisites)[:room]
    later_titles = {i.title for i in planned}
    later = [i for i in later if i.title not in later_titles]
    later = _order(later, prerequisites)[: LIMITS["later"]]
    horizons = {
        "now": tuple(planned[: LIMITS["now"]]),
        "next": tuple(planned[LIMITS["now"] :]),
        "later": tuple(later),
    }
    reaches = total_after = None
    if path is not None:
        after = score(view.framework, apply_changes(answers, [c for item in planned for c in item.changes]))
        reaches, total_after = level_of(view.texts, after.level), after.total
    costs = [i.cost for i in planned if i.cost]
    return Roadmap(
        horizons=horizons,
        reaches=reaches,
        total_after=total_after,
        basis="verified" if signed else "self",
        path=path,
        steps=steps,
        plan=view.plan,
        cost=(sum((c[0] for c in costs), Decimal(0)), sum((c[1] for c in costs), Decimal(0))) if costs else None,
    )
