"""A consultancy's requests: its owners and leads assign a consultant to an enterprise that asked, or decline."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import ConsultantAssignment, Membership, Organization, User
from review.models import ConflictDeclaration, VerificationRequest
from review.services import verification_request_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(organization: Organization, owner: User, consultancy: Organization) -> VerificationRequest:
    return verification_request_create(
        organization=organization, consultancy=consultancy, requested_by=owner, message="希望三月前完成"
    )


def url(consultancy: Organization) -> str:
    return reverse("web:consultancy_requests", args=[consultancy.pk])


def assign_url(consultancy: Organization, asked: VerificationRequest) -> str:
    return reverse("web:consultancy_assign", args=[consultancy.pk, asked.pk])


def test_the_lead_sees_the_open_request_and_assigns_a_consultant(
    web_as: Callable[[User], Client],
    lead: User,
    consultant: User,
    consultancy: Organization,
    asked: VerificationRequest,
    organization: Organization,
) -> None:
    client = web_as(lead)
    html = client.get(url(consultancy)).content.decode()
    assert organization.name in html
    assert "希望三月前完成" in html
    assert consultant.email in html
    response = client.post(assign_url(consultancy, asked), {"consultant": consultant.pk})
    assert response.status_code == 302
    assignment = ConsultantAssignment.objects.get()
    assert (assignment.consultant, assignment.organization, assignment.assigned_by) == (consultant, organization, lead)
    asked.refresh_from_db()
    assert asked.status == "assigned"
    html = client.get(url(consultancy)).content.decode()
    assert "No request is waiting." in html
    assert reverse("web:consultancy_unassign", args=[consultancy.pk, assignment.pk]) in html


def test_a_conflict_is_refused_beside_the_request(
    web_as: Callable[[User], Client],
    lead: User,
    consultant: User,
    consultancy: Organization,
    asked: VerificationRequest,
    organization: Organization,
) -> None:
    ConflictDeclaration.objects.create(consultant=consultant, organization=organization, reason="曾提供咨询")
    response = web_as(lead).post(assign_url(consultancy, asked), {"consultant": consultant.pk})
    assert response.status_code == 409
    html = response.content.decode()
    assert f"{consultant.email} declared a conflict of interest with {organization.name}." in html
    assert 'class="form-errors refusal"' in html
    assert not ConsultantAssignment.objects.exists()


def test_choosing_nobody_or_an_outsider_is_refused(
    web_as: Callable[[User], Client], lead: User, owner: User, consultancy: Organization, asked: VerificationRequest
) -> None:
    client = web_as(lead)
    assert client.post(assign_url(consultancy, asked), {}).status_code == 422
    assert client.post(assign_url(consultancy, asked), {"consultant": owner.pk}).status_code == 422
    assert not ConsultantAssignment.objects.exists()


def test_the_lead_declines(
    web_as: Callable[[User], Client], lead: User, consultancy: Organization, asked: VerificationRequest
) -> None:
    response = web_as(lead).post(reverse("web:consultancy_decline", args=[consultancy.pk, asked.pk]))
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == ("declined", lead)


def test_the_lead_unassigns(
    web_as: Callable[[User], Client], lead: User, consultancy: Organization, assignment: ConsultantAssignment
) -> None:
    response = web_as(lead).post(reverse("web:consultancy_unassign", args=[consultancy.pk, assignment.pk]))
    assert response.status_code == 302
    assert not ConsultantAssignment.objects.exists()


def test_consultants_who_do_not_lead_get_403(
    web_as: Callable[[User], Client], consultant: User, consultancy: Organization, asked: VerificationRequest
) -> None:
    client = web_as(consultant)
    assert client.get(url(consultancy)).status_code == 403
    assert client.post(assign_url(consultancy, asked), {"consultant": consultant.pk}).status_code == 403
    assert not ConsultantAssignment.objects.exists()


def test_other_organisations_get_404(
    web_as: Callable[[User], Client],
    other_consultant: User,
    owner: User,
    consultancy: Organization,
    asked: VerificationRequest,
    organization: Organization,
) -> None:
    other_lead = User.objects.get(email="owner@other-firm.example")
    for user in (other_consultant, other_lead, owner):
        client = web_as(user)
        assert client.get(url(consultancy)).status_code == 404
        assert client.post(reverse("web:consultancy_decline", args=[consultancy.pk, asked.pk])).status_code == 404
    # An enterprise is no consultancy, even to its own owner.
    assert web_as(owner).get(url(organization)).status_code == 404
    asked.refresh_from_db()
    assert asked.status == "open"


def test_a_request_to_another_consultancy_is_404_from_this_one(
    web_as: Callable[[User], Client], lead: User, consultancy: Organization, asked: VerificationRequest
) -> None:
    other_firm = Organization.objects.create(
        name="另一所", sector="M", size_band="micro", province="32", kind="consultancy"
    )
    Membership.objects.create(user=lead, organization=other_firm, role="lead")
    response = web_as(lead).post(reverse("web:consultancy_decline", args=[other_firm.pk, asked.pk]))
    assert response.status_code == 404
