"""The organisation profile: every member reads it, owners edit it, everyone else gets 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import ConsultantAssignment, Membership, Organization, User
from assessment.services.organizations import organization_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def member(organization: Organization, role: str, email: str = "colleague@example.com") -> User:
    user = User.objects.create_user(email, "pw-colleague-123")
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def profile_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "测试精密制造有限公司",
        "uscc": "",
        "sector": "C",
        "province": "32",
        "employees": "80",
        "annual_revenue": "1200.50",
        "total_assets": "900",
        "industry": "",
        "size_band": "small",
    }
    return {**data, **overrides}


def url(organization: Organization) -> str:
    return reverse("web:org_profile", args=[organization.pk])


def test_the_owner_sees_the_form_with_the_org_nav(owner_web: Client, organization: Organization) -> None:
    html = owner_web.get(url(organization)).content.decode()
    assert '<label for="id_name">' in html
    assert 'value="测试精密制造有限公司"' in html
    assert f'<a href="{url(organization)}" aria-current="page">Profile</a>' in html
    assert reverse("web:org_api_keys", args=[organization.pk]) in html


def test_the_owner_saves_the_profile(owner_web: Client, organization: Organization) -> None:
    response = owner_web.post(url(organization), profile_data(name="  新名称有限公司 ", uscc="91350100M000100Y43"))
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "新名称有限公司"
    assert organization.uscc == "91350100M000100Y43"
    assert organization.employees == 80
    assert organization.annual_revenue == Decimal("1200.50")
    assert "The profile is saved." in owner_web.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("employees", "eighty", "Enter a whole number."),
        ("employees", "-1", "greater than or equal to 0"),
        ("employees", "99999999999", "less than or equal to 2147483647"),
        ("annual_revenue", "-5", "greater than or equal to 0"),
        ("annual_revenue", "1e400", "no more than 14 digits in total"),
        ("total_assets", "lots", "Enter a number."),
        ("uscc", "91350100M000100Y44", "fails its check digit"),
        ("uscc", "123", "has 18 characters"),
        ("name", "长" * 201, "at most 200 characters"),
        ("name", "   ", "This field is required."),
        ("name", "Acme\u202eLtd", "Remove the invisible control character U+202E"),
        ("name", "Acme\u2069Ltd", "Remove the invisible control character U+2069"),
        ("total_assets", "-0.01", "greater than or equal to 0"),
        ("size_band", "gigantic", "Select a valid choice."),
        ("province", "99", "Select a valid choice."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_not_saved(
    owner_web: Client, organization: Organization, field: str, value: str, message: str
) -> None:
    response = owner_web.post(url(organization), profile_data(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    organization.refresh_from_db()
    assert organization.employees is None  # nothing of the post was saved


def test_a_uscc_of_another_organisation_is_refused(owner_web: Client, organization: Organization, owner: User) -> None:
    organization_create(
        owner=owner, name="Other", sector="C", size_band="small", province="11", uscc="91350100M000100Y43"
    )
    response = owner_web.post(url(organization), profile_data(uscc="91350100M000100Y43"))
    assert "Another organisation is already registered with this code." in response.content.decode()
    assert 'id="id_uscc_error"' in response.content.decode()


def test_the_header_keeps_the_saved_name_while_a_bad_form_is_shown(
    owner_web: Client, organization: Organization
) -> None:
    html = owner_web.post(url(organization), profile_data(name="Typed name", employees="x")).content.decode()
    assert "<h1>测试精密制造有限公司</h1>" in html
    assert 'value="Typed name"' in html


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_other_members_read_the_profile_without_a_form(client: Client, organization: Organization, role: str) -> None:
    client.force_login(member(organization, role))
    response = client.get(url(organization))
    html = response.content.decode()
    assert response.status_code == 200
    assert "测试精密制造有限公司" in html
    assert '<form method="post" class="card' not in html
    assert "Only the organisation's owners can change the profile." in html
    assert reverse("web:org_api_keys", args=[organization.pk]) not in html  # the nav hides owner pages


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_a_post_by_a_non_owner_is_403(client: Client, organization: Organization, role: str) -> None:
    client.force_login(member(organization, role))
    assert client.post(url(organization), profile_data(name="Hijacked")).status_code == 403
    organization.refresh_from_db()
    assert organization.name == "测试精密制造有限公司"


def test_an_assigned_consultant_reads_but_cannot_edit(client: Client, organization: Organization) -> None:
    consultant = User.objects.create_user("consultant@example.com", "pw-consultant-1")
    ConsultantAssignment.objects.create(consultant=consultant, organization=organization)
    client.force_login(consultant)
    assert client.get(url(organization)).status_code == 200
    assert client.post(url(organization), profile_data(name="Hijacked")).status_code == 403


def test_another_organisation_is_404(client: Client, organization: Organization) -> None:
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-12")
    client.force_login(stranger)
    assert client.get(url(organization)).status_code == 404
    assert client.post(url(organization), profile_data(name="Hijacked")).status_code == 404
    assert client.get(reverse("web:org_profile", args=[999999])).status_code == 404


def test_a_visitor_is_sent_to_log_in(client: Client, organization: Organization) -> None:
    response = client.get(url(organization))
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_the_read_only_profile_escapes_the_name(client: Client, owner: User) -> None:
    organization = organization_create(
        owner=owner, name="<b>Bold & Co</b>", sector="C", size_band="small", province="32"
    )
    client.force_login(member(organization, "viewer"))
    html = client.get(url(organization)).content.decode()
    assert "<b>Bold" not in html
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in html


def test_a_post_without_the_csrf_token_is_refused(owner: User, organization: Organization) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.post(url(organization), profile_data(name="Forged")).status_code == 403
    organization.refresh_from_db()
    assert organization.name == "测试精密制造有限公司"
