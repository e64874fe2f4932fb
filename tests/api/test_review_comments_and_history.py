"""Comments and history over HTTP: internal ones never reach the SME; who may write what; keys of one organisation."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from api.models import ApiKey
from assessment.models import Assessment, Membership, Organization, User
from review.models import Notification, ReviewComment
from tests.api.conftest import KeyClient

INTERNAL = "内部：F2台账与现场不符，需复核"
SHARED = "请补充F2的设备台账"


def comments(assessment: Assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/comments/"


def history(assessment: Assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/history/"


@pytest.fixture
def viewer_client(key_client: KeyClient, organization: Organization) -> APIClient:
    viewer = User.objects.create_user("viewer@example.com", "pw-viewer-1234")
    Membership.objects.create(user=viewer, organization=organization, role=Membership.Role.VIEWER)
    return key_client(viewer)


@pytest.fixture
def discussed(consultant_client: APIClient, submitted: Assessment) -> Assessment:
    """A shared comment on F2, an internal one, and a general one."""
    for body in (
        {"question": "F2", "body": SHARED},
        {"question": "F2", "body": INTERNAL, "visibility": "internal"},
        {"body": "总体情况良好"},
    ):
        assert consultant_client.post(comments(submitted), body, format="json").status_code == 201
    return submitted


def test_internal_comments_are_listed_for_the_consultant_only(
    discussed: Assessment, consultant_client: APIClient, owner_client: APIClient, viewer_client: APIClient
) -> None:
    listed = consultant_client.get(comments(discussed)).json()["results"]
    assert [(c["question"], c["body"], c["visibility"]) for c in listed] == [
        ("F2", SHARED, "shared"),
        ("F2", INTERNAL, "internal"),
        (None, "总体情况良好", "shared"),
    ]
    assert listed[0]["author"] == "consultant@consult.example"
    for sme in (owner_client, viewer_client):
        response = sme.get(comments(discussed))
        assert [c["body"] for c in response.json()["results"]] == [SHARED, "总体情况良好"]
        assert INTERNAL not in response.content.decode()
        assert sme.get(comments(discussed) + "?visibility=internal").json()["results"] == []


def test_internal_comments_stay_out_of_the_smes_history_and_mail(
    discussed: Assessment, consultant_client: APIClient, owner_client: APIClient
) -> None:
    mine = owner_client.get(history(discussed))
    assert INTERNAL not in mine.content.decode()
    assert [e["reason"] for e in mine.json()["results"] if e["kind"] == "comment_added"] == [SHARED, "总体情况良好"]
    theirs = consultant_client.get(history(discussed) + "?kind=comment_added").json()["results"]
    assert [e["reason"] for e in theirs] == [SHARED, INTERNAL, "总体情况良好"]
    assert not Notification.objects.filter(body__contains=INTERNAL).exists()


def test_comment_threads_filter_by_question(discussed: Assessment, owner_client: APIClient) -> None:
    assert [c["body"] for c in owner_client.get(comments(discussed) + "?question=F2").json()["results"]] == [SHARED]
    assert [c["body"] for c in owner_client.get(comments(discussed) + "?general=true").json()["results"]] == [
        "总体情况良好"
    ]


def test_smes_comment_but_never_internally(
    submitted: Assessment, owner_client: APIClient, viewer_client: APIClient, assignment: Any
) -> None:
    answered = owner_client.post(comments(submitted), {"question": "F2", "body": "台账已上传"}, format="json")
    assert answered.status_code == 201
    assert answered.json()["author"] == "owner@example.com"
    assert viewer_client.post(comments(submitted), {"body": "收到"}, format="json").status_code == 201
    refused = owner_client.post(comments(submitted), {"body": "x", "visibility": "internal"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert not ReviewComment.objects.filter(visibility="internal").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({}, "body"),
        ({"body": "x", "question": "Z9"}, "question"),
        ({"body": "x", "visibility": "secret"}, "visibility"),
        ({"body": "x" * 4001}, "body"),
    ],
)
def test_a_comment_names_what_is_wrong(
    submitted: Assessment, owner_client: APIClient, body: dict[str, Any], field: str
) -> None:
    response = owner_client.post(comments(submitted), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["details"]


def test_history_is_paginated_and_names_each_actor(submitted: Assessment, owner_client: APIClient) -> None:
    first = owner_client.get(history(submitted) + "?page_size=2").json()
    assert first["count"] > 2
    assert first["next"] is not None
    created, answered = first["results"]
    assert (created["kind"], created["actor"]) == ("created", "owner@example.com")
    assert answered["kind"] == "answer_changed"
    assert answered["before"] is None
    assert answered["after"]["question"] == answered["question"]


def test_a_consultant_key_limited_to_the_organisation_reviews_it(
    key_client: KeyClient, consultant: User, organization: Organization, submitted: Assessment, assignment: Any
) -> None:
    client = key_client(consultant, organization=organization)
    assert [a["id"] for a in client.get("/api/v1/reviews/").json()["results"]] == [submitted.pk]
    assert client.post(f"/api/v1/assessments/{submitted.pk}/review/start/").status_code == 200


def test_a_consultant_key_limited_to_the_consultancy_sees_no_enterprise(
    key_client: KeyClient, consultant: User, consultancy: Organization, submitted: Assessment, assignment: Any
) -> None:
    client = key_client(consultant, organization=consultancy)
    assert client.get("/api/v1/reviews/").json()["results"] == []
    for path in ("review/start/", "comments/", "history/", "review/items/"):
        method = client.post if path.endswith("start/") else client.get
        assert method(f"/api/v1/assessments/{submitted.pk}/{path}").status_code == 404


def test_a_read_only_consultant_key_reads_the_review_but_writes_nothing(
    key_client: KeyClient, consultant: User, submitted: Assessment, assignment: Any
) -> None:
    client = key_client(consultant, scope=ApiKey.Scope.READ)
    assert client.get("/api/v1/reviews/").json()["count"] == 1
    assert client.get(f"/api/v1/assessments/{submitted.pk}/review/items/").status_code == 200
    refused = client.post(f"/api/v1/assessments/{submitted.pk}/review/start/")
    assert (refused.status_code, refused.json()["message"]) == (403, "此 API 密钥为只读。")
    assert Assessment.objects.get(pk=submitted.pk).status == "submitted"


def test_the_queue_is_the_callers_own(
    key_client: KeyClient, owner_client: APIClient, lead: User, submitted: Assessment, assignment: Any
) -> None:
    assert owner_client.get("/api/v1/reviews/").json()["count"] == 0  # the SME's owner reviews nothing
    assert key_client(lead).get("/api/v1/reviews/").json()["count"] == 0  # nor the lead who assigned
