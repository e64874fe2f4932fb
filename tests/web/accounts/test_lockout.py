"""Who a failed log-in counts against: one account in any letter case, per address and from every address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import User

pytestmark = pytest.mark.django_db

OWNER_PASSWORD = "pw-owner-1234"  # tests/conftest.py's owner
CASINGS = ["owner@example.com", "OWNER@EXAMPLE.COM", "Owner@Example.com", "oWnEr@example.COM", "owner@EXAMPLE.com"]


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def log_in(client: Client, email: str, password: str, url: str = "/login/", **meta: str) -> int:
    return client.post(url, {"username": email, "password": password}, **meta).status_code


def test_failed_log_ins_in_any_letter_case_count_against_one_account(client: Client, owner: User) -> None:
    statuses = [log_in(client, email, "wrong") for email in CASINGS]
    assert statuses == [200, 200, 200, 200, 429]
    assert log_in(client, "OWNER@example.com", OWNER_PASSWORD) == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_log_in_counts_failures_in_any_letter_case_too(client: Client) -> None:
    User.objects.create_user("staff@example.com", "pw-staff-12345", is_staff=True)
    casings = ["staff@example.com", "STAFF@example.com", "Staff@Example.com", "sTaFf@example.com", "STAFF@EXAMPLE.COM"]
    statuses = [log_in(client, email, "wrong", "/admin/login/") for email in casings]
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post("/admin/login/", {"username": "Staff@example.com", "password": "pw-staff-12345"})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_on_the_site_and_in_the_admin_add_up(client: Client, owner: User) -> None:
    for email in CASINGS[:3]:
        log_in(client, email, "wrong")
    assert log_in(client, CASINGS[3], "wrong", "/admin/login/") == 200
    assert log_in(client, CASINGS[4], "wrong", "/admin/login/") == 429
    assert log_in(client, owner.email, OWNER_PASSWORD) == 429


def test_a_new_password_ends_a_lock_out_made_in_another_letter_case(
    client: Client, owner: User, mailoutbox: list[Any]
) -> None:
    for _attempt in range(5):
        log_in(client, "OWNER@EXAMPLE.COM", "wrong")
    client.post(reverse("web:password_reset"), {"email": owner.email})
    link = next(word for word in mailoutbox[0].body.split() if "/reset/" in word)
    form_page = client.get(link, follow=True)
    new_password = "fresh-Passphrase-77"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert log_in(client, "OWNER@EXAMPLE.COM", new_password) == 302


def test_one_address_guessing_an_account_does_not_lock_its_owner_out_elsewhere(client: Client, owner: User) -> None:
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    # However long it goes on, and whichever browser it claims to be.
    for attempt in range(30):
        log_in(client, CASINGS[attempt % 5], "wrong", HTTP_USER_AGENT=f"bot/{attempt}", **attacker)
    assert log_in(client, owner.email, OWNER_PASSWORD, **attacker) == 429
    assert log_in(Client(), owner.email, OWNER_PASSWORD, REMOTE_ADDR="198.51.100.7") == 302


def test_guessing_one_account_from_many_addresses_locks_it_at_every_address(client: Client, owner: User) -> None:
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"):
        for email in CASINGS:
            log_in(client, email, "wrong", REMOTE_ADDR=address)
    response = Client().post(
        "/login/",
        {"username": owner.email, "password": OWNER_PASSWORD},
        REMOTE_ADDR="198.51.100.7",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    assert "failed too often from several addresses" in response.content.decode()


def test_other_accounts_stay_open_when_one_is_locked_everywhere(client: Client, owner: User) -> None:
    User.objects.create_user("other@example.com", "pw-other-12345")
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"):
        for _attempt in range(5):
            log_in(client, owner.email, "wrong", REMOTE_ADDR=address)
    assert log_in(client, "other@example.com", "pw-other-12345", REMOTE_ADDR="203.0.113.1") == 302


def test_behind_a_trusted_proxy_one_client_cannot_lock_another_out(client: Client, owner: User, settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request reaches Django from the proxy
    for _attempt in range(5):
        log_in(client, owner.email, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert log_in(client, owner.email, OWNER_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy) == 429
    assert log_in(Client(), owner.email, OWNER_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy) == 302


def test_a_forwarded_address_is_ignored_unless_a_proxy_header_is_configured(client: Client, owner: User) -> None:
    statuses = [
        log_in(client, owner.email, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}") for attempt in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
