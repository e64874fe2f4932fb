"""The schema says what the API does: the rules the live schemathesis run (test_schema_live.py) found untold."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from api.schema import DISPLAY_TEXT, DISPLAY_TEXT_OR_BLANK, NOT_BLANK
from api.serializers import CommentWriteSerializer, OrganizationSerializer, WebhookEndpointSerializer
from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from tests.api.schemathesis_hooks import refused_for_what_no_schema_states

# Letters, every kind of white space str.strip() removes, control characters and bidi controls.
TRICKY = st.text(
    st.sampled_from(["a", "中", "é", " ", "\t", "\n", "\x1c", "\x85", "\xa0", "\u3000", "\x00", "\x1b", "\x9f"])
    | st.sampled_from(["\u202e", "\u2066", "\u200f", "\u061c", "\ufeff", "\u200b", "-"]),
    max_size=12,
)


def accepted(field: Any, value: str) -> bool:
    try:
        field.run_validation(value)
    except ValidationError:
        return False
    return True


@given(TRICKY)
def test_the_display_text_pattern_accepts_exactly_the_names_the_api_accepts(value: str) -> None:
    name = OrganizationSerializer().fields["name"]
    assert (re.fullmatch(DISPLAY_TEXT, value) is not None) == accepted(name, value), repr(value)


@given(TRICKY)
def test_the_blank_display_text_pattern_accepts_exactly_the_descriptions_the_api_accepts(value: str) -> None:
    description = WebhookEndpointSerializer().fields["description"]
    assert (re.fullmatch(DISPLAY_TEXT_OR_BLANK, value) is not None) == accepted(description, value), repr(value)


@given(TRICKY)
def test_the_not_blank_pattern_accepts_exactly_the_comments_the_api_accepts(value: str) -> None:
    body = CommentWriteSerializer().fields["body"]
    assert (re.fullmatch(NOT_BLANK, value) is not None) == accepted(body, value), repr(value)


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    body: dict[str, Any] = APIClient().get("/api/schema/?format=json").json()
    return body


def parameter(schema: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    [found] = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
    return found


def test_the_schema_states_the_rules_of_parameters_and_bodies(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    assert parameter(schema, "/api/v1/frameworks/", "get", "Accept-Language")["schema"] == {"type": "string"}
    assert parameter(schema, "/api/v1/frameworks/", "get", "lang")["schema"] == {"type": "string"}
    assert parameter(schema, "/api/v1/assessments/", "get", "organization")["schema"]["minimum"] == 1
    assert parameter(schema, "/api/v1/assessments/", "get", "page_size")["schema"] == {"type": "integer", "minimum": 1}
    peers = parameter(schema, "/api/v1/assessments/{id}/results/", "get", "peers")
    assert (peers["style"], peers["explode"], peers["schema"]["items"]["enum"]) == (
        "form",
        False,
        ["province", "sector", "size_band"],
    )
    key = parameter(schema, "/api/v1/organizations/", "post", "Idempotency-Key")["schema"]
    assert key == {"type": "string", "pattern": "^[!-~]([ -~]{0,253}[!-~])?$"}
    for closed in ("AnswerItemRequest", "AnswerSetWriteRequest", "WhatIfRequest"):
        assert components[closed]["additionalProperties"] is False, closed
    assert components["AnswerItem"].get("additionalProperties") is None  # responses may grow
    assert components["OrganizationRequest"]["properties"]["annual_revenue"]["multipleOf"] == 0.01
    assert components["OrganizationRequest"]["properties"]["name"]["pattern"] == DISPLAY_TEXT
    assert components["AssessmentCreateRequest"]["properties"]["framework"]["pattern"] == "^[^\\x00]*$"
    assert components["PledgeEnum"]["enum"] == [True]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "0", "-1", "x", "2.5", "null", "١٢"])
def test_a_page_size_that_is_not_a_whole_number_of_one_or_more_is_400(owner_client: APIClient, value: str) -> None:
    response = owner_client.get("/api/v1/organizations/", {"page_size": value, "lang": "en"})
    assert response.status_code == 400
    assert response.json()["details"] == {
        "page_size": ["Use a whole number of 1 or more; a page holds at most 200 items."]
    }


@pytest.mark.django_db
def test_a_page_size_above_the_most_is_taken_as_the_most(owner_client: APIClient, organization: Organization) -> None:
    response = owner_client.get("/api/v1/organizations/", {"page_size": "1" + "0" * 40})
    assert (response.status_code, response.json()["count"]) == (200, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "last", "x", "0"])
def test_a_page_that_is_not_a_page_number_is_404(owner_client: APIClient, value: str) -> None:
    response = owner_client.get("/api/v1/organizations/", {"page": value})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["organization", "submitted_after", "submitted_before"])
def test_a_filter_given_without_a_value_is_400(owner_client: APIClient, name: str) -> None:
    response = owner_client.get(f"/api/v1/assessments/?lang=en&{name}=")
    assert response.status_code == 400
    assert response.json()["details"] == {name: ["Give a value, or leave the parameter out."]}
    assert owner_client.get("/api/v1/assessments/?framework=").status_code == 200  # any text, "" too


@pytest.mark.django_db
def test_an_unknown_language_is_ignored_for_the_default(owner_client: APIClient) -> None:
    for response in (
        owner_client.get("/api/v1/organizations/?page=x", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"),
        owner_client.get("/api/v1/organizations/?page=x&lang=fr"),
    ):
        assert (response.status_code, response["Content-Language"]) == (404, "zh-hans")
        assert response.json()["message"] == "无效页面。"
    english = owner_client.get("/api/v1/organizations/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert english["Content-Language"] == "en"


@pytest.mark.django_db
def test_an_amount_with_three_decimal_places_is_refused(owner_client: APIClient) -> None:
    body = {"name": "新公司", "sector": "C", "size_band": "small", "province": "32", "annual_revenue": 0.125}
    response = owner_client.post("/api/v1/organizations/?lang=en", body, format="json")
    assert response.status_code == 400
    assert response.json()["details"] == {"annual_revenue": ["Ensure that there are no more than 2 decimal places."]}


@pytest.mark.django_db
def test_a_previous_assessment_of_another_framework_is_refused_under_previous(
    owner_client: APIClient, organization: Organization, owner: User, eu_dma: FrameworkVersion
) -> None:
    earlier = assessment_create(organization=organization, framework_version=eu_dma, created_by=owner)
    body = {"organization": organization.pk, "framework": "miit-2024-manufacturing", "previous": earlier.pk}
    response = owner_client.post("/api/v1/assessments/?lang=en", body, format="json")
    assert response.status_code == 400
    assert response.json()["details"] == {
        "previous": ["The previous assessment must be of the same organisation and framework."]
    }
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "excused"),
    [
        ({"code": "invalid_answers", "details": {"F1": ["…"]}}, True),
        ({"code": "incomplete", "details": {"R1": ["…"]}}, True),
        ({"code": "idempotency_key_reused", "details": {}}, True),
        ({"code": "invalid", "details": {"framework": ["…"], "previous": ["…"]}}, True),
        ({"code": "invalid", "details": {"uscc": ["…"], "annual_revenue": ["…"]}}, False),
        ({"code": "invalid", "details": {"page_size": ["…"]}}, False),
        ({"code": "invalid", "details": {"file": ["…"], "question": ["…"]}}, True),
        ({"code": "invalid", "details": {"answer": ["…"], "answer.question": ["…"]}}, True),
        ({"code": "invalid", "details": {"answer": ["…"], "reason": ["…"]}}, False),
        ({"code": "invalid", "details": {"message": ["…"]}}, False),
        ({"code": "invalid", "details": {"checklist": ["…"]}}, False),
        ({"code": "invalid", "details": {}}, False),
        ({"code": "parse_error", "details": {}}, False),
        ("not an error body", False),
    ],
)
def test_the_live_run_excuses_only_refusals_no_schema_can_state(body: Any, excused: bool) -> None:
    assert refused_for_what_no_schema_states(json.dumps(body).encode()) is excused


def test_every_id_in_a_path_is_described_as_the_routes_take_it(schema: dict[str, Any]) -> None:
    ids = [
        (path, method, parameter["schema"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] == "id"
    ]
    assert len(ids) > 30
    assert [i for i in ids if i[2] != {"type": "string", "pattern": "^[0-9]{1,18}$"}] == []


@pytest.mark.django_db
def test_an_id_longer_than_the_routes_take_is_404(consultant_client: APIClient) -> None:
    response = consultant_client.post("/api/v1/assessments/1234567890123456789/review/start/")
    assert response.status_code == 404


def test_the_schema_states_what_each_verdict_needs(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    operation = schema["paths"]["/api/v1/assessments/{id}/review/items/{question_key}/"]["put"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/VerdictRequest"
    }
    shapes = {}
    for variant in components["VerdictRequest"]["oneOf"]:
        shape = components[variant["$ref"].rsplit("/", 1)[-1]]
        [verdict] = components[shape["properties"]["verdict"]["$ref"].rsplit("/", 1)[-1]]["enum"]
        shapes[verdict] = shape
    assert {verdict: sorted(shape["required"]) for verdict, shape in shapes.items()} == {
        "verified": ["verdict"],
        "adjusted": ["answer", "reason", "verdict"],
        "change_requested": ["message", "verdict"],
        "unverifiable": ["reason", "verdict"],
    }
    no_answer = {"type": "object", "nullable": True, "maxProperties": 0}
    for verdict in ("verified", "change_requested", "unverifiable"):
        assert shapes[verdict]["properties"]["answer"] == no_answer, verdict
    for verdict, required in (("adjusted", "reason"), ("change_requested", "message"), ("unverifiable", "reason")):
        assert shapes[verdict]["properties"][required]["pattern"] == NOT_BLANK, verdict
    return_message = components["ReviewReturnRequest"]["properties"]["message"]
    assert (return_message["pattern"], "oneOf" in return_message) == (NOT_BLANK, False)
    assert components["ReviewFinalizeRequest"]["properties"]["statement"]["pattern"] == DISPLAY_TEXT
    assert components["CommentWriteRequest"]["properties"]["body"]["pattern"] == NOT_BLANK


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"verdict": "verified", "answer": {}},
        {"verdict": "verified", "answer": None, "reason": "", "message": ""},
        {"verdict": "unverifiable", "answer": {}, "reason": "无凭证"},
        {"verdict": "change_requested", "message": "请补充", "reason": "  "},
    ],
)
def test_a_verdict_the_schema_allows_is_accepted(
    consultant_client: APIClient, submitted: Assessment, body: dict[str, Any]
) -> None:
    consultant_client.post(f"/api/v1/assessments/{submitted.pk}/review/start/")
    response = consultant_client.put(f"/api/v1/assessments/{submitted.pk}/review/items/F1/", body, format="json")
    assert (response.status_code, response.json()["verdict"]) == (200, body["verdict"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("step", "body", "field"),
    [
        ("return/", {"message": " \u3000\n"}, "message"),
        ("finalize/", {"statement": "\t "}, "statement"),
        ("finalize/", {"statement": "经核查\n属实"}, "statement"),
    ],
)
def test_text_the_schema_forbids_is_refused(
    consultant_client: APIClient, submitted: Assessment, step: str, body: dict[str, str], field: str
) -> None:
    consultant_client.post(f"/api/v1/assessments/{submitted.pk}/review/start/")
    response = consultant_client.post(f"/api/v1/assessments/{submitted.pk}/review/{step}", body, format="json")
    assert (response.status_code, list(response.json()["details"])[:1]) == (400, [field])
