"""Sign-up, password reset and invitations: limited per address and per account; over a limit nothing happens."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Invitation, Organization, User
from assessment.services.organizations import organization_create
from tests.web.accounts.test_signup import signup_data

pytestmark = pytest.mark.django_db

RESET_URL = "/password-reset/"
SIGNUP_URL = "/signup/"


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def assert_refused(response: Any, message: str) -> None:
    """Status 429, the page with its form and the reason, and a wait of at most an hour."""
    assert response.status_code == 429
    html = response.content.decode()
    assert message in html
    assert "Try again in" in html
    assert "<form" in html
    assert 0 < int(response["Retry-After"]) <= 3600


def test_the_sixth_reset_request_from_one_address_in_an_hour_is_refused_and_sends_nothing(
    client: Client, owner: User, mailoutbox: list[Any]
) -> None:
    for number in range(5):
        assert client.post(RESET_URL, {"email": f"someone-{number}@example.com"}).status_code == 302
    response = client.post(RESET_URL, {"email": owner.email})
    assert_refused(response, "Too many password-reset requests for this email address or from your network")
    assert f'value="{owner.email}"' in response.content.decode()  # the form keeps what was typed
    assert mailoutbox == []


def test_the_fourth_reset_request_for_one_email_is_refused_from_any_address_and_in_any_letter_case(
    client: Client, owner: User, mailoutbox: list[Any]
) -> None:
    for number, email in enumerate(["owner@example.com", "OWNER@example.com", "Owner@Example.COM"]):
        assert client.post(RESET_URL, {"email": email}, REMOTE_ADDR=f"203.0.113.{number}").status_code == 302
    assert len(mailoutbox) == 3
    response = client.post(RESET_URL, {"email": "owner@EXAMPLE.com"}, REMOTE_ADDR="198.51.100.7")
    assert_refused(response, "no email was sent")
    assert len(mailoutbox) == 3


def test_resets_for_an_address_without_an_account_are_counted_the_same(client: Client) -> None:
    """A refusal must not tell whether an account exists."""
    for number in range(3):
        client.post(RESET_URL, {"email": "Nobody@example.com"}, REMOTE_ADDR=f"203.0.113.{number}")
    assert client.post(RESET_URL, {"email": "nobody@example.com"}, REMOTE_ADDR="198.51.100.7").status_code == 429


def test_the_refusal_is_worded_in_chinese_for_chinese_readers(client: Client) -> None:
    for number in range(3):
        client.post(RESET_URL, {"email": "someone@example.com"}, REMOTE_ADDR=f"203.0.113.{number}")
    response = client.post(RESET_URL, {"email": "someone@example.com"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    html = response.content.decode()
    assert "未发送邮件" in html
    assert "分钟后重试" in html


def test_the_eleventh_sign_up_from_one_address_in_an_hour_is_refused_and_creates_nothing(client: Client) -> None:
    for number in range(10):
        data = signup_data(email=f"founder-{number}@example.com", password2="does-not-match")
        assert client.post(SIGNUP_URL, data).status_code == 200  # refused by the form, but counted
    response = client.post(SIGNUP_URL, signup_data())
    assert_refused(response, "Too many sign-ups from your network: nothing was created.")
    assert 'value="founder@example.com"' in response.content.decode()
    assert not User.objects.filter(email="founder@example.com").exists()
    assert not Organization.objects.exists()
    assert "_auth_user_id" not in client.session
    assert Client().post(SIGNUP_URL, signup_data(), REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_refused_sign_up_does_not_say_whether_the_address_has_an_account(client: Client, owner: User) -> None:
    for _attempt in range(10):
        client.post(SIGNUP_URL, signup_data(email="someone@example.com", password2="does-not-match"))
    response = client.post(SIGNUP_URL, signup_data(email=owner.email))
    assert response.status_code == 429
    assert "already exists" not in response.content.decode()


def invite(client: Client, organization: Organization, email: str, **meta: str) -> Any:
    return client.post(reverse("web:org_members", args=[organization.pk]), {"email": email, "role": "viewer"}, **meta)


def test_the_31st_invitation_from_one_owner_in_an_hour_is_refused_and_nothing_is_sent(
    owner_web: Client, organization: Organization, mailoutbox: list[Any]
) -> None:
    for number in range(30):
        assert invite(owner_web, organization, f"colleague-{number}@example.com").status_code == 302
    response = invite(owner_web, organization, "one-more@example.com", REMOTE_ADDR="198.51.100.7")
    assert_refused(response, "Too many invitations sent from your account or network: this one was not sent.")
    assert 'value="one-more@example.com"' in response.content.decode()
    assert not Invitation.objects.filter(email="one-more@example.com").exists()
    assert len(mailoutbox) == 30


def test_invitations_from_one_address_are_limited_across_owners(
    client: Client, owner: User, organization: Organization, settings: Any
) -> None:
    settings.INVITATION_LIMIT_PER_ADDRESS = 2
    other_owner = User.objects.create_user("other-owner@example.com", "pw-other-12345")
    other = organization_create(owner=other_owner, name="别家企业", sector="C", size_band="small", province="11")
    client.force_login(owner)
    assert invite(client, organization, "a@example.com").status_code == 302
    assert invite(client, organization, "b@example.com").status_code == 302
    client.force_login(other_owner)
    assert invite(client, other, "c@example.com").status_code == 429
    assert invite(client, other, "c@example.com", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_limits_let_everything_through_with_a_warning_when_the_cache_is_down(
    client: Client, owner: User, mailoutbox: list[Any], settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # A real Redis client against a port nobody listens on.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with caplog.at_level(logging.WARNING, logger="web.rate_limits"):
        statuses = [client.post(RESET_URL, {"email": owner.email}).status_code for _attempt in range(7)]
        signed_up = client.post(SIGNUP_URL, signup_data())
    assert statuses == [302] * 7
    assert len(mailoutbox) == 7
    assert signed_up.status_code == 302
    assert "Rate limit password-reset-address not applied: the cache cannot be reached." in caplog.text
    assert "Rate limit signup-address not applied" in caplog.text
