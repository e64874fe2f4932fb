"""Without Redis the service degrades and loses nothing.

A real redis-server of the test's own is the cache and the broker of a real gunicorn server and a real
Celery worker (with beat). It is killed mid-run: people keep reading, answering, submitting and asking for
reports, /healthz says "degraded". It comes back: the report that waited in PostgreSQL is rendered and the
submitted result gets its path, with no manual step.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from django.conf import settings as django_settings

from api.models import ApiKey
from api.services import api_key_create
from assessment.models import FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from reports.models import Report
from scoring.models import AssessmentResult
from tests.config.test_embedded_run import free_port
from tests.conftest import IN_CI
from tests.helpers import answer_file

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = check()
        except (requests.ConnectionError, requests.Timeout):  # still starting, or slow on a loaded box
            found = None
        if found:
            return found
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.2)


class RedisServer:
    """A redis-server on a spare port that the test can kill and start again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, 10, "redis-server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        assert not self.answers()

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.ConnectionError:
            return False


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        reason = "redis-server is not installed (scripts/system-packages.sh installs it)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.kill()


@pytest.fixture
def service(redis_server: RedisServer, tmp_path: Path, settings: Any) -> Iterator[str]:
    """A gunicorn server and a Celery worker with beat, both on the test database and the test's Redis."""
    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        reason = "the server and the worker need a database they can share with the test: PostgreSQL"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url,
        "VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SWEEP_INTERVAL_SECONDS": "2",
    }
    python = Path(sys.executable).parent
    log = (tmp_path / "processes.log").open("w")
    processes = [
        subprocess.Popen(
            [str(python / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
            env=env,
            cwd=django_settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
        subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "-Q", "celery,reports", "-c", "1"),
                *("--schedule", str(tmp_path / "beat-schedule"), "--without-gossip", "--loglevel", "INFO"),
            ],
            env=env,
            cwd=django_settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{base}/healthz", timeout=5).ok, 60, "gunicorn did not start")
    yield base
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    log.close()


def test_with_redis_killed_people_keep_working_and_the_queued_work_is_done_once_it_is_back(
    redis_server: RedisServer,
    service: str,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
    tmp_path: Path,
) -> None:
    reported = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    submitted = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    _key, secret = api_key_create(user=owner, name="outage", scope=ApiKey.Scope.WRITE)
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {secret}"
    base = f"{service}/api/v1"
    assert api.get(f"{base}/assessments/", timeout=10).status_code == 200

    redis_server.kill()
    timings: dict[str, float] = {}

    def call(method: str, path: str, **options: Any) -> Any:
        started = time.monotonic()
        response = api.request(method, base + path, timeout=10, **options)
        timings[f"{method} {path}"] = round(time.monotonic() - started, 2)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json()

    call("GET", "/assessments/")
    for assessment in (reported, submitted):
        call("PUT", f"/assessments/{assessment.pk}/answers/", json={"answers": answer_file("miit-58.125.json")})
        assert call("GET", f"/assessments/{assessment.pk}/results/")["total"] == 58.125
        call("POST", f"/assessments/{assessment.pk}/submit/", json={"pledge": True})
    report = call("POST", f"/assessments/{reported.pk}/reports/", json={"language": "en"})
    assert report["status"] == "queued"
    health = requests.get(f"{service}/healthz", timeout=10)
    assert health.status_code == 200, "degraded, not unavailable: the load balancer keeps sending people"
    assert (health.json()["status"], health.json()["failing"]) == ("degraded", ["broker", "cache"])
    print("seconds per request with Redis down:", timings)
    assert Report.objects.get(pk=report["id"]).dispatched_at is None, "the job waits in PostgreSQL"
    assert AssessmentResult.objects.get(assessment=submitted).path_pending, "its path task never reached a worker"

    redis_server.start()
    log = tmp_path / "processes.log"

    def finished() -> Any:
        found = api.get(f"{base}/reports/{report['id']}/", timeout=10).json()
        return found if found["status"] in ("ready", "failed") else None

    done = wait_until(finished, 120, f"the report waiting for the broker was not rendered: {log.read_text()[-3000:]}")
    assert done["status"] == "ready", done["error"]
    assert api.get(f"{service}{done['pdf']}", timeout=10).content[:5] == b"%PDF-"
    wait_until(
        lambda: not AssessmentResult.objects.get(assessment=submitted).path_pending,
        60,
        f"the submitted result did not get its path: {log.read_text()[-3000:]}",
    )
    assert requests.get(f"{service}/healthz", timeout=10).json()["status"] == "ok"
