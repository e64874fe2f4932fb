"""Sign-up: one form makes the account and its organisation, or neither; the size band can be suggested."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Membership, Organization, User

pytestmark = pytest.mark.django_db

VALID_USCC = "91350100M000100Y43"


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def signup_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "email": "founder@example.com",
        "password1": "a-long-Passphrase-42",
        "password2": "a-long-Passphrase-42",
        "name": "宁波精工机械有限公司",
        "uscc": "",
        "sector": "C",
        "province": "33",
        "employees": "350",
        "annual_revenue": "5000",
        "total_assets": "",
        "industry": "",
        "size_band": "",
    }
    return {**data, **overrides}


def test_signup_page_labels_every_input(client: Client) -> None:
    html = client.get(reverse("web:signup")).content.decode()
    for name in ("email", "password1", "password2", "name", "uscc", "sector", "province", "employees", "size_band"):
        assert f'<label for="id_{name}"' in html, name
    assert 'name="csrfmiddlewaretoken"' in html


def test_signup_creates_the_owner_and_the_classified_organisation_and_logs_in(client: Client) -> None:
    response = client.post(reverse("web:signup"), signup_data())
    assert response.status_code == 302
    assert response.url == reverse("web:home")
    user = User.objects.get(email="founder@example.com")
    organization = Organization.objects.get()
    assert organization.name == "宁波精工机械有限公司"
    assert organization.size_band == "medium"  # 350 people and 5000 万元 in manufacturing: medium
    assert Membership.objects.get(organization=organization).role == "owner"
    assert Membership.objects.get().user == user
    assert client.get(reverse("web:org_profile", args=[organization.pk])).status_code == 200


def test_a_chosen_size_band_is_kept(client: Client) -> None:
    client.post(reverse("web:signup"), signup_data(size_band="large", employees="", annual_revenue=""))
    assert Organization.objects.get().size_band == "large"


def test_the_industry_changes_the_classification(client: Client) -> None:
    data = signup_data(sector="F", industry="wholesale", employees="50", annual_revenue="500")
    client.post(reverse("web:signup"), data)
    assert Organization.objects.get().size_band == "micro"  # retail, the default for F, would be medium


def test_a_duplicate_email_is_refused_in_any_letter_case(client: Client, owner: User) -> None:
    response = client.post(reverse("web:signup"), signup_data(email="Owner@EXAMPLE.com"))
    assert response.status_code == 200
    assert "An account with this email address already exists" in response.content.decode()
    assert not Organization.objects.exists()


def test_errors_are_shown_next_to_their_fields_and_nothing_is_created(client: Client) -> None:
    data = signup_data(
        password2="something-else-42",
        employees="many",
        uscc="91350100M000100Y44",  # wrong check digit
        name="x" * 201,
    )
    response = client.post(reverse("web:signup"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The two password fields didn\u2019t match." in html
    assert "Enter a whole number." in html
    assert "This unified social credit code fails its check digit." in html
    assert "Ensure this value has at most 200 characters" in html
    assert 'id="id_employees_error"' in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.exists()
    assert not Organization.objects.exists()


def test_a_weak_password_is_refused(client: Client) -> None:
    response = client.post(reverse("web:signup"), signup_data(password1="12345678", password2="12345678"))
    assert "This password is too common." in response.content.decode()
    assert not User.objects.exists()


def test_unclassifiable_figures_leave_nothing_half_created(client: Client) -> None:
    # Manufacturing with 500 people needs the revenue to decide; the service refuses after the account was made.
    response = client.post(reverse("web:signup"), signup_data(employees="500", annual_revenue=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "annual revenue figure is needed" in html
    assert not User.objects.exists()
    assert not Organization.objects.exists()


def test_a_valid_uscc_is_stored_compact(client: Client) -> None:
    client.post(reverse("web:signup"), signup_data(uscc="91350100m000100y43 "))
    assert Organization.objects.get().uscc == VALID_USCC


def test_an_unknown_sector_or_industry_is_a_field_error(client: Client) -> None:
    response = client.post(reverse("web:signup"), signup_data(sector="Z", industry="rockets"))
    html = response.content.decode()
    assert "Select a valid choice." in html
    assert not User.objects.exists()


def test_an_industry_outside_the_sector_is_refused(client: Client) -> None:
    response = client.post(reverse("web:signup"), signup_data(sector="C", industry="wholesale"))
    assert "This industry does not belong to section C." in response.content.decode()


def test_user_text_is_escaped(client: Client) -> None:
    response = client.post(reverse("web:signup"), signup_data(name="<script>alert(1)</script>", employees="x"))
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_logged_in_user_is_sent_home(owner_web: Client) -> None:
    assert owner_web.get(reverse("web:signup")).url == reverse("web:home")


# --- the size-band suggestion -----------------------------------------------------------------


def suggest(client: Client, **figures: str) -> str:
    response = client.get(reverse("web:size_band_suggest"), figures, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_suggestion_names_the_band_and_the_limits_that_decided_it(client: Client) -> None:
    html = suggest(client, sector="C", employees="350", annual_revenue="5000")
    assert "Suggested size band: medium" in html
    assert "at least 300 employees and annual revenue of at least 2000 (10k CNY)" in html  # what medium needs
    assert "A large enterprise would need at least 1000 employees" in html
    assert "工业" in html


def test_a_micro_enterprise_is_told_what_small_needs(client: Client) -> None:
    html = suggest(client, sector="C", employees="5", annual_revenue="100")
    assert "Suggested size band: micro" in html
    assert "below the small-enterprise limits" in html
    assert "A small enterprise would need at least 20 employees and annual revenue of at least 300" in html


def test_missing_figures_are_named(client: Client) -> None:
    html = suggest(client, sector="E", annual_revenue="7000")
    assert "Not enough figures" in html
    assert "Total assets" in html


def test_an_uncovered_sector_asks_for_a_choice(client: Client) -> None:
    assert "do not cover this sector" in suggest(client, sector="J", employees="10")


def test_bad_figures_get_a_message_not_an_error(client: Client) -> None:
    html = suggest(client, sector="C", employees="-3", annual_revenue="lots")
    assert "The figures cannot be used yet" in html
    assert "Enter a number." in html
    assert "greater than or equal to 0" in html


def test_the_suggestion_agrees_with_the_classifier(client: Client) -> None:
    html = suggest(client, sector="I", employees="10", annual_revenue=str(Decimal("49.99")))
    assert "Suggested size band: micro" in html
