"""Page data of an assessment's history (记录): each audit event as a person reads it, newest first.

Answers before and after are in the answer format; they read as the results page words answers
(scoring.wording.answer_as_text), with the evidence figures and the comment that changed beside them.
Internal events (the consultancy's internal comments) are only for the assigned consultants' eyes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from assessment.framework_texts import FrameworkTexts
from assessment.models import Assessment, AuditEvent
from review.models import ReviewComment, ReviewItem
from review.selectors import assessment_history
from scoring.engine import AnswerSetError, Framework, parse_answer
from scoring.selectors import framework_structure
from scoring.wording import answer_as_text, evidence_labels
from web.assessments.pages import Questionnaire
from web.assessments.verification import people_names

KIND = AuditEvent.Kind
NOTHING = "—"


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str  # the kind of event, e.g. "answer changed"
    question: str  # the question's key ("" for the assessment as a whole)
    question_text: str
    before: str  # "" when the event has no before → after
    after: str
    details: tuple[str, ...]  # what else changed: evidence figures, the comment, a document's name
    reason: str  # the consultant's reason or message, a comment's text, the return message
    reason_label: str
    internal: bool


def _answer(framework: Framework, texts: FrameworkTexts, key: str, item: Any) -> str:
    if not isinstance(item, dict) or key not in framework.questions:
        return NOTHING
    try:
        answer = parse_answer(framework, {**item, "question": key})
    except AnswerSetError:  # stored by an older rule: show it as it was stored
        return str({k: v for k, v in item.items() if k != "question"})
    return answer_as_text(framework, texts, key, answer)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return str(value)


def _answer_details(texts: FrameworkTexts, key: str, before: Any, after: Any) -> tuple[str, ...]:
    """The evidence figures and the comment that changed with an answer: "label: before → after"."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    labels = evidence_labels(texts.places[key].node)
    old, new = before.get("evidence") or {}, after.get("evidence") or {}
    details = [
        f"{labels.get(name, name)}: {_plain(old.get(name))} → {_plain(new.get(name))}"
        for name in [*labels, *sorted((set(old) | set(new)) - set(labels))]
        if old.get(name) != new.get(name)
    ]
    if before.get("comment", "") != after.get("comment", ""):
        details.append(
            gettext("Comment: %(before)s → %(after)s")
            % {"before": _plain(before.get("comment")), "after": _plain(after.get("comment"))}
        )
    return tuple(details)


def _status(value: Any) -> str:
    return str(Assessment.Status(value).label) if value in Assessment.Status.values else _plain(value)


def _verdict(framework: Framework, texts: FrameworkTexts, key: str, item: Any) -> str:
    if not isinstance(item, dict):
        return NOTHING
    verdict = item.get("verdict")
    label = str(ReviewItem.Verdict(verdict).label) if verdict in ReviewItem.Verdict.values else _plain(verdict)
    if item.get("answer"):
        return f"{label}: {_answer(framework, texts, key, item['answer'])}"
    return label


def _change(framework: Framework, texts: FrameworkTexts, event: AuditEvent) -> tuple[str, str, tuple[str, ...]]:
    """Before, after and the details of one event, in words."""
    key = event.question_key
    if event.kind == KIND.ANSWER_CHANGED and key in texts.places:
        return (
            _answer(framework, texts, key, event.before),
            _answer(framework, texts, key, event.after),
            _answer_details(texts, key, event.before, event.after),
        )
    if event.kind in (KIND.STATUS_CHANGED, KIND.CREATED):
        return ("" if event.before is None else _status(event.before)), _status(event.after), ()
    if event.kind == KIND.VERDICT_SET:
        before = "" if event.before is None else _verdict(framework, texts, key, event.before)
        return before, _verdict(framework, texts, key, event.after), ()
    if event.kind in (KIND.DOCUMENT_ADDED, KIND.DOCUMENT_REMOVED):
        facts = event.after if event.kind == KIND.DOCUMENT_ADDED else event.before
        name = facts.get("name") if isinstance(facts, dict) else None
        return "", "", (gettext("Document: %(name)s") % {"name": name},) if name else ()
    if event.kind == KIND.COMMENT_ADDED:
        visibility = event.after.get("visibility") if isinstance(event.after, dict) else None
        if visibility in ReviewComment.Visibility.values:
            return "", "", (str(ReviewComment.Visibility(visibility).label),)
    return "", "", ()


def _reason_label(event: AuditEvent) -> str:
    if event.kind == KIND.COMMENT_ADDED:
        return gettext("Comment:")
    if event.kind == KIND.STATUS_CHANGED and event.after == Assessment.Status.FINALIZED:
        return gettext("Statement:")
    if event.kind == KIND.STATUS_CHANGED:
        return gettext("Message:")
    after = event.after if isinstance(event.after, dict) else {}
    if event.kind == KIND.VERDICT_SET and after.get("verdict") == ReviewItem.Verdict.CHANGE_REQUESTED:
        return gettext("Message:")
    return gettext("Reason:")


def audit_trail(assessment: Assessment, layout: Questionnaire, *, internal: bool) -> list[HistoryEntry]:
    """The assessment's events, newest first; `internal` ones only for the consultancy."""
    rows = list(assessment_history(assessment, with_internal=internal).reverse())
    framework = framework_structure(assessment.framework_version)
    texts = layout.texts
    names: Mapping[int, str] = people_names(e.actor for e in rows)
    entries = []
    for event in rows:
        before, after, details = _change(framework, texts, event)
        place = texts.places.get(event.question_key)
        entries.append(
            HistoryEntry(
                at=event.created_at,
                who=names[event.actor_id] if event.actor_id else gettext("the platform"),
                what=event.get_kind_display(),
                question=event.question_key,
                question_text=place.node["text"] if place else "",
                before=before,
                after=after,
                details=details,
                reason=event.reason,
                reason_label=_reason_label(event),
                internal=event.internal,
            )
        )
    return entries
