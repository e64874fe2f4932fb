"""The membership and invitation services: who may invite, change roles and remove, and what a token opens."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessment.models import Invitation, Membership, Organization, User
from assessment.selectors import invitation_by_token, invitations_open, organization_members
from assessment.services import NotAllowedError, ServiceError
from assessment.services.accounts import (
    account_signup,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    invitation_signup,
    membership_remove,
    membership_role_change,
    user_create,
)

pytestmark = pytest.mark.django_db


def member(organization: Organization, role: str, email: str) -> Membership:
    user = User.objects.create_user(email, "pw-member-12345")
    return Membership.objects.create(user=user, organization=organization, role=role)


def owner_membership(owner: User, organization: Organization) -> Membership:
    return Membership.objects.get(user=owner, organization=organization)


# --- accounts ---------------------------------------------------------------------------------


def test_user_create_refuses_an_address_taken_in_another_letter_case(owner: User) -> None:
    with pytest.raises(ValidationError) as caught:
        user_create(email="OWNER@example.com", password="a-long-Passphrase-42")
    assert "already exists" in caught.value.message_dict["email"][0]


def test_user_create_applies_the_password_validators() -> None:
    with pytest.raises(ValidationError) as caught:
        user_create(email="new@example.com", password="short")
    assert any("too short" in message for message in caught.value.message_dict["password"])
    assert not User.objects.exists()


def test_account_signup_creates_nothing_when_the_organisation_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        account_signup(email="new@example.com", password="a-long-Passphrase-42", name="X", sector="J", province="11")
    assert "size_band" in caught.value.message_dict  # finance cannot be classified: the band must be chosen
    assert not User.objects.exists()
    assert not Organization.objects.exists()


# --- invitations ------------------------------------------------------------------------------


def test_an_invitation_stores_only_the_hash_of_its_token(owner: User, organization: Organization) -> None:
    issued = invitation_create(organization=organization, email="new@Example.COM", role="viewer", invited_by=owner)
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in invitation.token_hash
    assert invitation.email == "new@example.com"  # the domain is normalised
    assert invitation.expires_at - timezone.now() > timedelta(days=13)
    assert invitation.invited_by == owner
    assert invitation_by_token(issued.token) == invitation
    assert invitation_by_token(issued.token + "x") is None


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_only_owners_invite(owner: User, organization: Organization, role: str) -> None:
    colleague = member(organization, role, "colleague@example.com").user
    with pytest.raises(NotAllowedError):
        invitation_create(organization=organization, email="x@example.com", role="viewer", invited_by=colleague)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["owner", "admin", ""])
def test_invitations_are_for_respondents_and_viewers_only(owner: User, organization: Organization, role: str) -> None:
    with pytest.raises(ValidationError) as caught:
        invitation_create(organization=organization, email="x@example.com", role=role, invited_by=owner)
    assert "role" in caught.value.message_dict


def test_a_member_cannot_be_invited_again(owner: User, organization: Organization) -> None:
    member(organization, "viewer", "colleague@example.com")
    with pytest.raises(ValidationError, match="already a member"):
        invitation_create(organization=organization, email="Colleague@example.com", role="respondent", invited_by=owner)


def test_a_bad_address_is_refused(owner: User, organization: Organization) -> None:
    with pytest.raises(ValidationError) as caught:
        invitation_create(organization=organization, email="not-an-address", role="viewer", invited_by=owner)
    assert "email" in caught.value.message_dict


def test_inviting_again_replaces_the_open_invitation(owner: User, organization: Organization) -> None:
    first = invitation_create(organization=organization, email="new@example.com", role="viewer", invited_by=owner)
    second = invitation_create(organization=organization, email="NEW@example.com", role="respondent", invited_by=owner)
    assert list(invitations_open(organization)) == [second.invitation]
    first.invitation.refresh_from_db()
    assert first.invitation.status == "revoked"


def test_accepting_makes_the_invited_user_a_member_with_the_invited_role(
    owner: User, organization: Organization
) -> None:
    issued = invitation_create(organization=organization, email="new@example.com", role="respondent", invited_by=owner)
    user = User.objects.create_user("New@example.com", "pw-new-user-123")  # letter case does not matter
    membership = invitation_accept(invitation=issued.invitation, user=user)
    assert (membership.user, membership.organization, membership.role) == (user, organization, "respondent")
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == "accepted"
    assert issued.invitation.accepted_by == user


def test_an_invitation_works_once(owner: User, organization: Organization) -> None:
    issued = invitation_create(organization=organization, email="new@example.com", role="viewer", invited_by=owner)
    user = User.objects.create_user("new@example.com", "pw-new-user-123")
    invitation_accept(invitation=issued.invitation, user=user)
    with pytest.raises(ServiceError, match="already been used"):
        invitation_accept(invitation=issued.invitation, user=user)


def test_someone_else_cannot_accept(owner: User, organization: Organization) -> None:
    issued = invitation_create(organization=organization, email="new@example.com", role="viewer", invited_by=owner)
    intruder = User.objects.create_user("intruder@example.com", "pw-intruder-12")
    with pytest.raises(NotAllowedError, match=r"new@example\.com"):
        invitation_accept(invitation=issued.invitation, user=intruder)
    assert not Membership.objects.filter(user=intruder).exists()


def test_expired_and_revoked_invitations_cannot_be_accepted(owner: User, organization: Organization) -> None:
    expired = invitation_create(organization=organization, email="a@example.com", role="viewer", invited_by=owner)
    Invitation.objects.filter(pk=expired.invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked = invitation_create(organization=organization, email="b@example.com", role="viewer", invited_by=owner)
    invitation_revoke(invitation=revoked.invitation, revoked_by=owner)
    for issued, email, message in ((expired, "a@example.com", "expired"), (revoked, "b@example.com", "withdrawn")):
        user = User.objects.create_user(email, "pw-member-12345")
        with pytest.raises(ServiceError, match=message):
            invitation_accept(invitation=issued.invitation, user=user)
    assert Membership.objects.filter(organization=organization).count() == 1


def test_an_existing_member_keeps_their_role_when_accepting(owner: User, organization: Organization) -> None:
    issued = invitation_create(organization=organization, email="new@example.com", role="viewer", invited_by=owner)
    user = User.objects.create_user("new@example.com", "pw-new-user-123")
    Membership.objects.create(user=user, organization=organization, role="respondent")
    assert invitation_accept(invitation=issued.invitation, user=user).role == "respondent"


def test_invitation_signup_creates_the_account_and_joins(owner: User, organization: Organization) -> None:
    issued = invitation_create(organization=organization, email="new@example.com", role="viewer", invited_by=owner)
    user = invitation_signup(invitation=issued.invitation, password="a-long-Passphrase-42")
    assert user.email == "new@example.com"
    assert user.check_password("a-long-Passphrase-42")
    assert Membership.objects.get(user=user).role == "viewer"


def test_invitation_signup_on_a_closed_invitation_creates_no_account(owner: User, organization: Organization) -> None:
    issued = invitation_create(organization=organization, email="new@example.com", role="viewer", invited_by=owner)
    invitation_revoke(invitation=issued.invitation, revoked_by=owner)
    with pytest.raises(ServiceError):
        invitation_signup(invitation=issued.invitation, password="a-long-Passphrase-42")
    assert not User.objects.filter(email="new@example.com").exists()


def test_only_owners_withdraw_and_accepted_invitations_stay(owner: User, organization: Organization) -> None:
    issued = invitation_create(organization=organization, email="new@example.com", role="viewer", invited_by=owner)
    viewer = member(organization, "viewer", "viewer@example.com").user
    with pytest.raises(NotAllowedError):
        invitation_revoke(invitation=issued.invitation, revoked_by=viewer)
    user = User.objects.create_user("new@example.com", "pw-new-user-123")
    invitation_accept(invitation=issued.invitation, user=user)
    with pytest.raises(ServiceError, match="already accepted"):
        invitation_revoke(invitation=issued.invitation, revoked_by=owner)


# --- roles and removal ------------------------------------------------------------------------


def test_an_owner_changes_a_role(owner: User, organization: Organization) -> None:
    colleague = member(organization, "viewer", "colleague@example.com")
    membership_role_change(membership=colleague, role="owner", changed_by=owner)
    colleague.refresh_from_db()
    assert colleague.role == "owner"


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_non_owners_change_no_roles(owner: User, organization: Organization, role: str) -> None:
    actor = member(organization, role, "actor@example.com").user
    with pytest.raises(NotAllowedError):
        membership_role_change(membership=owner_membership(owner, organization), role="viewer", changed_by=actor)
    with pytest.raises(NotAllowedError):
        membership_remove(membership=owner_membership(owner, organization), removed_by=actor)
    assert owner_membership(owner, organization).role == "owner"


def test_an_unknown_role_is_refused(owner: User, organization: Organization) -> None:
    colleague = member(organization, "viewer", "colleague@example.com")
    with pytest.raises(ValidationError):
        membership_role_change(membership=colleague, role="superuser", changed_by=owner)


def test_the_last_owner_cannot_step_down_or_leave(owner: User, organization: Organization) -> None:
    mine = owner_membership(owner, organization)
    with pytest.raises(ServiceError, match="last owner"):
        membership_role_change(membership=mine, role="viewer", changed_by=owner)
    with pytest.raises(ServiceError, match="last owner"):
        membership_remove(membership=mine, removed_by=owner)
    mine.refresh_from_db()
    assert mine.role == "owner"


def test_with_a_second_owner_the_first_may_step_down_and_leave(owner: User, organization: Organization) -> None:
    member(organization, "owner", "second@example.com")
    mine = owner_membership(owner, organization)
    membership_role_change(membership=mine, role="respondent", changed_by=owner)
    mine.refresh_from_db()
    assert mine.role == "respondent"
    with pytest.raises(NotAllowedError):  # no longer an owner, so no longer allowed to remove
        membership_remove(membership=mine, removed_by=owner)


def test_an_owner_removes_a_member(owner: User, organization: Organization) -> None:
    colleague = member(organization, "respondent", "colleague@example.com")
    membership_remove(membership=colleague, removed_by=owner)
    assert [m.user.email for m in organization_members(organization)] == ["owner@example.com"]


def test_members_are_listed_owners_first(owner: User, organization: Organization) -> None:
    member(organization, "viewer", "a-viewer@example.com")
    member(organization, "respondent", "z-respondent@example.com")
    assert [m.role for m in organization_members(organization)] == ["owner", "respondent", "viewer"]
