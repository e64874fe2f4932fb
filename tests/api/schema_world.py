"""What the schemathesis runs (in-process and live) send their requests to, and how they draw values for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiKey
from api.services import api_key_create
from assessment.models import Assessment, EvidenceDocument, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.documents import document_add
from assessment.services.organizations import organization_create
from offerings.models import Offering, Referral
from offerings.services import offering_create, referral_create
from programmes.invitations_csv import InvitationRow
from programmes.models import CohortExport, Consent, Enrolment, Programme, ProgrammeInvitation
from programmes.services import GroupSpec, programme_create, programme_invitation_accept, programme_invitations_create
from reports.models import Report
from review.models import ReviewComment, ReviewItem
from review.services import (
    consultant_assign,
    consultant_profile_save,
    review_comment_add,
    review_finalize,
    review_item_set,
    review_start,
)
from scoring.engine import missing_for_submission
from scoring.selectors import assessment_answers, framework_structure
from tests import evidence_files
from tests.helpers import lowest_item, submit_filling_gaps, valid_uscc
from webhooks.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create

# No 5xx, and the status code, content type, headers and body are the ones the schema documents.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OUTSIDER_NAME = "其他有限公司"
CHANGE_REQUESTED = "F5"  # the question the review asks the SME to change


@dataclass(frozen=True)
class World:
    """Real objects for the generated requests; the write-scoped keys of their owner and of their consultant."""

    secret: str
    consultant_secret: str  # the consultant assigned to `organization` (with a profile: they may sign)
    organization: Organization
    draft: Assessment  # MIIT, some answers, a document
    ready: Assessment  # MIIT, every required answer: submitting it succeeds
    submittable: list[Assessment]  # more like it, for submit alone to draw (answer writes may undo `ready`)
    submitted: Assessment  # EU DMA, submitted: immutable; the consultant may start reviewing it
    reviewing: Assessment  # MIIT, under review: a change request on CHANGE_REQUESTED, an internal comment
    returnable: list[Assessment]  # like it, for return alone to draw (verdicts may undo the change request)
    signable: list[Assessment]  # MIIT, under review, every answer verified: for finalize alone to draw
    finalized: Assessment  # MIIT, signed off: its verified result is the signed one
    report: Report  # the draft's, ready, with its PDF
    endpoint: WebhookEndpoint  # with one delivery and one failed attempt
    spare_endpoints: list[WebhookEndpoint]  # for DELETE to draw, so that `endpoint` stays
    document: EvidenceDocument  # the draft's, on question F1
    spare_documents: list[EvidenceDocument]  # the draft's too, for DELETE to draw, so that `document` stays
    question_keys: list[str]
    outsider: Organization  # another user's: never shown, never changed
    outsider_assessment: Assessment
    outsider_document: EvidenceDocument
    operator_secret: str  # the write-scoped key of the admin of a bureau running `programme`
    programme: Programme  # `organization` is enrolled in it (results consent); sub-group GROUP
    spare_programmes: list[Programme]  # no one enrolled: for DELETE to draw, so that `programme` stays
    invitation: ProgrammeInvitation  # to `programme`, open: for revoke to draw
    enrolment: Enrolment  # `organization`'s in `programme`
    open_programme: Programme  # the bureau's second programme, which `organization` is invited to, not enrolled in
    token: str  # that invitation's: accept draws it
    decline_token: str  # an invitation of the bureau's third programme to `organization`: decline draws it
    export: CohortExport  # a ready CSV export of `programme`
    offering: Offering  # another organisation's (a provider's), published: seen by all, changed by its admins
    hidden_offering: Offering  # the provider's, unpublished: not there for anyone else
    referral: Referral  # the organisation asked the provider of `offering` for contact
    spare_offering: Offering  # the provider's, published, not asked about yet: a new referral succeeds
    provider_secret: str  # the write-scoped key of the provider's administrator


def _ready(assessment: Assessment, user: User) -> Assessment:
    """Answer every required question, without submitting."""
    framework = framework_structure(assessment.framework_version)
    missing = missing_for_submission(framework, assessment_answers(assessment))
    items = [lowest_item(framework.questions[m.question]) for m in missing if m.evidence is None]
    answers_upsert(assessment=assessment, items=items, answered_by=user)
    return assessment


def ready_report(assessment: Assessment) -> Report:
    """The assessment's English report, version 1, ready with a (tiny) PDF."""
    report, created = Report.objects.get_or_create(
        assessment=assessment, language="en", version=1, defaults={"inputs_hash": "-", "status": Report.Status.READY}
    )
    if created:
        report.file.save("conformance.pdf", ContentFile(b"%PDF-1.7 conformance"))
    return report


def _under_review(organization: Organization, miit: FrameworkVersion, owner: User, consultant: User) -> Assessment:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    return review_start(assessment=submit_filling_gaps(assessment, owner), consultant=consultant)


def _change_requested(assessment: Assessment, consultant: User) -> Assessment:
    review_item_set(
        assessment=assessment,
        reviewer=consultant,
        question_key=CHANGE_REQUESTED,
        verdict=ReviewItem.Verdict.CHANGE_REQUESTED,
        message="请补充",
    )
    return assessment


def _verified(assessment: Assessment, consultant: User) -> Assessment:
    for key in assessment_answers(assessment):
        review_item_set(
            assessment=assessment, reviewer=consultant, question_key=key, verdict=ReviewItem.Verdict.VERIFIED
        )
    return assessment


def _document(assessment: Assessment, user: User, content: bytes, question_key: str = "") -> EvidenceDocument:
    upload = evidence_files.upload(content)
    return document_add(assessment=assessment, uploaded_by=user, upload=upload, question_key=question_key)


GROUP = "一级供应商"


@dataclass(frozen=True)
class ProgrammeWorld:
    operator_secret: str
    programme: Programme
    spare_programmes: list[Programme]
    invitation: ProgrammeInvitation
    enrolment: Enrolment
    open_programme: Programme
    token: str
    decline_token: str
    export: CohortExport


def programme_world_build(*, owner: User, organization: Organization, miit: FrameworkVersion) -> ProgrammeWorld:
    """A bureau (its admin's key) with programmes: `organization` enrolled in one, invited to another."""
    director = User.objects.create_user("director@bureau.example", "pw-bureau-1234")
    bureau = organization_create(
        owner=director, name="苏州市中小企业局", kind="bureau", sector="S", size_band="medium", province="32"
    )
    admin = User.objects.create_user("admin@bureau.example", "pw-bureau-1234")
    Membership.objects.create(user=admin, organization=bureau, role=Membership.Role.ADMIN)
    programme, open_programme, declined_programme, *spare_programmes = [
        programme_create(
            operator=bureau,
            created_by=director,
            name=name,
            framework_versions=[miit],
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 12, 31),
            baseline_date=date(2026, 6, 1),
            target_level=2,
            target_share=Decimal("60"),
            target_date=date(2027, 12, 31),
            groups=[GroupSpec(GROUP, "tier")],
        )
        for name in ("试点", "二期试点", "三期试点", "备用-1", "备用-2")
    ]

    def invited(to: Programme, name: str) -> Any:
        row = InvitationRow(line=1, company_name=name, email="owner@example.com", group=GROUP)
        [issued] = programme_invitations_create(programme=to, rows=[row], invited_by=director)
        return issued

    enrolment = programme_invitation_accept(
        invitation=invited(programme, organization.name).invitation,
        organization=organization,
        user=owner,
        consent=Consent.RESULTS,
    )
    _key, operator_secret = api_key_create(user=admin, name="programmes", scope=ApiKey.Scope.WRITE)
    export = CohortExport.objects.create(
        programme=programme, format=CohortExport.Format.CSV, status=CohortExport.Status.READY, rows_total=1, rows_done=1
    )
    export.file.save("cohort.csv", ContentFile("\ufeff企业\r\n".encode()))
    return ProgrammeWorld(
        operator_secret=operator_secret,
        programme=programme,
        spare_programmes=spare_programmes,
        invitation=invited(programme, "待定企业").invitation,
        enrolment=enrolment,
        open_programme=open_programme,
        token=invited(open_programme, organization.name).token,
        decline_token=invited(declined_programme, organization.name).token,
        export=export,
    )


def world_build(*, owner: User, organization: Organization, miit: FrameworkVersion, eu_dma: FrameworkVersion) -> World:
    """Drafts, submitted assessments, assessments under review by the organisation's consultant, a report, documents,
    webhook endpoints (one with a delivery), and another user's organisation."""
    endpoint, *spare_endpoints = [
        webhook_endpoint_create(
            organization=organization,
            url=f"http://127.0.0.1:9/{name}",
            events=[Event.ASSESSMENT_SUBMITTED] if name == "hook" else [Event.REPORT_READY],
            description=name,
            created_by=owner,
        )
        for name in ("hook", "spare-1", "spare-2")
    ]
    draft = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    questions = list(framework_structure(miit).questions.values())
    answers_upsert(assessment=draft, items=[lowest_item(q) for q in questions[:6]], answered_by=owner)
    document, *spare_documents = [
        _document(draft, owner, evidence_files.pdf(text), question_key="F1" if text == "kept" else "")
        for text in ("kept", "spare-1", "spare-2")
    ]
    ready, *submittable = [
        _ready(assessment_create(organization=organization, framework_version=miit, created_by=owner), owner)
        for _ in range(3)
    ]
    submitted = submit_filling_gaps(
        assessment_create(organization=organization, framework_version=eu_dma, created_by=owner), owner
    )
    WebhookAttempt.objects.create(
        delivery=WebhookDelivery.objects.get(endpoint=endpoint),  # submitting emitted it
        number=1,
        started_at=timezone.now(),
        duration_ms=12,
        response_status=503,
        response_body="busy",
    )
    consultant = User.objects.create_user("consultant@example.com", "pw-consultant-1234")
    consultant_profile_save(user=consultant, family_name="王", given_name="立", qualification="数字化评估师")
    consultant_assign(consultant=consultant, organization=organization)
    _key, consultant_secret = api_key_create(user=consultant, name="review", scope=ApiKey.Scope.WRITE)
    reviewing, *returnable = [
        _change_requested(_under_review(organization, miit, owner, consultant), consultant) for _ in range(2)
    ]
    review_comment_add(
        assessment=reviewing, author=consultant, body="内部", visibility=ReviewComment.Visibility.INTERNAL
    )
    *signable, finalized = [
        _verified(_under_review(organization, miit, owner, consultant), consultant) for _ in range(3)
    ]
    review_finalize(assessment=finalized, consultant=consultant, statement="经核查属实")
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    outsider = organization_create(owner=stranger, name=OUTSIDER_NAME, sector="C", size_band="micro", province="11")
    outsider_assessment = assessment_create(organization=outsider, framework_version=miit, created_by=stranger)
    _key, secret = api_key_create(user=owner, name="conformance", scope=ApiKey.Scope.WRITE)
    programmes = programme_world_build(owner=owner, organization=organization, miit=miit)
    offering, hidden_offering, spare_offering, referral, provider_secret = _offerings(organization, owner, miit)
    return World(
        secret=secret,
        consultant_secret=consultant_secret,
        organization=organization,
        draft=draft,
        ready=ready,
        submittable=submittable,
        submitted=submitted,
        reviewing=reviewing,
        returnable=returnable,
        signable=signable,
        finalized=finalized,
        report=ready_report(draft),
        endpoint=endpoint,
        spare_endpoints=spare_endpoints,
        document=document,
        spare_documents=spare_documents,
        question_keys=[q.key for q in questions[:3]],
        outsider=outsider,
        outsider_assessment=outsider_assessment,
        outsider_document=_document(outsider_assessment, stranger, evidence_files.png()),
        **vars(programmes),
        offering=offering,
        hidden_offering=hidden_offering,
        referral=referral,
        spare_offering=spare_offering,
        provider_secret=provider_secret,
    )


def _offerings(
    organization: Organization, owner: User, miit: FrameworkVersion
) -> tuple[Offering, Offering, Offering, Referral, str]:
    """A provider's offerings (published, unpublished, published and spare), the organisation's request to the
    first, and the provider administrator's key."""
    admin = User.objects.create_user("provider@example.com", "pw-provider-1234")
    provider = organization_create(
        owner=admin, name="数转服务商", kind="provider", sector="I", size_band="small", province="32"
    )
    offering, hidden, spare = [
        offering_create(
            provider=provider,
            created_by=admin,
            kind="consulting",
            title=title,
            description="诊断与辅导",
            framework=miit.framework,
            question_keys=["S07", "F1"],
            contact_name="王工",
            contact_email="wang@provider.example",
            active=active,
        )
        for title, active in (("设备联网诊断", True), ("未发布的培训", False), ("技改贷款", True))
    ]
    referral = referral_create(
        offering=offering, organization=organization, requested_by=owner, contact_name="李四", contact_email="l@x.cn"
    )
    _key, secret = api_key_create(user=admin, name="provider", scope=ApiKey.Scope.WRITE)
    return offering, hidden, spare, referral, secret


def _ids(*objects: Any) -> list[str]:
    return [str(o.pk) for o in objects]


def _drawn_from(dictionary: str, probability: float = 0.7) -> dict[str, Any]:
    return {"dictionary": dictionary, "probability": probability}


def schemathesis_config(world: World, *, max_examples: int, secret: str | None = None) -> dict[str, Any]:
    """Schemathesis' configuration: the owner's key (or `secret`), and real ids, slugs and question keys for most
    values. Each step that changes an assessment's state draws from assessments kept for it, so that it succeeds
    at least once in a run that keeps its writes (the verdicts or answers of other requests may undo them)."""
    return {
        "headers": {"Authorization": f"Bearer {secret or world.secret}"},
        "generation": {"max-examples": max_examples},
        "dictionaries": {
            "organizations": {"values": _ids(world.organization, world.outsider)},
            "assessments": {
                "values": _ids(
                    world.draft,
                    world.ready,
                    world.submitted,
                    world.reviewing,
                    world.finalized,
                    world.outsider_assessment,
                )
            },
            "submittable": {"values": _ids(*world.submittable)},
            "startable": {"values": _ids(world.submitted)},
            "reviewing": {"values": _ids(world.reviewing)},
            "returnable": {"values": _ids(*world.returnable)},
            "signable": {"values": _ids(*world.signable)},
            "reports": {"values": _ids(world.report)},
            "webhooks": {"values": _ids(world.endpoint)},
            "spare_webhooks": {"values": _ids(*world.spare_endpoints)},
            "documents": {"values": _ids(world.document, world.outsider_document)},
            "spare_documents": {"values": _ids(*world.spare_documents)},
            "organization_ids": {"values": [world.organization.pk, world.outsider.pk]},
            "offerings": {"values": _ids(world.offering, world.hidden_offering)},
            "offering_ids": {"values": [world.offering.pk, world.hidden_offering.pk, world.spare_offering.pk]},
            "referrals": {"values": _ids(world.referral)},
            "provider_ids": {"values": [world.offering.provider_id]},
            "offering_keys": {"values": ["S07", "F1"]},
            "spare_offering_ids": {"values": [world.spare_offering.pk]},
            "own_organization_ids": {"values": [world.organization.pk]},
            "assessment_ids": {"values": [world.draft.pk, world.submitted.pk, world.outsider_assessment.pk]},
            "questions": {"values": world.question_keys},
            "usccs": {"values": ["", valid_uscc(900_001), valid_uscc(900_002)]},  # random ones fail the check digit
            "frameworks": {"values": [world.draft.framework_version.reference, "miit-2024-manufacturing", "eu-dma"]},
            "programmes": {"values": _ids(world.programme, world.open_programme)},
            "spare_programmes": {"values": _ids(*world.spare_programmes)},
            "invitations": {"values": _ids(world.invitation)},
            "enrolments": {"values": _ids(world.enrolment)},
            "operator_ids": {"values": [world.programme.operator_id, world.organization.pk]},
            "tokens": {"values": [world.token]},
            "decline_tokens": {"values": [world.decline_token]},
            "bulk_companies": {"values": ["批量邀请企业甲", "批量邀请企业乙", "批量邀请企业丙", "批量邀请企业丁"]},
            "groups": {"values": ["", GROUP]},
            "programme-exports": {"values": _ids(world.export)},
        },
        "parameters": {
            "path.question_key": _drawn_from("questions"),
            "path.slug": _drawn_from("frameworks"),
            "body.uscc": _drawn_from("usccs"),
            "body.organization": _drawn_from("organization_ids"),
            "body.offering": _drawn_from("offering_ids"),
            "body.provider": _drawn_from("provider_ids"),
            "body.question_key": _drawn_from("offering_keys"),
            "body.question_keys[*]": _drawn_from("offering_keys"),
            "body.previous": _drawn_from("assessment_ids"),
            "body.framework": _drawn_from("frameworks"),
            "body.question": _drawn_from("questions"),
            "body.answers[*].question": _drawn_from("questions"),
            "body.changes[*].question": _drawn_from("questions"),
            "body.operator": _drawn_from("operator_ids"),
            "body.framework_versions[*]": _drawn_from("frameworks"),
            "body.token": _drawn_from("tokens"),
            "body.group": _drawn_from("groups"),
            "body.invitations[*].group": _drawn_from("groups"),
        },
        "operations": [
            {"include-path-regex": "^/api/v1/organizations/", "parameters": {"path.id": _drawn_from("organizations")}},
            {
                "include-path-regex": "^/api/v1/assessments/",
                "exclude-path-regex": STEPS,
                "parameters": {"path.id": _drawn_from("assessments")},
            },
            *(
                {"include-path-regex": step, "parameters": {"path.id": _drawn_from(kept, probability=1.0)}}
                for step, kept in KEPT_FOR.items()
            ),
            {
                "include-path-regex": VERDICT,
                "parameters": {
                    "path.id": _drawn_from("reviewing", probability=1.0),
                    "path.question_key": _drawn_from("questions", probability=1.0),
                },
            },
            {"include-path-regex": "^/api/v1/reports/", "parameters": {"path.id": _drawn_from("reports")}},
            {
                "include-path-regex": r"^/api/v1/programmes/\{id\}/(analytics|export)/$",
                "parameters": {"path.id": _drawn_from("programmes")},
            },
            {
                "include-path-regex": "^/api/v1/programme-exports/",
                "parameters": {"path.id": _drawn_from("programme-exports")},
            },
            {
                # A new request succeeds only for an offering not asked about yet, on behalf of the caller's SME.
                # Before the referrals' entry: of the entries an operation matches, the first that sets
                # `parameters` decides them all (schemathesis merges no further), so after it this one was ignored.
                "include-name": "POST /api/v1/referrals/",
                "parameters": {
                    "body.offering": _drawn_from("spare_offering_ids", probability=1.0),
                    "body.organization": _drawn_from("own_organization_ids", probability=1.0),
                },
            },
            *(
                {"include-path-regex": f"^/api/v1/{resource}/", "parameters": {"path.id": _drawn_from(resource)}}
                for resource in ("offerings", "referrals")
            ),
            *(
                {
                    "include-path-regex": f"^/api/v1/{resource}/",
                    "exclude-method": "DELETE",
                    "parameters": {"path.id": _drawn_from(resource)},
                }
                for resource in ("webhooks", "documents")
            ),
            *(
                {
                    # By name: an entry's include filters select an operation that matches any one of them.
                    "include-name": f"DELETE /api/v1/{resource}/{{id}}/",
                    "parameters": {"path.id": _drawn_from(f"spare_{resource}", probability=1.0)},
                }
                for resource in ("webhooks", "documents")
            ),
            {
                "include-path-regex": r"^/api/v1/programmes/\{id\}/$",
                "exclude-method": "DELETE",
                "parameters": {"path.id": _drawn_from("programmes")},
            },
            {
                "include-name": "DELETE /api/v1/programmes/{id}/",
                "parameters": {"path.id": _drawn_from("spare_programmes", probability=1.0)},
            },
            {
                # Companies of its own: the single invitation's first success takes the generated example's
                # company and address, and inviting them again is refused.
                "include-name": "POST /api/v1/programmes/{programme_id}/invitations/bulk/",
                "parameters": {
                    "path.programme_id": _drawn_from("programmes", probability=1.0),
                    "body.invitations[*].company_name": _drawn_from("bulk_companies", probability=1.0),
                },
            },
            {
                "include-path-regex": r"^/api/v1/programmes/\{programme_id\}/invitations/",
                "parameters": {"path.programme_id": _drawn_from("programmes"), "path.id": _drawn_from("invitations")},
            },
            # An invitation is accepted or declined once: each draws its own token, accept for the caller's SME.
            {
                "include-name": "POST /api/v1/enrolments/accept/",
                "parameters": {
                    "body.token": _drawn_from("tokens", probability=1.0),
                    "body.organization": _drawn_from("own_organization_ids", probability=1.0),
                },
            },
            {
                "include-name": "POST /api/v1/enrolments/decline/",
                "parameters": {"body.token": _drawn_from("decline_tokens", probability=1.0)},
            },
            {"include-path-regex": "^/api/v1/enrolments/", "parameters": {"path.id": _drawn_from("enrolments")}},
        ],
    }


# The steps that change an assessment's state, and the assessments each draws from; a verdict is given on one of
# the questions of the assessment under review (other ids and keys rarely meet one: the step would never succeed).
KEPT_FOR = {
    "/submit/$": "submittable",
    "/review/start/$": "startable",
    "/review/return/$": "returnable",
    "/review/finalize/$": "signable",
}
VERDICT = r"/review/items/\{question_key\}/$"
STEPS = "|".join([*KEPT_FOR, VERDICT])
# The review's operations and what the consultant reads, which the runs generate a second time with their key.
REVIEW_PATHS = r"^/api/v1/(reviews/|assessments/\{id\}/(review|comments|history|results)/)"
# The programmes' operations, which the runs generate a second time with the key of the operator's admin (the
# owner is no member of the operator: every one of them is a 404 to the owner but the list and creation's 400).
OPERATOR_PATHS = r"^/api/v1/programme(s|-exports)/"
