"""The enterprise's verification page: the directory of consultancies, asking one, requests and consultants."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Organization, User
from assessment.services.organizations import organization_create
from review.models import Notification, VerificationRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(consultancy: Organization, lead: User) -> Organization:
    """Two consultancies; 苏州数字化评估中心 with a description."""
    consultancy.description = "苏州市中小企业数字化转型试点城市评估机构 <b>认证</b>"
    consultancy.save(update_fields=["description"])
    other = organization_create(owner=lead, name="杭州智造咨询", sector="M", size_band="small", province="33")
    other.kind = Organization.Kind.CONSULTANCY
    other.save(update_fields=["kind"])
    return consultancy


@pytest.fixture
def web(client: Client, owner: User) -> Client:
    client.force_login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def url(organization: Organization) -> str:
    return reverse("web:org_verification", args=[organization.pk])


def page_of(client: Client, organization: Organization) -> str:
    response = client.get(url(organization))
    assert response.status_code == 200
    return response.content.decode()


def test_the_directory_names_each_consultancy_with_its_description_and_province(
    web: Client, organization: Organization, directory: Organization
) -> None:
    page = page_of(web, organization)
    assert '<span class="consultancy-name">杭州智造咨询</span>' in page
    assert '<span class="consultancy-name">苏州数字化评估中心</span>' in page
    assert "苏州市中小企业数字化转型试点城市评估机构 &lt;b&gt;认证&lt;/b&gt;" in page
    assert '<span class="consultancy-province">江苏省 Jiangsu</span>' in page
    assert page.index("杭州智造咨询") < page.index("苏州数字化评估中心")  # by name
    assert "测试精密制造有限公司" not in page[page.index('id="consultancies"') :]  # enterprises are not listed
    assert f'name="consultancy" value="{directory.pk}"' in page


def test_an_owner_asks_a_consultancy_and_its_leads_hear_of_it(
    web: Client, organization: Organization, directory: Organization, lead: User
) -> None:
    response = web.post(url(organization), {"consultancy": directory.pk, "message": "请核查2024年的评估"})
    assert response.status_code == 302
    request = VerificationRequest.objects.get()
    assert (request.organization, request.consultancy, request.message) == (
        organization,
        directory,
        "请核查2024年的评估",
    )
    assert Notification.objects.filter(recipient=lead).exists()
    page = page_of(web, organization)
    assert "Your request went to 苏州数字化评估中心" in page
    requests = page[page.index('id="requests"') : page.index("</table>", page.index('id="requests"'))]
    assert "苏州数字化评估中心" in requests
    assert '<span class="badge warn">waiting for a consultant</span>' in requests
    assert "请核查2024年的评估" in requests
    assert '<span class="badge warn">asked, waiting for an answer</span>' in page


def test_asking_twice_is_refused_with_a_message(
    web: Client, organization: Organization, directory: Organization
) -> None:
    web.post(url(organization), {"consultancy": directory.pk})
    response = web.post(url(organization), {"consultancy": directory.pk})
    assert response.status_code == 409
    assert "You have already asked 苏州数字化评估中心; they will answer." in response.content.decode()
    assert VerificationRequest.objects.count() == 1


def test_choosing_no_consultancy_is_refused(web: Client, organization: Organization, directory: Organization) -> None:
    response = web.post(url(organization), {"message": "x"})
    assert response.status_code == 422
    assert "Choose the consultancy to ask." in response.content.decode()


def test_an_enterprise_is_not_a_consultancy_to_ask(web: Client, organization: Organization) -> None:
    response = web.post(url(organization), {"consultancy": organization.pk})
    assert response.status_code == 422
    assert not VerificationRequest.objects.exists()


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_other_members_read_but_do_not_ask(
    client: Client, organization: Organization, directory: Organization, member: Callable[..., User], role: str
) -> None:
    client.force_login(member(role))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = page_of(client, organization)
    assert "苏州数字化评估中心" in page
    assert 'name="consultancy"' not in page
    assert "Only the organisation's owners can ask for verification." in page
    assert client.post(url(organization), {"consultancy": directory.pk}).status_code == 403
    assert not VerificationRequest.objects.exists()


def test_the_assigned_consultant_is_named_with_the_qualification(
    web: Client, organization: Organization, assignment: object
) -> None:
    page = page_of(web, organization)
    reviewers = page[page.index('id="reviewers"') : page.index("</ul>", page.index('id="reviewers"'))]
    assert '<strong class="reviewer-name">王立</strong>' in reviewers
    assert '<span class="reviewer-qualification">苏州市数字化评估师</span>' in reviewers
    assert "苏州数字化评估中心" in reviewers
    assert '<span class="badge ok">consultant assigned</span>' in page


def test_another_organisation_gets_404(stranger: Client, organization: Organization, directory: Organization) -> None:
    assert stranger.get(url(organization)).status_code == 404
    assert stranger.post(url(organization), {"consultancy": directory.pk}).status_code == 404
    assert not VerificationRequest.objects.exists()


def test_the_profile_and_the_navigation_link_here(web: Client, organization: Organization) -> None:
    profile = web.get(reverse("web:org_profile", args=[organization.pk])).content.decode()
    assert f'<a href="{url(organization)}">Ask a consultancy for verification</a>' in profile
    assert f'<li><a href="{url(organization)}">Verification</a></li>' in profile


def test_a_consultancy_does_not_ask(client: Client, lead: User, consultancy: Organization) -> None:
    client.force_login(lead)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = page_of(client, consultancy)
    assert "This organisation is a consultancy" in page
    assert 'name="consultancy"' not in page
    assert client.post(url(consultancy), {"consultancy": consultancy.pk}).status_code == 403
