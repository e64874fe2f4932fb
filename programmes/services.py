"""Writes: programmes and their groups, invitations (one or a file of them), an SME's consent and its withdrawal,
and the log of what an operator's people saw."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from assessment.models import FrameworkVersion, Membership, Organization, User
from assessment.services import NotAllowedError, ServiceError
from programmes.invitations_csv import InvitationRow, InvitationRowsError, RowError, duplicate_errors
from programmes.models import (
    AccessRecord,
    Consent,
    Enrolment,
    Programme,
    ProgrammeGroup,
    ProgrammeInvitation,
)
from programmes.selectors import programme_invitation_token_hash

logger = logging.getLogger(__name__)


# --- programmes -----------------------------------------------------------------------------------


def _ensure_admin(user: User, operator: Organization) -> None:
    role = Membership.objects.filter(user=user, organization=operator).values_list("role", flat=True).first()
    if role not in Membership.PROGRAMME_ADMINS:
        raise NotAllowedError(gettext("Only the operator's owners and programme administrators can do this."))


def level_range(versions: Iterable[FrameworkVersion]) -> tuple[int, int]:
    """The levels every one of the versions has: (lowest, highest)."""
    lows, highs = [], []
    for version in versions:
        levels = version.levels or {}
        numbers = [rule["level"] for rule in levels.get("rules", [])]
        base = levels.get("base", {}).get("level", min(numbers, default=0))
        lows.append(base)
        highs.append(max(numbers, default=base))
    return (max(lows, default=0), min(highs, default=0))


@dataclass(frozen=True)
class GroupSpec:
    """A sub-group as asked for: its name and kind (ProgrammeGroup.Kind)."""

    name: str
    kind: str = ProgrammeGroup.Kind.OTHER


PROGRAMME_FIELDS = frozenset(
    {
        "name",
        "description",
        "starts_on",
        "ends_on",
        "baseline_date",
        "target_level",
        "target_share",
        "target_date",
        "consultancy",
    }
)


def _check(programme: Programme, versions: Sequence[FrameworkVersion]) -> None:
    errors: dict[str, list[str]] = {}
    try:
        # The period's constraint is checked below, worded for the field (its default message names the constraint).
        programme.full_clean(exclude=["operator", "created_by", "framework_versions"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not versions:
        errors.setdefault("framework_versions", []).append(gettext("Choose at least one framework."))
    elif any(v.status != FrameworkVersion.Status.PUBLISHED for v in versions):
        errors.setdefault("framework_versions", []).append(gettext("Choose published frameworks only."))
    else:
        low, high = level_range(versions)
        if programme.target_level is not None and not low <= programme.target_level <= high:
            errors.setdefault("target_level", []).append(
                gettext("The frameworks chosen rate levels %(low)d to %(high)d.") % {"low": low, "high": high}
            )
    if programme.starts_on and programme.ends_on and programme.ends_on < programme.starts_on:
        errors.setdefault("ends_on", []).append(gettext("The programme cannot end before it starts."))
    if programme.consultancy_id is not None and not programme.consultancy.is_consultancy:  # type: ignore[union-attr]
        errors.setdefault("consultancy", []).append(gettext("Choose a consultancy or assessment body."))
    if errors:
        raise ValidationError(errors)


def _groups_set(programme: Programme, groups: Sequence[GroupSpec]) -> None:
    """The programme's groups become `groups`: new names are added, kinds updated, others removed (their SMEs
    stay enrolled, in no group)."""
    wanted: dict[str, GroupSpec] = {}
    errors: list[str] = []
    for spec in groups:
        name = spec.name.strip()
        if not name:
            continue
        if name.casefold() in wanted:
            errors.append(gettext("The group %(name)s is named twice.") % {"name": name})
            continue
        if spec.kind not in ProgrammeGroup.Kind.values:
            errors.append(gettext("%(kind)s is not a kind of group.") % {"kind": spec.kind})
            continue
        wanted[name.casefold()] = GroupSpec(name=name, kind=spec.kind)
    existing = {g.name.casefold(): g for g in programme.groups.all()}
    for key, group in existing.items():
        if key not in wanted:
            group.delete()
    for key, spec in wanted.items():
        group = existing.get(key) or ProgrammeGroup(programme=programme)
        group.name, group.kind = spec.name, spec.kind
        try:
            group.full_clean(exclude=["programme"], validate_constraints=False)
        except ValidationError as exc:
            errors.extend(f"{spec.name}: {m}" for m in exc.messages)
            continue
        group.save()
    if errors:
        raise ValidationError({"groups": errors})


@transaction.atomic
def programme_create(
    *,
    operator: Organization,
    created_by: User,
    name: str,
    framework_versions: Sequence[FrameworkVersion],
    starts_on: date,
    ends_on: date,
    baseline_date: date,
    target_level: int,
    target_share: Decimal,
    target_date: date,
    description: str = "",
    consultancy: Organization | None = None,
    groups: Sequence[GroupSpec] = (),
) -> Programme:
    """An operator's owner or programme administrator starts a programme, with its target and groups."""
    if not operator.is_operator:
        raise NotAllowedError(
            gettext("Only SME bureaus, chain leaders, banks, providers and consultancies run programmes.")
        )
    _ensure_admin(created_by, operator)
    programme = Programme(
        operator=operator,
        created_by=created_by,
        name=name.strip(),
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        baseline_date=baseline_date,
        target_level=target_level,
        target_share=target_share,
        target_date=target_date,
        consultancy=consultancy,
    )
    _check(programme, framework_versions)
    programme.save()
    programme.framework_versions.set(framework_versions)
    _groups_set(programme, groups)
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    changed_by: User,
    framework_versions: Sequence[FrameworkVersion] | None = None,
    groups: Sequence[GroupSpec] | None = None,
    **fields: Any,
) -> Programme:
    """Change a programme; `groups`, when given, replaces its groups. Figures follow at the next refresh."""
    unknown = set(fields) - PROGRAMME_FIELDS
    if unknown:
        raise ValueError(f"Not programme fields: {sorted(unknown)}")
    _ensure_admin(changed_by, programme.operator)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    for name, value in fields.items():
        setattr(programme, name, value.strip() if name in ("name", "description") else value)
    versions = list(framework_versions) if framework_versions is not None else list(programme.framework_versions.all())
    _check(programme, versions)
    changes_figures = framework_versions is not None or "baseline_date" in fields
    if changes_figures:
        programme.data_version += 1  # analytics caches key on it: T0/T1 depend on the date and versions
    programme.save(update_fields=[*fields, "updated_at", *(["data_version"] if changes_figures else [])])
    if framework_versions is not None:
        programme.framework_versions.set(versions)
    if groups is not None:
        _groups_set(programme, groups)
    return programme


# --- invitations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedProgrammeInvitation:
    invitation: ProgrammeInvitation
    token: str  # goes into the e-mailed link only; the database keeps its hash


def _row_errors_against_programme(
    programme: Programme, rows: Sequence[InvitationRow], groups: dict[str, ProgrammeGroup]
) -> list[RowError]:
    now = timezone.now()
    pending = ProgrammeInvitation.objects.filter(programme=programme, decision="", expires_at__gt=now)
    pending_uscc = set(pending.exclude(uscc="").values_list("uscc", flat=True))
    pending_contact = {
        (e, c) for e, c in pending.annotate(e=Lower("email"), c=Lower("company_name")).values_list("e", "c")
    }
    enrolled = set(
        Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=True)
        .exclude(organization__uscc="")
        .values_list("organization__uscc", flat=True)
    )
    errors = []
    for row in rows:
        if row.uscc and row.uscc in enrolled:
            errors.append(RowError(row.line, "uscc", gettext("This company is already enrolled in the programme.")))
        elif row.uscc and row.uscc in pending_uscc:
            errors.append(
                RowError(row.line, "uscc", gettext("This company already has an open invitation: revoke it first."))
            )
        elif (row.email.casefold(), row.company_name.casefold()) in pending_contact:
            errors.append(
                RowError(
                    row.line,
                    "email",
                    gettext("This company and address already have an open invitation: revoke it first."),
                )
            )
        if row.group and row.group.casefold() not in groups:
            names = ", ".join(g.name for g in groups.values()) or gettext("none")
            errors.append(
                RowError(
                    row.line,
                    "group",
                    gettext("The programme has no group %(name)s (its groups: %(names)s).")
                    % {"name": row.group, "names": names},
                )
            )
    return errors


@transaction.atomic
def programme_invitations_create(
    *, programme: Programme, rows: Sequence[InvitationRow], invited_by: User
) -> list[IssuedProgrammeInvitation]:
    """Invite every company of `rows`, or none: raise InvitationRowsError with each row's errors.

    Rows are checked against one another (programmes.invitations_csv.duplicate_errors) and against the programme:
    a company enrolled or invited and not yet answered is refused; an expired invitation is replaced.
    """
    _ensure_admin(invited_by, programme.operator)
    if len(rows) > settings.PROGRAMME_INVITATIONS_MAX_ROWS:
        raise InvitationRowsError(
            [
                RowError(
                    0,
                    "file",
                    gettext("More than %(limit)d companies at once: split them.")
                    % {"limit": settings.PROGRAMME_INVITATIONS_MAX_ROWS},
                )
            ]
        )
    # Serialises invitations to one programme: the checks below then see every earlier one.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    groups = {g.name.casefold(): g for g in programme.groups.all()}
    errors = duplicate_errors(rows) + _row_errors_against_programme(programme, rows, groups)
    if errors:
        raise InvitationRowsError(errors)
    now = timezone.now()
    expired = ProgrammeInvitation.objects.filter(programme=programme, decision="", expires_at__lte=now)
    expired.update(decision=ProgrammeInvitation.Status.REVOKED, decided_at=now, decided_by=invited_by)
    issued = []
    expires_at = now + timedelta(days=settings.PROGRAMME_INVITATION_EXPIRY_DAYS)
    for row in rows:
        token = secrets.token_urlsafe(32)
        invitation = ProgrammeInvitation(
            programme=programme,
            company_name=row.company_name,
            uscc=row.uscc,
            email=row.email,
            contact_name=row.contact_name,
            group=groups.get(row.group.casefold()) if row.group else None,
            token_hash=programme_invitation_token_hash(token),
            invited_by=invited_by,
            expires_at=expires_at,
        )
        try:
            invitation.full_clean(
                exclude=["token_hash", "programme", "group", "invited_by"], validate_constraints=False
            )
        except ValidationError as exc:
            errors.extend(
                RowError(row.line, field, message)
                for field, messages in exc.message_dict.items()
                for message in messages
            )
            continue
        issued.append(IssuedProgrammeInvitation(invitation=invitation, token=token))
    if errors:
        raise InvitationRowsError(errors)
    try:
        with transaction.atomic():
            ProgrammeInvitation.objects.bulk_create([i.invitation for i in issued])
    except IntegrityError:  # the same company invited at the same moment by someone else
        raise InvitationRowsError(
            [RowError(0, "file", gettext("Some of these companies have just been invited: reload and try again."))]
        ) from None
    return issued


def programme_invitation_link(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/programme-invitations/{token}/"


def programme_invitations_mail(*, issued: Sequence[IssuedProgrammeInvitation]) -> int:
    """E-mail each invited contact their link, in the site's language; returns how many could not be sent.

    The invitation rows stay whatever the mail server says: the operator sees which were not sent and may
    revoke and invite again.
    """
    failed = 0
    with translation.override(settings.LANGUAGE_CODE):
        messages = []
        for item in issued:
            invitation = item.invitation
            context = {
                "invitation": invitation,
                "programme": invitation.programme,
                "operator": invitation.programme.operator.name,
                "link": programme_invitation_link(item.token),
                "expires_at": invitation.expires_at,
            }
            subject = " ".join(render_to_string("programmes/invitation_subject.txt", context).split())
            body = render_to_string("programmes/invitation_email.txt", context)
            messages.append(EmailMessage(subject, body, None, [invitation.email]))
    try:
        connection = get_connection(fail_silently=False)
        with connection:
            for message in messages:
                try:
                    connection.send_messages([message])
                except OSError:  # smtplib's errors are OSErrors too
                    logger.exception("Programme invitation to %s: the e-mail could not be sent", message.to)
                    failed += 1
    except OSError:
        logger.exception("Programme invitations: no connection to the mail server")
        return len(messages)
    return failed


@transaction.atomic
def programme_invitation_revoke(*, invitation: ProgrammeInvitation, revoked_by: User) -> ProgrammeInvitation:
    """An admin withdraws an invitation not yet answered; its link stops working."""
    _ensure_admin(revoked_by, invitation.programme.operator)
    invitation = ProgrammeInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.decision == ProgrammeInvitation.Status.ACCEPTED:
        raise ServiceError(gettext("%(name)s has already accepted.") % {"name": invitation.company_name})
    if invitation.decision == ProgrammeInvitation.Status.DECLINED:
        raise ServiceError(gettext("%(name)s has already declined.") % {"name": invitation.company_name})
    if not invitation.decision:
        invitation.decision = ProgrammeInvitation.Status.REVOKED
        invitation.decided_at = timezone.now()
        invitation.decided_by = revoked_by
        invitation.save(update_fields=["decision", "decided_at", "decided_by"])
    return invitation


# --- the SME's side: consent, declining, withdrawal -----------------------------------------------


def _ensure_open(invitation: ProgrammeInvitation) -> None:
    status = invitation.status
    if status == ProgrammeInvitation.Status.ACCEPTED:
        raise ServiceError(gettext("This invitation has already been accepted."))
    if status == ProgrammeInvitation.Status.DECLINED:
        raise ServiceError(gettext("This invitation has been declined."))
    if status == ProgrammeInvitation.Status.REVOKED:
        raise ServiceError(gettext("This invitation has been withdrawn by the programme."))
    if status == ProgrammeInvitation.Status.EXPIRED:
        raise ServiceError(gettext("This invitation has expired. Ask the programme for a new one."))


def _ensure_sme_owner(user: User, organization: Organization) -> None:
    if not Membership.objects.filter(user=user, organization=organization, role=Membership.Role.OWNER).exists():
        raise NotAllowedError(gettext("Only an owner of the enterprise can decide on its programmes."))


@transaction.atomic
def programme_invitation_accept(
    *, invitation: ProgrammeInvitation, organization: Organization, user: User, consent: str
) -> Enrolment:
    """The SME's owner enrols one of their enterprises, consenting to `consent` (results, or results and answers).

    The enterprise's credit code must be the invitation's when it names one; an enterprise is enrolled once.
    """
    invitation = ProgrammeInvitation.objects.select_for_update().select_related("programme").get(pk=invitation.pk)
    _ensure_open(invitation)
    _ensure_sme_owner(user, organization)
    if consent not in Consent.values:
        raise ValidationError({"consent": [gettext("Choose what the programme may see.")]}, code="consent")
    if organization.kind != Organization.Kind.SME:
        raise ServiceError(gettext("Only enterprises enrol in programmes."), field="organization")
    if invitation.uscc and organization.uscc != invitation.uscc:
        raise ServiceError(
            gettext(
                "This invitation is for the company with credit code %(code)s; %(name)s is registered with "
                "another code (or none). Choose that company, or correct its profile."
            )
            % {"code": invitation.uscc, "name": organization.name},
            field="organization",
        )
    if Enrolment.objects.filter(
        programme=invitation.programme, organization=organization, withdrawn_at__isnull=True
    ).exists():
        raise ServiceError(gettext("%(name)s is already enrolled in this programme.") % {"name": organization.name})
    now = timezone.now()
    enrolment = Enrolment.objects.create(
        programme=invitation.programme,
        organization=organization,
        invitation=invitation,
        group=invitation.group,
        consent=consent,
        consented_by=user,
        consented_at=now,
    )
    invitation.decision = ProgrammeInvitation.Status.ACCEPTED
    invitation.decided_at = now
    invitation.decided_by = user
    invitation.save(update_fields=["decision", "decided_at", "decided_by"])
    return enrolment


@transaction.atomic
def programme_invitation_decline(*, invitation: ProgrammeInvitation, user: User | None) -> ProgrammeInvitation:
    """Whoever holds the link declines: the programme learns that, and nothing else."""
    invitation = ProgrammeInvitation.objects.select_for_update().get(pk=invitation.pk)
    _ensure_open(invitation)
    invitation.decision = ProgrammeInvitation.Status.DECLINED
    invitation.decided_at = timezone.now()
    invitation.decided_by = user
    invitation.save(update_fields=["decision", "decided_at", "decided_by"])
    return invitation


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, withdrawn_by: User) -> Enrolment:
    """The SME's owner withdraws consent: from now on the operator sees nothing of the SME."""
    _ensure_sme_owner(withdrawn_by, enrolment.organization)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.withdrawn_at is not None:
        raise ServiceError(gettext("Consent to this programme was already withdrawn."))
    enrolment.withdrawn_at = timezone.now()
    enrolment.withdrawn_by = withdrawn_by
    enrolment.save(update_fields=["withdrawn_at", "withdrawn_by"])
    Programme.objects.filter(pk=enrolment.programme_id).update(data_version=F("data_version") + 1)
    return enrolment


# --- the access log -------------------------------------------------------------------------------


def access_record(*, enrolment: Enrolment, viewer: User, kind: str) -> AccessRecord:
    """Log that `viewer` saw the enrolled SME (its results, answers, an export or a report row): the SME reads it."""
    if not enrolment.is_active:
        raise ServiceError(gettext("Consent was withdrawn: nothing of this enterprise may be seen."))
    name = viewer.get_full_name() or viewer.email
    return AccessRecord.objects.create(enrolment=enrolment, viewer=viewer, viewer_name=name[:200], kind=kind)


def access_records_write(*, enrolment_ids: Iterable[int], viewer: User | None, kind: str) -> int:
    """One AccessRecord per SME whose figures someone at the operator saw (a list, an export, a cohort report),
    in batches; the viewer may be gone by the time a queued export runs. Returns how many."""
    name = ((viewer.get_full_name() or viewer.email) if viewer is not None else "")[:200]
    now = timezone.now()
    records = [AccessRecord(enrolment_id=e, viewer=viewer, viewer_name=name, kind=kind, at=now) for e in enrolment_ids]
    AccessRecord.objects.bulk_create(records, batch_size=5000)
    return len(records)


@transaction.atomic
def programme_delete(*, programme: Programme, deleted_by: User) -> None:
    """An admin deletes a programme no SME has enrolled in (with its invitations and groups)."""
    _ensure_admin(deleted_by, programme.operator)
    if Enrolment.objects.filter(programme=programme).exists():
        raise ServiceError(gettext("SMEs have enrolled in this programme: it cannot be deleted."))
    programme.delete()
