from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.organizations import organization_create

IN_CI = os.environ.get("CI") == "true"
FRAMEWORKS = Path(settings.FRAMEWORKS_DIR)


def pytest_configure(config: pytest.Config) -> None:
    if not IN_CI:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"CI=true must test on PostgreSQL, not {engine}: set DATABASE_URL.", returncode=3)
    if not settings.REDIS_URL:
        pytest.exit("CI=true must test with Redis: set REDIS_URL.", returncode=3)


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_url() -> str:
    """The real Redis of this machine: fails under CI when absent, skips elsewhere."""
    url = settings.REDIS_URL
    if url and _reachable(url):
        return url
    reason = f"Redis is not reachable ({url or 'REDIS_URL is not set'})"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def postgresql(transactional_db: None) -> None:
    """Committed rows, seen by other threads' connections; row locks as in production."""
    if connection.vendor != "postgresql":
        reason = "row locks between connections need PostgreSQL"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


WorkerFactory = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def celery_worker_process(redis_url: str, transactional_db: None, settings: Any) -> Iterator[WorkerFactory]:
    """Start real `celery worker` processes on the real Redis, sharing the test database (PostgreSQL).

    Call it with extra environment variables (settings the worker needs); each worker is stopped after the test.
    """
    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        reason = "a worker process needs a database it can share with the test: PostgreSQL"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    from config.celery import app

    app.control.purge()  # messages left by earlier runs would only be noise
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    workers: list[subprocess.Popen[str]] = []

    def start(*, queues: str = "celery", concurrency: int = 1, **env: str) -> subprocess.Popen[str]:
        environment = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url}
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues, "-c", str(concurrency)]
        command += ["-n", f"test-{uuid.uuid4().hex[:8]}@%h", "--loglevel", "INFO", "--without-gossip"]
        process = subprocess.Popen(
            command,
            env={**environment, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=settings.BASE_DIR,
            start_new_session=True,  # its own process group: a test can SIGKILL the worker with its children
        )
        workers.append(process)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True).start()
        output = []
        while True:
            try:
                line = lines.get(timeout=60)
            except queue.Empty:
                pytest.fail("The Celery worker did not start in 60 s:\n" + "".join(output))
            output.append(line)
            if " ready." in line:
                return process
            if process.poll() is not None:
                pytest.fail("The Celery worker exited:\n" + "".join(output))

    yield start
    for process in workers:
        process.terminate()
    for process in workers:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class S3Server:
    """A moto S3 server of the test's own, in its own process on a spare port, with one empty bucket."""

    BUCKET = "sme-test-files"
    ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION = "test-access-key", "test-secret-key", "us-east-1"

    def __init__(self, port: int, prefix: str) -> None:
        self.endpoint = f"http://127.0.0.1:{port}"
        self.prefix = prefix

    @property
    def env(self) -> dict[str, str]:
        """The variables that put a process's files in this bucket (config/settings.py)."""
        return {
            "S3_BUCKET": self.BUCKET,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_ACCESS_KEY_ID": self.ACCESS_KEY_ID,
            "S3_SECRET_ACCESS_KEY": self.SECRET_ACCESS_KEY,
            "S3_REGION": self.REGION,
            "S3_PREFIX": self.prefix,
        }

    def storage_settings(self) -> dict[str, Any]:
        """What config/settings.py makes of `env`, for the test process's own STORAGES."""
        return {
            "BACKEND": "config.storage.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": self.BUCKET,
                "endpoint_url": self.endpoint,
                "region_name": self.REGION,
                "access_key": self.ACCESS_KEY_ID,
                "secret_key": self.SECRET_ACCESS_KEY,
                "location": self.prefix,
                "file_overwrite": False,
            },
        }

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.ACCESS_KEY_ID,
            aws_secret_access_key=self.SECRET_ACCESS_KEY,
            region_name=self.REGION,
        )

    def keys(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.BUCKET)
        return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture
def s3_server(tmp_path: Path) -> Iterator[S3Server]:
    """A real S3-compatible server (moto's, from requirements-dev.txt): failing to start it fails the test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    log = (tmp_path / "moto.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = S3Server(port, prefix=f"run-{uuid.uuid4().hex[:8]}")
    deadline = time.monotonic() + 30
    while not _reachable(server.endpoint):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.seek(0)
            pytest.fail(f"The moto S3 server did not start on port {port}:\n{log.read()}")
        time.sleep(0.1)
    server.client().create_bucket(Bucket=S3Server.BUCKET)
    yield server
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Services and commands speak English in tests; requests still choose their own language."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # cached peer quartiles and throttles must not leak from one test into another


def _import_bundled_frameworks() -> None:
    call_command("import_framework", *sorted(str(p) for p in FRAMEWORKS.glob("*.yaml")), verbosity=0)


@pytest.fixture(scope="session")
def bundled_frameworks(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Import both bundled frameworks once per test session."""
    with django_db_blocker.unblock():
        _import_bundled_frameworks()
    return


def _bundled(slug: str) -> FrameworkVersion:
    version = FrameworkVersion.objects.filter(framework__slug=slug, label="2024").first()
    if version is None:  # a transaction=True test has emptied the tables since the session began
        _import_bundled_frameworks()
        version = FrameworkVersion.objects.get(framework__slug=slug, label="2024")
    return version


@pytest.fixture
def miit(bundled_frameworks: None, db: None) -> FrameworkVersion:
    return _bundled("miit-2024-manufacturing")


@pytest.fixture
def eu_dma(bundled_frameworks: None, db: None) -> FrameworkVersion:
    return _bundled("eu-dma")


@pytest.fixture
def owner(db: None) -> User:
    return User.objects.create_user("owner@example.com", "pw-owner-1234")


@pytest.fixture
def organization(owner: User) -> Organization:
    return organization_create(owner=owner, name="测试精密制造有限公司", sector="C", size_band="small", province="32")
