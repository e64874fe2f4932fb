"""GET /api/v1/reviews/: the caller's queue, newest submission first, with waiting times, verdicts and filters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from assessment.services.organizations import organization_create
from review.services import consultant_assign, review_item_set, review_return, review_start
from tests.helpers import submit_filling_gaps


def queue(client: APIClient, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/reviews/{query}")
    assert response.status_code == 200, response.content
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_newest_submission_first_with_filters(
    consultant_client: APIClient, consultant: User, submitted: Assessment, eu_dma: FrameworkVersion
) -> None:
    other_owner = User.objects.create_user("owner2@example.com", "pw-owner2-1234")
    second = organization_create(owner=other_owner, name="第二精密", sector="C", size_band="micro", province="11")
    consultant_assign(consultant=consultant, organization=second)  # an operator's assignment
    later = submit_filling_gaps(
        assessment_create(organization=second, framework_version=eu_dma, created_by=other_owner), other_owner
    )
    assessment_create(organization=second, framework_version=eu_dma, created_by=other_owner)  # a draft: not queued
    Assessment.objects.filter(pk=submitted.pk).update(submitted_at=timezone.now() - timedelta(hours=2))

    listed = queue(consultant_client)
    assert [a["id"] for a in listed] == [later.pk, submitted.pk]
    assert listed[0]["framework"] == later.framework_version.reference
    assert (listed[0]["organization"], listed[0]["organization_name"]) == (second.pk, "第二精密")
    assert 7200 <= listed[1]["waiting_seconds"] < 7300
    assert [a["id"] for a in queue(consultant_client, f"?organization={second.pk}")] == [later.pk]
    assert [a["id"] for a in queue(consultant_client, "?framework=eu-dma")] == [later.pk]
    assert queue(consultant_client, "?status=under_review") == []
    page = consultant_client.get("/api/v1/reviews/?page_size=1").json()
    assert (page["count"], len(page["results"]), page["next"] is not None) == (2, 1, True)
    assert consultant_client.get("/api/v1/reviews/?organization=x").status_code == 400


def test_a_returned_assessment_waits_on_the_enterprise(
    consultant_client: APIClient, consultant: User, submitted: Assessment
) -> None:
    review_start(assessment=submitted, consultant=consultant)
    [started] = queue(consultant_client, "?status=under_review")
    assert started["waiting_seconds"] is not None
    review_item_set(assessment=submitted, reviewer=consultant, question_key="F1", verdict="verified")
    review_item_set(
        assessment=submitted, reviewer=consultant, question_key="F5", verdict="change_requested", message="请补充"
    )
    review_return(assessment=submitted, consultant=consultant, message="请修改F5")
    [returned] = queue(consultant_client)
    assert (returned["status"], returned["waiting_seconds"], returned["reopened_questions"]) == (
        "returned",
        None,
        ["F5"],
    )
    assert returned["verdicts"] == {"verified": 1, "adjusted": 0, "change_requested": 1, "unverifiable": 0}


def test_another_consultants_assignments_stay_out(
    key_client: Any, submitted: Assessment, assignment: Any, organization: Organization
) -> None:
    elsewhere = User.objects.create_user("elsewhere@consult.example", "pw-elsewhere-1")
    assert queue(key_client(elsewhere)) == []
    assert queue(key_client(elsewhere), f"?organization={organization.pk}") == []
