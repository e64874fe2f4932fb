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
from assessment.models import Assessment
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
from scoring.wording import answer_as_text


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
    points: Decimal  # added to the total; none for a scenario step (it counts towards the scenario gates)
    effort: Decimal
    steps: int


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
    steps: tuple[PathStep, ...]  # the path's improvements, best points per effort first
    peers: Peers
    previous: Previous | None
    answers: Mapping[str, Answer]

    @property
    def gates(self) -> tuple[Gate, ...]:
        return self.card.next_level_gates

    @property
    def blocking(self) -> tuple[Gate, ...]:
        return self.card.blocking_gates


def score_thresholds(framework: Framework) -> tuple[Decimal, ...]:
    """The score gates' minimums: a total shown to people must not read across one of them."""
    return tuple(sorted({rule.score.min for rule in framework.rules if rule.score is not None}))


def level_of(texts: FrameworkTexts, number: int) -> Level:
    """Level `number` named in the texts' language (by its number when the framework names none)."""
    info = texts.levels.get(number, {})
    return Level(number, str(info.get("name") or number), str(info.get("description") or ""))


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


def _profile_name(name: str, value: str, language: str) -> str:
    """A sector, size band or province in the view's language (the classification carries both)."""
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
    profile = _listed([parts[name] % {"name": _profile_name(name, v, language)} for name, v in fields.items()])
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
    steps = tuple(
        PathStep(
            question=i.question,
            text=texts.places[i.question].node["text"],
            answer=i.answer,
            answer_text=answer_as_text(framework, texts, i.question, i.answer),
            points=i.points,
            effort=i.effort,
            steps=i.steps,
        )
        for i in (path.improvements if path else ())
    )
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
        peers=_peers(comparison, names, texts.title, language),
        previous=previous,
        answers=answers,
    )
