"""Assessments through the API: answers in bulk and one at a time, submission, results, what-if, lists."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from assessment.models import Answer, Assessment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring.selectors import assessment_result, framework_structure
from tests.api.conftest import KeyClient
from tests.helpers import established_organization, lowest_item, submit_filling_gaps

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(organization: Organization, owner: User, miit: FrameworkVersion) -> Assessment:
    return assessment_create(organization=organization, framework_version=miit, created_by=owner)


def url(assessment: Assessment, tail: str = "") -> str:
    return f"/api/v1/assessments/{assessment.pk}/{tail}"


def put(client: APIClient, assessment: Assessment, answers: list[Any], **extra: Any) -> Any:
    return client.put(url(assessment, "answers/") + "?lang=en", {"answers": answers, **extra}, format="json")


def test_starting_an_assessment_returns_it_with_an_empty_result(
    owner_client: APIClient, organization: Organization, miit: FrameworkVersion
) -> None:
    response = owner_client.post(
        "/api/v1/assessments/", {"organization": organization.pk, "framework": "miit-2024-manufacturing@2024"}
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["framework"], body["status"], body["organization"]) == (
        "miit-2024-manufacturing@2024",
        "draft",
        organization.pk,
    )
    assert body["result"]["total"] == 0
    assert body["result"]["max_total"] == 100


def test_a_bulk_put_saves_a_partial_set_and_scores_it(owner_client: APIClient, assessment: Assessment) -> None:
    response = put(owner_client, assessment, [{"question": "F5", "choice": "E"}, {"question": "S01", "level": 3}])
    body = response.json()
    assert response.status_code == 200
    assert body["answers"] == [{"question": "F5", "choice": "E"}, {"question": "S01", "level": 3}]
    assert body["audit"]["F5"]["answered_by"] == "owner@example.com"
    assert owner_client.get(url(assessment)).json()["result"]["total"] == 10
    put(owner_client, assessment, [{"question": "F5", "choice": "B"}])
    assert owner_client.get(url(assessment, "results/")).json()["total"] == 2.5
    assert Answer.objects.filter(assessment=assessment).count() == 2  # S01 kept


def test_bulk_errors_name_every_bad_item_by_question_and_save_nothing(
    owner_client: APIClient, assessment: Assessment
) -> None:
    response = put(
        owner_client,
        assessment,
        [
            {"question": "F5", "choice": "E"},
            {"question": "F1", "choices": ["A", "B"]},
            {"question": "S02", "level": 9},
            {"question": "NOPE", "level": 1},
            "not an object",
        ],
    )
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid_answers"
    assert set(body["details"]) == {"F1", "S02", "NOPE", "answers[4]"}
    assert 'option "A" excludes every other option' in body["details"]["F1"][0]
    assert not Answer.objects.filter(assessment=assessment).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": "F1"}, "answers"),
        ({}, "answers"),
        ({"answers": [], "extra": 1}, "extra"),
        ([1, 2], "non_field_errors"),
    ],
)
def test_a_malformed_answer_set_is_400(owner_client: APIClient, assessment: Assessment, body: Any, field: str) -> None:
    response = owner_client.put(url(assessment, "answers/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["details"]


def test_a_put_for_another_framework_is_refused(owner_client: APIClient, assessment: Assessment) -> None:
    response = put(owner_client, assessment, [], framework="eu-dma")
    assert response.status_code == 400
    assert response.json()["details"]["framework"] == ["This assessment uses miit-2024-manufacturing@2024."]


def test_patch_sets_one_answer_and_shows_who_changed_it(
    key_client: KeyClient, assessment: Assessment, organization: Organization, owner_client: APIClient
) -> None:
    colleague = User.objects.create_user("colleague@example.com", "pw-colleague-1")
    Membership.objects.create(user=colleague, organization=organization, role=Membership.Role.RESPONDENT)
    owner_client.patch(url(assessment, "answers/F5/"), {"choice": "C"}, format="json")
    response = key_client(colleague).patch(url(assessment, "answers/S03/"), {"level": 2, "comment": "MES 已上线"})
    body = response.json()
    assert response.status_code == 200
    assert body["answer"] == {"question": "S03", "level": 2, "comment": "MES 已上线"}
    assert body["audit"]["answered_by"] == "colleague@example.com"
    audit = owner_client.get(url(assessment, "answers/")).json()["audit"]
    assert {k: v["answered_by"] for k, v in audit.items()} == {
        "F5": "owner@example.com",
        "S03": "colleague@example.com",
    }


def test_patch_of_an_unknown_question_is_404_and_a_mismatched_key_400(
    owner_client: APIClient, assessment: Assessment
) -> None:
    assert owner_client.patch(url(assessment, "answers/Z9/"), {"level": 1}, format="json").status_code == 404
    mismatched = owner_client.patch(url(assessment, "answers/S01/"), {"question": "S02", "level": 1}, format="json")
    assert mismatched.status_code == 400


def test_submit_lists_every_unanswered_required_question(owner_client: APIClient, assessment: Assessment) -> None:
    put(owner_client, assessment, [{"question": "F5", "choice": "E"}])
    response = owner_client.post(url(assessment, "submit/") + "?lang=en", {"pledge": True}, format="json")
    body = response.json()
    required = [k for k, q in framework_structure(assessment.framework_version).questions.items() if q.required]
    assert response.status_code == 422
    assert body["code"] == "incomplete"
    assert list(body["details"]) == [k for k in required if k != "F5"]
    assert body["message"] == f"{len(required) - 1} required answers or evidence fields are missing."
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


def test_submit_needs_the_pledge_then_freezes_and_refuses_a_second_time(
    owner_client: APIClient, assessment: Assessment
) -> None:
    put(
        owner_client,
        assessment,
        [lowest_item(q) for q in framework_structure(assessment.framework_version).questions.values()],
    )
    refused = owner_client.post(url(assessment, "submit/"), {"pledge": False}, format="json")
    assert refused.status_code == 400
    assert "pledge" in refused.json()["details"]
    submitted = owner_client.post(url(assessment, "submit/"), {"pledge": True}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["result"]["frozen"] is True
    again = owner_client.post(url(assessment, "submit/"), {"pledge": True}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert put(owner_client, assessment, [{"question": "F5", "choice": "E"}]).status_code == 409


def test_results_hold_the_scorecard_path_and_peers(
    owner_client: APIClient, assessment: Assessment, owner: User, miit: FrameworkVersion
) -> None:
    put(owner_client, assessment, [{"question": "F5", "choice": "E"}])
    body = owner_client.get(url(assessment, "results/") + "?peers=sector,size_band&lang=en").json()
    assert body["total"] == 10
    assert body["level"] == 0
    assert body["questions"]["F5"]["earned"] == [{"source": "E", "points": 10, "total_points": 10}]
    assert body["next_level_path"]["target"] == 1
    assert body["peers"]["filter"] == {"sector": "C", "size_band": "small"}
    assert body["peers"]["standings"][0]["withheld"].startswith("fewer than 5 other organisations")
    assert owner_client.get(url(assessment, "results/") + "?peers=city").status_code == 400


def test_peers_appear_once_five_other_organisations_have_submitted(
    owner_client: APIClient, assessment: Assessment, owner: User, miit: FrameworkVersion
) -> None:
    for n in range(5):
        peer = established_organization(owner, f"同行{n}", n + 1)
        other = assessment_create(organization=peer, framework_version=miit, created_by=owner)
        answers_upsert(assessment=other, answered_by=owner, items=[{"question": "F5", "choice": "ABCDE"[n]}])
        submit_filling_gaps(other, owner)
    put(owner_client, assessment, [{"question": "F5", "choice": "D"}])  # 7.5: in the 5–10 band with C
    peers = owner_client.get(url(assessment, "results/") + "?lang=en").json()["peers"]
    total = peers["standings"][0]
    assert total["key"] == "total"
    assert total["percentile"] == 60  # A and B (0, 2.5) in a lower band, C and D in its band count half
    assert total["peers"] == 5
    # Without ?peers= the narrowest group with five others is chosen and said: all five share the profile.
    assert (peers["automatic"], peers["filter"]) == (True, {"sector": "C", "size_band": "small", "province": "32"})
    assert peers["group"].startswith("5 other organisations of the same sector (Manufacturing), size band (small)")
    operations = next(s for s in peers["standings"] if s["key"] == "operations")
    assert (operations["measure"], operations["max"], operations["percentile"]) == ("scenario_level", 4, 50)


def test_what_if_scores_changes_and_saves_nothing(owner_client: APIClient, assessment: Assessment) -> None:
    put(owner_client, assessment, [{"question": "F5", "choice": "B"}])
    response = owner_client.post(url(assessment, "what-if/"), {"changes": [{"question": "F5", "choice": "E"}]})
    assert response.status_code == 200
    assert response.json()["total"] == 10
    assert assessment_result(Assessment.objects.get(pk=assessment.pk)).total == 2.5
    assert Answer.objects.get(assessment=assessment).option_keys == ["B"]
    bad = owner_client.post(
        url(assessment, "what-if/"), {"changes": [{"question": "F5", "choice": "Q"}]}, format="json"
    )
    assert bad.status_code == 400
    assert "F5" in bad.json()["details"]


def test_the_list_filters_and_pages(
    owner_client: APIClient, organization: Organization, owner: User, miit: FrameworkVersion, eu_dma: FrameworkVersion
) -> None:
    drafts = [assessment_create(organization=organization, framework_version=miit, created_by=owner) for _ in range(3)]
    submit_filling_gaps(drafts[0], owner)
    assessment_create(organization=organization, framework_version=eu_dma, created_by=owner)

    def ids(query: str) -> list[int]:
        response = owner_client.get(f"/api/v1/assessments/?{query}")
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["results"]]

    assert len(ids("")) == 4
    assert ids("status=submitted") == [drafts[0].pk]
    assert len(ids("framework=miit-2024-manufacturing&status=draft")) == 2
    assert ids("submitted_after=2000-01-01T00:00:00Z") == [drafts[0].pk]
    assert ids("submitted_before=2000-01-01T00:00:00Z") == []
    assert ids(f"organization={organization.pk + 1}") == []
    page = owner_client.get("/api/v1/assessments/?page_size=3&page=2").json()
    assert (page["count"], len(page["results"])) == (4, 1)
    assert owner_client.get("/api/v1/assessments/?status=nope").status_code == 400
    assert owner_client.get("/api/v1/assessments/?page=99").status_code == 404


def test_an_organisation_is_created_with_its_size_band_classified(owner_client: APIClient) -> None:
    body = {"name": "  新星机械  ", "sector": "C", "province": "33", "employees": 400, "annual_revenue": 30000}
    response = owner_client.post("/api/v1/organizations/", body, format="json")
    assert response.status_code == 201
    assert (response.json()["name"], response.json()["size_band"], response.json()["role"]) == (
        "新星机械",
        "medium",
        "owner",
    )
    patched = owner_client.patch(f"/api/v1/organizations/{response.json()['id']}/", {"uscc": "123"}, format="json")
    assert patched.status_code == 400
    assert "uscc" in patched.json()["details"]
