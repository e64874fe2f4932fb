"""Log-in, log-out, the lock-out after repeated failures (django-axes) and the password-reset flow."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import User

pytestmark = pytest.mark.django_db

OWNER_PASSWORD = "pw-owner-1234"  # tests/conftest.py's owner


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def log_in(client: Client, email: str, password: str) -> int:
    return client.post(reverse("web:login"), {"username": email, "password": password}).status_code


def test_the_login_page_labels_its_inputs_and_links_to_reset_and_signup(client: Client) -> None:
    html = client.get(reverse("web:login")).content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert reverse("web:password_reset") in html
    assert reverse("web:signup") in html


def test_the_right_password_logs_in_and_log_out_ends_the_session(client: Client, owner: User) -> None:
    response = client.post(reverse("web:login"), {"username": owner.email, "password": OWNER_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("web:home")
    assert client.session["_auth_user_id"] == str(owner.pk)
    response = client.post(reverse("web:logout"))
    assert response.url == reverse("web:login")
    assert "_auth_user_id" not in client.session


def test_the_email_address_logs_in_in_any_letter_case(client: Client, owner: User) -> None:
    assert log_in(client, owner.email.upper(), OWNER_PASSWORD) == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_wrong_password_shows_an_error_on_the_page(client: Client, owner: User) -> None:
    response = client.post(reverse("web:login"), {"username": owner.email, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct email address and password." in response.content.decode()


def test_five_failures_lock_the_account_out_even_for_the_right_password(client: Client, owner: User) -> None:
    statuses = [log_in(client, owner.email, f"wrong-{attempt}") for attempt in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post(reverse("web:login"), {"username": owner.email, "password": OWNER_PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed log-ins" in html
    assert "After 5 failed attempts" in html
    assert "Try again in 15 minutes." in html
    assert reverse("web:password_reset") in html
    assert "_auth_user_id" not in client.session


def test_the_lock_out_is_per_account_and_address(client: Client, owner: User) -> None:
    User.objects.create_user("other@example.com", "pw-other-12345")
    for attempt in range(5):
        log_in(client, owner.email, f"wrong-{attempt}")
    assert log_in(client, "other@example.com", "pw-other-12345") == 302


def reset_link(email_body: str) -> str:
    match = re.search(r"https?://testserver(/reset/\S+/)", email_body)
    assert match, email_body
    return match.group(1)


def test_the_password_reset_flow_sets_a_new_password(client: Client, owner: User, mailoutbox: list) -> None:
    response = client.post(reverse("web:password_reset"), {"email": "OWNER@example.com"})
    assert response.url == reverse("web:password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [owner.email]
    assert "Reset your password" in message.subject
    link = reset_link(message.body)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    new_password = "fresh-Passphrase-77"
    response = client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.url == reverse("web:password_reset_complete")
    assert "Log in with your new password." in client.get(response.url).content.decode()

    assert log_in(client, owner.email, OWNER_PASSWORD) == 200  # the old one no longer works
    assert log_in(client, owner.email, new_password) == 302
    # The link works once.
    assert "This link does not work any more" in client.get(link, follow=True).content.decode()


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client: Client, mailoutbox: list) -> None:
    response = client.post(reverse("web:password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("web:password_reset_done")
    assert mailoutbox == []


def test_a_new_password_ends_a_lock_out(client: Client, owner: User, mailoutbox: list) -> None:
    for attempt in range(5):
        log_in(client, owner.email, f"wrong-{attempt}")
    client.post(reverse("web:password_reset"), {"email": owner.email})
    form_page = client.get(reset_link(mailoutbox[0].body), follow=True)
    new_password = "fresh-Passphrase-77"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert log_in(client, owner.email, new_password) == 302


def test_a_weak_new_password_is_refused(client: Client, owner: User, mailoutbox: list) -> None:
    client.post(reverse("web:password_reset"), {"email": owner.email})
    form_page = client.get(reset_link(mailoutbox[0].body), follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
