"""Reads for the assessment pages: the framework in the page's language, wizard steps, progress, answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext

from assessment.framework_format import Document, localised
from assessment.models import Answer as AnswerRow
from assessment.models import Assessment, FrameworkVersion
from assessment.selectors import framework_version_document
from scoring.engine import Answer, Framework, missing_for_submission
from scoring.engine.suggest import suggest_option
from scoring.selectors import engine_answer

LARGE_DIMENSION = 8  # a dimension with more questions than this gets one wizard step per indicator group


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
    found = []
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


def item_text(node: Document, item: Mapping[str, Any]) -> str:
    """An answer-format item as a reader sees it: option texts, the level, the number with its unit."""
    texts = {o["key"]: o["text"] for o in node.get("options", [])}
    if "choice" in item:
        return f"{item['choice']}. {texts.get(item['choice'], '')}"
    if "choices" in item:
        return "; ".join(f"{key}. {texts.get(key, '')}" for key in item["choices"]) or "—"
    if "level" in item:
        return gettext("Level %(level)s") % {"level": item["level"]}
    if "number" in item:
        return f"{item['number']} {node.get('unit') or ''}".strip()
    if "yes" in item:
        return gettext("Yes") if item["yes"] else gettext("No")
    return "—"
