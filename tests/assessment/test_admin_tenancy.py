"""The admin for staff who are not superusers: every choice is one of their organisations' rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from assessment.models import (
    Assessment,
    ConsultantAssignment,
    FrameworkVersion,
    Membership,
    Organization,
    User,
)
from assessment.services.assessments import assessment_create
from assessment.services.organizations import organization_create

pytestmark = pytest.mark.django_db

PERMISSIONS = [
    f"{action}_{model}"
    for model in ("assessment", "organization", "membership", "consultantassignment")
    for action in ("view", "add", "change")
] + ["view_user"]


@pytest.fixture
def other(db: None) -> Organization:
    """Organisation B: its owner is no one the consultant may see."""
    b_owner = User.objects.create_user("b-owner@example.com", "pw-b-owner-123")
    return organization_create(owner=b_owner, name="别家企业有限公司", sector="C", size_band="small", province="11")


@pytest.fixture
def consultant(client: Client, organization: Organization) -> Client:
    """A browser logged in as staff assigned to organisation A only, allowed to edit assessments and organisations."""
    user = User.objects.create_user("staff-consultant@example.com", "pw-consultant-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=PERMISSIONS))
    ConsultantAssignment.objects.create(consultant=user, organization=organization)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def change_url(obj: Any) -> str:
    return f"/admin/assessment/{obj._meta.model_name}/{obj.pk}/change/"


def unchanged_form(client: Client, url: str) -> dict[str, Any]:
    """What the admin page would post back untouched: its form and every inline form, with their management forms."""
    response = client.get(url)
    assert response.status_code == 200
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def test_staff_cannot_make_another_organisations_assessment_the_previous_one(
    consultant: Client, organization: Organization, other: Organization, owner: User, miit: FrameworkVersion
) -> None:
    current = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    theirs = assessment_create(organization=other, framework_version=miit, created_by=other.memberships.get().user)
    data = {**unchanged_form(consultant, change_url(current)), "previous": theirs.pk}
    response = consultant.post(change_url(current), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert other.name not in html  # the refused id is not labelled with their organisation either
    current.refresh_from_db()
    assert current.previous_id is None


def test_staff_cannot_move_an_assessment_into_another_organisation(
    consultant: Client, organization: Organization, other: Organization, owner: User, miit: FrameworkVersion
) -> None:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    data = {**unchanged_form(consultant, change_url(assessment)), "organization": other.pk}
    response = consultant.post(change_url(assessment), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert other.name not in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.organization_id == organization.pk


def test_staff_cannot_add_an_assessment_for_another_organisation(
    consultant: Client, organization: Organization, other: Organization, owner: User, miit: FrameworkVersion
) -> None:
    data = {
        "organization": other.pk,
        "framework_version": miit.pk,
        "created_by": owner.pk,
        "answers-TOTAL_FORMS": "0",
        "answers-INITIAL_FORMS": "0",
    }
    response = consultant.post("/admin/assessment/assessment/add/", data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Assessment.objects.exists()


def test_staff_may_still_make_an_earlier_assessment_of_the_same_organisation_the_previous_one(
    consultant: Client, organization: Organization, owner: User, miit: FrameworkVersion
) -> None:
    earlier = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    current = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    data = {**unchanged_form(consultant, change_url(current)), "previous": earlier.pk}
    assert consultant.post(change_url(current), data).status_code == 302
    current.refresh_from_db()
    assert current.previous_id == earlier.pk


def test_not_even_a_superuser_makes_another_organisations_assessment_the_previous_one(
    admin_client: Client, organization: Organization, other: Organization, owner: User, miit: FrameworkVersion
) -> None:
    current = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    theirs = assessment_create(organization=other, framework_version=miit, created_by=other.memberships.get().user)
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    data = {**unchanged_form(admin_client, change_url(current)), "previous": theirs.pk}
    response = admin_client.post(change_url(current), data)
    assert response.status_code == 200
    assert "The previous assessment must be of the same organisation and framework." in response.content.decode()
    current.refresh_from_db()
    assert current.previous_id is None


def add_inline_row(client: Client, organization: Organization, prefix: str, **fields: Any) -> Any:
    """Post the organisation's change form back with one more row in the `prefix` inline."""
    data = unchanged_form(client, change_url(organization))
    added = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = added + 1
    data.update({f"{prefix}-{added}-{name}": value for name, value in fields.items()})
    return client.post(change_url(organization), data)


def test_staff_cannot_make_an_outsider_a_member_of_their_organisation(
    consultant: Client, organization: Organization, other: Organization
) -> None:
    outsider = other.memberships.get().user
    response = add_inline_row(consultant, organization, "memberships", user=outsider.pk, role=Membership.Role.OWNER)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(user=outsider, organization=organization).exists()


def test_staff_cannot_assign_an_outsider_as_consultant_to_their_organisation(
    consultant: Client, organization: Organization, other: Organization
) -> None:
    outsider = other.memberships.get().user
    response = add_inline_row(consultant, organization, "consultant_assignments", consultant=outsider.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ConsultantAssignment.objects.filter(consultant=outsider).exists()


def test_staff_list_and_search_only_the_people_of_their_organisations(
    consultant: Client, owner: User, other: Organization
) -> None:
    outsider = other.memberships.get().user
    people = consultant.get("/admin/assessment/user/").content.decode()
    assert owner.email in people
    assert outsider.email not in people
    found = consultant.get(
        "/admin/autocomplete/",
        {"app_label": "assessment", "model_name": "membership", "field_name": "user", "term": "example.com"},
    ).json()
    assert owner.email in [result["text"] for result in found["results"]]
    assert outsider.email not in [result["text"] for result in found["results"]]
