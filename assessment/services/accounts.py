"""Writes: accounts, sign-up, memberships (role changes, removal) and invitations."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from assessment.models import AuditEvent, Invitation, Membership, Organization, User
from assessment.selectors import invitation_token_hash
from assessment.services import NotAllowedError, ServiceError
from assessment.services.audit import audit_record
from assessment.services.organizations import organization_create


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
    membership = Membership.objects.select_for_update().select_related("user", "organization").get(pk=membership.pk)
    if role not in member_roles(membership.organization):
        raise ValidationError({"role": [role_choice_message(membership.organization)]}, code="invalid_role")
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
    # Kept so that a former member is not assigned to verify the organisation within two years.
    audit_record(
        kind=AuditEvent.Kind.MEMBER_REMOVED,
        actor=removed_by,
        organization_id=membership.organization_id,
        before={"user": membership.user_id, "email": membership.user.email, "role": membership.role},
    )


INVITABLE_ROLES = (Membership.Role.RESPONDENT, Membership.Role.VIEWER)
# An operator's people run programmes (admins), read named SMEs' results (analysts) or the analytics alone (viewers).
OPERATOR_ROLES = (Membership.Role.ADMIN, Membership.Role.ANALYST, Membership.Role.VIEWER)
# Owners are made among members, never invited; a consultancy's people are leads and consultants.
INVITABLE_BY_KIND = {
    Organization.Kind.SME: INVITABLE_ROLES,
    Organization.Kind.CONSULTANCY: (Membership.Role.LEAD, Membership.Role.CONSULTANT),
    Organization.Kind.BUREAU: OPERATOR_ROLES,
    Organization.Kind.CHAIN_LEADER: OPERATOR_ROLES,
    Organization.Kind.BANK: OPERATOR_ROLES,
    Organization.Kind.PROVIDER: OPERATOR_ROLES,
}


def invitable_roles(organization: Organization) -> tuple[Membership.Role, ...]:
    """The roles an owner may invite someone to the organisation with, by its kind."""
    return INVITABLE_BY_KIND[Organization.Kind(organization.kind)]


def member_roles(organization: Organization) -> tuple[Membership.Role, ...]:
    """The roles a member of the organisation may have, by its kind, owner first."""
    return (Membership.Role.OWNER, *invitable_roles(organization))


def role_choice_message(organization: Organization) -> str:
    """What to choose among, in words, when a role outside the organisation's kind was asked for."""
    if organization.is_consultancy:
        return gettext("Choose owner, lead or consultant.")
    if organization.is_operator:
        return gettext("Choose owner, programme administrator, analyst or viewer.")
    return gettext("Choose owner, respondent or viewer.")


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # goes into the emailed link only; the database keeps its hash


@transaction.atomic
def invitation_create(*, organization: Organization, email: str, role: str, invited_by: User) -> IssuedInvitation:
    """An owner invites a colleague with a role of the organisation's kind (an enterprise's respondent or viewer,
    a consultancy's lead or consultant); inviting the address again replaces the open link."""
    _ensure_owner(invited_by, organization, gettext("Only owners can invite colleagues."))
    if role not in invitable_roles(organization):
        if organization.is_consultancy:
            message = gettext("Invite as lead or consultant; make a member an owner once they have joined.")
        elif organization.is_operator:
            message = gettext(
                "Invite as programme administrator, analyst or viewer; make a member an owner once they have joined."
            )
        else:
            message = gettext("Invite as respondent or viewer; make a member an owner once they have joined.")
        raise ValidationError({"role": [message]}, code="invalid_role")
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
