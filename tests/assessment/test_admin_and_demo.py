from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from assessment.models import (
    Assessment,
    ConsultantAssignment,
    FrameworkVersion,
    Membership,
    Organization,
    Question,
    User,
)
from assessment.services.assessments import assessment_create
from assessment.services.organizations import organization_create
from review.models import VerificationRequest

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_account_and_prints_working_credentials(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("seed_demo")
    out = capsys.readouterr().out
    credentials = json.loads((settings.VAR_DIR / "demo-credentials.json").read_text())
    for role in ("owner", "lead", "consultant", "admin"):
        assert f"password: {credentials[role]}" in out
    owner = User.objects.get(email="owner@demo.example")
    assert Membership.objects.get(user=owner).role == Membership.Role.OWNER
    for email in ("owner@demo.example", "lead@demo.example", "consultant@demo.example"):
        logged_in = client.post("/login/", {"username": email, "password": credentials[email.split("@")[0]]})
        assert (logged_in.status_code, client.session.get("_auth_user_id")) == (
            302,
            str(User.objects.get(email=email).pk),
        )
        client.logout()

    call_command("seed_demo")  # idempotent: the same accounts and passwords
    assert User.objects.filter(email__endswith="@demo.example").count() == 4
    assert f"password: {credentials['owner']}" in capsys.readouterr().out


def test_seed_demo_has_a_consultancy_whose_lead_assigned_its_consultant_to_the_demo_enterprise(
    miit: FrameworkVersion, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("seed_demo")
    consultancy = Organization.objects.get(name="苏州数字化转型评估中心")
    assert consultancy.kind == Organization.Kind.CONSULTANCY
    lead = User.objects.get(email="lead@demo.example")
    consultant = User.objects.get(email="consultant@demo.example")
    roles = dict(Membership.objects.filter(organization=consultancy).values_list("user__email", "role"))
    assert roles == {"lead@demo.example": "owner", "consultant@demo.example": "consultant"}
    assert roles["lead@demo.example"] in Membership.LEADS  # a lead: assigns the consultancy's consultants
    assert str(consultant.consultant_profile) == "王立"
    assert consultant.consultant_profile.certificate_number
    enterprise = Organization.objects.get(name="示范机械制造有限公司")
    [assignment] = ConsultantAssignment.objects.filter(consultant=consultant)
    assert (assignment.organization, assignment.consultancy, assignment.assigned_by) == (enterprise, consultancy, lead)
    [request] = VerificationRequest.objects.filter(organization=enterprise)
    assert (request.consultancy, request.status) == (consultancy, VerificationRequest.Status.ASSIGNED)
    [assessment] = Assessment.objects.filter(organization=enterprise)
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.framework_version == miit
    assert "Demo assessment" in capsys.readouterr().out
    # The consultant's queue has it: the assignment makes the enterprise's assessments visible to them.
    assert list(Assessment.objects.visible_to(consultant)) == [assessment]

    call_command("seed_demo")  # idempotent: nothing is made twice
    assert ConsultantAssignment.objects.filter(consultant=consultant).count() == 1
    assert VerificationRequest.objects.filter(organization=enterprise).count() == 1
    assert Assessment.objects.filter(organization=enterprise).count() == 1
    assert Organization.objects.filter(name="苏州数字化转型评估中心").count() == 1


def test_seed_demo_moves_an_older_demos_direct_assignment_under_the_consultancy(miit: FrameworkVersion) -> None:
    consultant = User.objects.create_user("consultant@demo.example")
    owner = User.objects.create_user("owner@demo.example")
    enterprise = organization_create(
        owner=owner, name="示范机械制造有限公司", sector="C", size_band="small", province="32"
    )
    ConsultantAssignment.objects.create(consultant=consultant, organization=enterprise)
    call_command("seed_demo")
    [assignment] = ConsultantAssignment.objects.filter(consultant=consultant)
    assert assignment.consultancy == Organization.objects.get(name="苏州数字化转型评估中心")


def test_the_admin_lists_both_frameworks_and_every_question_in_both_languages(
    admin_client: Client, miit: FrameworkVersion, eu_dma: FrameworkVersion
) -> None:
    response = admin_client.get("/admin/assessment/frameworkversion/")
    assert response.status_code == 200
    assert "miit-2024-manufacturing@2024" in response.content.decode()
    assert "eu-dma@2024" in response.content.decode()

    for version in (miit, eu_dma):
        response = admin_client.get(f"/admin/assessment/question/?version__id__exact={version.pk}&all=")
        page = response.content.decode()
        questions = Question.objects.filter(version=version)
        assert questions.count() > 20
        for question in questions:
            assert question.text_en.split("\n")[0][:30].replace("&", "&amp;").replace("'", "&#x27;") in page


def test_the_admin_shows_a_published_question_read_only(admin_client: Client, miit: FrameworkVersion) -> None:
    question = Question.objects.get(version=miit, key="F1")
    response = admin_client.get(f"/admin/assessment/question/{question.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "企业网络建设连接情况" in page
    assert 'name="_save"' not in page
    assert admin_client.post(f"/admin/assessment/question/{question.pk}/change/", {"text_en": "x"}).status_code == 403


def test_staff_who_are_not_superusers_see_only_their_organisations_in_the_admin(
    client: Any, organization: Organization, owner: User, miit: FrameworkVersion
) -> None:
    from django.contrib.auth.models import Permission

    consultant = User.objects.create_user("staff-consultant@example.com", "pw-consultant-1", is_staff=True)
    consultant.user_permissions.set(Permission.objects.filter(codename__in=["view_organization", "view_assessment"]))
    other = organization_create(owner=owner, name="别家企业", sector="C", size_band="small", province="11")
    ConsultantAssignment.objects.create(consultant=consultant, organization=organization)
    assessment_create(organization=other, framework_version=miit, created_by=owner)
    client.force_login(consultant)
    organizations = client.get("/admin/assessment/organization/").content.decode()
    assert organization.name in organizations
    assert other.name not in organizations
    assert client.get(f"/admin/assessment/organization/{other.pk}/change/").status_code == 302  # "does not exist"
    assert other.name not in client.get("/admin/assessment/assessment/").content.decode()
