"""Results over the API carry the engine's exact figures, and reading them writes nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring.models import AssessmentResult
from tests.helpers import answer_file, submit_filling_gaps

pytestmark = pytest.mark.django_db


def exact(response: Any) -> Any:
    """The JSON body with its numbers as the exact decimals written."""
    assert response.status_code == 200, response.content
    return json.loads(response.content, parse_float=Decimal)


def answered(version: FrameworkVersion, organization: Organization, owner: User, name: str) -> Assessment:
    assessment = assessment_create(organization=organization, framework_version=version, created_by=owner)
    answers_upsert(assessment=assessment, items=answer_file(name), answered_by=owner)
    return assessment


def results(client: APIClient, assessment: Assessment) -> Any:
    return exact(client.get(f"/api/v1/assessments/{assessment.pk}/results/"))


def test_a_miit_total_of_58_125_comes_back_exactly_with_its_gate_shortfall(
    owner_client: APIClient, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = answered(miit, organization, owner, "miit-58.125.json")
    response = owner_client.get(f"/api/v1/assessments/{assessment.pk}/results/")
    assert b'"total":58.125,' in response.content  # the JSON text itself, not a float that happens to print so
    body = exact(response)
    assert body["total"] == Decimal("58.125")
    assert [d["score"] for d in body["dimensions"]] == [Decimal("27.5"), 0, Decimal("20.625"), 10]
    score_gate = body["gates"][0]
    assert (score_gate["required"], score_gate["actual"], score_gate["shortfall"]) == (
        60,
        Decimal("58.125"),
        Decimal("1.875"),
    )
    assert body["questions"]["M4"]["score"] == Decimal("5.625")
    assert body["next_level_path"]["shortfall"][0]["shortfall"] == Decimal("1.875")


def test_a_miit_total_of_28_125_comes_back_exactly(
    owner_client: APIClient, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    body = results(owner_client, answered(miit, organization, owner, "miit-28.125.json"))
    assert (body["total"], body["level"]) == (Decimal("28.125"), 1)
    assert body["gates"][0]["shortfall"] == Decimal("11.875")


def test_an_eu_dma_total_just_above_25_is_not_rounded_down_to_it(
    owner_client: APIClient, eu_dma: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = answered(eu_dma, organization, owner, "eu-dma-25+1-504.json")
    body = results(owner_client, assessment)
    assert body["total"] == (Decimal(25) + Decimal(1) / 504).quantize(Decimal("1e-12"))
    assert body["level"] == 2  # Average: more than 25
    summary = exact(owner_client.get(f"/api/v1/assessments/{assessment.pk}/"))["result"]
    assert (summary["total"], summary["level"]) == (Decimal("25.001984126984"), 2)


def test_what_if_answers_with_exact_figures(
    owner_client: APIClient, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = answered(miit, organization, owner, "miit-58.125.json")
    change = {"changes": [{"question": "M3", "choices": ["B", "C", "F"]}]}  # 4.5 → 4.5: unchanged points
    body = exact(owner_client.post(f"/api/v1/assessments/{assessment.pk}/what-if/", change, format="json"))
    assert body["total"] == Decimal("58.125")
    change = {"changes": [{"question": "M1", "choice": "D"}]}  # 3 → 4.5
    body = exact(owner_client.post(f"/api/v1/assessments/{assessment.pk}/what-if/", change, format="json"))
    assert (body["total"], body["gates"][0]["shortfall"]) == (Decimal("59.625"), Decimal("0.375"))


def test_reading_the_list_and_the_results_writes_nothing(
    owner_client: APIClient, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    draft = answered(miit, organization, owner, "miit-28.125.json")  # never scored: worked out on each read
    submitted = submit_filling_gaps(answered(miit, organization, owner, "miit-58.125.json"), owner)
    assert AssessmentResult.objects.get(assessment=submitted).path_pending  # the path is not stored yet
    owner_client.get("/api/v1/organizations/")  # the key's last use is recorded once a minute: done here
    reads = [
        "/api/v1/assessments/",
        f"/api/v1/assessments/{draft.pk}/",
        f"/api/v1/assessments/{draft.pk}/results/",
        f"/api/v1/assessments/{submitted.pk}/results/?peers=sector,province",
    ]
    with CaptureQueriesContext(connection) as queries:
        bodies = [exact(owner_client.get(path)) for path in reads]
    writes = [
        q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT") or "FOR UPDATE" in q["sql"]
    ]
    assert writes == []
    assert [a["result"]["total"] for a in bodies[0]["results"]] == [Decimal("58.125"), Decimal("28.125")]
    assert bodies[3]["next_level_path"]["target"] == 3
    assert not AssessmentResult.objects.filter(assessment=draft).exists()
    assert AssessmentResult.objects.get(assessment=submitted).path_pending


def test_an_invalid_answer_is_explained_per_item_in_chinese(
    owner_client: APIClient, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    response = owner_client.put(
        f"/api/v1/assessments/{assessment.pk}/answers/",
        {"answers": [{"question": "F2", "choice": "B"}, {"question": "F1", "choices": ["A", "B"]}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-Hans",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_answers"
    assert body["details"] == {"F1": ["answers[1]: 选项“A”与其他选项互斥，只能单独选择"]}
