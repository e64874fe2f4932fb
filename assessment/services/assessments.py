"""Writes: assessments, their answers and submission (the review that follows: review.services)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from assessment.framework_format import canonical_decimal
from assessment.models import Answer, Assessment, AuditEvent, FrameworkVersion, Organization, User
from assessment.services import ImmutableError, IncompleteError, ServiceError
from assessment.services.audit import audit_record
from scoring.engine import Answer as EngineAnswer
from scoring.engine import AnswerSetError, answer_item, missing_for_submission, parse_answer, parse_answers
from scoring.engine.framework import Question as EngineQuestion
from scoring.engine.numbers import exact
from scoring.selectors import assessment_answers, framework_structure, question_ids_by_key
from scoring.services import assessment_result_ensure
from scoring.tasks import assessment_result_ensure_task
from webhooks.models import Event
from webhooks.services import webhook_event_emit


@transaction.atomic
def assessment_create(
    *,
    organization: Organization,
    framework_version: FrameworkVersion,
    created_by: User,
    previous: Assessment | None = None,
) -> Assessment:
    if framework_version.status != FrameworkVersion.Status.PUBLISHED:
        raise ServiceError(
            gettext("%(version)s is %(status)s; start from a published version.")
            % {"version": framework_version.reference, "status": framework_version.get_status_display()}
        )
    if previous is not None and not Assessment.may_follow(
        previous, organization_id=organization.pk, framework_id=framework_version.framework_id
    ):
        raise ServiceError(
            gettext("The previous assessment must be of the same organisation and framework."), field="previous"
        )
    assessment = Assessment.objects.create(
        organization=organization, framework_version=framework_version, created_by=created_by, previous=previous
    )
    audit_record(kind=AuditEvent.Kind.CREATED, actor=created_by, assessment=assessment, after="draft")
    return assessment


@transaction.atomic
def assessment_start_from_previous(
    *, previous: Assessment, framework_version: FrameworkVersion, created_by: User
) -> Assessment:
    """A re-assessment (T1) that starts with a copy of the previous assessment's answers.

    The copies are saved as `created_by`'s; an answer the new framework version no longer accepts
    (a question or option it dropped) is left out, to be answered afresh.
    """
    assessment = assessment_create(
        organization=previous.organization,
        framework_version=framework_version,
        created_by=created_by,
        previous=previous,
    )
    before = framework_structure(previous.framework_version)
    after = framework_structure(framework_version)
    items = []
    for key, answer in assessment_answers(previous).items():
        item = answer_item(before.questions[key], answer)
        try:
            parse_answer(after, item)
        except AnswerSetError:
            continue
        items.append(item)
    if items:
        answers_upsert(assessment=assessment, items=items, answered_by=created_by)
    return assessment


def _not_editable(assessment: Assessment) -> ImmutableError:
    return ImmutableError(
        gettext("Assessment #%(id)s is %(status)s: its answers can no longer change.")
        % {"id": assessment.pk, "status": assessment.get_status_display()}
    )


def _ensure_editable(assessment: Assessment) -> None:
    if not assessment.is_editable:
        raise _not_editable(assessment)


def _ensure_reopened(assessment: Assessment, parsed: Mapping[str, EngineAnswer]) -> None:
    """While returned, only the answers the consultant asked to change may change."""
    locked = sorted(set(parsed) - set(assessment.reopened_questions))
    if locked:
        raise ImmutableError(
            gettext("Assessment #%(id)s was returned for changes to %(open)s only: %(locked)s cannot change.")
            % {"id": assessment.pk, "open": ", ".join(assessment.reopened_questions), "locked": ", ".join(locked)}
        )


def _row_values(answer: EngineAnswer, question: EngineQuestion) -> dict[str, Any]:
    points = {o.key: o.points for o in question.options}
    return {
        "not_applicable": answer.not_applicable,
        "option_keys": list(answer.choices) if answer.chosen else None,
        "option_points": [canonical_decimal(points[key]) for key in answer.choices] if answer.chosen else None,
        "number": answer.number,
        "before_value": answer.before,
        "after_value": answer.after,
        "level": answer.level,
        "boolean": answer.yes,
        "text": answer.text or "",
        "evidence": dict(answer.evidence),
        "comment": answer.comment,
    }


ANSWER_COLUMNS = [
    "not_applicable",
    "option_keys",
    "option_points",
    "number",
    "before_value",
    "after_value",
    "level",
    "boolean",
    "text",
    "evidence",
    "comment",
    "answered_by",
    "updated_at",
]


def assessment_locked(assessment: Assessment) -> Assessment:
    """The assessment re-read under its row lock (and only its row: not the framework version's)."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("organization", "framework_version__framework", "created_by")
        .get(pk=assessment.pk)
    )


@transaction.atomic
def answers_upsert(*, assessment: Assessment, items: list[Any], answered_by: User) -> list[Answer]:
    """Create or replace answers given in the answer format; a partial set is fine before submission.

    One INSERT … ON CONFLICT UPDATE for the whole set; the result is scored when next read
    (`scoring.services.assessment_result`). Returns the saved rows, in the order given. Raises
    AnswerSetError (every problem, keyed by question) or ImmutableError; saves nothing then.
    """
    framework = framework_structure(assessment.framework_version)  # a version's questions never change
    parsed = parse_answers(framework, items)
    question_ids = question_ids_by_key(assessment.framework_version)
    now = timezone.now()
    # The lock makes a submission wait for these answers (or them for it); the update marks the stored
    # result out of date.
    locked = assessment_locked(assessment)
    _ensure_editable(locked)
    if locked.status == Assessment.Status.RETURNED:
        _ensure_reopened(locked, parsed)
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=now)
    before = {key: answer_item(framework.questions[key], a) for key, a in assessment_answers(assessment).items()}
    for key, answer in parsed.items():
        after = answer_item(framework.questions[key], answer)
        if before.get(key) != after:
            audit_record(
                kind=AuditEvent.Kind.ANSWER_CHANGED,
                actor=answered_by,
                assessment=locked,
                question_key=key,
                before=before.get(key),
                after=after,
            )
    rows = [
        Answer(
            assessment=assessment,
            question_id=question_ids[key],
            answered_by=answered_by,
            updated_at=now,
            **_row_values(answer, framework.questions[key]),
        )
        for key, answer in parsed.items()
    ]
    Answer.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["assessment", "question"], update_fields=ANSWER_COLUMNS
    )
    return rows


@transaction.atomic
def assessment_submit(*, assessment: Assessment, submitted_by: User, pledge: bool) -> Assessment:
    """Submit with the truthfulness pledge; the answers are frozen from then on."""
    assessment = assessment_locked(assessment)
    _ensure_editable(assessment)
    if not pledge:
        raise ValidationError(
            {"pledge": [gettext("Confirm that the answers are true (the truthfulness pledge) to submit.")]}
        )
    answers = assessment_answers(assessment)
    missing = missing_for_submission(framework_structure(assessment.framework_version), answers)
    if missing:
        raise IncompleteError(missing)
    now = timezone.now()
    before = assessment.status
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = now
    assessment.submitted_by = submitted_by
    assessment.pledged_at = now
    assessment.reopened_questions = []
    assessment.save(
        update_fields=["status", "submitted_at", "submitted_by", "pledged_at", "reopened_questions", "updated_at"]
    )
    audit_record(
        kind=AuditEvent.Kind.STATUS_CHANGED, actor=submitted_by, assessment=assessment, before=before, after="submitted"
    )
    # The final, frozen result; its path (the costly part) is added by a worker after commit.
    result = assessment_result_ensure(assessment=assessment, answers=answers, with_path=False, locked=True)
    assessment.result = result  # returned with its result, as the API shows it
    transaction.on_commit(lambda: assessment_result_ensure_task.delay(assessment.pk), robust=True)
    webhook_event_emit(
        organization_id=assessment.organization_id,
        event=Event.ASSESSMENT_SUBMITTED,
        data=assessment_event_data(assessment, result.total, result.level),
    )
    return assessment


def assessment_event_data(assessment: Assessment, total: Decimal, level: int) -> dict[str, Any]:
    return {
        "assessment": assessment.pk,
        "organization": assessment.organization_id,
        "framework": assessment.framework_version.reference,
        "status": assessment.status,
        "total": exact(total),
        "level": level,
    }
