"""What the schemathesis runs (in-process and live) send their requests to, and how they draw values for them."""

from __future__ import annotations

from dataclasses import dataclass
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
from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from reports.models import Report
from scoring.engine import missing_for_submission
from scoring.selectors import assessment_answers, framework_structure
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


@dataclass(frozen=True)
class World:
    """Real objects for the generated requests, and the write-scoped key of their owner."""

    secret: str
    organization: Organization
    draft: Assessment  # MIIT, some answers
    ready: Assessment  # MIIT, every required answer: submitting it succeeds
    submittable: list[Assessment]  # more like it, for submit alone to draw (answer writes may undo `ready`)
    submitted: Assessment  # EU DMA, submitted: immutable
    report: Report  # the draft's, ready, with its PDF
    endpoint: WebhookEndpoint  # with one delivery and one failed attempt
    spare_endpoints: list[WebhookEndpoint]  # for DELETE to draw, so that `endpoint` stays
    question_keys: list[str]
    outsider: Organization  # another user's: never shown, never changed
    outsider_assessment: Assessment


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


def world_build(*, owner: User, organization: Organization, miit: FrameworkVersion, eu_dma: FrameworkVersion) -> World:
    """Drafts, a submitted assessment, a report, a webhook endpoint with a delivery, and another user's organisation."""
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
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    outsider = organization_create(owner=stranger, name=OUTSIDER_NAME, sector="C", size_band="micro", province="11")
    _key, secret = api_key_create(user=owner, name="conformance", scope=ApiKey.Scope.WRITE)
    return World(
        secret=secret,
        organization=organization,
        draft=draft,
        ready=ready,
        submittable=submittable,
        submitted=submitted,
        report=ready_report(draft),
        endpoint=endpoint,
        spare_endpoints=spare_endpoints,
        question_keys=[q.key for q in questions[:3]],
        outsider=outsider,
        outsider_assessment=assessment_create(organization=outsider, framework_version=miit, created_by=stranger),
    )


def _ids(*objects: Any) -> list[str]:
    return [str(o.pk) for o in objects]


def _drawn_from(dictionary: str, probability: float = 0.7) -> dict[str, Any]:
    return {"dictionary": dictionary, "probability": probability}


def schemathesis_config(world: World, *, max_examples: int) -> dict[str, Any]:
    """Schemathesis' configuration: the owner's key, and real ids, slugs and question keys for most values."""
    return {
        "headers": {"Authorization": f"Bearer {world.secret}"},
        "generation": {"max-examples": max_examples},
        "dictionaries": {
            "organizations": {"values": _ids(world.organization, world.outsider)},
            "assessments": {"values": _ids(world.draft, world.ready, world.submitted, world.outsider_assessment)},
            "submittable": {"values": _ids(*world.submittable)},
            "reports": {"values": _ids(world.report)},
            "webhooks": {"values": _ids(world.endpoint)},
            "spare_webhooks": {"values": _ids(*world.spare_endpoints)},
            "organization_ids": {"values": [world.organization.pk, world.outsider.pk]},
            "assessment_ids": {"values": [world.draft.pk, world.submitted.pk, world.outsider_assessment.pk]},
            "questions": {"values": world.question_keys},
            "usccs": {"values": ["", valid_uscc(900_001), valid_uscc(900_002)]},  # random ones fail the check digit
            "frameworks": {"values": [world.draft.framework_version.reference, "miit-2024-manufacturing", "eu-dma"]},
        },
        "parameters": {
            "path.question_key": _drawn_from("questions"),
            "path.slug": _drawn_from("frameworks"),
            "body.uscc": _drawn_from("usccs"),
            "body.organization": _drawn_from("organization_ids"),
            "body.previous": _drawn_from("assessment_ids"),
            "body.framework": _drawn_from("frameworks"),
            "body.answers[*].question": _drawn_from("questions"),
            "body.changes[*].question": _drawn_from("questions"),
        },
        "operations": [
            {"include-path-regex": "^/api/v1/organizations/", "parameters": {"path.id": _drawn_from("organizations")}},
            {
                "include-path-regex": "^/api/v1/assessments/",
                "exclude-path-regex": "/submit/$",
                "parameters": {"path.id": _drawn_from("assessments")},
            },
            {"include-path-regex": "/submit/$", "parameters": {"path.id": _drawn_from("submittable", probability=1.0)}},
            {"include-path-regex": "^/api/v1/reports/", "parameters": {"path.id": _drawn_from("reports")}},
            {
                "include-path-regex": "^/api/v1/webhooks/",
                "exclude-method": "DELETE",
                "parameters": {"path.id": _drawn_from("webhooks")},
            },
            {
                "include-path-regex": "^/api/v1/webhooks/",
                "include-method": "DELETE",
                "parameters": {"path.id": _drawn_from("spare_webhooks", probability=1.0)},
            },
        ],
    }
