"""The consultant's profile and their declarations of conflicts of interest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import ConsultantAssignment, Organization, User
from review.models import ConflictDeclaration, ConsultantProfile

pytestmark = pytest.mark.django_db

PROFILE = reverse("web:review_profile")
CONFLICTS = reverse("web:review_conflict_add")


def test_a_consultant_updates_the_profile(consultant_web: Client, consultant: User) -> None:
    html = consultant_web.get(PROFILE).content.decode()
    assert 'value="王"' in html
    data = {
        "family_name": "王",
        "given_name": "立新",
        "qualification": "苏州市数字化评估师",
        "certificate_number": "SZ-2024-017",
    }
    assert consultant_web.post(PROFILE, data).status_code == 302
    profile = ConsultantProfile.objects.get(user=consultant)
    assert (str(profile), profile.certificate_number) == ("王立新", "SZ-2024-017")


def test_a_new_consultancy_member_creates_a_profile_and_missing_fields_are_marked(
    web_as: Callable[[User], Client], lead: User, consultancy: Organization
) -> None:
    client = web_as(lead)
    response = client.post(PROFILE, {"family_name": "李", "given_name": "", "qualification": ""})
    assert response.status_code == 422
    assert "field-error" in response.content.decode()
    assert not ConsultantProfile.objects.filter(user=lead).exists()
    data = {"family_name": "李", "given_name": "华", "qualification": "评估机构负责人", "certificate_number": ""}
    assert client.post(PROFILE, data).status_code == 302
    assert str(ConsultantProfile.objects.get(user=lead)) == "李华"


def test_conflicts_are_declared_with_an_assigned_enterprise_or_a_credit_code(
    consultant_web: Client, consultant: User, assignment: ConsultantAssignment, organization: Organization
) -> None:
    html = consultant_web.get(PROFILE).content.decode()
    assert f'<option value="{organization.pk}">{organization.name}</option>' in html
    response = consultant_web.post(CONFLICTS, {"organization": organization.pk, "reason": "曾提供咨询"})
    assert response.status_code == 302
    response = consultant_web.post(
        CONFLICTS, {"uscc": "91350100m000100y43", "company_name": "福州某公司", "reason": "亲属任职"}
    )
    assert response.status_code == 302
    declared = ConflictDeclaration.objects.filter(consultant=consultant).order_by("id")
    assert [(c.organization_id, c.uscc) for c in declared] == [(organization.pk, ""), (None, "91350100M000100Y43")]
    page = consultant_web.get(PROFILE).content.decode()
    assert "曾提供咨询" in page
    assert "福州某公司" in page


def test_a_conflict_must_name_someone_and_say_why(consultant_web: Client) -> None:
    response = consultant_web.post(CONFLICTS, {"reason": "原因"})
    assert response.status_code == 422
    assert "unified social credit code" in response.content.decode()
    assert consultant_web.post(CONFLICTS, {"uscc": "91350100M000100Y43"}).status_code == 422
    assert not ConflictDeclaration.objects.exists()


def test_only_enterprises_the_consultant_sees_can_be_chosen(consultant_web: Client, other_consultant: User) -> None:
    elsewhere = Organization.objects.get(name="别家企业")
    response = consultant_web.post(CONFLICTS, {"organization": elsewhere.pk, "reason": "x"})
    assert response.status_code == 422
    assert not ConflictDeclaration.objects.exists()


def test_enterprise_users_get_403(web_as: Callable[[User], Client], owner: User) -> None:
    client = web_as(owner)
    assert client.get(PROFILE).status_code == 403
    assert client.post(CONFLICTS, {"uscc": "91350100M000100Y43", "reason": "x"}).status_code == 403
