"""The OpenAPI schema is valid, and every operation answers as it documents, whatever it is sent.

Schemathesis generates requests for every operation of the served schema and calls the Django app in this
thread (so the test's database transaction holds). Each request is rolled back after it, so every one meets
the same objects (tests/api/schema_world.py): an organisation with MIIT drafts (one with evidence documents), a
submitted EU DMA assessment, a webhook endpoint with a delivery, a consultant assigned to the organisation with
MIIT assessments under review (with a change request, or every answer verified: ready to sign) and one signed
off, and another user's organisation that must stay invisible. The review's operations, and what the
consultant reads, are generated a second time with the consultant's key, so that their successes are checked
too. Then hand-written
hostile input that generation reaches rarely: query values for every read operation (NUL bytes, huge numbers,
time offsets PostgreSQL refuses), bodies for every write operation (each value replaced by a NUL byte, a lone
surrogate, a 1 MB string, huge numbers, wrong types; unknown keys; broken, deeply nested or non-JSON bodies), and
multipart uploads (hostile file names, contents and fields; broken multipart bodies).
test_schema_live.py runs `schemathesis run` against a real gunicorn server on the same objects, committed.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok

from assessment.models import Assessment, FrameworkVersion, Organization, User
from scoring.selectors import framework_structure
from tests import evidence_files
from tests.api.schema_world import (
    CHECKS,
    GROUP,
    OPERATOR_PATHS,
    OUTSIDER_NAME,
    REVIEW_PATHS,
    World,
    schemathesis_config,
    world_build,
)
from tests.helpers import lowest_item, valid_uscc

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

MAX_EXAMPLES = 50  # per operation in the fuzzing phase; the coverage phase adds its own boundary cases
UNLIMITED = {"caller": "1000000/min", "anon": "1000000/min"}
SCHEMA_URL = "/api/schema/"

log = logging.getLogger(__name__)


def test_schema_validates_without_warnings(tmp_path: Path) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/assessments/{id}/answers/" in (tmp_path / "schema.yaml").read_text()


# --- what the requests can hit ----------------------------------------------------------------


@pytest.fixture
def open_settings(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Webhooks to local http receivers validate, and throttles never answer 429."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True  # nor is any generated host resolved
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": UNLIMITED}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", UNLIMITED)  # DRF read the rates at import


@pytest.fixture
def world(
    open_settings: None, owner: User, organization: Organization, miit: FrameworkVersion, eu_dma: FrameworkVersion
) -> World:
    return world_build(owner=owner, organization=organization, miit=miit, eu_dma=eu_dma)


def _log_exception(sender: Any, request: Any = None, **kwargs: Any) -> None:
    log.exception("Unhandled exception in %s %s", getattr(request, "method", "?"), getattr(request, "path", "?"))


def _isolated(handler: WSGIHandler) -> WSGIApplication:
    """Every request meets the same objects: its writes (and any failed query) are rolled back after it."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        savepoint = transaction.savepoint()
        try:
            return handler(environ, start_response)
        finally:
            transaction.savepoint_rollback(savepoint)

    return app


@pytest.fixture
def application() -> Iterator[WSGIApplication]:
    """Django's WSGI app in this thread; the test's connection (and transaction) stays open between requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(_log_exception)  # a 500's traceback shows in the test's captured log
    try:
        yield _isolated(WSGIHandler())
    finally:
        got_request_exception.disconnect(_log_exception)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _served_schema(world: World, application: WSGIApplication, secret: str) -> schemathesis.BaseSchema:
    """The served schema, called with `secret`; real ids, slugs and question keys are drawn for most values."""
    config = schemathesis_config(world, max_examples=MAX_EXAMPLES, secret=secret)
    config["phases"] = {"stateful": {"enabled": False}}
    return schemathesis.openapi.from_wsgi(SCHEMA_URL, application, config=schemathesis.Config.from_dict(config))


@pytest.fixture
def api_schema(world: World, application: WSGIApplication) -> schemathesis.BaseSchema:
    """The served schema, called as the organisation's owner."""
    return _served_schema(world, application, world.secret)


@pytest.fixture
def consultant_api_schema(world: World, application: WSGIApplication) -> schemathesis.BaseSchema:
    """The served schema, called as the consultant assigned to the organisation."""
    return _served_schema(world, application, world.consultant_secret)


@pytest.fixture
def operator_api_schema(world: World, application: WSGIApplication) -> schemathesis.BaseSchema:
    """The served schema, called as the admin of the operator running the programmes."""
    return _served_schema(world, application, world.operator_secret)


def expected_ids(label: str) -> str:
    """The dictionary an operation's {id} is drawn from: the steps' own, spares for DELETE, else the resource's."""
    method, path = label.split(" ")
    steps = {"submit": "submittable", "start": "startable", "return": "returnable", "finalize": "signable"}
    steps |= {"revoke": "invitations", "withdraw": "enrolments"}
    if path.endswith("/items/{question_key}/") and "/review/" in path:
        return "reviewing"
    if (step := path.rstrip("/").rsplit("/", 1)[-1]) in steps:
        return steps[step]
    resource = path.split("/")[3]
    return f"spare_{resource}" if method == "DELETE" else resource


def test_each_operation_draws_its_ids_from_the_objects_kept_for_it(api_schema: schemathesis.BaseSchema) -> None:
    drawn = {}
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if "{id}" in operation.path:
            binding = api_schema.config.operations.get_for_operation(operation).parameters["path.id"]
            drawn[operation.label] = binding.dictionary
    assert len(drawn) > 30
    assert drawn == {label: expected_ids(label) for label in drawn}


def test_a_new_referral_draws_the_spare_offering_for_the_callers_organisation(
    api_schema: schemathesis.BaseSchema,
) -> None:
    # Of the entries an operation matches, the first that sets parameters decides them all: the referrals' entry
    # (path.id) must not hide the one that pins the new referral's body, else it never succeeds.
    [operation] = [r.ok() for r in api_schema.get_all_operations() if r.ok().label == "POST /api/v1/referrals/"]
    parameters = api_schema.config.operations.get_for_operation(operation).parameters
    assert parameters["body.offering"].dictionary == "spare_offering_ids"
    assert parameters["body.organization"].dictionary == "own_organization_ids"


# --- generated requests, every operation ------------------------------------------------------

schema = schemathesis.pytest.from_fixture("api_schema")


def outsider_check(world: World) -> schemathesis.CheckFunction:
    """A check: nothing of another user's organisation is shown, and no request about it succeeds."""
    theirs = {
        "/api/v1/organizations/": world.outsider.pk,
        "/api/v1/assessments/": world.outsider_assessment.pk,
        "/api/v1/documents/": world.outsider_document.pk,
    }

    def outsider_stays_invisible(
        ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
    ) -> None:
        # Bytes, decoded leniently: a file (a cohort's XLSX) is not text, and must not show the name either.
        assert OUTSIDER_NAME not in response.content.decode("utf-8", "replace"), "another user's organisation is shown"
        if not 200 <= response.status_code < 300:
            return
        for prefix, pk in theirs.items():
            assert not (case.path.startswith(prefix) and case.path_parameters.get("id") == str(pk)), (
                "a request about another user's object succeeded"
            )
        if isinstance(case.body, dict):
            assert case.body.get("organization") != world.outsider.pk, "another user's organisation was used"

    return outsider_stays_invisible


@settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=MAX_EXAMPLES)
@schema.parametrize()
def test_every_operation_answers_as_documented(case: schemathesis.Case, world: World) -> None:
    case.call_and_validate(checks=[*CHECKS, outsider_check(world)])


# The review's operations and what the consultant reads: the owner is refused most of them.
consultant_schema = schemathesis.pytest.from_fixture("consultant_api_schema").include(path_regex=REVIEW_PATHS)


@settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=MAX_EXAMPLES)
@consultant_schema.parametrize()
def test_the_review_answers_the_consultant_as_documented(case: schemathesis.Case, world: World) -> None:
    case.call_and_validate(checks=[*CHECKS, outsider_check(world)])


# The programmes' operations: the owner is no member of the operator, so only its admin's key gets past the 404s.
operator_schema = schemathesis.pytest.from_fixture("operator_api_schema").include(path_regex=OPERATOR_PATHS)


@settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=MAX_EXAMPLES)
@operator_schema.parametrize()
def test_the_programmes_answer_their_operator_as_documented(case: schemathesis.Case, world: World) -> None:
    case.call_and_validate(checks=[*CHECKS, outsider_check(world)])


# --- hand-written hostile input ----------------------------------------------------------------

READ_OPERATIONS = (
    "GET /api/v1/frameworks/",
    "GET /api/v1/frameworks/{slug}/",
    "GET /api/v1/organizations/",
    "GET /api/v1/organizations/{id}/",
    "GET /api/v1/assessments/",
    "GET /api/v1/assessments/{id}/",
    "GET /api/v1/assessments/{id}/answers/",
    "GET /api/v1/assessments/{id}/results/",
    "GET /api/v1/assessments/{id}/reports/",
    "GET /api/v1/assessments/{id}/documents/",
    "GET /api/v1/documents/{id}/",
    "GET /api/v1/documents/{id}/download/",
    "GET /api/v1/reports/{id}/",
    "GET /api/v1/reports/{id}/pdf/",
    "GET /api/v1/webhooks/",
    "GET /api/v1/webhooks/{id}/",
    "GET /api/v1/webhooks/{id}/deliveries/",
    "GET /api/v1/reviews/",
    "GET /api/v1/assessments/{id}/review/items/",
    "GET /api/v1/assessments/{id}/comments/",
    "GET /api/v1/assessments/{id}/history/",
    "GET /api/v1/programmes/",
    "GET /api/v1/programmes/{id}/",
    "GET /api/v1/programmes/{programme_id}/invitations/",
    "GET /api/v1/enrolments/",
    "GET /api/v1/enrolments/{id}/",
    "GET /api/v1/programmes/{id}/analytics/",
    "GET /api/v1/programmes/{id}/export/",
    "GET /api/v1/programme-exports/{id}/",
    "GET /api/v1/programme-exports/{id}/file/",
    "GET /api/v1/offerings/",
    "GET /api/v1/offerings/{id}/",
    "GET /api/v1/referrals/",
    "GET /api/v1/referrals/{id}/",
)
WRITE_OPERATIONS = (
    "POST /api/v1/organizations/",
    "PUT /api/v1/organizations/{id}/",
    "PATCH /api/v1/organizations/{id}/",
    "POST /api/v1/assessments/",
    "PUT /api/v1/assessments/{id}/answers/",
    "PATCH /api/v1/assessments/{id}/answers/{question_key}/",
    "POST /api/v1/assessments/{id}/submit/",
    "POST /api/v1/assessments/{id}/what-if/",
    "POST /api/v1/assessments/{id}/reports/",
    "POST /api/v1/webhooks/",
    "PUT /api/v1/webhooks/{id}/",
    "PATCH /api/v1/webhooks/{id}/",
    "POST /api/v1/assessments/{id}/review/start/",
    "PUT /api/v1/assessments/{id}/review/items/{question_key}/",
    "POST /api/v1/assessments/{id}/review/return/",
    "POST /api/v1/assessments/{id}/review/finalize/",
    "POST /api/v1/assessments/{id}/comments/",
    "POST /api/v1/programmes/",
    "PUT /api/v1/programmes/{id}/",
    "PATCH /api/v1/programmes/{id}/",
    "POST /api/v1/programmes/{programme_id}/invitations/",
    "POST /api/v1/programmes/{programme_id}/invitations/bulk/",
    "POST /api/v1/programmes/{programme_id}/invitations/{id}/revoke/",
    "POST /api/v1/enrolments/accept/",
    "POST /api/v1/enrolments/decline/",
    "POST /api/v1/enrolments/{id}/withdraw/",
    "POST /api/v1/offerings/",
    "PATCH /api/v1/offerings/{id}/",
    "POST /api/v1/referrals/",
    "PATCH /api/v1/referrals/{id}/",
)
UPLOAD = "POST /api/v1/assessments/{id}/documents/"


def test_the_hostile_tests_cover_every_operation() -> None:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    operations = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
    # DELETE takes no body, and no query parameter beyond lang: generation covers it. The upload is multipart,
    # not JSON: test_hostile_uploads_get_documented_answers covers it.
    others = {
        "DELETE /api/v1/webhooks/{id}/",
        "DELETE /api/v1/documents/{id}/",
        "DELETE /api/v1/programmes/{id}/",
        UPLOAD,
    }
    assert operations - others == {*READ_OPERATIONS, *WRITE_OPERATIONS}


HOSTILE_QUERY_VALUES = {
    "a NUL byte": "nul\x00byte",
    "a 100 kB string": "x" * 100_000,
    "a huge integer": "1" + "0" * 30,
    "a negative integer": "-1",
    "zero": "0",
    "an empty value": "",
    "commas only": ",,,",
    "an offset beyond PostgreSQL's ±15:59": "2024-01-01T00:00:00+21:50",
    "a time after datetime.max in UTC": "9999-12-31T23:00:00-05:00",
    "a time before datetime.min in UTC": "0001-01-01T00:00:00+05:00",
}
# In bodies, each of these replaces each value in turn (and the whole body).
HOSTILE_VALUES: dict[str, Any] = {
    "a NUL byte": "nul\x00byte",
    "a lone surrogate": "\ud800",
    "a 1 MB string": "x" * 1_000_000,
    "an empty string": "",
    "a huge integer": 10**30,
    "a huge negative integer": -(10**30),
    "2**63": 2**63,
    "a huge float": 1e308,
    "a tiny float": 5e-324,
    "null": None,
    "true": True,
    "a list": ["x"],
    "an object": {"x": 1},
}
UNKNOWN_KEYS = {"unknown": 1, "nul\x00key": "x", "x" * 10_000: None}
RAW_BODIES: dict[str, tuple[str, bytes]] = {
    "broken JSON": ("application/json", b'{"name": '),
    "NaN": ("application/json", b'{"name": NaN}'),
    "invalid UTF-8": ("application/json", b'{"name": "\xff\xfe"}'),
    "a raw NUL byte": ("application/json", b"\x00"),
    "no body": ("application/json", b""),
    "100,000 nested lists": ("application/json", b"[" * 100_000 + b"]" * 100_000),
    "a 3 MB body": ("application/json", b'{"name": "' + b"x" * 3_000_000 + b'"}'),
    "form-encoded": ("application/x-www-form-urlencoded", b"name=x"),
    "plain text": ("text/plain", b"{}"),
}
# An empty PATCH changes nothing; unknown keys are ignored. (The 3 MB body is over API_MAX_BODY_BYTES: 413.)
MAY_SUCCEED = frozenset({"no body"})


def path_parameters(world: World, path: str) -> dict[str, str]:
    """Real objects for the path's parameters."""
    if path.startswith("/api/v1/frameworks/"):
        return {"slug": "miit-2024-manufacturing"} if "{slug}" in path else {}
    if "{id}" not in path and "{programme_id}" not in path:
        return {}
    if path.startswith("/api/v1/organizations/"):
        return {"id": str(world.organization.pk)}
    if path.startswith("/api/v1/webhooks/"):
        return {"id": str(world.endpoint.pk)}
    if path.startswith("/api/v1/reports/"):
        return {"id": str(world.report.pk)}
    if path.startswith("/api/v1/documents/"):
        return {"id": str(world.document.pk)}
    if path.startswith("/api/v1/programmes/{programme_id}/invitations/"):
        invitation = {"id": str(world.invitation.pk)} if "{id}" in path else {}
        return {"programme_id": str(world.programme.pk), **invitation}
    if path.startswith("/api/v1/programmes/"):
        return {"id": str(world.programme.pk)}
    if path.startswith("/api/v1/enrolments/"):
        return {"id": str(world.enrolment.pk)}
    if path.startswith("/api/v1/offerings/"):
        return {"id": str(world.offering.pk)}
    if path.startswith("/api/v1/referrals/"):
        return {"id": str(world.referral.pk)}
    if path in REVIEW_STEPS:
        return {"id": str(REVIEW_STEPS[path](world).pk)}
    if "/review/" in path or path.endswith(("/comments/", "/history/")):
        return {"id": str(world.reviewing.pk), **({"question_key": "F1"} if "{question_key}" in path else {})}
    if "{question_key}" in path:
        return {"id": str(world.draft.pk), "question_key": world.question_keys[0]}
    return {"id": str(world.ready.pk if path.endswith("/submit/") else world.draft.pk)}


REVIEW_STEPS: dict[str, Callable[[World], Assessment]] = {  # the assessment each review step succeeds on
    "/api/v1/assessments/{id}/review/start/": lambda world: world.submitted,
    "/api/v1/assessments/{id}/review/return/": lambda world: world.returnable[0],
    "/api/v1/assessments/{id}/review/finalize/": lambda world: world.signable[0],
}


def credentials(world: World, path: str) -> dict[str, str]:
    """The consultant's key for the review, their queue, comments (internal ones too) and history; the operator's
    admin's for programmes; else the owner's (whose organisation is enrolled in one, invited to another)."""
    consultants = path == "/api/v1/reviews/" or "/review/" in path or path.endswith(("/comments/", "/history/"))
    if path.startswith("/api/v1/programmes/"):
        return {"Authorization": f"Bearer {world.operator_secret}"}
    if path.startswith("/api/v1/offerings/"):  # an operator's administrator publishes; an SME may not
        return {"Authorization": f"Bearer {world.provider_secret}"}
    return {"Authorization": f"Bearer {world.consultant_secret if consultants else world.secret}"}


@pytest.mark.parametrize("label", READ_OPERATIONS)
def test_hostile_query_parameters_get_documented_answers(
    label: str, world: World, api_schema: schemathesis.BaseSchema
) -> None:
    method, path = label.split(" ")
    operation = api_schema[path][method]
    headers = credentials(world, path)
    parameters = path_parameters(world, path)
    names = [p.name for p in operation.query]
    assert "lang" in names

    failures: list[str] = []
    for name in names:
        for variant, value in HOSTILE_QUERY_VALUES.items():
            case = operation.Case(path_parameters=parameters, headers=headers, query={name: value})
            try:
                case.call_and_validate(checks=CHECKS)
            except FailureGroup as failure:
                failures.append(f"?{name}= {variant}: {failure.message}")
    assert not failures, f"{len(failures)} hostile query values got an undocumented answer:\n" + "\n".join(failures)


def accepted_body(world: World, label: str) -> Any:
    """A body that `label` accepts (2xx) on path_parameters(): the start of every hostile variant."""
    question = framework_structure(world.draft.framework_version).questions[world.question_keys[0]]
    item = {**lowest_item(question), "comment": "why", "evidence": {}}
    profile = {"name": "新公司", "sector": "C", "size_band": "small", "province": "32", "employees": 50}
    webhook = {"url": "http://127.0.0.1:9/new", "events": ["report.ready"], "description": "d", "active": False}
    programme = {
        "name": "三期试点",
        "description": "规上企业",
        "framework_versions": [world.draft.framework_version.reference],
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "baseline_date": "2026-06-01",
        "target_level": 2,
        "target_share": "60",
        "target_date": "2026-12-31",
        "consultancy": None,
        "groups": [{"name": GROUP, "kind": "tier"}],
    }
    invitation = {
        "company_name": "新企业",
        "email": "boss@new.example",
        "uscc": valid_uscc(900_003),
        "contact_name": "张三",
        "group": GROUP,
    }
    bodies: dict[str, Any] = {
        "POST /api/v1/organizations/": profile,
        "PUT /api/v1/organizations/{id}/": profile,
        "PATCH /api/v1/organizations/{id}/": {"name": "改名"},
        "POST /api/v1/assessments/": {
            "organization": world.organization.pk,
            "framework": "miit-2024-manufacturing",
            "previous": world.draft.pk,
        },
        "PUT /api/v1/assessments/{id}/answers/": {
            "framework": world.draft.framework_version.reference,
            "answers": [item],
        },
        "PATCH /api/v1/assessments/{id}/answers/{question_key}/": {k: v for k, v in item.items() if k != "question"},
        "POST /api/v1/assessments/{id}/submit/": {"pledge": True},
        "POST /api/v1/assessments/{id}/what-if/": {"changes": [item]},
        "POST /api/v1/assessments/{id}/reports/": {"language": "en"},
        "POST /api/v1/webhooks/": {"organization": world.organization.pk, **webhook},
        "PUT /api/v1/webhooks/{id}/": webhook,
        "PATCH /api/v1/webhooks/{id}/": {"events": ["report.ready", "assessment.submitted"]},
        "POST /api/v1/assessments/{id}/review/start/": {},
        "PUT /api/v1/assessments/{id}/review/items/{question_key}/": {
            "verdict": "adjusted",
            "answer": {k: v for k, v in item.items() if k != "question"},
            "reason": "台账不符",
            "message": "",
        },
        "POST /api/v1/assessments/{id}/review/return/": {"message": "请修改"},
        "POST /api/v1/assessments/{id}/review/finalize/": {"statement": "经核查属实"},
        "POST /api/v1/assessments/{id}/comments/": {"question": "F1", "body": "请说明", "visibility": "internal"},
        "POST /api/v1/programmes/": {"operator": world.programme.operator_id, **programme},
        "PUT /api/v1/programmes/{id}/": {"operator": world.programme.operator_id, **programme},
        "PATCH /api/v1/programmes/{id}/": {"target_share": "75.5", "groups": [{"name": "园区", "kind": "cluster"}]},
        "POST /api/v1/programmes/{programme_id}/invitations/": invitation,
        "POST /api/v1/programmes/{programme_id}/invitations/bulk/": {"invitations": [invitation]},
        "POST /api/v1/programmes/{programme_id}/invitations/{id}/revoke/": {},
        "POST /api/v1/enrolments/accept/": {
            "token": world.token,
            "organization": world.organization.pk,
            "consent": "answers",
        },
        "POST /api/v1/enrolments/decline/": {"token": world.token},
        "POST /api/v1/enrolments/{id}/withdraw/": {},
        "POST /api/v1/offerings/": {
            "provider": world.offering.provider_id,
            "kind": "funding",
            "title": "技改贷款二期",
            "description": "贴息贷款",
            "framework": "miit-2024-manufacturing",
            "question_keys": ["S07"],
            "level_min": 1,
            "level_max": 2,
            "provinces": ["32"],
            "contact_name": "赵经理",
            "contact_email": "zhao@bank.example",
        },
        "PATCH /api/v1/offerings/{id}/": {"title": "改名", "active": True, "size_bands": ["small"]},
        "POST /api/v1/referrals/": {
            "offering": world.spare_offering.pk,
            "organization": world.organization.pk,
            "question_key": "S07",
            "message": "请联系",
            "share_results": True,
            "contact_name": "李四",
            "contact_email": "li@sme.example",
        },
        "PATCH /api/v1/referrals/{id}/": {"status": "progressed", "outcome": "已联系"},
    }
    return bodies[label]


def _locations(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where a value sits in a JSON document: the document itself, then every member and item, depth first."""
    yield at
    if isinstance(value, dict):
        for key, member in value.items():
            yield from _locations(member, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _locations(item, (*at, index))


def _replaced(document: Any, at: tuple[Any, ...], value: Any) -> Any:
    if not at:
        return value
    changed = copy.deepcopy(document)
    target = changed
    for step in at[:-1]:
        target = target[step]
    target[at[-1]] = value
    return changed


def _found(document: Any, at: tuple[Any, ...]) -> Any:
    for step in at:
        document = document[step]
    return document


def hostile_bodies(body: Any) -> Iterator[tuple[str, Any]]:
    """Each value of `body` (and the body itself) replaced by each hostile value; unknown keys in each object."""
    for at in _locations(body):
        where = "body" + "".join(f"[{step!r}]" for step in at)
        for name, value in HOSTILE_VALUES.items():
            yield f"{where} = {name}", _replaced(body, at, value)
        found = _found(body, at)
        if isinstance(found, dict):
            yield f"{where} + unknown keys", _replaced(body, at, {**found, **UNKNOWN_KEYS})


@pytest.mark.parametrize("label", WRITE_OPERATIONS)
def test_hostile_bodies_get_documented_answers(label: str, world: World, api_schema: schemathesis.BaseSchema) -> None:
    method, path = label.split(" ")
    operation = api_schema[path][method]
    parameters, body = path_parameters(world, path), accepted_body(world, label)

    headers = credentials(world, path)
    accepted = operation.Case(path_parameters=parameters, headers=headers, body=body, media_type="application/json")
    assert 200 <= accepted.call_and_validate(checks=CHECKS).status_code < 300, "the starting body must be accepted"

    failures: list[str] = []
    for variant, hostile in hostile_bodies(body):
        case = operation.Case(path_parameters=parameters, headers=headers, body=hostile, media_type="application/json")
        try:
            case.call_and_validate(checks=CHECKS)
        except FailureGroup as failure:
            failures.append(f"{variant}: {failure.message}")
    for variant, (content_type, raw) in RAW_BODIES.items():
        case = operation.Case(path_parameters=parameters, headers=headers)
        try:
            response = case.call_and_validate(checks=CHECKS, data=raw, headers={"Content-Type": content_type})
        except FailureGroup as failure:
            failures.append(f"{variant}: {failure.message}")
            continue
        if response.status_code < 400 and variant not in MAY_SUCCEED:
            failures.append(f"{variant}: accepted with {response.status_code}")
    assert not failures, f"{len(failures)} hostile bodies got an undocumented answer:\n" + "\n".join(failures)


# --- hand-written hostile uploads (multipart) ---------------------------------------------------

BOUNDARY = "conformance-boundary"
Part = tuple[str, str | None, bytes]  # field name, file name (None: a plain field), content


def multipart(parts: list[Part], boundary: str = BOUNDARY) -> bytes:
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


def pdf_part(name: str = "ledger.pdf", content: bytes | None = None) -> Part:
    return ("file", name, evidence_files.pdf("hostile") if content is None else content)


HOSTILE_UPLOADS: dict[str, list[Part]] = {
    "a NUL byte in the file name": [pdf_part("led\x00ger.pdf")],
    "a bidi override in the file name": [pdf_part("invoice\u202egpj.pdf")],
    "a 10,000-character file name": [pdf_part("x" * 10_000 + ".pdf")],
    "an empty file name": [pdf_part("")],
    "a path in the file name": [pdf_part("../../../etc/passwd")],
    "invalid UTF-8 in the file name": [("file", None, b"")],
    "HTML content": [pdf_part(content=evidence_files.HTML)],
    "an empty file": [pdf_part(content=b"")],
    "random bytes": [pdf_part(content=bytes(range(256)) * 4)],
    "a NUL byte in the question": [pdf_part(), ("question", None, b"F\x00")],
    "invalid UTF-8 in the question": [pdf_part(), ("question", None, b"\xff\xfe")],
    "a 1 MB question": [pdf_part(), ("question", None, b"F" * 1_000_000)],
    "an unknown question": [pdf_part(), ("question", None, b"Z9")],
    "two files": [pdf_part(), pdf_part("second.pdf", evidence_files.png())],
    "the file as a plain field": [("file", None, b"%PDF-1.4")],
    "unknown fields": [pdf_part(), ("unknown", None, b"1"), ("nul\x00key", None, b"x")],
    "no file": [("question", None, b"F1")],
}
HOSTILE_UPLOAD_BODIES: dict[str, tuple[str, bytes]] = {
    "a multipart body without its boundary": ("multipart/form-data", multipart([pdf_part()])),
    "a body that ends early": (f"multipart/form-data; boundary={BOUNDARY}", multipart([pdf_part()])[:120]),
    "JSON": ("application/json", b'{"question": "F1"}'),
    "form-encoded": ("application/x-www-form-urlencoded", b"question=F1"),
    "no body": (f"multipart/form-data; boundary={BOUNDARY}", b""),
}


def test_hostile_uploads_get_documented_answers(world: World, api_schema: schemathesis.BaseSchema) -> None:
    method, path = UPLOAD.split(" ")
    operation = api_schema[path][method]
    headers = credentials(world, path)
    parameters = path_parameters(world, path)
    content_type = f"multipart/form-data; boundary={BOUNDARY}"

    def send(raw: bytes, media_type: str) -> schemathesis.Response:
        case = operation.Case(path_parameters=parameters, headers=headers)
        return case.call_and_validate(checks=CHECKS, data=raw, headers={"Content-Type": media_type})

    assert send(multipart([pdf_part(), ("question", None, b"M4")]), content_type).status_code == 201

    failures: list[str] = []
    bodies = {label: (content_type, multipart(parts)) for label, parts in HOSTILE_UPLOADS.items()}
    for variant, (media_type, raw) in {**bodies, **HOSTILE_UPLOAD_BODIES}.items():
        try:
            response = send(raw, media_type)
        except FailureGroup as failure:
            failures.append(f"{variant}: {failure.message}")
            continue
        if response.status_code >= 400:
            continue
        name = response.json()["name"]
        if variant not in UPLOADS_THAT_MAY_SUCCEED:
            failures.append(f"{variant}: accepted with {response.status_code}")
        elif not name.isprintable() or "/" in name or not 0 < len(name) <= 200:
            failures.append(f"{variant}: stored as {name[:80]!r}")
    assert not failures, f"{len(failures)} hostile uploads got an undocumented answer:\n" + "\n".join(failures)


# A path is dropped from the name, an empty name becomes "document.pdf", a long one is shortened; Django's multipart
# parser drops unprintable characters (NUL, bidi controls) from file names; a second file and unknown fields are
# ignored.
UPLOADS_THAT_MAY_SUCCEED = frozenset(
    {
        "a path in the file name",
        "an empty file name",
        "a 10,000-character file name",
        "a NUL byte in the file name",
        "a bidi override in the file name",
        "two files",
        "unknown fields",
    }
)
