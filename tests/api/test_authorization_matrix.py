"""Every operation × every kind of caller → the expected status (other organisations' objects are 404)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
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
from programmes.invitations_csv import InvitationRow
from programmes.models import CohortExport, Consent, Programme
from programmes.services import GroupSpec, programme_create, programme_invitation_accept, programme_invitations_create
from reports.models import Report
from review.services import consultant_profile_save, review_item_set, review_start
from scoring.selectors import assessment_answers, framework_structure
from tests import evidence_files
from tests.helpers import lowest_item, submit_filling_gaps
from webhooks.services import webhook_endpoint_create

# The world's organisation is an SME (its owner, respondent and viewer, its consultant) enrolled, with consent to its
# results, in a bureau's programme; the bureau's people are callers too, and another operator (a bank) with a
# programme of its own. "other_organization_key" calls as the owner of another SME, invited to the programme but not
# (yet) enrolled. Every caller calls with an API key of their own (write scope unless named read-only).
SME_CALLERS = ("owner", "respondent", "viewer", "assigned_consultant", "unassigned_consultant")
OPERATOR_MEMBERS = ("operator_owner", "operator_admin", "operator_analyst", "operator_viewer")
CALLERS = (
    *SME_CALLERS,
    "other_organization_key",
    "revoked_key",
    "expired_key",
    "read_only_key",
    "anonymous",
    *OPERATOR_MEMBERS,
    "other_operator",
)
READERS = {"owner": 200, "respondent": 200, "viewer": 200, "assigned_consultant": 200, "read_only_key": 200}
# Strangers to the SME's own objects: a consultant of another SME, another SME, and every operator (enrolment shows an
# operator the SME's figures through the programme alone, never through the SME's own endpoints).
OUTSIDERS = {c: 404 for c in ("unassigned_consultant", "other_organization_key", *OPERATOR_MEMBERS, "other_operator")}
UNAUTHENTICATED = {"revoked_key": 401, "expired_key": 401, "anonymous": 401}
EVERYONE = {caller: 200 for caller in OUTSIDERS} | READERS


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


# The programme's side. To anyone who is no member of its operator a programme does not exist (404): the SME's people
# and consultants, another SME, another operator. A read-only key is refused every write (403) before any lookup.
NOT_OPERATOR_MEMBERS = {c: 404 for c in (*SME_CALLERS, "other_organization_key", "read_only_key", "other_operator")}


def programme_readers(success: int) -> dict[str, int]:
    """Every member of the operator, viewers too: the programme (and its aggregates)."""
    return {**{c: success for c in OPERATOR_MEMBERS}, **NOT_OPERATOR_MEMBERS}


def programme_analysts(success: int) -> dict[str, int]:
    """Admins and analysts: named SMEs, invitations (and exports); a viewer sees aggregates alone (403)."""
    return {**programme_readers(success), "operator_viewer": 403}


def programme_admins(success: int) -> dict[str, int]:
    """The operator's owners and programme administrators write; analysts and viewers may not (403)."""
    readers = programme_readers(403)
    return {**readers, "operator_owner": success, "operator_admin": success, "read_only_key": 403}


def sme_owner_decides(success: int) -> dict[str, int]:
    """An enrolled SME's decisions (withdrawing consent): its owner's alone; its other people 403."""
    return {**owner_only(success, others=403), "assigned_consultant": 404}


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
PROGRAMME = {
    "operator": "{operator}",
    "name": "矩阵试点",
    "framework_versions": ["miit-2024-manufacturing@2024"],
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "baseline_date": "2026-06-01",
    "target_level": 2,
    "target_share": "60",
    "target_date": "2026-12-31",
    "groups": [{"name": "一级供应商", "kind": "tier"}],
}
INVITATION = {"company_name": "新邀请企业", "email": "new@invited.example", "group": "一级供应商"}
PROGRAMME_OPERATIONS = [
    Operation("programmes_list", "get", "/api/v1/programmes/", EVERYONE),  # each sees their operators' own
    Operation(
        "programmes_create",
        "post",
        "/api/v1/programmes/",
        {**programme_admins(201), **{c: 400 for c in NOT_OPERATOR_MEMBERS}, "read_only_key": 403},  # unknown operator
        PROGRAMME,
    ),
    Operation("programmes_retrieve", "get", "/api/v1/programmes/{programme}/", programme_readers(200)),
    Operation(
        "programmes_partial_update",
        "patch",
        "/api/v1/programmes/{programme}/",
        programme_admins(200),
        {"target_level": 3},
    ),
    Operation("programmes_update", "put", "/api/v1/programmes/{programme}/", programme_admins(200), PROGRAMME),
    Operation("programmes_destroy", "delete", "/api/v1/programmes/{unused_programme}/", programme_admins(204)),
    Operation("invitations_list", "get", "/api/v1/programmes/{programme}/invitations/", programme_analysts(200)),
    Operation(
        "invitations_create",
        "post",
        "/api/v1/programmes/{programme}/invitations/",
        programme_admins(201),
        INVITATION,
    ),
    Operation(
        "invitations_bulk",
        "post",
        "/api/v1/programmes/{programme}/invitations/bulk/",
        programme_admins(201),
        {"invitations": [INVITATION, {**INVITATION, "company_name": "第二家", "email": "two@invited.example"}]},
    ),
    Operation(
        "invitations_revoke",
        "post",
        "/api/v1/programmes/{programme}/invitations/{invitation}/revoke/",
        programme_admins(200),
    ),
    # The SME's side: its enrolments are its members' to see, its owner's to decide.
    Operation("enrolments_list", "get", "/api/v1/enrolments/", EVERYONE),  # each sees their enterprises' own
    Operation(
        "enrolments_retrieve",
        "get",
        "/api/v1/enrolments/{enrolment}/",
        {**READERS, **OUTSIDERS, "assigned_consultant": 404},  # the SME's members': its consultant is none
    ),
    Operation("enrolments_withdraw", "post", "/api/v1/enrolments/{enrolment}/withdraw/", sme_owner_decides(200)),
    Operation(
        "enrolments_accept",  # the invited SME's owner; to everyone else the enterprise in the body is unknown
        "post",
        "/api/v1/enrolments/accept/",
        {
            **{c: 400 for c in EVERYONE},
            "other_organization_key": 201,
            "unassigned_consultant": 403,  # the invited SME's consultant: sees the enterprise, may not decide for it
            "read_only_key": 403,
        },
        {"token": "{token}", "organization": "{invited}", "consent": "results"},
    ),
    Operation(
        "enrolments_decline",  # whoever holds the e-mailed link
        "post",
        "/api/v1/enrolments/decline/",
        {**{c: 200 for c in EVERYONE}, "read_only_key": 403},
        {"token": "{token}"},
    ),
]
# Each operation's path placeholders, and the world's objects they stand for.
PLACEHOLDERS = (
    "org",
    "assessment",
    "webhook",
    "report",
    "document",
    "operator",
    "programme",
    "unused_programme",
    "invitation",
    "enrolment",
    "invited",
    "export",
    "offering",
    "fresh_offering",
    "referral",
)
# The cohort: figures for every member of the operator, exports and their jobs for analysts and administrators.
COHORT_OPERATIONS = [
    Operation("programme_analytics", "get", "/api/v1/programmes/{programme}/analytics/", programme_readers(200)),
    Operation(
        "programme_export", "get", "/api/v1/programmes/{programme}/export/", programme_analysts(200), {"format": "csv"}
    ),
    Operation("programme_export_job", "get", "/api/v1/programme-exports/{export}/", programme_analysts(200)),
    Operation("programme_export_file", "get", "/api/v1/programme-exports/{export}/file/", programme_analysts(200)),
]
OPERATIONS += PROGRAMME_OPERATIONS + COHORT_OPERATIONS
REVIEWED = ("submitted", "reviewing", "signable")  # assessments made only for the operations that need them


def test_the_matrix_covers_every_operation_of_the_schema(client: Any, db: None) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {(method, path) for path, item in schema["paths"].items() for method in item if method != "parameters"}
    covered = set()
    for o in OPERATIONS:
        path = o.path.replace("/programmes/{programme}/invitations/", "/programmes/{programme_id}/invitations/")
        for name in (*PLACEHOLDERS, *REVIEWED):
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
        **_programme_world(users, organization, other_organization, miit),
        "assessment": assessment,
        "webhook": webhook,
        "report": report,
        "document": document,
    }


def _programme_world(
    users: dict[str, User], organization: Organization, other_organization: Organization, miit: FrameworkVersion
) -> dict[str, Any]:
    """A bureau (adds its people to `users`) whose programme `organization` is enrolled in and `other_organization`
    is invited to (pending: "token"), a programme no one enrolled in, and a bank with a programme of its own."""
    users["operator_owner"] = _user("director@bureau.example")
    bureau = organization_create(
        owner=users["operator_owner"],
        name="矩阵市中小企业局",
        kind="bureau",
        sector="S",
        size_band="medium",
        province="32",
    )
    for caller in OPERATOR_MEMBERS[1:]:
        users[caller] = _user(f"{caller}@bureau.example")
        Membership.objects.create(user=users[caller], organization=bureau, role=caller.removeprefix("operator_"))
    users["other_operator"] = _user("head@bank.example")
    bank = organization_create(
        owner=users["other_operator"], name="矩阵银行", kind="bank", sector="J", size_band="large", province="32"
    )

    def programme(operator: Organization, name: str) -> Programme:
        return programme_create(
            operator=operator,
            created_by=operator.memberships.get(role="owner").user,
            name=name,
            framework_versions=[miit],
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 12, 31),
            baseline_date=date(2026, 6, 1),
            target_level=2,
            target_share=Decimal("60"),
            target_date=date(2027, 12, 31),
            groups=[GroupSpec("一级供应商", "tier")],
        )

    pilot, unused = programme(bureau, "矩阵试点"), programme(bureau, "未启用的试点")
    programme(bank, "银行的试点")
    rows = [
        InvitationRow(line=1, company_name=organization.name, email="owner@matrix.example"),
        InvitationRow(line=2, company_name=other_organization.name, email="other@matrix.example"),
    ]
    enrolled, invited = programme_invitations_create(programme=pilot, rows=rows, invited_by=users["operator_owner"])
    enrolment = programme_invitation_accept(
        invitation=enrolled.invitation, organization=organization, user=users["owner"], consent=Consent.RESULTS
    )
    export = CohortExport.objects.create(programme=pilot, format="csv", status=CohortExport.Status.READY)
    export.file.save("matrix.csv", ContentFile(b"\xef\xbb\xbfcompany\r\n"))
    return {
        "export": export,
        "operator": bureau,
        "programme": pilot,
        "unused_programme": unused,
        "invitation": invited.invitation,
        "token": invited.token,
        "enrolment": enrolment,
        "invited": other_organization,
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


def _fill(value: Any, ids: dict[str, Any]) -> Any:
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
    ids = {name: world[name].pk for name in PLACEHOLDERS} | {"token": world["token"]}
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


ON_PROGRAMMES = [o for o in PROGRAMME_OPERATIONS if o.path.startswith("/api/v1/programmes/")]


@pytest.mark.parametrize("operation", ON_PROGRAMMES, ids=lambda o: o.name)
def test_an_operators_read_only_key_reads_the_programme_and_changes_nothing(
    operation: Operation, world: dict[str, Any]
) -> None:
    _key, secret = api_key_create(user=world["users"]["operator_admin"], name="read", scope=ApiKey.Scope.READ)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    ids = {name: world[name].pk for name in PLACEHOLDERS}
    response = getattr(client, operation.method)(_fill(operation.path, ids), _fill(operation.body, ids), format="json")
    assert response.status_code == (200 if operation.method == "get" else 403), response.content[:500]
    if operation.method != "get":
        assert set(response.json()) == {"code", "message", "details"}


def test_programme_lists_show_each_caller_their_own_alone(world: dict[str, Any]) -> None:
    def listed(caller: str, path: str) -> list[int]:
        return [item["id"] for item in _client(caller, world).get(path).json()["results"]]

    pilot, unused = world["programme"].pk, world["unused_programme"].pk
    assert sorted(listed("operator_viewer", "/api/v1/programmes/")) == sorted([pilot, unused])
    assert pilot not in listed("other_operator", "/api/v1/programmes/")
    assert len(listed("other_operator", "/api/v1/programmes/")) == 1  # the bank's own
    assert listed("owner", "/api/v1/programmes/") == []  # enrolled, but no member of the bureau
    assert listed("owner", "/api/v1/enrolments/") == [world["enrolment"].pk]
    assert listed("other_organization_key", "/api/v1/enrolments/") == []  # invited, not enrolled
    assert listed("operator_owner", "/api/v1/enrolments/") == []  # the operator reads SMEs through the programme
