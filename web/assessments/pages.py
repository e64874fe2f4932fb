"""Reads for the assessment pages: the framework in the page's language, wizard steps, progress, answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from assessment.framework_format import Document, localised
from assessment.models import Answer as AnswerRow
from assessment.models import Assessment, FrameworkVersion, Organization
from assessment.selectors import framework_version_document
from reports.charts import peer_bar, progress_bars, radar
from reports.selectors import answer_text
from scoring.engine import Answer, Framework, missing_for_submission, parse_answer
from scoring.engine.suggest import suggest_option
from scoring.models import AssessmentResult
from scoring.selectors import PeerFilter, assessment_answers, engine_answer, framework_structure, peer_benchmark
from scoring.services import PEER_STATUSES, assessment_result

LARGE_DIMENSION = 8  # a dimension with more questions than this gets one wizard step per indicator group
WHAT_IF_KINDS = frozenset({"single_choice", "multiple_choice", "scenario", "yes_no", "banded_number"})


def document_language() -> str:
    """The framework text language of the request: "en" or "zh-Hans" (as the API chooses it)."""
    return "en" if (get_language() or "").startswith("en") else "zh-Hans"


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as in the URL
    title: str
    keys: tuple[str, ...]  # question keys, in framework order


@dataclass(frozen=True)
class Place:
    """Where a question sits: its node of the localised document, indicator, dimension and step."""

    node: Document
    indicator: str
    dimension: str
    step: int


@dataclass(frozen=True)
class Questionnaire:
    """A framework version laid out for the wizard, in one language."""

    document: Document
    steps: tuple[Step, ...]
    places: Mapping[str, Place]
    levels: Mapping[int, Document]  # level → {"name", "description", …}
    dimension_names: Mapping[str, str]

    @property
    def title(self) -> str:
        return str(self.document["title"])

    def level_name(self, level: int | None) -> str:
        info = self.levels.get(level) if level is not None else None
        return str(info["name"]) if info else "—"


def _questions(indicators: list[Document]) -> list[tuple[Document, Document]]:
    """(question, indicator) pairs of an indicator tree, in framework order."""
    found: list[tuple[Document, Document]] = []
    for indicator in indicators:
        found.extend((question, indicator) for question in indicator["questions"])
        found.extend(_questions(indicator["indicators"]))
    return found


@lru_cache(maxsize=32)
def _questionnaire(version_id: int, content_hash: str, language: str) -> Questionnaire:
    version = FrameworkVersion.objects.select_related("framework").get(pk=version_id)
    document = localised(framework_version_document(version), language)
    steps: list[Step] = []
    places: dict[str, Place] = {}

    def add(title: str, dimension: str, pairs: list[tuple[Document, Document]]) -> None:
        if not pairs:
            return
        number = len(steps) + 1
        steps.append(Step(number, title, tuple(q["key"] for q, _ in pairs)))
        for question, indicator in pairs:
            places[question["key"]] = Place(question, indicator["text"], dimension, number)

    for dimension in document["dimensions"]:
        pairs = _questions(dimension["indicators"])
        if len(pairs) > LARGE_DIMENSION and len(dimension["indicators"]) > 1:
            for group in dimension["indicators"]:
                add(f"{dimension['text']} · {group['text']}", dimension["text"], _questions([group]))
        else:
            add(dimension["text"], dimension["text"], pairs)
    levels = document["levels"]
    return Questionnaire(
        document=document,
        steps=tuple(steps),
        places=places,
        levels={levels["base"]["level"]: levels["base"]} | {rule["level"]: rule for rule in levels["rules"]},
        dimension_names={d["key"]: d["text"] for d in document["dimensions"]},
    )


def questionnaire(version: FrameworkVersion) -> Questionnaire:
    """The version's wizard layout in the request's language, built once per process (versions never change)."""
    return _questionnaire(version.pk, version.content_hash, document_language())


def answer_rows(assessment: Assessment) -> dict[str, AnswerRow]:
    """The assessment's answer rows by question key, with who last changed each: one query."""
    rows: QuerySet[AnswerRow] = (
        AnswerRow.objects.filter(assessment=assessment).annotate(key=F("question__key")).select_related("answered_by")
    )
    return {row.key: row for row in rows}  # type: ignore[attr-defined]


def engine_answers(rows: Mapping[str, AnswerRow]) -> dict[str, Answer]:
    return {key: engine_answer(row, key) for key, row in rows.items()}


@dataclass(frozen=True)
class StepProgress:
    step: Step
    answered: int

    @property
    def total(self) -> int:
        return len(self.step.keys)

    @property
    def complete(self) -> bool:
        return self.answered == self.total


@dataclass(frozen=True)
class Progress:
    steps: tuple[StepProgress, ...]

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.steps)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.steps)


def wizard_progress(layout: Questionnaire, answers: Mapping[str, Answer]) -> Progress:
    """Answered questions (a value, or not applicable) per step: counted, not scored."""

    def answered(key: str) -> bool:
        answer = answers.get(key)
        return answer is not None and answer.has_value

    return Progress(tuple(StepProgress(step, sum(map(answered, step.keys))) for step in layout.steps))


def resume_step(framework: Framework, layout: Questionnaire, answers: Mapping[str, Answer]) -> int | None:
    """The first step with an unanswered required question (or missing evidence); None when there is none."""
    missing = missing_for_submission(framework, answers)
    unanswered = [m for m in missing if m.evidence is None] or missing
    return layout.places[unanswered[0].question].step if unanswered else None


@dataclass(frozen=True)
class Suggestion:
    option: str
    text: str
    percentage: Decimal


def suggestion(
    framework: Framework, layout: Questionnaire, key: str, answers: Mapping[str, Answer]
) -> Suggestion | None:
    """The option whose band holds the rate worked out from the evidence typed in (e.g. 设备联网率)."""
    question = framework.questions[key]
    if question.suggest is None:
        return None
    found = suggest_option(framework, key, {k: a.evidence for k, a in answers.items()})
    if found is None:
        return None
    option, percentage = found
    texts = {o["key"]: o["text"] for o in layout.places[key].node.get("options", [])}
    return Suggestion(option, texts.get(option, ""), percentage.quantize(Decimal("0.1")))


@dataclass(frozen=True)
class QuestionView:
    """One question as the wizard shows it: the framework's texts, the saved answer and who saved it."""

    key: str
    place: Place
    kind: str
    answer: Answer | None
    row: AnswerRow | None
    options: list[dict[str, Any]]
    levels: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    none_of_these: bool | None  # multiple choice without an exclusive "none" option: whether it is chosen
    suggestion: Suggestion | None

    @property
    def node(self) -> Document:
        return self.place.node

    @property
    def saved_when(self) -> str:
        """When the answer last changed: the time today, else the date and time (local time)."""
        if self.row is None:
            return ""
        moment = timezone.localtime(self.row.updated_at)
        return date_format(moment, "H:i" if moment.date() == timezone.localdate() else "Y-m-d H:i")

    @property
    def not_applicable(self) -> bool:
        return self.answer is not None and self.answer.not_applicable

    def value(self, name: str) -> str:
        """A number field's saved value as typed text ("" when none)."""
        number = getattr(self.answer, name, None) if self.answer else None
        return "" if number is None else f"{number.normalize():f}"

    @property
    def number(self) -> str:
        return self.value("number")

    @property
    def before(self) -> str:
        return self.value("before")

    @property
    def after(self) -> str:
        return self.value("after")


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def question_view(
    framework: Framework,
    layout: Questionnaire,
    key: str,
    answers: Mapping[str, Answer],
    rows: Mapping[str, AnswerRow],
) -> QuestionView:
    place = layout.places[key]
    node = place.node
    answer = answers.get(key)
    chosen = set(answer.choices) if answer else set()
    options = [{**o, "checked": o["key"] in chosen} for o in node.get("options", [])]
    levels = []
    if node["kind"] == "scenario":
        descriptors = {d["level"]: d["text"] for d in node.get("descriptors", [])}
        levels = [
            {"level": n, "text": descriptors.get(n, ""), "checked": answer is not None and answer.level == n}
            for n in range(5)
        ]
    evidence = [
        {**spec, "value": _plain(answer.evidence.get(spec["key"])) if answer else ""}
        for spec in node.get("evidence", [])
    ]
    none_of_these = None
    if node["kind"] == "multiple_choice" and not any(o["exclusive"] for o in options):
        none_of_these = answer is not None and answer.chosen and not answer.choices
    return QuestionView(
        key=key,
        place=place,
        kind=node["kind"],
        answer=answer,
        row=rows.get(key),
        options=options,
        levels=levels,
        evidence=evidence,
        none_of_these=none_of_these,
        suggestion=suggestion(framework, layout, key, answers),
    )


# --- pages made of several reads ---------------------------------------------------------------


def chart(markup: str) -> SafeString:
    """A chart from reports.charts, to put in a page as it is."""
    return mark_safe(markup)  # noqa: S308 - reports.charts escapes every label it draws


def assessment_history(organization: Organization) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The organisation's assessments, newest first, with their results; and a chart per framework of the
    submitted ones' totals and levels over time (T0 → T1 …)."""
    assessments = (
        Assessment.objects.filter(organization=organization)
        .select_related("framework_version__framework", "result", "created_by")
        .order_by("created_at", "id")
    )
    rows = []
    series: dict[int, list[tuple[Assessment, AssessmentResult, Questionnaire]]] = {}
    for assessment in assessments:
        result = assessment_result(assessment=assessment)
        layout = questionnaire(assessment.framework_version)
        rows.append(
            {
                "assessment": assessment,
                "result": result,
                "layout": layout,
                "level_name": layout.level_name(result.level),
            }
        )
        if assessment.status in PEER_STATUSES:
            series.setdefault(assessment.framework_version.framework_id, []).append((assessment, result, layout))
    charts = []
    for done in series.values():
        title = done[-1][2].title
        bars = [
            ((a.submitted_at or a.created_at).date().isoformat(), r.total, layout.level_name(r.level))
            for a, r, layout in done
        ]
        label = gettext("Total score and level of each submitted assessment: %(title)s") % {"title": title}
        charts.append({"title": title, "svg": chart(progress_bars(bars, done[-1][1].max_total, label))})
    return rows[::-1], charts


def submission_gaps(framework: Framework, layout: Questionnaire, answers: Mapping[str, Answer]) -> list[dict[str, Any]]:
    """What a submission still lacks, each with its question's text, step and the missing evidence's label."""
    gaps = []
    for gap in missing_for_submission(framework, answers):
        place = layout.places[gap.question]
        labels = {spec["key"]: spec["label"] for spec in place.node.get("evidence", [])}
        gaps.append(
            {
                "key": gap.question,
                "text": place.node["text"],
                "step": place.step,
                "evidence": labels.get(gap.evidence, gap.evidence) if gap.evidence else None,
            }
        )
    return gaps


def _peer_rows(result: AssessmentResult, layout: Questionnaire, peer_filter: PeerFilter) -> list[dict[str, Any]]:
    scores = {"total": (result.total, result.max_total)} | {
        d["key"]: (Decimal(str(d["score"])), Decimal(str(d["max"]))) for d in result.card["dimensions"]
    }
    names = {"total": gettext("Total"), **layout.dimension_names}
    rows = []
    for standing in peer_benchmark(result, peer_filter):
        score, maximum = scores[standing.key]
        if not maximum:
            continue  # judged by scenario levels, not points: nothing to compare
        bar = None
        if standing.quartiles is not None:
            title = gettext("%(name)s: your score against the middle half of your peers") % {
                "name": names[standing.key]
            }
            bar = chart(peer_bar(score, standing.quartiles, maximum, title, gettext("You")))
        rows.append({**asdict(standing), "name": names[standing.key], "chart": bar})
    return rows


def _scenario_matrix(framework: Framework, layout: Questionnaire, card: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for question in framework.scenarios:
        place = layout.places[question.key]
        level = card["scenario_levels"].get(question.key, 0)
        rows.append(
            {
                "key": question.key,
                "name": place.node["text"],
                "constrained": question.constrained,
                "cells": [{"level": n, "reached": 0 < n <= level, "current": n == level} for n in range(5)],
            }
        )
    return rows


def _radar(layout: Questionnaire, card: Mapping[str, Any], earlier: AssessmentResult | None) -> SafeString | None:
    """Dimension scores as shares of their maximum (scenario-judged ones left out); the earlier ones beneath."""
    scored = [d for d in card["dimensions"] if d["max"]]
    if len(scored) < 3:
        return None
    axes = [(layout.dimension_names.get(d["key"], d["key"]), d["score"] / d["max"]) for d in scored]
    before = None
    if earlier is not None:
        shares = {d["key"]: d["score"] / d["max"] for d in earlier.card["dimensions"] if d["max"]}
        before = [float(shares.get(d["key"], 0)) for d in scored]
    title = gettext("Dimension scores as a share of their maximum")
    return chart(radar([(name, float(share)) for name, share in axes], title, before=before, size=340))


def what_if_fields(
    framework: Framework, layout: Questionnaire, path: Mapping[str, Any] | None, answers: Mapping[str, Answer]
) -> list[dict[str, Any]]:
    """The what-if form: the path's questions with the choices to pick from, the improvement chosen, the answer now."""
    fields = []
    for improvement in (path or {}).get("improvements", []):
        key, item = improvement["question"], improvement["answer"]
        question, node = framework.questions[key], layout.places[key].node
        if question.kind not in WHAT_IF_KINDS:
            continue
        current = answers.get(key)
        fields.append(
            {
                "key": key,
                "kind": question.kind,
                "text": node["text"],
                "now": answer_text(node, current, document_language()),
                "options": [
                    {**o, "selected": o["key"] == item.get("choice") or o["key"] in item.get("choices", [])}
                    for o in node.get("options", [])
                ],
                "levels": [{"level": n, "selected": n == item.get("level")} for n in range(5)],
                "yes": item.get("yes"),
                "number": item.get("number", ""),
            }
        )
    return fields


def results_summary(assessment: Assessment, result: AssessmentResult, peer_filter: PeerFilter) -> dict[str, Any]:
    """Everything the results page shows of a result (scored with its path), in the page's language."""
    framework = framework_structure(assessment.framework_version)
    layout = questionnaire(assessment.framework_version)
    card, path = result.card, result.path
    earlier = None
    if assessment.previous_id:
        earlier = AssessmentResult.objects.filter(assessment_id=assessment.previous_id).first()
    return {
        "card": card,
        "level": layout.levels.get(card["level"]),
        "next_level": layout.levels.get(card["next_level"]) if card["next_level"] is not None else None,
        "dimensions": [{**d, "name": layout.dimension_names.get(d["key"], d["key"])} for d in card["dimensions"]],
        "radar": _radar(layout, card, earlier),
        "previous": earlier,
        "previous_level_name": layout.level_name(earlier.level) if earlier else "",
        "peers": _peer_rows(result, layout, peer_filter),
        "scenarios": _scenario_matrix(framework, layout, card),
        "gates": card["gates"],
        "blocking": [g for g in card["gates"] if not g["holds"]],
        "path": path,
        "improvements": [
            {
                **i,
                "text": layout.places[i["question"]].node["text"],
                "step": layout.places[i["question"]].step,
                "answer_text": answer_text(
                    layout.places[i["question"]].node, parse_answer(framework, i["answer"]), document_language()
                ),
            }
            for i in (path or {}).get("improvements", [])
        ],
        "what_if": what_if_fields(framework, layout, path, assessment_answers(assessment) if path else {}),
    }
