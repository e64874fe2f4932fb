"""What a result says, in one language: the one builder behind the results page, the PDF report and the API.

Every figure is the engine's exact Decimal; templates round where people read (the `figure` filter).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import ngettext, pgettext

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.framework_texts import FrameworkTexts, framework_texts
from assessment.models import Assessment, FrameworkVersion
from scoring.engine import Answer, Framework, Gate, NodeScore, PathToLevel, ScoreCard
from scoring.peers import (
    PEER_PROFILE,
    TOP_SCENARIO_LEVEL,
    Measure,
    PeerComparison,
    PeerFilter,
    PeerStanding,
    peer_comparison,
)
from scoring.selectors import assessment_answers, assessment_result, framework_structure
from scoring.wording import answer_as_text, question_text


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    description: str


@dataclass(frozen=True)
class Axis:
    """One spoke of a radar: a share of the maximum, 0–1 (a node judged by scenarios: its average level / 4)."""

    key: str
    name: str
    share: Decimal
    before: Decimal | None  # the previous assessment's share


@dataclass(frozen=True)
class DimensionRow:
    key: str
    name: str
    score: Decimal
    max: Decimal  # 0 for a dimension judged by scenario levels (MIIT's 数字化经营)
    scenario_average: Decimal | None  # for such a dimension: its scenarios' average level, 0–4
    before: Decimal | None  # the previous assessment's score (its scenario average, for such a dimension)


@dataclass(frozen=True)
class ScenarioRow:
    key: str
    name: str
    group: str
    constrained: bool
    level: int
    descriptors: Mapping[int, str]


@dataclass(frozen=True)
class PathStep:
    question: str
    text: str
    answer: Answer  # the improved answer
    answer_text: str
    change: str  # what the step newly reaches, in the framework's words (no keys): options added, "Level 2"
    points: Decimal  # added to the total; none for a scenario step (it counts towards the scenario gates)
    cost: Decimal  # estimated: the midpoints of its rungs' cost bands, in the plan's unit (else effort steps)
    cost_low: Decimal | None  # the cost band, None without a plan
    cost_high: Decimal | None
    weeks: tuple[int, int] | None
    effort_class: str  # the class's name in the reader's language ("" without a plan)
    steps: int


@dataclass(frozen=True)
class PlanTexts:
    """The framework's plan as a reader sees it: whose estimates, their unit, the class names, the caveats that
    apply to the firm's size band."""

    note: str
    unit: str
    size: str  # the size band the costs are for, named in the reader's language
    classes: Mapping[str, str]  # class key → name
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class PeerRow:
    key: str
    name: str
    score: Decimal  # points, or for a dimension without points its average scenario level
    max: Decimal
    percentile: Decimal | None
    quartiles: tuple[Decimal, Decimal, Decimal] | None
    peers: int
    measure: Measure  # "scenario_level": a dimension judged by scenario levels, compared by its average (of 4)


@dataclass(frozen=True)
class Peers:
    filter: Mapping[str, str]  # the group's profile values (besides the framework version)
    standings: tuple[PeerStanding, ...]  # every metric, as machines receive them
    rows: tuple[PeerRow, ...]  # the same, named: what people see
    withheld: str | None  # why the comparison is not shown
    count: int  # other organisations' results compared with
    group: str  # who they are, in words: "41 other organisations of the same sector (…) that submitted …"
    automatic: bool  # the group was chosen (the narrowest large enough), not asked for


@dataclass(frozen=True)
class Previous:
    date: datetime
    total: Decimal
    level: Level
    scenario_average: Decimal | None


@dataclass(frozen=True)
class ResultsView:
    language: str
    framework: Framework
    texts: FrameworkTexts
    card: ScoreCard
    path: PathToLevel | None  # None at the top level
    frozen: bool
    computed_at: datetime
    level: Level
    next_level: Level | None
    thresholds: tuple[Decimal, ...]  # the score gates' minimums: no rounded total may read across one
    dimensions: tuple[DimensionRow, ...]
    radar: tuple[Axis, ...]  # one spoke per dimension
    indicator_radar: tuple[Axis, ...]  # one per indicator where they tell more than the dimensions; else empty
    scenario_average: Decimal | None
    scenarios: tuple[ScenarioRow, ...]
    steps: tuple[PathStep, ...]  # the path's improvements, cheapest first
    plan: PlanTexts | None  # None when the framework has no plan: the path weighs steps by effort
    peers: Peers
    previous: Previous | None
    answers: Mapping[str, Answer]

    @property
    def gates(self) -> tuple[Gate, ...]:
        return self.card.next_level_gates

    @property
    def blocking(self) -> tuple[Gate, ...]:
        return self.card.blocking_gates


def plan_texts(version: FrameworkVersion, size: str, language: str) -> PlanTexts | None:
    """The version's plan in `language`, for a firm of size band `size`; None without a plan."""
    raw = version.plan
    if not raw:
        return None
    lang = "en" if language == "en" else "zh-Hans"
    with translation.override("en" if language == "en" else "zh-hans"):
        size_name = str(SizeBand(size).label) if size in SizeBand.values else size
    return PlanTexts(
        note=raw["note"][lang],
        unit=raw["unit"][lang],
        size=size_name,
        classes={key: spec["name"][lang] for key, spec in raw["classes"].items()},
        caveats=tuple(c["text"][lang] for c in raw.get("caveats", []) if size in c["sizes"]),
    )


def step_change(framework: Framework, texts: FrameworkTexts, key: str, before: Answer | None, after: Answer) -> str:
    """What an improvement newly reaches, in the framework's words without keys: the options it adds (the option
    chosen, for a single choice), the scenario level with its descriptor."""
    question = framework.questions[key]
    if question.kind == "scenario":
        level = after.level or 0
        descriptors = {d["level"]: d["text"] for d in texts.places[key].node.get("descriptors", [])}
        name = translation.gettext("Level %(level)s") % {"level": level}
        return f"{name}: {descriptors[level]}" if descriptors.get(level) else name
    if question.kind in ("single_choice", "multiple_choice"):
        options = texts.options(key)
        had = set(before.choices) if before and question.kind == "multiple_choice" else set()
        return translation.gettext("; ").join(options.get(k, k) for k in after.choices if k not in had)
    return answer_as_text(framework, texts, key, after)


def path_steps(
    framework: Framework,
    texts: FrameworkTexts,
    plan: PlanTexts | None,
    path: PathToLevel | None,
    before: Mapping[str, Answer],
) -> tuple[PathStep, ...]:
    """The path's improvements as people read them; `before`: the answers the path starts from."""
    return tuple(
        PathStep(
            question=i.question,
            text=question_text(texts, i.question),
            answer=i.answer,
            answer_text=answer_as_text(framework, texts, i.question, i.answer),
            change=step_change(framework, texts, i.question, before.get(i.question), i.answer),
            points=i.points,
            cost=i.cost,
            cost_low=i.cost_low,
            cost_high=i.cost_high,
            weeks=i.weeks,
            effort_class=plan.classes.get(i.effort_class, "") if plan and i.effort_class else "",
            steps=i.steps,
        )
        for i in (path.improvements if path else ())
    )


def score_thresholds(framework: Framework) -> tuple[Decimal, ...]:
    """The score gates' minimums: a total shown to people must not read across one of them."""
    return tuple(sorted({rule.score.min for rule in framework.rules if rule.score is not None}))


def level_of(texts: FrameworkTexts, number: int) -> Level:
    """Level `number` named in the texts' language (by its number when the framework names none)."""
    info = texts.levels.get(number, {})
    name = texts.level_name(number) if info.get("name") else str(number)
    return Level(number, name, str(info.get("description") or ""))


def _scenario_keys(node: NodeScore) -> list[str]:
    return [*node.questions, *(key for child in node.children for key in _scenario_keys(child))]


def _scenario_average(framework: Framework, card: ScoreCard, keys: list[str] | None = None) -> Decimal | None:
    """The average level (0–4) of the framework's scenarios, or of those among `keys`; None when there are none."""
    levels = [card.scenario_levels.get(q.key, 0) for q in framework.scenarios if keys is None or q.key in keys]
    return Decimal(sum(levels)) / len(levels) if levels else None


def node_share(framework: Framework, card: ScoreCard, node: NodeScore) -> Decimal | None:
    """A node as a share of its maximum; a node without points by its scenarios' average level out of 4."""
    if node.max:
        return node.score / node.max
    average = _scenario_average(framework, card, _scenario_keys(node))
    return None if average is None else average / TOP_SCENARIO_LEVEL


def _axes(
    framework: Framework, card: ScoreCard, earlier: ScoreCard | None, nodes: list[NodeScore], names: Mapping[str, str]
) -> tuple[Axis, ...]:
    before = {}
    if earlier is not None:
        before = {n.key: node_share(framework, earlier, n) for n in _walk(earlier.dimensions)}
    axes = []
    for node in nodes:
        share = node_share(framework, card, node)
        if share is not None:
            axes.append(Axis(node.key, names.get(node.key, node.key), share, before.get(node.key)))
    return tuple(axes)


def _walk(nodes: tuple[NodeScore, ...]) -> list[NodeScore]:
    return [found for node in nodes for found in (node, *_walk(node.children))]


def profile_name(name: str, value: str, language: str) -> str:
    """A sector, size band or province in `language` (the classification carries both); "" when not given."""
    if not value:
        return ""
    if name == "sector":
        chinese, _, english = dict(SECTORS)[value].partition(" / ")
        return english if language == "en" else chinese.split(" ", 1)[1]
    if name == "province":
        chinese, _, english = dict(PROVINCES)[value].partition(" ")
        return english if language == "en" else chinese
    return str(SizeBand(value).label)


def _listed(items: list[str]) -> str:
    """ "a, b and c" in the active language."""
    if len(items) < 2:
        return "".join(items)
    return pgettext("list", ", ").join(items[:-1]) + pgettext("list", " and ") + items[-1]


def peer_group_text(peer_filter: PeerFilter, others: int, framework_title: str, language: str) -> str:
    """The peer group in words: "41 other organisations of the same sector (Manufacturing) and size band
    (small) that submitted …", in the active language."""
    parts = {
        "sector": pgettext("peer group", "sector (%(name)s)"),
        "size_band": pgettext("peer group", "size band (%(name)s)"),
        "province": pgettext("peer group", "province (%(name)s)"),
    }
    fields = peer_filter.fields
    profile = _listed([parts[name] % {"name": profile_name(name, v, language)} for name, v in fields.items()])
    values = {"count": others, "framework": framework_title, "profile": profile}
    if not fields:
        return (
            ngettext(
                "%(count)s other organisation that submitted %(framework)s",
                "%(count)s other organisations that submitted %(framework)s",
                others,
            )
            % values
        )
    return (
        ngettext(
            "%(count)s other organisation of the same %(profile)s that submitted %(framework)s",
            "%(count)s other organisations of the same %(profile)s that submitted %(framework)s",
            others,
        )
        % values
    )


def _peers(comparison: PeerComparison, names: Mapping[str, str], framework_title: str, language: str) -> Peers:
    rows = []
    for s in comparison.standings:
        name = names.get(s.key, s.key)
        if s.measure == "scenario_level":
            name = translation.gettext("%(name)s (average scenario level, of %(top)s)") % {
                "name": name,
                "top": TOP_SCENARIO_LEVEL,
            }
        rows.append(PeerRow(s.key, name, s.score, s.max, s.percentile, s.quartiles, s.peers, s.measure))
    total = comparison.standings[0]
    return Peers(
        filter=comparison.filter.fields,
        standings=comparison.standings,
        rows=tuple(rows),
        withheld=total.withheld,
        count=total.peers,
        group=peer_group_text(comparison.filter, total.peers, framework_title, language),
        automatic=comparison.automatic,
    )


def _previous(previous_id: int, language: str) -> tuple[Previous, ScoreCard] | None:
    earlier = (
        Assessment.objects.select_related("result", "organization", "framework_version__framework")
        .filter(pk=previous_id)
        .first()
    )
    if earlier is None:
        return None
    card = assessment_result(earlier).scorecard()
    texts = framework_texts(earlier.framework_version, language)
    previous = Previous(
        date=earlier.submitted_at or earlier.created_at,
        total=card.total,
        level=level_of(texts, card.level),
        scenario_average=_scenario_average(framework_structure(earlier.framework_version), card),
    )
    return previous, card


def results_view(assessment: Assessment, *, language: str, peers_by: Collection[str] = ()) -> ResultsView:
    """Everything a result says of an assessment (its answers as they are, with the path), in `language`.

    Peers are other organisations with the same framework version and, for each of `peers_by`
    (PEER_PROFILE), the same profile value as this result; without `peers_by`, the narrowest group large
    enough (scoring.peers.peer_comparison).
    """
    with translation.override("en" if language == "en" else "zh-hans"):
        return _results_view(assessment, language, peers_by)


def _results_view(assessment: Assessment, language: str, peers_by: Collection[str]) -> ResultsView:
    version = assessment.framework_version
    framework = framework_structure(version)
    texts = framework_texts(version, language)
    result = assessment_result(assessment, with_path=True)
    card, path = result.scorecard(), result.path_to_next_level(framework)
    answers = assessment_answers(assessment)
    found = _previous(assessment.previous_id, language) if assessment.previous_id else None
    previous, earlier = found if found else (None, None)
    earlier_scores = {d.key: d.score for d in earlier.dimensions} if earlier else {}
    dimensions = []
    for d in card.dimensions:
        average = None if d.max else _scenario_average(framework, card, _scenario_keys(d))
        before = earlier_scores.get(d.key) if d.max else previous.scenario_average if previous else None
        dimensions.append(DimensionRow(d.key, texts.dimension_names.get(d.key, d.key), d.score, d.max, average, before))
    radar = _axes(framework, card, earlier, list(card.dimensions), texts.dimension_names)
    indicators = _axes(
        framework, card, earlier, [i for d in card.dimensions for i in d.children], texts.indicator_names
    )
    plan = plan_texts(version, path.size if path else assessment.organization.size_band, language)
    steps = path_steps(framework, texts, plan, path, answers)
    names = {"total": translation.gettext("Total"), **texts.dimension_names}
    chosen = {name: str(getattr(result, name)) for name in PEER_PROFILE if name in peers_by}
    comparison = peer_comparison(result, PeerFilter(**chosen) if chosen else None)
    return ResultsView(
        language=language,
        framework=framework,
        texts=texts,
        card=card,
        path=path,
        frozen=result.frozen,
        computed_at=result.computed_at,
        level=level_of(texts, card.level),
        next_level=level_of(texts, card.next_level) if card.next_level is not None else None,
        thresholds=score_thresholds(framework),
        dimensions=tuple(dimensions),
        radar=radar,
        indicator_radar=indicators if len(indicators) > max(len(radar), 4) else (),
        scenario_average=_scenario_average(framework, card),
        scenarios=tuple(
            ScenarioRow(
                key=q.key,
                name=texts.places[q.key].node["text"],
                group=texts.places[q.key].indicator,
                constrained=q.constrained,
                level=card.scenario_levels.get(q.key, 0),
                descriptors={d["level"]: d["text"] for d in texts.places[q.key].node.get("descriptors", [])},
            )
            for q in framework.scenarios
        ),
        steps=steps,
        plan=plan,
        peers=_peers(comparison, names, texts.title, language),
        previous=previous,
        answers=answers,
    )
