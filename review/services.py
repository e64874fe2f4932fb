"""Writes of the consultant review: who reviews whom, the review cycle, verdicts, comments, sign-off.

submitted → under_review → returned → (the SME changes the reopened answers, resubmits) → under_review → finalized.
Every step is a service here that checks the state (TransitionError, an HTTP 409, from the wrong one), records
an audit event, announces itself by webhook where integrators listen, and e-mails the other side.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from assessment.models import (
    Assessment,
    AuditEvent,
    ConsultantAssignment,
    Membership,
    Organization,
    Question,
    User,
)
from assessment.services import NotAllowedError, ServiceError, TransitionError
from assessment.services.assessments import assessment_event_data, assessment_locked, assessment_submit
from assessment.services.audit import audit_record
from assessment.validators import validate_display_text
from review.models import (
    ConflictDeclaration,
    ConsultantProfile,
    ReviewComment,
    ReviewItem,
    Verification,
    VerificationRequest,
)
from review.notifications import notify, notify_enterprise, notify_reviewers, site_language
from review.results import verified_result_data
from scoring.engine import AnswerSetError, answer_item, parse_answer
from scoring.models import AssessmentResult
from scoring.selectors import assessment_answers, framework_structure
from scoring.services import assessment_result_ensure
from scoring.wording import answer_error_message
from webhooks.models import Event
from webhooks.services import webhook_event_emit

FORMER_MEMBER_YEARS = 2  # a former member may not verify the organisation for this long after leaving


# --- consultants and who they review ------------------------------------------------------------


def consultant_profile_save(
    *, user: User, family_name: str, given_name: str, qualification: str, certificate_number: str = ""
) -> ConsultantProfile:
    profile = ConsultantProfile.objects.filter(user=user).first() or ConsultantProfile(user=user)
    profile.family_name = family_name.strip()
    profile.given_name = given_name.strip()
    profile.qualification = qualification.strip()
    profile.certificate_number = certificate_number.strip()
    profile.full_clean()
    profile.save()
    return profile


def conflict_declare(
    *,
    consultant: User,
    reason: str,
    organization: Organization | None = None,
    uscc: str = "",
    company_name: str = "",
) -> ConflictDeclaration:
    """Declare a conflict of interest with an organisation on the platform, or a company by its credit code."""
    if organization is None and not uscc.strip():
        raise ValidationError({"uscc": [gettext("Name the organisation or give its unified social credit code.")]})
    declaration = ConflictDeclaration(
        consultant=consultant,
        organization=organization,
        uscc=uscc.strip().upper(),
        company_name=company_name.strip(),
        reason=reason.strip(),
    )
    declaration.full_clean()
    declaration.save()
    return declaration


def _role(user: User, organization: Organization) -> str | None:
    return Membership.objects.filter(user=user, organization=organization).values_list("role", flat=True).first()


def _ensure_consultancy(organization: Organization) -> None:
    if not organization.is_consultancy:
        raise ServiceError(gettext("%(name)s is not a consultancy.") % {"name": organization.name})


@transaction.atomic
def verification_request_create(
    *, organization: Organization, consultancy: Organization, requested_by: User, message: str = ""
) -> VerificationRequest:
    """An SME's owner asks a consultancy to verify its assessments; the consultancy's leads hear of it."""
    _ensure_consultancy(consultancy)
    if organization.is_consultancy:
        raise ServiceError(gettext("Only enterprises ask for verification."))
    if _role(requested_by, organization) != Membership.Role.OWNER:
        raise NotAllowedError(gettext("Only owners can ask for verification."))
    if VerificationRequest.objects.filter(
        organization=organization, consultancy=consultancy, status=VerificationRequest.Status.OPEN
    ).exists():
        raise ServiceError(gettext("You have already asked %(name)s; they will answer.") % {"name": consultancy.name})
    request = VerificationRequest.objects.create(
        organization=organization, consultancy=consultancy, requested_by=requested_by, message=message.strip()
    )
    leads = User.objects.filter(
        memberships__organization=consultancy, memberships__role__in=Membership.LEADS, is_active=True
    )
    with site_language():  # e-mails go out in the site's language, whoever acts
        notify(
            recipients=leads,
            subject=gettext("%(name)s asks for verification") % {"name": organization.name},
            body=gettext("%(name)s asks your consultancy to verify its assessment.\n\n%(message)s")
            % {"name": organization.name, "message": request.message},
        )
    return request


@transaction.atomic
def verification_request_decline(*, request: VerificationRequest, decided_by: User) -> VerificationRequest:
    if _role(decided_by, request.consultancy) not in Membership.LEADS:
        raise NotAllowedError(gettext("Only the consultancy's leads answer requests."))
    if request.status != VerificationRequest.Status.OPEN:
        raise TransitionError(gettext("This request has been answered already."))
    request.status = VerificationRequest.Status.DECLINED
    request.decided_by, request.decided_at = decided_by, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    return request


def _conflict(consultant: User, organization: Organization) -> str | None:
    """Why the consultant may not verify the organisation, or None."""
    conflicts = ConflictDeclaration.objects.filter(consultant=consultant)
    match = Q(organization=organization) | (Q(uscc=organization.uscc) if organization.uscc else Q(pk__in=[]))
    if conflicts.filter(match).exists():
        return gettext("%(user)s declared a conflict of interest with %(name)s.")
    if Membership.objects.filter(user=consultant, organization=organization).exists():
        return gettext("%(user)s is a member of %(name)s.")
    since = timezone.now() - timedelta(days=365 * FORMER_MEMBER_YEARS)
    left = AuditEvent.objects.filter(
        organization=organization,
        kind=AuditEvent.Kind.MEMBER_REMOVED,
        before__user=consultant.pk,
        created_at__gte=since,
    )
    if left.exists():
        return gettext("%(user)s was a member of %(name)s within the last two years.")
    return None


@transaction.atomic
def consultant_assign(
    *,
    consultant: User,
    organization: Organization,
    consultancy: Organization | None = None,
    assigned_by: User | None = None,
) -> ConsultantAssignment:
    """Assign a consultant to verify an enterprise's assessments.

    A lead (`assigned_by`) assigns one of their consultancy's members to an enterprise that asked it; an operator
    (`manage.py assign_consultant`, no `assigned_by`) may assign anyone. Never someone with a conflict of interest
    or who is or was (in the last two years) a member of the enterprise.
    """
    if organization.is_consultancy:
        raise ServiceError(gettext("Consultants verify enterprises, not consultancies."))
    if consultancy is not None:
        _ensure_consultancy(consultancy)
        if _role(consultant, consultancy) not in Membership.REVIEWERS:
            raise ServiceError(
                gettext("%(user)s is not a consultant of %(name)s.") % {"user": consultant, "name": consultancy.name}
            )
    if assigned_by is not None:
        if consultancy is None or _role(assigned_by, consultancy) not in Membership.LEADS:
            raise NotAllowedError(gettext("Only a consultancy's leads assign its consultants."))
        asked = VerificationRequest.objects.filter(organization=organization, consultancy=consultancy)
        if not asked.exclude(status=VerificationRequest.Status.WITHDRAWN).exists():
            raise NotAllowedError(gettext("%(name)s has not asked your consultancy.") % {"name": organization.name})
    conflict = _conflict(consultant, organization)
    if conflict:
        raise ServiceError(conflict % {"user": consultant, "name": organization.name})
    if ConsultantAssignment.objects.filter(consultant=consultant, organization=organization).exists():
        raise ServiceError(
            gettext("%(user)s is already assigned to %(name)s.") % {"user": consultant, "name": organization.name}
        )
    assignment = ConsultantAssignment.objects.create(
        consultant=consultant, organization=organization, consultancy=consultancy, assigned_by=assigned_by
    )
    if consultancy is not None:
        VerificationRequest.objects.filter(
            organization=organization, consultancy=consultancy, status=VerificationRequest.Status.OPEN
        ).update(status=VerificationRequest.Status.ASSIGNED, decided_by=assigned_by, decided_at=timezone.now())
    audit_record(
        kind=AuditEvent.Kind.CONSULTANT_ASSIGNED,
        actor=assigned_by,
        organization_id=organization.pk,
        after={"consultant": consultant.pk, "email": consultant.email, "consultancy": consultancy and consultancy.pk},
    )
    with site_language():  # e-mails go out in the site's language, whoever acts
        notify(
            recipients=[consultant],
            subject=gettext("You are assigned to verify %(name)s") % {"name": organization.name},
            body=gettext("You are assigned to verify the assessments of %(name)s; they appear in your review queue.")
            % {"name": organization.name},
        )
    return assignment


@transaction.atomic
def consultant_unassign(*, assignment: ConsultantAssignment, removed_by: User | None) -> None:
    if removed_by is not None and (
        assignment.consultancy is None or _role(removed_by, assignment.consultancy) not in Membership.LEADS
    ):
        raise NotAllowedError(gettext("Only a consultancy's leads assign its consultants."))
    assignment.delete()
    audit_record(
        kind=AuditEvent.Kind.CONSULTANT_UNASSIGNED,
        actor=removed_by,
        organization_id=assignment.organization_id,
        before={"consultant": assignment.consultant_id, "email": assignment.consultant.email},
    )


# --- the review cycle -----------------------------------------------------------------------------


def _ensure_assigned(assessment: Assessment, consultant: User) -> None:
    if not ConsultantAssignment.objects.filter(consultant=consultant, organization=assessment.organization_id).exists():
        raise NotAllowedError(gettext("Only a consultant assigned to the organisation can review its assessments."))


def _ensure_status(assessment: Assessment, status: str, action: str) -> None:
    if assessment.status != status:
        raise TransitionError(
            gettext("Assessment #%(id)s is %(status)s; %(action)s needs it %(needed)s.")
            % {
                "id": assessment.pk,
                "status": assessment.get_status_display(),
                "action": action,
                "needed": Assessment.Status(status).label,
            }
        )


def _move(assessment: Assessment, to: str, actor: User, reason: str = "") -> None:
    before = assessment.status
    assessment.status = to
    assessment.save(update_fields=["status", "reopened_questions", "updated_at"])
    audit_record(
        kind=AuditEvent.Kind.STATUS_CHANGED, actor=actor, assessment=assessment, before=before, after=to, reason=reason
    )


def _announce(assessment: Assessment, event: Event, **extra: Any) -> None:
    result = assessment_result_ensure(assessment=assessment, with_path=False, locked=True)
    webhook_event_emit(
        organization_id=assessment.organization_id,
        event=event,
        data={**assessment_event_data(assessment, result.total, result.level), **extra},
    )


@transaction.atomic
def review_start(*, assessment: Assessment, consultant: User) -> Assessment:
    """A consultant opens the review of a submitted (or resubmitted) assessment."""
    assessment = assessment_locked(assessment)
    _ensure_assigned(assessment, consultant)
    _ensure_status(assessment, Assessment.Status.SUBMITTED, gettext("starting a review"))
    _move(assessment, Assessment.Status.UNDER_REVIEW, consultant)
    _announce(assessment, Event.REVIEW_STARTED, consultant=consultant.email)
    with site_language():  # e-mails go out in the site's language, whoever acts
        notify_enterprise(
            assessment,
            gettext("Your assessment #%(id)s is under review") % {"id": assessment.pk},
            gettext("A consultant has started to verify your answers."),
        )
    return assessment


def _ensure_reviewing(assessment: Assessment, consultant: User, action: str) -> Assessment:
    assessment = assessment_locked(assessment)
    _ensure_assigned(assessment, consultant)
    _ensure_status(assessment, Assessment.Status.UNDER_REVIEW, action)
    return assessment


def _question(assessment: Assessment, key: str) -> Question:
    """The question of the assessment's framework with this key; a field error when there is none."""
    question = Question.objects.filter(version=assessment.framework_version_id, key=key).first()
    if question is None:
        raise ValidationError({"question": [gettext("No such question in this assessment's framework.")]})
    return question


def _item_data(item: ReviewItem | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"verdict": item.verdict, "answer": item.answer, "reason": item.reason, "message": item.message}


@transaction.atomic
def review_item_set(
    *,
    assessment: Assessment,
    reviewer: User,
    question_key: str,
    verdict: str,
    answer: dict[str, Any] | None = None,
    reason: str = "",
    message: str = "",
) -> ReviewItem:
    """Give (or change) the verdict on one answer. An adjusted answer is the consultant's, in the answer format,
    with a reason; a change request carries a message to the SME. The SME's answer row never changes."""
    assessment = _ensure_reviewing(assessment, reviewer, gettext("a verdict"))
    question = _question(assessment, question_key)
    if verdict not in ReviewItem.Verdict.values:
        raise ValidationError({"verdict": [gettext("Choose verified, adjusted, change requested or cannot verify.")]})
    reason, message = reason.strip(), message.strip()
    errors: dict[str, list[str]] = {}
    stored_answer = None
    if verdict == ReviewItem.Verdict.ADJUSTED:
        if not answer:
            errors["answer"] = [gettext("Give the answer you verified.")]
        else:
            stored_answer = _adjusted_answer(assessment, question_key, answer, errors)
        if not reason:
            errors["reason"] = [gettext("Say why you adjusted the answer.")]
    elif answer:
        errors["answer"] = [gettext("Only an adjusted verdict carries an answer.")]
    if verdict == ReviewItem.Verdict.CHANGE_REQUESTED and not message:
        errors["message"] = [gettext("Tell the enterprise what to change.")]
    if verdict == ReviewItem.Verdict.UNVERIFIABLE and not reason:
        errors["reason"] = [gettext("Say why the answer cannot be verified.")]
    for field, text in (("reason", reason), ("message", message)):
        if len(text) > 4000:
            errors[field] = [gettext("At most 4000 characters.")]
    if errors:
        raise ValidationError(errors)
    item = ReviewItem.objects.filter(assessment=assessment, question=question).first()
    before = _item_data(item)
    item = item or ReviewItem(assessment=assessment, question=question)
    item.verdict, item.answer, item.reason, item.message, item.reviewer = (
        verdict,
        stored_answer,
        reason,
        message,
        reviewer,
    )
    item.save()
    after = _item_data(item)
    if before != after:
        audit_record(
            kind=AuditEvent.Kind.VERDICT_SET,
            actor=reviewer,
            assessment=assessment,
            question_key=question_key,
            before=before,
            after=after,
            reason=reason or message,
        )
    return item


@transaction.atomic
def review_verify_remaining(*, assessment: Assessment, reviewer: User) -> int:
    """Mark every answered question still without a verdict as verified; returns how many.

    The consultant's last step once the answers that need a closer look have theirs: each is a verdict of its
    own in the history, exactly as if given one by one.
    """
    assessment = _ensure_reviewing(assessment, reviewer, gettext("a verdict"))
    given = set(ReviewItem.objects.filter(assessment=assessment).values_list("question__key", flat=True))
    remaining = [key for key in assessment_answers(assessment) if key not in given]
    for key in remaining:
        review_item_set(assessment=assessment, reviewer=reviewer, question_key=key, verdict=ReviewItem.Verdict.VERIFIED)
    return len(remaining)


def _adjusted_answer(
    assessment: Assessment, key: str, answer: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any] | None:
    """The consultant's answer checked by the engine as an SME's would be, without its question key."""
    framework = framework_structure(assessment.framework_version)
    try:
        parsed = parse_answer(framework, {**answer, "question": key})
    except AnswerSetError as error:
        errors["answer"] = [answer_error_message(problem) for problem in error.errors]
        return None
    item = answer_item(framework.questions[key], parsed)
    item.pop("question", None)
    return item


@transaction.atomic
def review_return(*, assessment: Assessment, consultant: User, message: str) -> Assessment:
    """Send the assessment back: the SME may change exactly the answers with a change request, nothing else."""
    assessment = _ensure_reviewing(assessment, consultant, gettext("returning it"))
    message = message.strip()
    if not message:
        raise ValidationError({"message": [gettext("Tell the enterprise why you return the assessment.")]})
    keys = list(
        ReviewItem.objects.filter(assessment=assessment, verdict=ReviewItem.Verdict.CHANGE_REQUESTED)
        .order_by("question__position")
        .values_list("question__key", flat=True)
    )
    if not keys:
        raise ValidationError(
            {"message": [gettext("Request a change on at least one answer before you return the assessment.")]}
        )
    assessment.reopened_questions = keys
    _move(assessment, Assessment.Status.RETURNED, consultant, reason=message)
    # The frozen self-assessed result is released: the SME's changes are scored again, and frozen at resubmission.
    AssessmentResult.objects.filter(assessment=assessment).update(frozen=False)
    _announce(assessment, Event.ASSESSMENT_RETURNED, questions=keys, message=message)
    with site_language():  # e-mails go out in the site's language, whoever acts
        notify_enterprise(
            assessment,
            gettext("Assessment #%(id)s is returned for changes") % {"id": assessment.pk},
            gettext("The consultant asks you to change %(questions)s:\n\n%(message)s")
            % {"questions": ", ".join(keys), "message": message},
        )
    return assessment


@transaction.atomic
def assessment_resubmit(*, assessment: Assessment, submitted_by: User, pledge: bool) -> Assessment:
    """Submit (or resubmit after a return); the assigned consultants hear of it."""
    was_returned = assessment.status == Assessment.Status.RETURNED
    assessment = assessment_submit(assessment=assessment, submitted_by=submitted_by, pledge=pledge)
    with site_language():  # e-mails go out in the site's language, whoever acts
        subject = (
            gettext("Assessment #%(id)s was resubmitted with the changes you asked for")
            if was_returned
            else gettext("Assessment #%(id)s was submitted")
        ) % {"id": assessment.pk}
        notify_reviewers(
            assessment, subject, gettext("%(name)s submitted its answers.") % {"name": assessment.organization}
        )
    return assessment


def finalize_checklist(assessment: Assessment) -> list[str]:
    """What still stands before sign-off; empty when the consultant may sign."""
    problems = []
    answered = set(assessment_answers(assessment))
    items = dict(ReviewItem.objects.filter(assessment=assessment).values_list("question__key", "verdict"))
    without = [
        key
        for key in framework_structure(assessment.framework_version).questions
        if key in answered and key not in items
    ]
    if without:
        problems.append(
            gettext("%(count)d answers have no verdict yet: %(keys)s")
            % {"count": len(without), "keys": ", ".join(without)}
        )
    open_requests = [key for key, verdict in items.items() if verdict == ReviewItem.Verdict.CHANGE_REQUESTED]
    if open_requests:
        problems.append(
            gettext("Change requests are still open on %(keys)s: return the assessment or give another verdict.")
            % {"keys": ", ".join(sorted(open_requests))}
        )
    return problems


@transaction.atomic
def review_finalize(*, assessment: Assessment, consultant: User, statement: str) -> Verification:
    """Sign off: the verified result is stored as it stands, beside the self-assessed one."""
    assessment = _ensure_reviewing(assessment, consultant, gettext("signing off"))
    statement = statement.strip()
    errors: dict[str, list[str]] = {}
    if not statement:
        errors["statement"] = [gettext("Write the statement you sign.")]
    else:
        try:
            validate_display_text(statement)
        except ValidationError as error:
            errors["statement"] = error.messages
    profile = ConsultantProfile.objects.filter(user=consultant).first()
    if profile is None:
        errors["profile"] = [gettext("Fill in your consultant profile (name and qualification) before you sign.")]
    problems = finalize_checklist(assessment)
    if problems:
        errors["checklist"] = problems
    if errors or profile is None:
        raise ValidationError(errors)
    verified = verified_result_data(assessment)
    assignment = ConsultantAssignment.objects.get(consultant=consultant, organization=assessment.organization_id)
    verification = Verification.objects.create(
        assessment=assessment,
        consultant=consultant,
        consultancy=assignment.consultancy,
        consultant_name=str(profile),
        family_name=profile.family_name,
        given_name=profile.given_name,
        qualification=profile.qualification,
        certificate_number=profile.certificate_number,
        statement=statement,
        total=verified["card"]["total"],
        level=verified["card"]["level"],
        card=verified["card"],
        path=verified["path"],
        signed_at=timezone.now(),
    )
    _move(assessment, Assessment.Status.FINALIZED, consultant, reason=statement)
    _announce(
        assessment,
        Event.ASSESSMENT_FINALIZED,
        verified={"total": verification.total, "level": verification.level},
        consultant=verification.consultant_name,
    )
    with site_language():  # e-mails go out in the site's language, whoever acts
        notify_enterprise(
            assessment,
            gettext("Assessment #%(id)s is verified") % {"id": assessment.pk},
            gettext("The consultant signed off your assessment: verified level %(level)s.")
            % {"level": verification.level},
        )
    return verification


# --- comments -------------------------------------------------------------------------------------


@transaction.atomic
def review_comment_add(
    *,
    assessment: Assessment,
    author: User,
    body: str,
    question_key: str = "",
    visibility: str = ReviewComment.Visibility.SHARED,
) -> ReviewComment:
    """A comment in a question's thread (or the general one). Internal comments are the consultancy's own."""
    consultant = ConsultantAssignment.objects.filter(consultant=author, organization=assessment.organization_id)
    is_consultant = consultant.exists()
    if not is_consultant and _role(author, assessment.organization) is None:
        raise NotAllowedError(gettext("Only the enterprise's members and its consultants comment."))
    if visibility not in ReviewComment.Visibility.values:
        raise ValidationError({"visibility": [gettext("Choose shared or internal.")]})
    if visibility == ReviewComment.Visibility.INTERNAL and not is_consultant:
        raise NotAllowedError(gettext("Only consultants write internal comments."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": [gettext("Write the comment.")]})
    question = _question(assessment, question_key) if question_key else None
    comment = ReviewComment(assessment=assessment, question=question, author=author, body=body, visibility=visibility)
    comment.full_clean()
    comment.save()
    internal = visibility == ReviewComment.Visibility.INTERNAL
    audit_record(
        kind=AuditEvent.Kind.COMMENT_ADDED,
        actor=author,
        assessment=assessment,
        question_key=question_key,
        after={"comment": comment.pk, "visibility": visibility},
        reason=body,
        internal=internal,
    )
    if not internal:
        with site_language():
            subject = gettext("New comment on assessment #%(id)s") % {"id": assessment.pk}
        (notify_enterprise if is_consultant else notify_reviewers)(assessment, subject, body)
    return comment
