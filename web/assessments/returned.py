"""A returned assessment as the enterprise reads it: the consultant's message, and which answers to change and why.

Only the reopened questions (Assessment.reopened_questions) may change; answers_upsert refuses the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assessment.models import Assessment, AuditEvent
from review.models import ReviewItem
from web.assessments.pages import Questionnaire
from web.assessments.verification import people_names


@dataclass(frozen=True)
class ChangeRequest:
    key: str
    text: str  # the question
    step: int  # the wizard step it is on
    message: str  # the consultant's message: what to change and why
    changed: bool  # answered anew since the assessment was returned


@dataclass(frozen=True)
class ReturnNotice:
    message: str
    returned_by: str
    returned_at: datetime | None
    requests: tuple[ChangeRequest, ...]

    def locks(self, key: str) -> bool:
        """Whether the answer to `key` must stay as it is (no change was asked for)."""
        return all(r.key != key for r in self.requests)

    def message_for(self, key: str) -> str:
        return next((r.message for r in self.requests if r.key == key), "")


def return_notice(assessment: Assessment, layout: Questionnaire) -> ReturnNotice | None:
    """What the consultant asked for when returning the assessment; None unless it is returned."""
    if assessment.status != Assessment.Status.RETURNED:
        return None
    returned = (
        AuditEvent.objects.filter(assessment=assessment, kind=AuditEvent.Kind.STATUS_CHANGED, after="returned")
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    since = returned.created_at if returned else None
    changed = set(
        AuditEvent.objects.filter(
            assessment=assessment,
            kind=AuditEvent.Kind.ANSWER_CHANGED,
            question_key__in=assessment.reopened_questions,
            **({"created_at__gte": since} if since else {}),
        ).values_list("question_key", flat=True)
    )
    messages = dict(
        ReviewItem.objects.filter(
            assessment=assessment,
            verdict=ReviewItem.Verdict.CHANGE_REQUESTED,
            question__key__in=assessment.reopened_questions,
        ).values_list("question__key", "message")
    )
    requests = tuple(
        ChangeRequest(
            key=key,
            text=layout.places[key].node["text"],
            step=layout.step_of[key],
            message=messages.get(key, ""),
            changed=key in changed,
        )
        for key in assessment.reopened_questions
        if key in layout.places
    )
    actor = returned.actor if returned else None
    return ReturnNotice(
        message=returned.reason if returned else "",
        returned_by=people_names([actor]).get(actor.pk, "") if actor else "",
        returned_at=since,
        requests=requests,
    )
