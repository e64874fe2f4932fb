"""The OpenAPI schema is valid, and every operation answers as it documents, whatever it is sent.

Schemathesis generates requests for every operation of the served schema and calls the Django app in this
thread (so the test's database transaction holds). Each request is rolled back after it, so every one meets
the same objects: an organisation with MIIT drafts, a submitted EU DMA assessment, a webhook endpoint with a
delivery, and another user's organisation that must stay invisible. Then hand-written hostile input that
generation reaches rarely: query values for every read operation (NUL bytes, huge numbers, time offsets
PostgreSQL refuses) and bodies for every write operation (each value replaced by a NUL byte, a lone surrogate,
a 1 MB string, huge numbers, wrong types; unknown keys; broken, deeply nested or non-JSON bodies).
test_schema_live.py runs `schemathesis run` against a real gunicorn server on the same objects, committed.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Iterator
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

from assessment.models import FrameworkVersion, Organization, User
from scoring.selectors import framework_structure
from tests.api.schema_world import CHECKS, OUTSIDER_NAME, World, schemathesis_config, world_build
from tests.helpers import lowest_item

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


@pytest.fixture
def api_schema(world: World, application: WSGIApplication) -> schemathesis.BaseSchema:
    """The served schema; real ids, slugs and question keys are drawn for most generated values."""
    config = schemathesis_config(world, max_examples=MAX_EXAMPLES)
    config["phases"] = {"stateful": {"enabled": False}}
    return schemathesis.openapi.from_wsgi(SCHEMA_URL, application, config=schemathesis.Config.from_dict(config))


# --- generated requests, every operation ------------------------------------------------------

schema = schemathesis.pytest.from_fixture("api_schema")


def outsider_check(world: World) -> schemathesis.CheckFunction:
    """A check: nothing of another user's organisation is shown, and no request about it succeeds."""
    theirs = {"/api/v1/organizations/": world.outsider.pk, "/api/v1/assessments/": world.outsider_assessment.pk}

    def outsider_stays_invisible(
        ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
    ) -> None:
        assert OUTSIDER_NAME not in response.text, "another user's organisation is shown"
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
    "GET /api/v1/reports/{id}/",
    "GET /api/v1/reports/{id}/pdf/",
    "GET /api/v1/webhooks/",
    "GET /api/v1/webhooks/{id}/",
    "GET /api/v1/webhooks/{id}/deliveries/",
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
)


def test_the_hostile_tests_cover_every_operation() -> None:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    operations = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
    # DELETE takes no body, and no query parameter beyond lang: generation covers it.
    assert operations - {"DELETE /api/v1/webhooks/{id}/"} == {*READ_OPERATIONS, *WRITE_OPERATIONS}


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
    if "{id}" not in path:
        return {}
    if path.startswith("/api/v1/organizations/"):
        return {"id": str(world.organization.pk)}
    if path.startswith("/api/v1/webhooks/"):
        return {"id": str(world.endpoint.pk)}
    if path.startswith("/api/v1/reports/"):
        return {"id": str(world.report.pk)}
    if "{question_key}" in path:
        return {"id": str(world.draft.pk), "question_key": world.question_keys[0]}
    return {"id": str(world.ready.pk if path.endswith("/submit/") else world.draft.pk)}


@pytest.mark.parametrize("label", READ_OPERATIONS)
def test_hostile_query_parameters_get_documented_answers(
    label: str, world: World, api_schema: schemathesis.BaseSchema
) -> None:
    method, path = label.split(" ")
    operation = api_schema[path][method]
    credentials = {"Authorization": f"Bearer {world.secret}"}
    parameters = path_parameters(world, path)
    names = [p.name for p in operation.query]
    assert "lang" in names

    failures: list[str] = []
    for name in names:
        for variant, value in HOSTILE_QUERY_VALUES.items():
            case = operation.Case(path_parameters=parameters, headers=credentials, query={name: value})
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

    credentials = {"Authorization": f"Bearer {world.secret}"}
    accepted = operation.Case(path_parameters=parameters, headers=credentials, body=body, media_type="application/json")
    assert 200 <= accepted.call_and_validate(checks=CHECKS).status_code < 300, "the starting body must be accepted"

    failures: list[str] = []
    for variant, hostile in hostile_bodies(body):
        case = operation.Case(
            path_parameters=parameters, headers=credentials, body=hostile, media_type="application/json"
        )
        try:
            case.call_and_validate(checks=CHECKS)
        except FailureGroup as failure:
            failures.append(f"{variant}: {failure.message}")
    for variant, (content_type, raw) in RAW_BODIES.items():
        case = operation.Case(path_parameters=parameters, headers=credentials)
        try:
            response = case.call_and_validate(checks=CHECKS, data=raw, headers={"Content-Type": content_type})
        except FailureGroup as failure:
            failures.append(f"{variant}: {failure.message}")
            continue
        if response.status_code < 400 and variant not in MAY_SUCCEED:
            failures.append(f"{variant}: accepted with {response.status_code}")
    assert not failures, f"{len(failures)} hostile bodies got an undocumented answer:\n" + "\n".join(failures)
