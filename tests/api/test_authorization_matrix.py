"""Every operation × every kind of caller → the expected status (other organisations' objects are 404)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey
from api.services import api_key_create, api_key_revoke
from assessment.models import Assessment, ConsultantAssignment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.documents import document_add
from assessment.services.organizations import organization_create
from offerings.services import offering_create, referral_create
from reports.models import Report
from review.services import consultant_profile_save, review_item_set, review_start
from scoring.selectors import assessment_answers, framework_structure
from tests import evidence_files
from tests.helpers import lowest_item, submit_filling_gaps
from webhooks.services import webhook_endpoint_create

CALLERS = (
    "owner",
    "respondent",
    "viewer",
    "assigned_consultant",
    "unassigned_consultant",
    "other_organization_key",
    "revoked_key",
    "expired_key",
    "read_only_key",
    "anonymous",
)
READERS = {"owner": 200, "respondent": 200, "viewer": 200, "assigned_consultant": 200, "read_only_key": 200}
OUTSIDERS = {"unassigned_consultant": 404, "other_organization_key": 404}
UNAUTHENTICATED = {"revoked_key": 401, "expired_key": 401, "anonymous": 401}
EVERYONE = {caller: 200 for caller in ("unassigned_consultant", "other_organization_key")} | READERS


def contributors_write(success: int) -> dict[str, int]:
    return {
        "owner": success,
        "respondent": success,
        "viewer": 403,
        "assigned_consultant": 403,
        "read_only_key": 403,
        **OUTSIDERS,
    }


def consultant_write(success: int) -> dict[str, int]:
    """The review's steps: the assigned consultant's alone."""
    sme = {role: 403 for role in ("owner", "respondent", "viewer")}
    return {**sme, "assigned_consultant": success, "read_only_key": 403, **OUTSIDERS}


def owner_only(success: int, others: int = 404) -> dict[str, int]:
    roles = {role: others for role in ("respondent", "viewer", "assigned_consultant")}
    return {"owner": success, **roles, "read_only_key": 403, **OUTSIDERS}


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str  # {org}, {assessment}, {webhook}, {report}, {document}; the review's {submitted}, {reviewing} …
    expected: dict[str, int]
    body: Any = None
    format: str = "json"


ORG_BODY = {"name": "新建企业", "sector": "C", "province": "11", "size_band": "micro"}
WEBHOOK = {"url": "https://hooks.example.com/sme", "events": ["assessment.submitted"]}

OFFERING = {
    "kind": "training",
    "title": "数字化培训",
    "description": "培训",
    "framework": "miit-2024-manufacturing",
    "question_keys": ["S01"],
    "contact_name": "王",
    "contact_email": "w@provider.example",
}

OPERATIONS = [
    Operation("frameworks_list", "get", "/api/v1/frameworks/", EVERYONE),
    Operation("frameworks_retrieve", "get", "/api/v1/frameworks/miit-2024-manufacturing/", EVERYONE),
    Operation("organizations_list", "get", "/api/v1/organizations/", EVERYONE),
    Operation(
        "organizations_create",
        "post",
        "/api/v1/organizations/",
        {**{c: 201 for c in EVERYONE}, "read_only_key": 403},
        ORG_BODY,
    ),
    Operation("organizations_retrieve", "get", "/api/v1/organizations/{org}/", {**READERS, **OUTSIDERS}),
    Operation(
        "organizations_partial_update",
        "patch",
        "/api/v1/organizations/{org}/",
        owner_only(200, others=403),
        {"employees": 80},
    ),
    Operation(
        "organizations_update",
        "put",
        "/api/v1/organizations/{org}/",
        owner_only(200, others=403),
        {**ORG_BODY, "size_band": "small"},
    ),
    Operation("assessments_list", "get", "/api/v1/assessments/", EVERYONE),
    Operation(
        "assessments_create",
        "post",
        "/api/v1/assessments/",
        {**contributors_write(201), **{c: 400 for c in OUTSIDERS}},  # the organisation named in the body is unknown
        {"organization": "{org}", "framework": "miit-2024-manufacturing"},
    ),
    Operation("assessments_retrieve", "get", "/api/v1/assessments/{assessment}/", {**READERS, **OUTSIDERS}),
    Operation("answers_retrieve", "get", "/api/v1/assessments/{assessment}/answers/", {**READERS, **OUTSIDERS}),
    Operation(
        "answers_update",
        "put",
        "/api/v1/assessments/{assessment}/answers/",
        contributors_write(200),
        {"answers": [{"question": "F5", "choice": "C"}]},
    ),
    Operation(
        "answer_partial_update",
        "patch",
        "/api/v1/assessments/{assessment}/answers/S01/",
        contributors_write(200),
        {"level": 2},
    ),
    Operation("submit", "post", "/api/v1/assessments/{assessment}/submit/", contributors_write(200), {"pledge": True}),
    Operation("results", "get", "/api/v1/assessments/{assessment}/results/", {**READERS, **OUTSIDERS}),
    Operation(
        "what_if",
        "post",
        "/api/v1/assessments/{assessment}/what-if/",
        {**READERS, **OUTSIDERS},  # saves nothing: a read-only key may ask
        {"changes": [{"question": "S02", "level": 4}]},
    ),
    Operation(
        "reports_create",
        "post",
        "/api/v1/assessments/{assessment}/reports/",
        {**{c: 202 for c in READERS}, "read_only_key": 403, **OUTSIDERS},  # a report is something created
        {"language": "en"},
    ),
    Operation("documents_list", "get", "/api/v1/assessments/{assessment}/documents/", {**READERS, **OUTSIDERS}),
    Operation(
        "documents_create",
        "post",
        "/api/v1/assessments/{assessment}/documents/",
        contributors_write(201),
        {"file": "{upload}", "question": "F2"},
        format="multipart",
    ),
    Operation("documents_retrieve", "get", "/api/v1/documents/{document}/", {**READERS, **OUTSIDERS}),
    Operation("documents_download", "get", "/api/v1/documents/{document}/download/", {**READERS, **OUTSIDERS}),
    Operation("documents_destroy", "delete", "/api/v1/documents/{document}/", contributors_write(204)),
    Operation("reports_list", "get", "/api/v1/assessments/{assessment}/reports/", {**READERS, **OUTSIDERS}),
    Operation("reports_retrieve", "get", "/api/v1/reports/{report}/", {**READERS, **OUTSIDERS}),
    Operation("reports_pdf", "get", "/api/v1/reports/{report}/pdf/", {**READERS, **OUTSIDERS}),
    Operation("webhooks_list", "get", "/api/v1/webhooks/", EVERYONE),
    Operation(
        "webhooks_create",
        "post",
        "/api/v1/webhooks/",
        {**owner_only(201, others=403), **{c: 400 for c in OUTSIDERS}},
        {**WEBHOOK, "organization": "{org}"},
    ),
    Operation("webhooks_retrieve", "get", "/api/v1/webhooks/{webhook}/", {**owner_only(200), "read_only_key": 200}),
    Operation("webhooks_partial_update", "patch", "/api/v1/webhooks/{webhook}/", owner_only(200), {"active": False}),
    Operation("webhooks_update", "put", "/api/v1/webhooks/{webhook}/", owner_only(200), WEBHOOK),
    Operation("webhooks_destroy", "delete", "/api/v1/webhooks/{webhook}/", owner_only(204)),
    Operation(
        "webhooks_deliveries",
        "get",
        "/api/v1/webhooks/{webhook}/deliveries/",
        {**owner_only(200), "read_only_key": 200},
    ),
    Operation("reviews_list", "get", "/api/v1/reviews/", EVERYONE),
    Operation("review_start", "post", "/api/v1/assessments/{submitted}/review/start/", consultant_write(200)),
    Operation(
        "review_item_update",
        "put",
        "/api/v1/assessments/{reviewing}/review/items/F1/",
        consultant_write(200),
        {"verdict": "verified"},
    ),
    Operation(
        "review_item_adjusted",
        "put",
        "/api/v1/assessments/{reviewing}/review/items/F2/",
        consultant_write(200),
        {"verdict": "adjusted", "answer": {"choice": "A"}, "reason": "台账不符"},
    ),
    Operation("review_items", "get", "/api/v1/assessments/{reviewing}/review/items/", {**READERS, **OUTSIDERS}),
    Operation(
        "review_return",
        "post",
        "/api/v1/assessments/{reviewing}/review/return/",
        consultant_write(200),
        {"message": "请修改F5"},
    ),
    Operation(
        "review_finalize",
        "post",
        "/api/v1/assessments/{signable}/review/finalize/",
        consultant_write(200),
        {"statement": "经核查属实"},
    ),
    Operation("comments_list", "get", "/api/v1/assessments/{assessment}/comments/", {**READERS, **OUTSIDERS}),
    Operation(
        "comments_create",
        "post",
        "/api/v1/assessments/{assessment}/comments/",
        {
            **{c: 201 for c in ("owner", "respondent", "viewer", "assigned_consultant")},
            "read_only_key": 403,
            **OUTSIDERS,
        },
        {"question": "F1", "body": "设备台账见附件"},
    ),
    Operation(
        "comments_create_internal",  # only the consultants' own
        "post",
        "/api/v1/assessments/{assessment}/comments/",
        consultant_write(201),
        {"body": "内部：需现场核对", "visibility": "internal"},
    ),
    Operation("history", "get", "/api/v1/assessments/{assessment}/history/", {**READERS, **OUTSIDERS}),
    Operation("offerings_list", "get", "/api/v1/offerings/?province=32&level=1", EVERYONE),
    Operation("offerings_retrieve", "get", "/api/v1/offerings/{offering}/", EVERYONE),
    Operation(
        "offerings_create",  # an SME is no operator: its people may not publish; an unknown provider is a 400
        "post",
        "/api/v1/offerings/",
        {**{c: 403 for c in READERS}, **{c: 400 for c in OUTSIDERS}},
        {**OFFERING, "provider": "{org}"},
    ),
    Operation(
        "offerings_partial_update",  # another provider's published offering: seen, not changed
        "patch",
        "/api/v1/offerings/{offering}/",
        {c: 403 for c in EVERYONE},
        {"title": "改名"},
    ),
    Operation("referrals_list", "get", "/api/v1/referrals/", EVERYONE),
    Operation(
        "referrals_create",
        "post",
        "/api/v1/referrals/",
        {**contributors_write(201), **{c: 400 for c in OUTSIDERS}},  # the organisation named in the body is unknown
        {"offering": "{fresh_offering}", "organization": "{org}", "contact_name": "李四", "contact_email": "l@x.cn"},
    ),
    Operation(
        "referrals_retrieve",
        "get",
        "/api/v1/referrals/{referral}/",
        {**READERS, "assigned_consultant": 404, **OUTSIDERS},  # the SME's own business, not its consultant's
    ),
    Operation(
        "referrals_partial_update",
        "patch",
        "/api/v1/referrals/{referral}/",
        {**contributors_write(200), "assigned_consultant": 404},
        {"status": "progressed", "outcome": "已联系"},
    ),
]
IDS = ("org", "assessment", "webhook", "report", "document", "offering", "fresh_offering", "referral")
REVIEWED = ("submitted", "reviewing", "signable")  # assessments made only for the operations that need them


def test_the_matrix_covers_every_operation_of_the_schema(client: Any, db: None) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {(method, path) for path, item in schema["paths"].items() for method in item if method != "parameters"}
    covered = set()
    for o in OPERATIONS:
        path = o.path
        for name in (*IDS, *REVIEWED):
            path = path.replace(f"{{{name}}}", "{id}")
        path = re.sub(r"/(answers|items)/[A-Z0-9]+/", r"/\1/{question_key}/", path)
        covered.add((o.method, path.replace("/miit-2024-manufacturing/", "/{slug}/").split("?")[0]))
    assert operations == covered


def _user(email: str) -> User:
    return User.objects.create_user(email, "pw-matrix-1234")


@pytest.fixture
def world(miit: FrameworkVersion, settings: Any) -> dict[str, Any]:
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True  # no DNS lookups in this test
    owner = _user("owner@matrix.example")
    organization = organization_create(owner=owner, name="矩阵测试企业", sector="C", size_band="small", province="32")
    users = {"owner": owner}
    for role in ("respondent", "viewer"):
        users[role] = _user(f"{role}@matrix.example")
        Membership.objects.create(user=users[role], organization=organization, role=role)
    users["assigned_consultant"] = _user("consultant@matrix.example")
    ConsultantAssignment.objects.create(consultant=users["assigned_consultant"], organization=organization)
    users["unassigned_consultant"] = _user("elsewhere@matrix.example")
    other = _user("other@matrix.example")
    other_organization = organization_create(
        owner=other, name="另一家企业", sector="C", size_band="small", province="32"
    )
    ConsultantAssignment.objects.create(consultant=users["unassigned_consultant"], organization=other_organization)
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    framework = framework_structure(miit)
    answers_upsert(
        assessment=assessment, answered_by=owner, items=[lowest_item(q) for q in framework.questions.values()]
    )
    webhook = webhook_endpoint_create(organization=organization, created_by=owner, **WEBHOOK)
    report = Report.objects.create(
        assessment=assessment, language="en", version=1, inputs_hash="-", status=Report.Status.READY
    )
    report.file.save("matrix.pdf", ContentFile(b"%PDF-1.7 matrix"))
    document = document_add(
        assessment=assessment,
        uploaded_by=owner,
        upload=evidence_files.upload(evidence_files.pdf("ledger")),
        question_key="F2",
    )
    provider_admin = _user("admin@provider.matrix.example")
    provider = organization_create(
        owner=provider_admin, name="矩阵服务商", kind="provider", sector="I", size_band="small", province="32"
    )
    offerings = [
        offering_create(
            provider=provider, created_by=provider_admin, **{**OFFERING, "framework": miit.framework, "title": title}
        )
        for title in ("数字化培训", "设备联网咨询")
    ]
    referral = referral_create(
        offering=offerings[0],
        organization=organization,
        requested_by=owner,
        contact_name="李四",
        contact_email="l@x.cn",
    )
    return {
        "offering": offerings[0],
        "fresh_offering": offerings[1],
        "referral": referral,
        "users": users,
        "other": other,
        "org": organization,
        "assessment": assessment,
        "webhook": webhook,
        "report": report,
        "document": document,
    }


def _reviewed(world: dict[str, Any], name: str) -> Assessment:
    """A submitted assessment of the world's organisation; "reviewing": under review with a change request;
    "signable": under review, every answer verified."""
    owner, consultant = world["users"]["owner"], world["users"]["assigned_consultant"]
    miit = world["assessment"].framework_version
    assessment = submit_filling_gaps(
        assessment_create(organization=world["org"], framework_version=miit, created_by=owner), owner
    )
    if name == "submitted":
        return assessment
    review_start(assessment=assessment, consultant=consultant)
    if name == "reviewing":
        review_item_set(
            assessment=assessment, reviewer=consultant, question_key="F5", verdict="change_requested", message="请补充"
        )
        return assessment
    consultant_profile_save(user=consultant, family_name="李", given_name="明", qualification="数字化评估师")
    for key in assessment_answers(assessment):
        review_item_set(assessment=assessment, reviewer=consultant, question_key=key, verdict="verified")
    return assessment


def _client(caller: str, world: dict[str, Any]) -> APIClient:
    client = APIClient()
    if caller == "anonymous":
        return client
    users = world["users"]
    user = {"other_organization_key": world["other"]}.get(caller) or users.get(caller) or users["owner"]
    scope = ApiKey.Scope.READ if caller == "read_only_key" else ApiKey.Scope.WRITE
    key, secret = api_key_create(user=user, name=caller, scope=scope)
    if caller == "revoked_key":
        api_key_revoke(key=key)
    if caller == "expired_key":
        ApiKey.objects.filter(pk=key.pk).update(expiry_date=timezone.now() - timedelta(minutes=1))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if value == "{upload}":  # a fresh file for each request: another than the world's, so never a duplicate
        return evidence_files.upload(evidence_files.png(), "photo.png")
    if isinstance(value, str):
        for name, pk in ids.items():
            if value == f"{{{name}}}":
                return pk
            value = value.replace(f"{{{name}}}", str(pk))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_operation_answers_each_caller_as_expected(operation: Operation, caller: str, world: dict[str, Any]) -> None:
    expected = {**UNAUTHENTICATED, **operation.expected}[caller]
    ids = {name: world[name].pk for name in IDS}
    ids |= {name: _reviewed(world, name).pk for name in REVIEWED if f"{{{name}}}" in operation.path}
    client = _client(caller, world)
    path, body = _fill(operation.path, ids), _fill(operation.body, ids)
    response = getattr(client, operation.method)(path, body, format=operation.format)
    assert response.status_code == expected, response.content[:500]
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "details"}
    if expected == 404:
        assert world["org"].name not in response.content.decode()


def test_lists_show_other_organisations_nothing(world: dict[str, Any]) -> None:
    for path in ("/api/v1/organizations/", "/api/v1/assessments/", "/api/v1/webhooks/"):
        body = _client("other_organization_key", world).get(path).json()
        assert world["org"].pk not in [item.get("organization", item["id"]) for item in body["results"]]
        assert world["org"].name not in str(body)


def test_a_key_limited_to_one_organisation_sees_no_other(world: dict[str, Any]) -> None:
    owner = world["users"]["owner"]
    second = organization_create(owner=owner, name="第二家", sector="C", size_band="small", province="32")
    _key, secret = api_key_create(user=owner, name="limited", scope=ApiKey.Scope.WRITE, organization=world["org"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listed = [o["id"] for o in client.get("/api/v1/organizations/").json()["results"]]
    assert listed == [world["org"].pk]
    assert client.get(f"/api/v1/organizations/{second.pk}/").status_code == 404
    assert client.post("/api/v1/organizations/", ORG_BODY, format="json").status_code == 403
    assert Organization.objects.filter(name=ORG_BODY["name"]).count() == 0
