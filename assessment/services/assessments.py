"""Writes: assessments, their answers, submission, finalisation and review notes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from assessment.framework_format import canonical_decimal
from assessment.models import Answer, Assessment, FrameworkVersion, Organization, Question, ReviewNote, User
from assessment.services import ImmutableError, IncompleteError, ServiceError
from scoring.engine import Answer as EngineAnswer
from scoring.engine import AnswerSetError, answer_item, missing_for_submission, parse_answer, parse_answers
from scoring.engine.framework import Question as EngineQuestion
from scoring.engine.numbers import exact
from scoring.selectors import assessment_answers, framework_structure, question_ids_by_key
from scoring.services import assessment_result_ensure
from scoring.tasks import assessment_result_ensure_task
from webhooks.models import Event
from webhooks.services import webhook_event_emit


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
    return Assessment.objects.create(
        organization=organization, framework_version=framework_version, created_by=created_by, previous=previous
    )


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


def _locked(assessment: Assessment) -> Assessment:
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
    # One statement both locks the assessment (a submission waits for these answers, or they for it)
    # and marks its stored result out of date.
    editable = Assessment.objects.filter(pk=assessment.pk, status__in=Assessment.EDITABLE_STATUSES)
    if not editable.update(updated_at=now):
        raise _not_editable(Assessment.objects.get(pk=assessment.pk))
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
    assessment = _locked(assessment)
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
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = now
    assessment.submitted_by = submitted_by
    assessment.pledged_at = now
    assessment.save(update_fields=["status", "submitted_at", "submitted_by", "pledged_at", "updated_at"])
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


@transaction.atomic
def assessment_finalize(*, assessment: Assessment, finalized_by: User) -> Assessment:
    """A consultant's verification: a submitted or reviewed assessment becomes final."""
    assessment = _locked(assessment)
    if not assessment.can_become(Assessment.Status.FINALIZED):
        raise ImmutableError(
            gettext("Assessment #%(id)s is %(status)s; it cannot be finalised.")
            % {"id": assessment.pk, "status": assessment.get_status_display()}
        )
    if not assessment.organization.consultant_assignments.filter(consultant=finalized_by).exists():
        raise ServiceError(gettext("Only a consultant assigned to the organisation can finalise its assessments."))
    assessment.status = Assessment.Status.FINALIZED
    assessment.save(update_fields=["status", "updated_at"])
    result = assessment_result_ensure(assessment=assessment, locked=True)
    webhook_event_emit(
        organization_id=assessment.organization_id,
        event=Event.ASSESSMENT_FINALIZED,
        data=assessment_event_data(assessment, result.total, result.level),
    )
    return assessment


@transaction.atomic
def review_note_add(*, assessment: Assessment, author: User, text: str, question_key: str = "") -> ReviewNote:
    """A note by a consultant assigned to the organisation, on one question (by key) or the whole assessment."""
    if not assessment.organization.consultant_assignments.filter(consultant=author).exists():
        raise ServiceError(gettext("Only a consultant assigned to the organisation can add review notes."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": [gettext("Write the note.")]})
    question = None
    if question_key:
        question = Question.objects.filter(version=assessment.framework_version_id, key=question_key).first()
        if question is None:
            raise ValidationError({"question": [gettext("No such question in this assessment's framework.")]})
    note = ReviewNote(assessment=assessment, question=question, author=author, text=text)
    note.full_clean()
    note.save()
    return note
