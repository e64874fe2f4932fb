"""Page data for the assessment pages: the wizard's steps, progress, questions; history; results.

The results page shows what scoring.results says of a result, as the PDF does; this module adds only
what is the page's own: links into the wizard and the what-if form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from assessment.framework_format import Document
from assessment.framework_texts import (
    FrameworkTexts,
    Guidance,
    Place,
    QuestionGuidance,
    document_language,
    framework_guidance,
    framework_texts,
)
from assessment.models import Answer as AnswerRow
from assessment.models import Assessment, EvidenceDocument, FrameworkVersion, Organization
from assessment.selectors import assessment_documents
from reports.charts import progress_bars, result_charts
from reports.selectors import assessment_roadmap
from scoring.engine import Answer, Framework, missing_for_submission
from scoring.engine.suggest import suggest_option
from scoring.results import ResultsView, results_view, score_thresholds
from scoring.selectors import assessment_results, engine_answer, framework_structure
from scoring.wording import answer_as_text, evidence_labels
from web.assessments.contradictions import EvidenceWarning, evidence_warning

LARGE_DIMENSION = 8  # a dimension with more questions than this gets one wizard step per indicator group
WHAT_IF_KINDS = frozenset({"single_choice", "multiple_choice", "scenario", "yes_no", "banded_number"})


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as in the URL
    title: str
    keys: tuple[str, ...]  # question keys, in framework order


@dataclass(frozen=True)
class Questionnaire:
    """A framework version laid out for the wizard, in one language: its texts, cut into steps."""

    texts: FrameworkTexts
    steps: tuple[Step, ...]
    step_of: Mapping[str, int]  # question key → the number of its step

    @property
    def title(self) -> str:
        return self.texts.title

    @property
    def places(self) -> Mapping[str, Place]:
        return self.texts.places

    @property
    def levels(self) -> Mapping[int, Document]:
        return self.texts.levels

    def level_name(self, level: int | None) -> str:
        return self.texts.level_name(level)


@lru_cache(maxsize=32)
def _questionnaire(version: FrameworkVersion, content_hash: str, language: str) -> Questionnaire:
    texts = framework_texts(version, language)  # keyed by content hash too: a re-imported draft is new
    steps: list[Step] = []

    def add(title: str, keys: list[str]) -> None:
        if keys:
            steps.append(Step(len(steps) + 1, title, tuple(keys)))

    for dimension in texts.document["dimensions"]:
        groups = dimension["indicators"]
        if len(_question_keys(groups)) > LARGE_DIMENSION and len(groups) > 1:
            for group in groups:
                add(f"{dimension['text']} · {group['text']}", _question_keys([group]))
        else:
            add(dimension["text"], _question_keys(groups))
    return Questionnaire(texts, tuple(steps), {key: step.number for step in steps for key in step.keys})


def _question_keys(indicators: list[Document]) -> list[str]:
    """The question keys of an indicator tree, in framework order."""
    keys: list[str] = []
    for indicator in indicators:
        keys.extend(question["key"] for question in indicator["questions"])
        keys.extend(_question_keys(indicator["indicators"]))
    return keys


def questionnaire(version: FrameworkVersion) -> Questionnaire:
    """The version's wizard layout in the request's language, built once per process (versions never change)."""
    return _questionnaire(version, version.content_hash, document_language())


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
    return layout.step_of[unanswered[0].question] if unanswered else None


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
    return Suggestion(option, layout.texts.options(key).get(option, ""), percentage.quantize(Decimal("0.1")))


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
    documents: tuple[EvidenceDocument, ...] = ()  # evidence documents attached to this question
    guidance: QuestionGuidance | None = None  # the documents the framework's guidance suggests
    documents_open: bool = False  # whether the user may attach and remove documents here now
    locked: bool = False  # returned for changes to other questions: this answer stays as it is
    change_request: str = ""  # returned for a change to this answer: the consultant's message
    answer_text: str = ""  # a locked answer as words, as the results page words answers
    warning: EvidenceWarning | None = None  # the answer's own evidence says otherwise (not a block)

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
    files: EvidenceFiles | None = None,
    *,
    locked: bool = False,
    change_request: str = "",
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
    labels = evidence_labels(node)
    evidence = [
        {**spec, "label": labels[spec["key"]], "value": _plain(answer.evidence.get(spec["key"])) if answer else ""}
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
        documents=tuple(files.by_question.get(key, ())) if files else (),
        guidance=files.guidance.questions.get(key) if files and files.guidance else None,
        documents_open=bool(files and files.can_write and files.assessment.documents_may_change(key)),
        locked=locked,
        change_request=change_request,
        answer_text=answer_as_text(framework, layout.texts, key, answer) if locked else "",
        warning=evidence_warning(framework, layout.texts, key, answers) if answer is not None else None,
    )


@dataclass(frozen=True)
class EvidenceFiles:
    """An assessment's evidence documents as the pages show them, and the guidance on what to attach."""

    assessment: Assessment
    documents: tuple[EvidenceDocument, ...]
    guidance: Guidance | None
    can_write: bool  # the user's role may attach and remove documents (the status decides the rest)

    @cached_property
    def by_question(self) -> dict[str, list[EvidenceDocument]]:
        grouped: dict[str, list[EvidenceDocument]] = {}
        for document in self.documents:
            grouped.setdefault(document.question.key if document.question else "", []).append(document)
        return grouped

    @property
    def whole(self) -> list[EvidenceDocument]:
        """The documents of the assessment as a whole."""
        return self.by_question.get("", [])

    @property
    def whole_open(self) -> bool:
        return self.can_write and self.assessment.documents_may_change("")


def evidence_files(assessment: Assessment, *, can_write: bool) -> EvidenceFiles:
    """One query for the documents; the guidance comes with the framework version already loaded."""
    return EvidenceFiles(
        assessment=assessment,
        documents=tuple(assessment_documents(assessment)),
        guidance=framework_guidance(assessment.framework_version, document_language()),
        can_write=can_write,
    )


def chart(markup: str) -> SafeString:
    """A chart from reports.charts, to put in a page as it is."""
    return mark_safe(markup)  # noqa: S308 - reports.charts escapes every label it draws


def assessment_history(organization: Organization) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The organisation's assessments, newest first, with their results; and a chart per framework of the
    submitted ones' totals and levels over time (T0 → T1 …)."""
    assessments = list(
        Assessment.objects.filter(organization=organization)
        .select_related("organization", "framework_version__framework", "result", "created_by")
        .order_by("created_at", "id")
    )
    results = assessment_results(assessments)
    rows = []
    series: dict[int, list[tuple[Assessment, Decimal, str]]] = {}
    for assessment in assessments:
        result = results[assessment.pk]
        layout = questionnaire(assessment.framework_version)
        level_name = layout.level_name(result.level)
        thresholds = score_thresholds(framework_structure(assessment.framework_version))
        rows.append(
            {
                "assessment": assessment,
                "result": result,
                "layout": layout,
                "level_name": level_name,
                "thresholds": thresholds,
            }
        )
        if assessment.status in Assessment.PEER_STATUSES:
            series.setdefault(assessment.framework_version.framework_id, []).append(
                (assessment, result.total, level_name)
            )
    charts = []
    for done in series.values():
        last = done[-1][0]
        title = questionnaire(last.framework_version).title
        bars = [((a.submitted_at or a.created_at).date().isoformat(), total, name) for a, total, name in done]
        label = gettext("Total score and level of each submitted assessment: %(title)s") % {"title": title}
        framework = framework_structure(last.framework_version)
        svg = progress_bars(bars, framework.max_total, label, score_thresholds(framework))
        charts.append({"title": title, "svg": chart(svg)})
    return rows[::-1], charts


def submission_gaps(framework: Framework, layout: Questionnaire, answers: Mapping[str, Answer]) -> list[dict[str, Any]]:
    """What a submission still lacks, each with its question's text, step and the missing evidence's label."""
    gaps = []
    for gap in missing_for_submission(framework, answers):
        node = layout.places[gap.question].node
        labels = evidence_labels(node)
        gaps.append(
            {
                "key": gap.question,
                "text": node["text"],
                "step": layout.step_of[gap.question],
                "evidence": labels.get(gap.evidence, gap.evidence) if gap.evidence else None,
            }
        )
    return gaps


def what_if_fields(view: ResultsView) -> list[dict[str, Any]]:
    """The what-if form: the path's questions with the choices to pick from, the improvement chosen, the answer now."""
    fields = []
    for step in view.steps:
        question, node = view.framework.questions[step.question], view.texts.places[step.question].node
        if question.kind not in WHAT_IF_KINDS:
            continue
        improved = step.answer
        fields.append(
            {
                "key": step.question,
                "kind": question.kind,
                "text": node["text"],
                "now": answer_as_text(view.framework, view.texts, step.question, view.answers.get(step.question)),
                "options": [{**o, "selected": o["key"] in improved.choices} for o in node.get("options", [])],
                "levels": [{"level": n, "selected": n == improved.level} for n in range(5)],
                "yes": improved.yes,
                "number": "" if improved.number is None else f"{improved.number:f}",
            }
        )
    return fields


def results_page(assessment: Assessment, peers_by: list[str]) -> dict[str, Any]:
    """What the results page shows: the results view and its charts (as the PDF has them), with links into
    the wizard and the what-if form."""
    view = results_view(assessment, language=document_language(), peers_by=peers_by)
    roadmap = assessment_roadmap(assessment, view)
    charts = result_charts(view)
    layout = questionnaire(assessment.framework_version)
    return {
        "v": view,
        "thresholds": view.thresholds,  # for the gates, shared with the what-if answer
        "radar": chart(charts.radar),
        "indicator_radar": chart(charts.indicator_radar),
        "peers": [(row, chart(svg)) for row, svg in charts.peers],
        "roadmap": roadmap,
        "steps": [(step, layout.step_of[step.question]) for step in roadmap.steps],
        "what_if": what_if_fields(view),
    }
