"""Writes: organisations, framework import, assessments and their answers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from stdnum.cn import uscc as uscc_number

from assessment.classification import ClassificationError, classify_size
from assessment.framework_format import Document, canonical_decimal, walk_indicators
from assessment.models import (
    Answer,
    Assessment,
    Dimension,
    Framework,
    FrameworkVersion,
    Indicator,
    Invitation,
    Membership,
    Option,
    Organization,
    Question,
    ReviewNote,
    User,
)
from assessment.selectors import invitation_token_hash
from scoring.engine import Answer as EngineAnswer
from scoring.engine import AnswerSetError, Missing, missing_for_submission, parse_answer, parse_answers
from scoring.engine.answers import answer_item
from scoring.engine.framework import Question as EngineQuestion
from scoring.engine.serialize import number
from scoring.selectors import assessment_answers, framework_structure, question_ids_by_key
from scoring.services import assessment_score
from webhooks.models import Event
from webhooks.services import webhook_event_emit


class ServiceError(Exception):
    """A request the domain refuses; the message is fit to show to the user."""


class ImmutableError(ServiceError):
    """Published frameworks and submitted assessments do not change."""


class IncompleteError(ServiceError):
    """An assessment cannot be submitted yet: `missing` lists every gap."""

    def __init__(self, missing: list[Missing]) -> None:
        super().__init__(f"{len(missing)} required answers or evidence fields are missing.")
        self.missing = missing


def jsonable(value: Any) -> Any:
    """Decimals as canonical strings, for JSON columns."""
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    return value


# --- organisations ----------------------------------------------------------------------------


@transaction.atomic
def organization_create(
    *,
    owner: User,
    name: str,
    sector: str,
    province: str,
    size_band: str | None = None,
    uscc: str = "",
    employees: int | None = None,
    annual_revenue: Decimal | None = None,
    total_assets: Decimal | None = None,
    industry: str | None = None,
) -> Organization:
    """Create an organisation with `owner` as its owner; the size band is classified when not chosen."""
    if size_band is None:
        try:
            size_band = classify_size(
                sector=sector, employees=employees, revenue=annual_revenue, assets=total_assets, industry=industry
            )
        except ClassificationError as exc:
            raise ValidationError({"size_band": [str(exc)]}) from None
    organization = Organization(
        name=name.strip(),
        uscc=uscc_number.compact(uscc) if uscc else "",
        sector=sector,
        size_band=size_band,
        province=province,
        employees=employees,
        annual_revenue=annual_revenue,
        total_assets=total_assets,
    )
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    return organization


ORGANIZATION_FIELDS = frozenset(
    {"name", "uscc", "sector", "size_band", "province", "employees", "annual_revenue", "total_assets"}
)


def organization_update(*, organization: Organization, **fields: Any) -> Organization:
    """Change an organisation's profile; results keep the profile they were submitted with."""
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise ValueError(f"Not organisation fields: {sorted(unknown)}")
    if fields.get("uscc"):
        fields["uscc"] = uscc_number.compact(fields["uscc"])
    for name, value in fields.items():
        setattr(organization, name, value.strip() if name == "name" else value)
    organization.full_clean()
    organization.save(update_fields=list(fields))
    return organization


# --- accounts, members and invitations --------------------------------------------------------


class NotAllowedError(ServiceError):
    """The acting user's role does not allow the change."""


def _account_exists_error() -> ValidationError:
    return ValidationError(
        {"email": [gettext("An account with this email address already exists. Log in, or reset your password.")]},
        code="email_taken",
    )


def user_create(*, email: str, password: str) -> User:
    """Create an account: the address must be new (in any letter case), the password pass the validators."""
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email).exists():
        raise _account_exists_error()
    user = User(email=email)
    errors: dict[str, list[ValidationError]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same address signed up at the same moment
        raise _account_exists_error() from None
    return user


@transaction.atomic
def account_signup(*, email: str, password: str, **organization: Any) -> tuple[User, Organization]:
    """Create the account and its organisation (`organization_create` arguments) together, or neither."""
    user = user_create(email=email, password=password)
    return user, organization_create(owner=user, **organization)


def _ensure_owner(user: User, organization: Organization, message: str) -> None:
    if not Membership.objects.filter(user=user, organization=organization, role=Membership.Role.OWNER).exists():
        raise NotAllowedError(message)


def _lock_owners(organization_id: int) -> list[Membership]:
    """Lock the organisation's owner rows, so two owners cannot each demote the other at once."""
    return list(
        Membership.objects.select_for_update()
        .filter(organization_id=organization_id, role=Membership.Role.OWNER)
        .order_by("pk")
    )


def _last_owner(membership: Membership) -> bool:
    owners = _lock_owners(membership.organization_id)
    return membership.role == Membership.Role.OWNER and all(owner.pk == membership.pk for owner in owners)


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, changed_by: User) -> Membership:
    """An owner gives a member another role; the last owner keeps theirs."""
    _ensure_owner(changed_by, membership.organization, gettext("Only owners can change roles."))
    if role not in Membership.Role.values:
        raise ValidationError({"role": [gettext("Choose owner, respondent or viewer.")]}, code="invalid_role")
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if role != Membership.Role.OWNER and _last_owner(membership):
        raise ServiceError(
            gettext("%(email)s is the last owner: make someone else an owner first.") % {"email": membership.user}
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> None:
    """An owner removes a member (themselves too, unless they are the last owner)."""
    _ensure_owner(removed_by, membership.organization, gettext("Only owners can remove members."))
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if _last_owner(membership):
        raise ServiceError(
            gettext("%(email)s is the last owner and cannot be removed: make someone else an owner first.")
            % {"email": membership.user}
        )
    membership.delete()


INVITABLE_ROLES = (Membership.Role.RESPONDENT, Membership.Role.VIEWER)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # goes into the emailed link only; the database keeps its hash


@transaction.atomic
def invitation_create(*, organization: Organization, email: str, role: str, invited_by: User) -> IssuedInvitation:
    """An owner invites a colleague as respondent or viewer; inviting the address again replaces the open link."""
    _ensure_owner(invited_by, organization, gettext("Only owners can invite colleagues."))
    if role not in INVITABLE_ROLES:
        raise ValidationError(
            {"role": [gettext("Invite as respondent or viewer; make a member an owner once they have joined.")]},
            code="invalid_role",
        )
    email = User.objects.normalize_email(email.strip())
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": [gettext("%(email)s is already a member of this organisation.") % {"email": email}]},
            code="already_member",
        )
    now = timezone.now()
    Invitation.objects.filter(
        organization=organization, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by=invited_by,
        expires_at=now + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
    )
    invitation.full_clean(exclude=["token_hash"])
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # the same address invited at the same moment
        raise ValidationError(
            {"email": [gettext("%(email)s has just been invited.") % {"email": email}]}, code="invited"
        ) from None
    return IssuedInvitation(invitation=invitation, token=token)


def _ensure_open(invitation: Invitation) -> None:
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise ServiceError(gettext("This invitation has already been used."))
    if status == Invitation.Status.REVOKED:
        raise ServiceError(gettext("This invitation has been withdrawn."))
    if status == Invitation.Status.EXPIRED:
        raise ServiceError(gettext("This invitation has expired. Ask for a new one."))


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """The invited person joins with the invited role; a member already keeps the role they have."""
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    _ensure_open(invitation)
    if user.email.casefold() != invitation.email.casefold():
        raise NotAllowedError(
            gettext("This invitation is for %(email)s: log in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_signup(*, invitation: Invitation, password: str) -> User:
    """A visitor without an account: create it for the invited address, then accept; or neither."""
    user = user_create(email=invitation.email, password=password)
    invitation_accept(invitation=invitation, user=user)
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, revoked_by: User) -> Invitation:
    """An owner withdraws an invitation that has not been accepted; its link stops working."""
    _ensure_owner(revoked_by, invitation.organization, gettext("Only owners can withdraw invitations."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ServiceError(gettext("%(email)s has already accepted.") % {"email": invitation.email})
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


# --- frameworks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    version: FrameworkVersion
    created: bool
    published: bool


def _texts(prefix: str, value: dict[str, str] | None) -> dict[str, str]:
    value = value or {"zh-Hans": "", "en": ""}
    return {f"{prefix}_zh_hans": value["zh-Hans"], f"{prefix}_en": value["en"]}


def _node_fields(node: Document, position: int) -> dict[str, Any]:
    return {
        "key": node["key"],
        "position": position,
        "points": node["points"],
        "weight": node["weight"],
        **_texts("text", node["text"]),
        **_texts("help", node["help"]),
    }


QUESTION_COLUMNS = frozenset(
    {
        "key",
        "kind",
        "text",
        "help",
        "definition",
        "points",
        "weight",
        "required",
        "not_applicable",
        "effort",
        "constrained",
        "options",
    }
)


def _create_tree(version: FrameworkVersion, document: Document) -> None:
    question_position = 0
    indicator_position = 0
    options: list[Option] = []
    for d_position, d_node in enumerate(document["dimensions"]):
        dimension = Dimension.objects.create(version=version, **_node_fields(d_node, d_position))
        parents: dict[str, Indicator] = {}
        for path, i_node in walk_indicators(d_node["indicators"], "d"):
            parent_path = path.rpartition(".indicators[")[0]
            indicator = Indicator.objects.create(
                version=version,
                dimension=dimension,
                parent=parents.get(parent_path),
                **_node_fields(i_node, indicator_position),
            )
            indicator_position += 1
            parents[path] = indicator
            for q_node in i_node["questions"]:
                question = Question.objects.create(
                    version=version,
                    indicator=indicator,
                    kind=q_node["kind"],
                    required=q_node["required"],
                    not_applicable=q_node["not_applicable"] or "",
                    effort=q_node["effort"],
                    constrained=q_node.get("constrained", False),
                    **_texts("definition", q_node["definition"]),
                    config=jsonable({k: v for k, v in q_node.items() if k not in QUESTION_COLUMNS}),
                    **_node_fields(q_node, question_position),
                )
                question_position += 1
                options.extend(
                    Option(
                        version=version,
                        question=question,
                        exclusive=o_node["exclusive"],
                        band=o_node["band"] or "",
                        **_node_fields(o_node, o_position),
                    )
                    for o_position, o_node in enumerate(q_node.get("options", []))
                )
    Option.objects.bulk_create(options)


def framework_version_publish(*, version: FrameworkVersion) -> FrameworkVersion:
    if version.status != FrameworkVersion.Status.DRAFT:
        raise ServiceError(f"{version.reference} is {version.status}, not a draft.")
    version.status = FrameworkVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    return version


def framework_version_retire(*, version: FrameworkVersion) -> FrameworkVersion:
    if version.status != FrameworkVersion.Status.PUBLISHED:
        raise ServiceError(f"{version.reference} is {version.status}; only a published version can be retired.")
    version.status = FrameworkVersion.Status.RETIRED
    version.save(update_fields=["status"])
    return version


@transaction.atomic
def framework_import(*, document: Document, content_hash: str, publish: bool = True) -> ImportOutcome:
    """Store a validated framework document; idempotent by content hash; published versions never change."""
    framework, _ = Framework.objects.get_or_create(slug=document["slug"])
    existing = (
        FrameworkVersion.objects.select_for_update().filter(framework=framework, label=document["version"]).first()
    )
    if existing is not None:
        if existing.content_hash == content_hash:
            if publish and existing.status == FrameworkVersion.Status.DRAFT:
                framework_version_publish(version=existing)
                return ImportOutcome(existing, created=False, published=True)
            return ImportOutcome(existing, created=False, published=False)
        if existing.status != FrameworkVersion.Status.DRAFT:
            raise ImmutableError(
                f"{existing.reference} is {existing.status} with different content "
                f"(hash {existing.content_hash[:12]}…, file {content_hash[:12]}…): "
                "a changed file needs a new version label."
            )
        existing.delete()
    version = FrameworkVersion.objects.create(
        framework=framework,
        label=document["version"],
        content_hash=content_hash,
        format=document["format"],
        **_texts("title", document["title"]),
        **_texts("description", document["description"]),
        source=document["source"],
        scoring=document["scoring"],
        levels=jsonable(document["levels"]),
    )
    _create_tree(version, document)
    if publish:
        framework_version_publish(version=version)
    return ImportOutcome(version, created=True, published=publish)


# --- assessments ------------------------------------------------------------------------------


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
    if previous is not None and (
        previous.organization_id != organization.pk
        or previous.framework_version.framework_id != framework_version.framework_id
    ):
        raise ServiceError(gettext("The previous assessment must be of the same organisation and framework."))
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
    # The final, frozen result; its path is computed when the results are first read.
    result = assessment_score(assessment=assessment, answers=answers, with_path=False, locked=True)
    assessment.result = result  # returned with its result, as the API shows it
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
        "total": number(total),
        "level": level,
    }


@transaction.atomic
def assessment_finalize(*, assessment: Assessment, finalized_by: User) -> Assessment:
    """A consultant's verification: a submitted or reviewed assessment becomes final."""
    assessment = _locked(assessment)
    if assessment.status not in (Assessment.Status.SUBMITTED, Assessment.Status.UNDER_REVIEW):
        raise ImmutableError(
            gettext("Assessment #%(id)s is %(status)s; it cannot be finalised.")
            % {"id": assessment.pk, "status": assessment.get_status_display()}
        )
    if not assessment.organization.consultant_assignments.filter(consultant=finalized_by).exists():
        raise ServiceError(gettext("Only a consultant assigned to the organisation can finalise its assessments."))
    assessment.status = Assessment.Status.FINALIZED
    assessment.save(update_fields=["status", "updated_at"])
    result = assessment_score(assessment=assessment)
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
