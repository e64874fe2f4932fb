"""Page data for the consultant's pages: the queue, the review screen, the consultancy's requests.

The review screen's figures are review.results.comparison's (as on the results page and in the PDF); this module
adds what is the screen's own: each answer with its evidence, documents, contradictions, comments, history and
what changed since the last return, and the state of each verdict form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from assessment.framework_format import Document
from assessment.framework_texts import FrameworkTexts, Place, QuestionGuidance, document_language
from assessment.models import (
    Assessment,
    AuditEvent,
    ConsultantAssignment,
    EvidenceDocument,
    Membership,
    Organization,
    User,
)
from review.models import ConsultantProfile, ReviewItem, VerificationRequest
from review.results import Comparison, comparison
from review.selectors import assessment_history, review_items, verdict_count, waiting_seconds
from review.selectors import review_queue as queued
from review.services import finalize_checklist
from scoring.engine import Answer, AnswerSetError, Framework, parse_answers
from scoring.engine.suggest import Contradiction, evidence_contradictions
from scoring.results import score_thresholds
from scoring.selectors import framework_structure
from scoring.wording import answer_as_text, evidence_labels
from web.assessments.audit_trail import HistoryEntry, audit_trail
from web.assessments.comments import CommentView, comment_threads
from web.assessments.contradictions import warning_text
from web.assessments.pages import (
    Questionnaire,
    QuestionView,
    answer_rows,
    engine_answers,
    evidence_files,
    question_view,
    questionnaire,
)

# The statuses a consultant's queue lists: from submission on.
REVIEW_STATUSES = (
    Assessment.Status.SUBMITTED,
    Assessment.Status.UNDER_REVIEW,
    Assessment.Status.RETURNED,
    Assessment.Status.FINALIZED,
)
VERDICTS = ReviewItem.Verdict


def framework_title(assessment: Assessment) -> str:
    version = assessment.framework_version
    return version.title_en if document_language() == "en" else version.title_zh_hans


# --- the queue ------------------------------------------------------------------------------------


def assigned_organizations(user: User) -> list[Organization]:
    """The enterprises the user is assigned to verify, by name."""
    return list(Organization.objects.visible_to(user).filter(consultant_assignments__consultant=user).order_by("name"))


@dataclass(frozen=True)
class QueueRow:
    assessment: Assessment
    framework: str
    waiting_since: datetime | None  # submitted and waiting for the consultant; None when the enterprise has it
    counts: Mapping[str, int]  # verdict → answers

    @property
    def reviewed(self) -> int:
        return sum(self.counts.values())


def review_queue(user: User, *, status: str | None = None, organization: int | None = None) -> list[QueueRow]:
    """The assessments of the enterprises the user verifies (review.selectors.review_queue, as the API lists
    them), from submission on and newest submission first, with their verdict counts: one query."""
    assessments = queued(user, only=organization)
    if status:
        assessments = assessments.filter(status=status)
    now = timezone.now()
    return [
        QueueRow(
            assessment=a,
            framework=framework_title(a),
            waiting_since=a.submitted_at if waiting_seconds(a, now) is not None else None,
            counts={verdict: getattr(a, verdict_count(verdict)) for verdict in VERDICTS.values},
        )
        for a in assessments
    ]


def is_reviewer(user: User) -> bool:
    """Whether the user works for a consultancy or is assigned to verify an enterprise: one query."""
    consultancy = Membership.objects.filter(user=user, organization__kind=Organization.Kind.CONSULTANCY)
    assigned = ConsultantAssignment.objects.filter(consultant=user)
    return (
        User.objects.filter(pk=user.pk)
        .filter(Q(pk__in=consultancy.values("user")) | Q(pk__in=assigned.values("consultant")))
        .exists()
    )


def led_consultancies(user: User) -> list[Organization]:
    """The consultancies whose requests the user answers (as their owner or a lead)."""
    return list(
        Organization.objects.filter(
            kind=Organization.Kind.CONSULTANCY,
            memberships__user=user,
            memberships__role__in=Membership.LEADS,
        ).order_by("name")
    )


# --- the review screen ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """An answer changed since the assessment was last returned: as it was then, and as it is."""

    key: str
    text: str
    before: str
    after: str


@dataclass(frozen=True)
class Flag:
    """The answer's own evidence contradicts it, worded for the consultant."""

    contradiction: Contradiction
    message: str


@dataclass(frozen=True)
class PostedVerdict:
    """A verdict form that was refused: what was typed, and why it was refused (by field; "" for the form)."""

    key: str
    verdict: str
    reason: str
    message: str
    answer: Answer | None
    errors: Mapping[str, list[str]]


@dataclass(frozen=True)
class VerdictState:
    """What one verdict form shows: the saved verdict, or what was posted and refused."""

    verdict: str
    reason: str
    message: str
    errors: Mapping[str, list[str]] = field(default_factory=dict)
    saved_at: datetime | None = None
    reviewer: str = ""

    @property
    def form_errors(self) -> list[str]:
        return [m for name, messages in self.errors.items() if name not in ("reason", "message") for m in messages]


@dataclass(frozen=True)
class ReviewQuestion:
    key: str
    place: Place
    kind: str
    answer: Answer | None
    answer_text: str
    evidence: list[dict[str, Any]]  # {"label", "value", "unit"} of the evidence given
    comment: str  # the enterprise's comment on its answer
    documents: list[EvidenceDocument]
    guidance: list[tuple[int | None, tuple[str, ...]]]  # documents to check: for any answer, for the level claimed
    self_points: Decimal | None
    max_points: Decimal | None
    verified_points: Decimal | None
    flag: Flag | None
    item: ReviewItem | None
    adjusted_text: str
    state: VerdictState
    widget: QuestionView  # the adjusted answer's input, set to the adjusted answer or else the enterprise's
    comments: list[CommentView]
    history: list[HistoryEntry]  # newest first
    change: Change | None
    reopened: bool

    @property
    def node(self) -> Document:
        return self.place.node

    @property
    def points_differ(self) -> bool:
        return self.verified_points is not None and self.verified_points != self.self_points


@dataclass(frozen=True)
class IndicatorGroup:
    name: str
    questions: list[ReviewQuestion]


@dataclass(frozen=True)
class DimensionGroup:
    key: str
    name: str
    indicators: list[IndicatorGroup]


@dataclass(frozen=True)
class ChangeRequest:
    key: str
    text: str
    message: str


@dataclass(frozen=True)
class ReviewScreen:
    assessment: Assessment
    layout: Questionnaire
    comparison: Comparison
    thresholds: tuple[Decimal, ...]
    dimensions: list[DimensionGroup]
    questions: Mapping[str, ReviewQuestion]
    documents: list[EvidenceDocument]  # for the assessment as a whole
    guidance_note: str  # who suggests the documents to check, and their standing
    comments: list[CommentView]  # the general thread
    flags: list[ReviewQuestion]  # the questions whose evidence contradicts them
    changes: list[Change]  # since the last return
    returned_at: datetime | None
    history: list[HistoryEntry]  # of the assessment as a whole (not of one answer), newest first
    change_requests: list[ChangeRequest]
    checklist: list[str]
    has_profile: bool
    unreviewed: int  # answered questions without a verdict

    @property
    def status(self) -> str:
        return self.assessment.status

    @property
    def can_start(self) -> bool:
        return self.status == Assessment.Status.SUBMITTED

    @property
    def can_verdict(self) -> bool:
        return self.status == Assessment.Status.UNDER_REVIEW

    @property
    def self_level(self) -> str:
        return self.layout.level_name(self.comparison.self_card.level)

    @property
    def verified_level(self) -> str:
        verified = self.comparison.verified
        return self.layout.level_name(verified.level) if verified else ""

    @property
    def verdict_counts(self) -> list[tuple[str, str, int]]:
        """(verdict, label, answers) for every verdict, in the verdicts' order."""
        return [(value, str(label), self.comparison.counts.get(value, 0)) for value, label in VERDICTS.choices]

    @property
    def dimension_rows(self) -> list[tuple[str, Decimal, Decimal | None, Decimal]]:
        """(name, self-assessed, verified or None, maximum) of each dimension with points."""
        verified = {d.key: d.score for d in self.comparison.verified.dimensions} if self.comparison.verified else {}
        names = self.layout.texts.dimension_names
        return [
            (names.get(d.key, d.key), d.score, verified.get(d.key), d.max)
            for d in self.comparison.self_card.dimensions
            if d.max
        ]

    @property
    def statement(self) -> str:
        """The statement offered for signing; the consultant may change it."""
        return gettext(
            "I have checked the answers of assessment #%(id)s of %(name)s against the documentary evidence the "
            "enterprise provided. The verified result is my own judgement; every answer I adjusted says why."
        ) % {"id": self.assessment.pk, "name": self.assessment.organization.name}


def _typed_answer(key: str, item: Mapping[str, Any]) -> Answer:
    """An answer-format item as an engine value, unchecked: to show again what a refused form held."""
    choices = item.get("choices")
    choice = item.get("choice")
    keys = tuple(choices) if choices is not None else ((choice,) if choice else ())
    return Answer(
        question=key,
        choices=keys,
        chosen=choices is not None or bool(choice),
        number=item.get("number"),
        level=item.get("level"),
        before=item.get("before"),
        after=item.get("after"),
        yes=item.get("yes"),
        text=item.get("text"),
        not_applicable=bool(item.get("not_applicable")),
    )


def posted_verdict(
    key: str, data: Mapping[str, Any], item: Mapping[str, Any] | None, errors: Mapping[str, list[str]]
) -> PostedVerdict:
    """A refused verdict form as posted (`item`: the adjusted answer the form read, if it read one)."""
    return PostedVerdict(
        key=key,
        verdict=str(data.get("verdict", "")),
        reason=str(data.get("reason", "")),
        message=str(data.get("message", "")),
        answer=_typed_answer(key, item) if item else None,
        errors=errors,
    )


class _Words:
    """Answers and events as text, in the page's language."""

    def __init__(self, framework: Framework, texts: FrameworkTexts) -> None:
        self.framework, self.texts = framework, texts

    def evidence(self, key: str, answer: Answer | None) -> list[dict[str, Any]]:
        if answer is None:
            return []
        shown = []
        labels = evidence_labels(self.texts.places[key].node)
        for spec in self.texts.places[key].node.get("evidence", []):
            value = answer.evidence.get(spec["key"])
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                value = gettext("Yes") if value else gettext("No")
            shown.append(
                {"key": spec["key"], "label": labels[spec["key"]], "value": value, "unit": spec.get("unit") or ""}
            )
        return shown

    def answer(self, key: str, answer: Answer | None) -> str:
        if answer is None or not answer.has_value:
            return gettext("Not answered")
        return answer_as_text(self.framework, self.texts, key, answer)

    def item(self, key: str, item: Any) -> str:
        """An answer-format item (from the audit trail) as text, with its evidence."""
        if not isinstance(item, Mapping):
            return ""
        try:
            answer = parse_answers(self.framework, [{**item, "question": key}])[key]
        except (AnswerSetError, KeyError):
            return str(item)
        text = self.answer(key, answer)
        evidence = self.evidence(key, answer)
        if evidence:
            text += " · " + "; ".join(f"{e['label']} {e['value']} {e['unit']}".rstrip() for e in evidence)
        return text

    def flag(self, contradiction: Contradiction) -> Flag:
        """The contradiction in words, as the enterprise reads it in the questionnaire (figures, option texts)."""
        return Flag(contradiction, warning_text(self.framework, self.texts, contradiction))


def _to_check(guidance: QuestionGuidance | None, answer: Answer | None) -> list[tuple[int | None, tuple[str, ...]]]:
    """The suggested documents for any answer, and those for the scenario level the enterprise claims."""
    if guidance is None:
        return []
    found: list[tuple[int | None, tuple[str, ...]]] = [(None, guidance.documents)] if guidance.documents else []
    claimed = answer.level if answer is not None else None
    found.extend((level, items) for level, items in guidance.levels if level == claimed)
    return found


def _indicator_groups(indicators: list[Document]) -> list[tuple[str, list[str]]]:
    groups: list[tuple[str, list[str]]] = []
    for indicator in indicators:
        keys = [question["key"] for question in indicator["questions"]]
        if keys:
            groups.append((indicator["text"], keys))
        groups.extend(_indicator_groups(indicator["indicators"]))
    return groups


def _changes(
    events: list[AuditEvent], words: _Words, texts: FrameworkTexts
) -> tuple[datetime | None, dict[str, Change]]:
    """When the assessment was last returned, and each answer changed since then (first before → last after)."""
    returns = [e for e in events if e.kind == AuditEvent.Kind.STATUS_CHANGED and e.after == Assessment.Status.RETURNED]
    if not returns:
        return None, {}
    last = returns[-1]
    first_before: dict[str, Any] = {}
    last_after: dict[str, Any] = {}
    for event in events:
        if event.kind != AuditEvent.Kind.ANSWER_CHANGED or (event.created_at, event.pk) <= (last.created_at, last.pk):
            continue
        first_before.setdefault(event.question_key, event.before)
        last_after[event.question_key] = event.after
    changes = {}
    for key, after in last_after.items():
        before = first_before[key]
        if before == after or key not in texts.places:
            continue
        changes[key] = Change(
            key=key,
            text=texts.places[key].node["text"],
            before=words.item(key, before) if before else gettext("Not answered"),
            after=words.item(key, after),
        )
    return last.created_at, changes


def review_screen(assessment: Assessment, user: User, posted: PostedVerdict | None = None) -> ReviewScreen:
    """Everything the review of one assessment needs, on one screen; a fixed number of queries."""
    framework = framework_structure(assessment.framework_version)
    layout = questionnaire(assessment.framework_version)
    texts = layout.texts
    words = _Words(framework, texts)
    answers = engine_answers(answer_rows(assessment))
    compared = comparison(assessment, language=texts.language)
    items = {item.question.key: item for item in review_items(assessment)}
    files = evidence_files(assessment, can_write=False)
    guidance = files.guidance.questions if files.guidance else {}
    threads = {thread.key: list(thread.comments) for thread in comment_threads(assessment, layout, internal=True)}
    history: dict[str, list[HistoryEntry]] = {}
    for entry in audit_trail(assessment, layout, internal=True):
        history.setdefault(entry.question, []).append(entry)
    events = list(
        assessment_history(assessment, with_internal=False).filter(
            kind__in=(AuditEvent.Kind.ANSWER_CHANGED, AuditEvent.Kind.STATUS_CHANGED)
        )
    )
    returned_at, changes = _changes(events, words, texts)
    flags = {c.question: words.flag(c) for c in evidence_contradictions(framework, answers)}
    self_scores = compared.self_card.questions
    verified_scores = compared.verified.questions if compared.verified else {}

    def question(key: str) -> ReviewQuestion:
        answer, item = answers.get(key), items.get(key)
        adjusted = None
        if item is not None and item.verdict == VERDICTS.ADJUSTED and item.answer:
            adjusted = parse_answers(framework, [{**item.answer, "question": key}])[key]
        if posted is not None and posted.key == key:
            state = VerdictState(posted.verdict, posted.reason, posted.message, posted.errors)
            shown = posted.answer or adjusted or answer
        else:
            state = VerdictState(
                item.verdict if item else "",
                item.reason if item else "",
                item.message if item else "",
                saved_at=item.updated_at if item else None,
                reviewer=item.reviewer.email if item else "",
            )
            shown = adjusted or answer
        score = self_scores.get(key)
        return ReviewQuestion(
            key=key,
            place=texts.places[key],
            kind=framework.questions[key].kind,
            answer=answer,
            answer_text=words.answer(key, answer),
            evidence=words.evidence(key, answer),
            comment=answer.comment if answer else "",
            documents=files.by_question.get(key, []),
            guidance=_to_check(guidance.get(key), answer),
            self_points=score.score if score else None,
            max_points=score.max if score else None,
            verified_points=verified_scores[key].score if item is not None and key in verified_scores else None,
            flag=flags.get(key),
            item=item,
            adjusted_text=words.answer(key, adjusted) if adjusted else "",
            state=state,
            widget=question_view(framework, layout, key, {key: shown} if shown else {}, {}),
            comments=threads.get(key, []),
            history=history.get(key, []),
            change=changes.get(key),
            reopened=key in (assessment.reopened_questions or []),
        )

    questions: dict[str, ReviewQuestion] = {}
    dimensions = []
    for dimension in texts.document["dimensions"]:
        groups = []
        for name, keys in _indicator_groups(dimension["indicators"]):
            built = [question(key) for key in keys]
            questions.update((q.key, q) for q in built)
            groups.append(IndicatorGroup(name, built))
        dimensions.append(DimensionGroup(dimension["key"], dimension["text"], groups))
    answered = [key for key, answer in answers.items() if answer.has_value]
    return ReviewScreen(
        assessment=assessment,
        layout=layout,
        comparison=compared,
        thresholds=score_thresholds(framework),
        dimensions=dimensions,
        questions=questions,
        documents=files.whole,
        guidance_note=files.guidance.note if files.guidance else "",
        comments=threads.get("", []),
        flags=[questions[key] for key in flags if key in questions],
        changes=[changes[key] for key in questions if key in changes],
        returned_at=returned_at,
        history=history.get("", []),
        change_requests=[
            ChangeRequest(key, texts.places[key].node["text"], item.message)
            for key, item in sorted(items.items(), key=lambda pair: pair[1].question.position)
            if item.verdict == VERDICTS.CHANGE_REQUESTED
        ],
        checklist=finalize_checklist(assessment) if assessment.status == Assessment.Status.UNDER_REVIEW else [],
        has_profile=ConsultantProfile.objects.filter(user=user).exists(),
        unreviewed=len([key for key in answered if key not in items]),
    )


def comment_thread(assessment: Assessment, key: str) -> list[CommentView]:
    """A question's thread (`key`), or the general one (""), oldest first, internal comments included."""
    layout = questionnaire(assessment.framework_version)
    threads = comment_threads(assessment, layout, internal=True)
    return next((list(thread.comments) for thread in threads if thread.key == key), [])


# --- a consultancy's requests ---------------------------------------------------------------------


def consultancy_reviewers(consultancy: Organization) -> QuerySet[User]:
    """The consultancy's people who may verify (every member: owners, leads, consultants)."""
    return User.objects.filter(
        memberships__organization=consultancy, memberships__role__in=Membership.REVIEWERS, is_active=True
    ).order_by("email")


@dataclass(frozen=True)
class RequestsPage:
    open_requests: list[VerificationRequest]
    answered: list[VerificationRequest]
    assignments: list[ConsultantAssignment]
    reviewers: QuerySet[User]


def consultancy_requests(consultancy: Organization) -> RequestsPage:
    """The requests enterprises sent the consultancy (open ones first), and whom it has assigned to whom."""
    requests = list(
        VerificationRequest.objects.filter(consultancy=consultancy)
        .select_related("organization", "requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )
    return RequestsPage(
        open_requests=[r for r in requests if r.status == VerificationRequest.Status.OPEN],
        answered=[r for r in requests if r.status != VerificationRequest.Status.OPEN][:20],
        assignments=list(
            ConsultantAssignment.objects.filter(consultancy=consultancy)
            .select_related("consultant", "organization", "assigned_by")
            .order_by("organization__name", "consultant__email")
        ),
        reviewers=consultancy_reviewers(consultancy),
    )
