"""A schemathesis run against a real gunicorn server: every answer is the one the schema documents.

test_schema_conformance.py calls the Django app in the test's thread and rolls every request back; this is
what an integrator's own run would see. The data is committed (a transactional test); a gunicorn server on a
spare port serves it from the test database; `schemathesis run`, the command, in its own process, tests every
operation of the served schema through the coverage, fuzzing and stateful phases with positive and negative
data, with the write-scoped API key of an owner whose organisation has MIIT drafts (one with evidence
documents), MIIT assessments ready to submit, a submitted EU DMA one, a ready report, webhook endpoints (one
with a delivery), and MIIT assessments under review by its assigned consultant (with a change request, ready
to return; every answer verified, ready to sign; one signed off); another user's organisation is there too
(tests/api/schema_world.py). Then a second `schemathesis run` with the consultant's key over the review's
operations, comments, history and results: only the consultant may take the review's steps. Most ids, slugs,
question keys and credit codes are drawn from those objects, so requests get past the 404s to the rules; each
step that changes an assessment's state draws from assessments kept for it.

Checks: no 5xx; the status code, content type, headers and body are the documented ones; data the schema
forbids is refused; data it allows is accepted, but for the refusals no schema can state
(tests/api/schemathesis_hooks.py: the caller's objects, a framework's answers, a check digit, a file's
content...). Then, from both runs' HAR files: every operation answered 2xx at least once, and nothing of the
other user's organisation was shown, used or changed. Writes stay, so a request meets what earlier ones made
of the data, as in production; generation is deterministic, so a failure comes back on the next run. Each
failure comes with a curl line to reproduce it.

PostgreSQL only (the server and the test share the database): skipped on SQLite, always run under CI=true.
About a minute on a quiet machine; MAX_EXAMPLES sets the fuzzing phase's share.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings as django_settings

from assessment.models import Assessment, FrameworkVersion, Organization, User
from tests.api.schema_world import (
    OPERATOR_PATHS,
    OUTSIDER_NAME,
    REVIEW_PATHS,
    World,
    schemathesis_config,
    world_build,
)
from tests.config.test_embedded_run import free_port

ON_POSTGRESQL = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="the live schema run needs PostgreSQL (DATABASE_URL): a server process reads what the test "
        "commits, and on SQLite the immutability triggers stop the flush that ends a transactional test",
    ),
]

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    # positive_data_acceptance, but for the refusals no schema can state (tests/api/schemathesis_hooks.py)
    "positive_data_acceptance_except_documented_refusals",
)
HOOKS = "tests.api.schemathesis_hooks"
MAX_EXAMPLES = 5  # per operation in the fuzzing phase; examples and coverage add their own cases
UNLIMITED = "1000000/min"


def toml(value: Any) -> str:
    """`value` as a TOML value: JSON's scalars and arrays are TOML's, objects become inline tables."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path, settings: Any, transactional_db: None) -> Iterator[str]:
    """A gunicorn server on the test database; no throttling, webhooks to local receivers allowed."""
    database = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env |= {
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": "",  # a cache of its own; the broker is kombu's filesystem one under VAR_DIR, which no one reads
        "VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the report's PDF, written by the test
        "API_THROTTLE_RATE": UNLIMITED,
        "API_ANON_THROTTLE_RATE": UNLIMITED,
        "WEBHOOKS_ALLOW_HTTP": "true",
        "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",  # nor is a generated host name resolved
    }
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while not _healthy(base):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            _stop(process)


def _healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=10).ok
    except requests.RequestException:  # not listening yet, or a worker still loading Django
        return False


@pytest.fixture
def world(
    settings: Any, owner: User, organization: Organization, miit: FrameworkVersion, eu_dma: FrameworkVersion
) -> World:
    settings.WEBHOOKS_ALLOW_HTTP = settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True  # as the server: a local receiver
    return world_build(owner=owner, organization=organization, miit=miit, eu_dma=eu_dma)


def schemathesis_run(
    base: str, world: World, folder: Path, *, secret: str | None = None, include_path_regex: str | None = None
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`schemathesis run` on the served schema (with the owner's key, or `secret`; every operation, or those whose
    path matches); its output, and the HAR file of every request and response. `folder` is the run's own."""
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        **schemathesis_config(world, max_examples=MAX_EXAMPLES, secret=secret),
        "workers": 1,
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    }
    config["generation"] |= {"deterministic": True, "mode": "all"}  # positive and negative data
    config_file = folder / "schemathesis.toml"
    config_file.write_text("".join(f"{json.dumps(key)} = {toml(value)}\n" for key, value in config.items()))
    har = folder / "interactions.har"
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(config_file),
        "run",
        f"{base}/api/schema/?format=json",
        "--report",
        "har",
        "--report-har-path",
        str(har),
        "--output-truncate",
        "false",
        "--request-timeout",
        "30",
        *(["--include-path-regex", include_path_regex] if include_path_regex else []),
    ]
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": HOOKS}
    env["PYTHONPATH"] = os.pathsep.join([str(django_settings.BASE_DIR), env.get("PYTHONPATH", "")])
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder, env=env, timeout=600)
    return done, har


def operation_of(templates: list[str], method: str, url: str) -> str:
    """The schema's operation a request went to, e.g. "GET /api/v1/assessments/{id}/"."""
    path = "/" + url.split("/", 3)[-1].split("?")[0]
    # The most literal template first: /enrolments/accept/ is that operation's, not /enrolments/{id}/'s.
    for template in sorted(templates, key=lambda t: t.count("{")):
        parts = re.split(r"(\{[^/]+?\})", template)
        if re.fullmatch("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts), path):
            return f"{method} {template}"
    return f"{method} {path}"


def test_a_live_server_answers_every_generated_request_as_its_schema_documents(
    server: str, world: World, tmp_path: Path
) -> None:
    entries = []
    runs = {
        "owner": {},
        # The review's operations and what the consultant reads, again with the consultant's key: the owner is
        # refused the review's steps, so only this run can succeed at them.
        "consultant": {"secret": world.consultant_secret, "include_path_regex": REVIEW_PATHS},
        # The programmes' operations with the key of the operator's admin: the owner is no member of the operator,
        # so only this run can succeed at them.
        "operator": {"secret": world.operator_secret, "include_path_regex": OPERATOR_PATHS},
        # Offerings are written by an operator's administrators: only the provider's run can succeed at them.
        "provider": {"secret": world.provider_secret, "include_path_regex": "^/api/v1/offerings/"},
    }
    for name, options in runs.items():
        done, har = schemathesis_run(server, world, tmp_path / name, **options)
        output = done.stdout + done.stderr
        (tmp_path / name / "schemathesis.txt").write_text(output)
        assert done.returncode == 0, f"schemathesis run as the {name} failed ({done.returncode}):\n{output}"
        print(f"As the {name}:\n{output}")
        entries += json.loads(har.read_text())["log"]["entries"]

    # Every operation was reached: the seeded objects (and what the run made) let each one succeed at least once.
    served = requests.get(f"{server}/api/schema/?format=json", timeout=30).json()["paths"]
    operations = {f"{method.upper()} {path}" for path, item in served.items() for method in item}
    succeeded = {
        operation_of(list(served), e["request"]["method"], e["request"]["url"])
        for e in entries
        if 200 <= e["response"]["status"] < 300
    }
    assert operations - succeeded == set(), "never answered 2xx"

    # Nothing of another user's organisation was shown, used or changed.
    theirs = {
        f"/api/v1/organizations/{world.outsider.pk}/",
        f"/api/v1/assessments/{world.outsider_assessment.pk}/",
        f"/api/v1/documents/{world.outsider_document.pk}/",
    }
    for entry in entries:
        request, response = entry["request"], entry["response"]
        assert OUTSIDER_NAME not in response["content"].get("text", ""), "another user's organisation is shown"
        path = "/" + request["url"].split("/", 3)[-1].split("?")[0]
        if 200 <= response["status"] < 300:
            assert not any(path.startswith(prefix) for prefix in theirs), f"{request['method']} {path} succeeded"
    world.outsider.refresh_from_db()
    assert world.outsider.name == OUTSIDER_NAME
    assert Assessment.objects.filter(organization=world.outsider).count() == 1
    assert not world.outsider_assessment.answers.exists()
    assert list(world.outsider_assessment.documents.all()) == [world.outsider_document]
