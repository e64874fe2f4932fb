"""The consultant's queue: the assigned enterprises' submitted assessments, newest first, with filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Assessment, ConsultantAssignment, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from assessment.services.organizations import organization_create
from review.services import review_item_set
from tests.helpers import submit_filling_gaps

pytestmark = pytest.mark.django_db

QUEUE = reverse("web:review_queue")


@pytest.fixture
def second(miit: FrameworkVersion, consultant: User, assignment: ConsultantAssignment) -> Assessment:
    """A second enterprise the consultant verifies (assigned by an operator), its assessment submitted later."""
    owner = User.objects.create_user("owner@second.example", "pw-second-12345")
    enterprise = organization_create(owner=owner, name="宁波第二机械", sector="C", size_band="small", province="33")
    ConsultantAssignment.objects.create(consultant=consultant, organization=enterprise)
    assessment = submit_filling_gaps(
        assessment_create(organization=enterprise, framework_version=miit, created_by=owner), owner
    )
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=timezone.now() + timedelta(hours=1))
    return assessment


def rows(client: Client, **filters: str) -> list[str]:
    """The assessments listed, as their "Review #n" links, in the page's order."""
    html = client.get(QUEUE, filters).content.decode()
    return [part.split('"')[0] for part in html.split('href="/review/assessments/')[1:]]


def test_newest_submission_first_and_drafts_left_out(
    consultant_web: Client,
    under_review: Assessment,
    second: Assessment,
    organization: Organization,
    owner: User,
    miit: FrameworkVersion,
) -> None:
    assessment_create(organization=organization, framework_version=miit, created_by=owner)  # a draft
    assert rows(consultant_web) == [f"{second.pk}/", f"{under_review.pk}/"]


def test_filters_by_status_and_enterprise(consultant_web: Client, under_review: Assessment, second: Assessment) -> None:
    assert rows(consultant_web, status="submitted") == [f"{second.pk}/"]
    assert rows(consultant_web, status="under_review") == [f"{under_review.pk}/"]
    assert rows(consultant_web, organization=str(under_review.organization_id)) == [f"{under_review.pk}/"]
    assert rows(consultant_web, status="finalized") == []
    assert "No assessment matches these filters." in consultant_web.get(QUEUE, {"status": "finalized"}).content.decode()
    # An enterprise the consultant does not verify is no filter at all, and shows nothing of it.
    assert rows(consultant_web, organization="999999") == [f"{second.pk}/", f"{under_review.pk}/"]


def test_each_row_shows_the_enterprise_framework_status_waiting_time_and_verdicts(
    consultant_web: Client, under_review: Assessment, consultant: User
) -> None:
    for key in ("F1", "F3"):
        review_item_set(assessment=under_review, reviewer=consultant, question_key=key, verdict="verified")
    html = consultant_web.get(QUEUE).content.decode()
    assert under_review.organization.name in html
    assert "SME Digitalisation Level Evaluation Indicators" in html
    assert "under review" in html
    assert "2 verified, 0 adjusted, 0 change requested, 0 cannot verify" in html
    assert "minute" in html  # waiting since the submission


def test_another_consultancys_consultant_sees_nothing_of_it(
    web_as: Callable[[User], Client], under_review: Assessment, other_consultant: User
) -> None:
    client = web_as(other_consultant)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert under_review.organization.name not in response.content.decode()
    assert rows(client) == []


def test_enterprise_users_get_403(web_as: Callable[[User], Client], under_review: Assessment, owner: User) -> None:
    assert web_as(owner).get(QUEUE).status_code == 403


def test_consultancy_members_without_assignments_see_an_empty_queue(
    web_as: Callable[[User], Client], lead: User, consultancy: Organization
) -> None:
    response = web_as(lead).get(QUEUE)
    assert response.status_code == 200
    assert "Nothing to verify yet" in response.content.decode()
    assert reverse("web:consultancy_requests", args=[consultancy.pk]) in response.content.decode()


def test_the_queue_is_in_the_navigation(
    web_as: Callable[[User], Client], consultant: User, consultancy: Organization, under_review: Assessment
) -> None:
    client = web_as(consultant)
    # An assigned enterprise's pages, and the consultancy's own, link to the queue; the consultancy has no
    # assessments of its own, so its home page is the queue.
    assert QUEUE in client.get(reverse("web:org_home", args=[under_review.organization_id])).content.decode()
    assert QUEUE in client.get(reverse("web:org_profile", args=[consultancy.pk])).content.decode()
    response = client.get(reverse("web:org_home", args=[consultancy.pk]))
    assert (response.status_code, response.url) == (302, QUEUE)


def test_the_queue_takes_the_same_queries_for_one_assessment_or_several(
    consultant_web: Client, under_review: Assessment, second: Assessment, django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert consultant_web.get(QUEUE).status_code == 200
