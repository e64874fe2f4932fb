"""The members page: everyone sees who is in; owners invite, change roles, remove and withdraw; links join."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Invitation, Membership, Organization, User
from assessment.services.accounts import invitation_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def member(organization: Organization, role: str, email: str = "colleague@example.com") -> Membership:
    user = User.objects.create_user(email, "pw-colleague-123")
    return Membership.objects.create(user=user, organization=organization, role=role)


def members_url(organization: Organization) -> str:
    return reverse("web:org_members", args=[organization.pk])


def accept_path(message: EmailMessage) -> str:
    match = re.search(r"https?://testserver(/invitations/[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


def invite(client: Client, organization: Organization, email: str = "new@example.com", role: str = "respondent") -> str:
    response = client.post(members_url(organization), {"email": email, "role": role})
    assert response.status_code == 302, response.content.decode()
    return response.url


# --- the list -----------------------------------------------------------------------------------


def test_owners_see_controls_with_labels(owner_web: Client, organization: Organization) -> None:
    colleague = member(organization, "viewer")
    html = owner_web.get(members_url(organization)).content.decode()
    assert "colleague@example.com" in html
    assert f'<label for="role-{colleague.pk}" class="visually-hidden">Role of colleague@example.com</label>' in html
    assert reverse("web:org_member_remove", args=[organization.pk, colleague.pk]) in html
    assert '<label for="id_email">' in html
    assert 'aria-current="page">Members</a>' in html


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_non_owners_see_the_list_without_controls(client: Client, organization: Organization, role: str) -> None:
    client.force_login(member(organization, role).user)
    html = client.get(members_url(organization)).content.decode()
    assert "owner@example.com" in html
    assert "colleague@example.com" in html
    assert "/role/" not in html
    assert "/remove/" not in html
    assert "Invite a colleague" not in html


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_non_owner_posts_are_403(client: Client, owner: User, organization: Organization, role: str) -> None:
    actor = member(organization, role)
    owners = Membership.objects.get(user=owner)
    issued = invitation_create(organization=organization, email="x@example.com", role="viewer", invited_by=owner)
    client.force_login(actor.user)
    pk = organization.pk
    assert client.post(members_url(organization), {"email": "y@example.com", "role": "viewer"}).status_code == 403
    assert client.post(reverse("web:org_member_role", args=[pk, owners.pk]), {"role": "viewer"}).status_code == 403
    assert client.post(reverse("web:org_member_remove", args=[pk, owners.pk])).status_code == 403
    assert client.post(reverse("web:org_invitation_revoke", args=[pk, issued.invitation.pk])).status_code == 403
    owners.refresh_from_db()
    assert owners.role == "owner"
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_another_organisations_members_are_404(client: Client, organization: Organization) -> None:
    client.force_login(User.objects.create_user("stranger@example.com", "pw-stranger-12"))
    assert client.get(members_url(organization)).status_code == 404
    assert client.post(members_url(organization), {"email": "me@example.com", "role": "viewer"}).status_code == 404


def test_a_member_id_of_another_organisation_is_404(owner_web: Client, owner: User, organization: Organization) -> None:
    other = Organization.objects.create(name="Other", sector="C", size_band="small", province="11")
    outsider = member(other, "viewer", "outsider@example.com")
    role_url = reverse("web:org_member_role", args=[organization.pk, outsider.pk])
    assert owner_web.post(role_url, {"role": "owner"}).status_code == 404
    assert owner_web.post(reverse("web:org_member_remove", args=[organization.pk, outsider.pk])).status_code == 404
    outsider.refresh_from_db()
    assert outsider.role == "viewer"


def test_get_is_not_allowed_on_the_action_urls(owner_web: Client, organization: Organization) -> None:
    colleague = member(organization, "viewer")
    assert owner_web.get(reverse("web:org_member_remove", args=[organization.pk, colleague.pk])).status_code == 405


# --- inviting and accepting ---------------------------------------------------------------------


def test_an_owner_invites_by_email(owner_web: Client, organization: Organization, mailoutbox: list) -> None:
    page = invite(owner_web, organization, "New.Colleague@example.com", "viewer")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["New.Colleague@example.com"]
    assert "测试精密制造有限公司" in message.subject
    assert "owner@example.com invites you to join 测试精密制造有限公司 as viewer" in message.body
    html = owner_web.get(page).content.decode()
    assert "Invitation sent to New.Colleague@example.com." in html
    assert "Pending invitations" in html
    assert "New.Colleague@example.com · viewer" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not an address", "role": "viewer"}, "Enter a valid email address."),
        ({"email": "x@example.com", "role": "owner"}, "Select a valid choice."),
        ({"email": "x@example.com", "role": "admin"}, "Select a valid choice."),
        ({"email": "owner@example.com", "role": "viewer"}, "already a member"),
        ({"email": "a" * 250 + "@example.com", "role": "viewer"}, "at most 254 characters"),
    ],
)
def test_bad_invitations_are_refused_on_the_form(
    owner_web: Client, organization: Organization, mailoutbox: list, data: dict[str, str], message: str
) -> None:
    response = owner_web.post(members_url(organization), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_a_logged_in_invitee_joins_with_one_click(
    owner_web: Client, organization: Organization, mailoutbox: list
) -> None:
    invite(owner_web, organization, "new@example.com", "respondent")
    path = accept_path(mailoutbox[0])
    invitee = User.objects.create_user("new@example.com", "pw-invitee-1234")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(invitee)
    html = client.get(path).content.decode()
    assert "Join 测试精密制造有限公司" in html
    assert "This invitation is for new@example.com, as respondent." in html
    response = client.post(path)
    assert response.status_code == 302
    assert response.url == reverse("web:org_home", args=[organization.pk])
    assert Membership.objects.get(user=invitee).role == "respondent"
    # The link is spent.
    spent = client.get(path)
    assert spent.status_code == 410
    assert "already been accepted" in spent.content.decode()


def test_a_visitor_without_an_account_creates_one_and_joins(
    owner_web: Client, organization: Organization, mailoutbox: list
) -> None:
    invite(owner_web, organization, "new@example.com", "viewer")
    path = accept_path(mailoutbox[0])
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    html = visitor.get(path).content.decode()
    assert '<label for="invited-email">Email address</label>' in html
    assert 'value="new@example.com" readonly' in html
    assert '<label for="id_new_password1">' in html
    response = visitor.post(path, {"new_password1": "pw", "new_password2": "pw"})
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
    # An email field in the post cannot change the invited address.
    password = "a-long-Passphrase-42"
    response = visitor.post(path, {"email": "evil@example.com", "new_password1": password, "new_password2": password})
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert Membership.objects.get(user=user).role == "viewer"
    assert not User.objects.filter(email="evil@example.com").exists()
    assert visitor.session["_auth_user_id"] == str(user.pk)


def test_a_visitor_with_an_account_is_asked_to_log_in(
    owner_web: Client, organization: Organization, mailoutbox: list
) -> None:
    User.objects.create_user("new@example.com", "pw-invitee-1234")
    invite(owner_web, organization, "new@example.com")
    path = accept_path(mailoutbox[0])
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    html = visitor.get(path).content.decode()
    assert f"{reverse('web:login')}?next={path}" in html
    assert visitor.post(path, {"new_password1": "x", "new_password2": "x"}).status_code == 200
    assert not Membership.objects.filter(user__email="new@example.com").exists()
    response = visitor.post(
        f"{reverse('web:login')}?next={path}", {"username": "new@example.com", "password": "pw-invitee-1234"}
    )
    assert response.url == path


def test_another_logged_in_account_cannot_accept(
    owner_web: Client, organization: Organization, mailoutbox: list
) -> None:
    invite(owner_web, organization, "new@example.com")
    path = accept_path(mailoutbox[0])
    response = owner_web.get(path)
    assert response.status_code == 403
    assert "You are logged in as owner@example.com" in response.content.decode()
    assert owner_web.post(path).status_code == 403
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize(
    ("state", "status", "message"),
    [
        ("expired", 410, "It has expired."),
        ("revoked", 410, "withdrawn by the organisation"),
        ("unknown", 404, "The link is not valid."),
    ],
)
def test_closed_links_say_why(
    client: Client, owner: User, organization: Organization, state: str, status: int, message: str
) -> None:
    issued = invitation_create(organization=organization, email="new@example.com", role="viewer", invited_by=owner)
    token = issued.token
    if state == "expired":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    elif state == "revoked":
        Invitation.objects.update(revoked_at=timezone.now())
    else:
        token = "not-a-token"
    response = client.get(reverse("web:invitation_accept", args=[token]))
    assert response.status_code == status
    assert message in response.content.decode()
    response = client.post(
        reverse("web:invitation_accept", args=[token]),
        {"new_password1": "a-long-Passphrase-42", "new_password2": "a-long-Passphrase-42"},
    )
    assert response.status_code == status
    assert not User.objects.filter(email="new@example.com").exists()


def test_an_owner_withdraws_an_invitation(owner_web: Client, owner: User, organization: Organization) -> None:
    issued = invitation_create(organization=organization, email="new@example.com", role="viewer", invited_by=owner)
    response = owner_web.post(reverse("web:org_invitation_revoke", args=[organization.pk, issued.invitation.pk]))
    assert "The invitation to new@example.com is withdrawn." in owner_web.get(response.url).content.decode()
    assert Client().get(reverse("web:invitation_accept", args=[issued.token])).status_code == 410


def test_a_failing_mail_server_is_reported_not_a_500(
    owner_web: Client, organization: Organization, settings: object
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # type: ignore[attr-defined]
    page = invite(owner_web, organization)
    assert "the email could not be sent" in owner_web.get(page).content.decode()
    assert Invitation.objects.count() == 1


# --- roles and removal --------------------------------------------------------------------------


def test_an_owner_changes_a_role_on_the_page(owner_web: Client, organization: Organization) -> None:
    colleague = member(organization, "viewer")
    response = owner_web.post(reverse("web:org_member_role", args=[organization.pk, colleague.pk]), {"role": "owner"})
    colleague.refresh_from_db()
    assert colleague.role == "owner"
    assert "colleague@example.com is now owner." in owner_web.get(response.url).content.decode()


def test_an_unknown_role_value_is_refused_with_a_message(owner_web: Client, organization: Organization) -> None:
    colleague = member(organization, "viewer")
    url = reverse("web:org_member_role", args=[organization.pk, colleague.pk])
    response = owner_web.post(url, {"role": "superuser"}, follow=True)
    assert response.status_code == 200
    assert "Choose owner, respondent or viewer." in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.role == "viewer"


def test_the_last_owner_is_refused_with_a_message(owner_web: Client, owner: User, organization: Organization) -> None:
    mine = Membership.objects.get(user=owner)
    response = owner_web.post(reverse("web:org_member_remove", args=[organization.pk, mine.pk]), follow=True)
    assert "is the last owner and cannot be removed" in response.content.decode()
    response = owner_web.post(
        reverse("web:org_member_role", args=[organization.pk, mine.pk]), {"role": "viewer"}, follow=True
    )
    assert "is the last owner: make someone else an owner first." in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == "owner"


def test_an_owner_removes_a_member(owner_web: Client, organization: Organization) -> None:
    colleague = member(organization, "respondent")
    response = owner_web.post(reverse("web:org_member_remove", args=[organization.pk, colleague.pk]), follow=True)
    assert "colleague@example.com is no longer a member." in response.content.decode()
    assert not Membership.objects.filter(pk=colleague.pk).exists()


def test_an_owner_with_a_co_owner_may_leave(owner_web: Client, owner: User, organization: Organization) -> None:
    member(organization, "owner", "co-owner@example.com")
    mine = Membership.objects.get(user=owner)
    response = owner_web.post(reverse("web:org_member_remove", args=[organization.pk, mine.pk]))
    assert response.url == reverse("web:home")
    assert owner_web.get(members_url(organization)).status_code == 404


def test_member_emails_are_escaped(owner_web: Client, organization: Organization) -> None:
    member(organization, "viewer", '"><script>x</script>@example.com')
    html = owner_web.get(members_url(organization)).content.decode()
    assert "<script>x</script>" not in html
