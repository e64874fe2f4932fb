"""The consultant review over HTTP: the whole cycle, and every step refused from the wrong state."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from assessment.models import Assessment, User
from review.models import Notification, ReviewItem, Verification

ADJUSTED_REASON = "设备台账显示仅少数设备联网"
CHANGE_MESSAGE = "请上传数字化投入的合同或发票"


def exact(response: Any, status: int = 200) -> Any:
    """The JSON body with its numbers as the exact decimals written."""
    assert response.status_code == status, response.content
    return json.loads(response.content, parse_float=Decimal)


def review(assessment: Assessment, step: str = "") -> str:
    return f"/api/v1/assessments/{assessment.pk}/review/{step}"


def verdict(client: APIClient, assessment: Assessment, key: str, **body: Any) -> Any:
    return client.put(review(assessment, f"items/{key}/"), body, format="json")


def answered_keys(client: APIClient, assessment: Assessment) -> list[str]:
    return [item["question"] for item in client.get(f"/api/v1/assessments/{assessment.pk}/answers/").json()["answers"]]


def test_the_whole_review_over_http(
    consultant_client: APIClient, owner_client: APIClient, submitted: Assessment, consultant: User
) -> None:
    self_total = exact(owner_client.get(f"/api/v1/assessments/{submitted.pk}/results/"))["total"]
    [queued] = consultant_client.get("/api/v1/reviews/").json()["results"]
    assert (queued["id"], queued["status"], queued["organization_name"]) == (
        submitted.pk,
        "submitted",
        "测试精密制造有限公司",
    )
    assert queued["waiting_seconds"] >= 0
    assert queued["verdicts"] == {"verified": 0, "adjusted": 0, "change_requested": 0, "unverifiable": 0}

    assert consultant_client.post(review(submitted, "start/")).json()["status"] == "under_review"
    keys = answered_keys(consultant_client, submitted)
    for key in keys:
        if key not in ("F2", "F5"):
            assert verdict(consultant_client, submitted, key, verdict="verified").status_code == 200
    adjusted = verdict(
        consultant_client, submitted, "F2", verdict="adjusted", answer={"choice": "A"}, reason=ADJUSTED_REASON
    ).json()
    assert adjusted["answer"] == {"question": "F2", "choice": "A"}
    assert adjusted["reviewer"] == consultant.email
    requested = verdict(consultant_client, submitted, "F5", verdict="change_requested", message=CHANGE_MESSAGE)
    assert requested.json()["message"] == CHANGE_MESSAGE

    during = exact(consultant_client.get(f"/api/v1/assessments/{submitted.pk}/results/"))
    assert during["total"] == self_total  # the self-assessed figures stay
    assert during["verified"]["total"] < self_total
    assert during["verified"]["final"] is False
    assert during["verified"]["consultant"] is None
    assert during["verified"]["counts"] == {
        "verified": len(keys) - 2,
        "adjusted": 1,
        "change_requested": 1,
        "unverifiable": 0,
    }
    assert [(d["question"], d["verdict"], d["reason"]) for d in during["verified"]["differences"]] == [
        ("F2", "adjusted", ADJUSTED_REASON),
        ("F5", "change_requested", CHANGE_MESSAGE),
    ]
    checklist = consultant_client.get(review(submitted, "items/"), HTTP_ACCEPT_LANGUAGE="en").json()["checklist"]
    assert checklist == ["Change requests are still open on F5: return the assessment or give another verdict."]

    returned = consultant_client.post(review(submitted, "return/"), {"message": "请补充F5的证明材料"}, format="json")
    assert (returned.json()["status"], returned.json()["reopened_questions"]) == ("returned", ["F5"])

    # The SME sees what to change and why, and may change only that.
    shown = owner_client.get(f"/api/v1/assessments/{submitted.pk}/").json()
    assert (shown["status"], shown["reopened_questions"]) == ("returned", ["F5"])
    items = {item["question"]: item for item in owner_client.get(review(submitted, "items/")).json()["items"]}
    assert (items["F5"]["verdict"], items["F5"]["message"]) == ("change_requested", CHANGE_MESSAGE)
    locked = owner_client.patch(f"/api/v1/assessments/{submitted.pk}/answers/F1/", {"choices": []}, format="json")
    assert locked.status_code == 409
    assert locked.json()["code"] == "conflict"
    assert owner_client.patch(f"/api/v1/assessments/{submitted.pk}/answers/F5/", {"choice": "B"}).status_code == 200
    resubmitted = owner_client.post(f"/api/v1/assessments/{submitted.pk}/submit/", {"pledge": True}, format="json")
    assert resubmitted.json()["status"] == "submitted"
    # In the site's language (zh-Hans), whatever the SME's request asked for.
    assert Notification.objects.filter(recipient=consultant, subject__contains="重新提交").count() == 1

    assert consultant_client.post(review(submitted, "start/")).json()["status"] == "under_review"
    assert verdict(consultant_client, submitted, "F5", verdict="verified").status_code == 200
    signed = consultant_client.post(review(submitted, "finalize/"), {"statement": "经现场核查，结果属实。"})
    verification = Verification.objects.get(assessment=submitted)
    assert exact(signed) == {
        "assessment": submitted.pk,
        "consultant": consultant.email,
        "consultant_name": "王立",
        "family_name": "王",
        "given_name": "立",
        "qualification": "苏州市数字化评估师",
        "certificate_number": "",
        "consultancy": verification.consultancy_id,
        "statement": "经现场核查，结果属实。",
        "total": verification.total.normalize(),
        "level": verification.level,
        "signed_at": signed.json()["signed_at"],
    }

    final = exact(owner_client.get(f"/api/v1/assessments/{submitted.pk}/results/?lang=en"))
    assert final["total"] != self_total  # F5 changed on resubmission
    verified = final["verified"]
    assert (verified["final"], verified["total"], verified["level"]) == (True, verification.total, verification.level)
    assert verified["consultant"] == {
        "name": "王立",
        "family_name": "王",
        "given_name": "立",
        "qualification": "苏州市数字化评估师",
        "certificate_number": "",
    }
    assert verified["statement"] == "经现场核查，结果属实。"
    assert verified["signed_at"] is not None
    [difference] = verified["differences"]
    assert (difference["question"], difference["verdict_label"], difference["reason"]) == (
        "F2",
        "adjusted",
        ADJUSTED_REASON,
    )
    assert difference["verified_points"] < difference["self_points"]
    assert [d["key"] for d in verified["dimensions"]] == [d["key"] for d in final["dimensions"]]

    [queued] = consultant_client.get("/api/v1/reviews/?status=finalized").json()["results"]
    assert (queued["status"], queued["waiting_seconds"], queued["verdicts"]["adjusted"]) == ("finalized", None, 1)

    history = owner_client.get(f"/api/v1/assessments/{submitted.pk}/history/?page_size=200").json()["results"]
    statuses = [event["after"] for event in history if event["kind"] == "status_changed"]
    assert statuses == ["submitted", "under_review", "returned", "submitted", "under_review", "finalized"]
    changed = [e for e in history if e["kind"] == "answer_changed" and e["question"] == "F5"]
    assert changed[-1]["after"] == {"question": "F5", "choice": "B"}
    assert changed[-1]["actor"] == "owner@example.com"
    adjusted_event = next(e for e in history if e["kind"] == "verdict_set" and e["question"] == "F2")
    assert (adjusted_event["actor"], adjusted_event["reason"]) == (consultant.email, ADJUSTED_REASON)


def test_the_results_have_no_verified_figures_before_a_verdict(
    consultant_client: APIClient, owner_client: APIClient, submitted: Assessment
) -> None:
    assert owner_client.get(f"/api/v1/assessments/{submitted.pk}/results/").json()["verified"] is None
    consultant_client.post(review(submitted, "start/"))
    assert owner_client.get(f"/api/v1/assessments/{submitted.pk}/results/").json()["verified"] is None


def english(*clients: APIClient) -> None:
    for client in clients:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _conflict(response: Any, *words: str) -> None:
    assert response.status_code == 409, response.content
    body = response.json()
    assert (body["code"], body["details"]) == ("conflict", {})
    for word in words:
        assert word in body["message"]


def test_every_step_from_the_wrong_state_is_a_conflict(
    consultant_client: APIClient, owner_client: APIClient, submitted: Assessment
) -> None:
    english(consultant_client, owner_client)
    _conflict(consultant_client.post(review(submitted, "return/"), {"message": "x"}), "submitted", "under review")
    _conflict(consultant_client.post(review(submitted, "finalize/"), {"statement": "x"}), "signing off")
    _conflict(verdict(consultant_client, submitted, "F1", verdict="verified"), "a verdict")
    consultant_client.post(review(submitted, "start/"))
    _conflict(consultant_client.post(review(submitted, "start/")), "under review", "starting a review")
    _conflict(owner_client.post(f"/api/v1/assessments/{submitted.pk}/submit/", {"pledge": True}))
    verdict(consultant_client, submitted, "F1", verdict="change_requested", message="请说明")
    consultant_client.post(review(submitted, "return/"), {"message": "请修改F1"})
    _conflict(consultant_client.post(review(submitted, "start/")), "returned")
    _conflict(verdict(consultant_client, submitted, "F1", verdict="verified"), "returned")
    _conflict(consultant_client.post(review(submitted, "return/"), {"message": "x"}), "returned")
    _conflict(consultant_client.post(review(submitted, "finalize/"), {"statement": "x"}), "returned")
    assert Assessment.objects.get(pk=submitted.pk).status == "returned"


def test_a_finalized_assessment_takes_no_step(
    consultant_client: APIClient, owner_client: APIClient, submitted: Assessment
) -> None:
    english(consultant_client, owner_client)
    consultant_client.post(review(submitted, "start/"))
    for key in answered_keys(consultant_client, submitted):
        verdict(consultant_client, submitted, key, verdict="verified")
    assert consultant_client.post(review(submitted, "finalize/"), {"statement": "属实"}).status_code == 200
    _conflict(consultant_client.post(review(submitted, "finalize/"), {"statement": "again"}), "finalized")
    _conflict(consultant_client.post(review(submitted, "start/")), "finalized")
    _conflict(consultant_client.post(review(submitted, "return/"), {"message": "x"}), "finalized")
    _conflict(verdict(consultant_client, submitted, "F1", verdict="adjusted", answer={"choices": []}, reason="r"))
    _conflict(owner_client.patch(f"/api/v1/assessments/{submitted.pk}/answers/F1/", {"choices": []}, format="json"))
    assert Verification.objects.count() == 1


def test_a_draft_cannot_be_reviewed(
    consultant_client: APIClient, owner_client: APIClient, organization: Any, miit: Any
) -> None:
    english(consultant_client, owner_client)
    created = owner_client.post(
        "/api/v1/assessments/", {"organization": organization.pk, "framework": miit.framework.slug}
    )
    draft = Assessment.objects.get(pk=created.json()["id"])
    _conflict(consultant_client.post(review(draft, "start/")), "draft")
    assert consultant_client.get("/api/v1/reviews/").json()["count"] == 0  # drafts are not in the queue


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"verdict": "adjusted", "answer": {"choice": "A"}}, "reason"),
        ({"verdict": "adjusted", "answer": {"choice": "A"}, "reason": "   "}, "reason"),
        ({"verdict": "adjusted", "reason": "r"}, "answer"),
        ({"verdict": "adjusted", "answer": {"choice": "Z"}, "reason": "r"}, "answer"),
        ({"verdict": "adjusted", "answer": {"choices": ["A"]}, "reason": "r"}, "answer"),
        ({"verdict": "adjusted", "answer": {"question": "F3", "choice": "A"}, "reason": "r"}, "answer.question"),
        ({"verdict": "adjusted", "answer": "A", "reason": "r"}, "answer"),
        ({"verdict": "change_requested"}, "message"),
        ({"verdict": "unverifiable"}, "reason"),
        ({"verdict": "verified", "answer": {"choice": "A"}}, "answer"),
        ({"verdict": "approved"}, "verdict"),
        ({}, "verdict"),
        ({"verdict": "verified", "reason": "x" * 4001}, "reason"),
    ],
)
def test_verdicts_refuse_what_they_lack(
    consultant_client: APIClient, submitted: Assessment, body: dict[str, Any], field: str
) -> None:
    consultant_client.post(review(submitted, "start/"))
    response = verdict(consultant_client, submitted, "F2", **body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert field in response.json()["details"]
    assert not ReviewItem.objects.exists()


def test_a_verdict_on_an_unknown_question_is_refused(consultant_client: APIClient, submitted: Assessment) -> None:
    consultant_client.post(review(submitted, "start/"))
    response = verdict(consultant_client, submitted, "Z9", verdict="verified")
    assert response.status_code == 400
    assert "question" in response.json()["details"]


def test_an_invalid_adjusted_answer_is_explained_in_the_request_language(
    consultant_client: APIClient, submitted: Assessment
) -> None:
    consultant_client.post(review(submitted, "start/"))
    body = {"verdict": "adjusted", "answer": {"choice": "Z"}, "reason": "r"}
    english = consultant_client.put(review(submitted, "items/F2/?lang=en"), body, format="json").json()
    chinese = consultant_client.put(review(submitted, "items/F2/"), body, format="json").json()
    assert "Z" in english["details"]["answer"][0]
    assert english["details"] != chinese["details"]


def test_return_and_finalize_say_what_they_lack(consultant_client: APIClient, submitted: Assessment) -> None:
    consultant_client.post(review(submitted, "start/"))
    nothing_requested = consultant_client.post(review(submitted, "return/?lang=en"), {"message": "please"})
    assert nothing_requested.status_code == 400
    assert nothing_requested.json()["details"]["message"] == [
        "Request a change on at least one answer before you return the assessment."
    ]
    assert "message" in consultant_client.post(review(submitted, "return/"), {}).json()["details"]
    unsigned = consultant_client.post(review(submitted, "finalize/?lang=en"), {"statement": " "})
    assert unsigned.status_code == 400
    details = unsigned.json()["details"]
    assert set(details) == {"statement", "checklist"}
    assert "answers have no verdict yet" in details["checklist"][0]
    assert Assessment.objects.get(pk=submitted.pk).status == "under_review"


def test_finalize_needs_the_consultants_profile(
    consultant_client: APIClient, submitted: Assessment, consultant: User
) -> None:
    consultant.consultant_profile.delete()
    consultant_client.post(review(submitted, "start/"))
    for key in answered_keys(consultant_client, submitted):
        verdict(consultant_client, submitted, key, verdict="verified")
    refused = consultant_client.post(review(submitted, "finalize/"), {"statement": "属实"})
    assert refused.status_code == 400
    assert set(refused.json()["details"]) == {"profile"}
