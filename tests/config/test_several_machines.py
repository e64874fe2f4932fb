"""No state of one machine: two web servers and two workers, each with its own VAR_DIR, share only PostgreSQL,
Redis and an S3-compatible bucket (a moto server process), and still act as one site.

A log-in on web server A works on B; a report asked for on A is rendered by either worker and downloaded from B.
Every process gets the same variables (docs/deployment.md, "Several machines"), nothing else.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings as django_settings

from assessment.models import FrameworkVersion, Organization, User
from reports.models import Report
from tests.config.test_embedded_run import free_port
from tests.config.test_redis_outage import wait_until
from tests.conftest import S3Server, WorkerFactory
from tests.reports.test_pipeline import answered

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-owner-1234"


@pytest.fixture
def machine_env(s3_server: S3Server, redis_url: str, postgresql: None, settings: Any) -> dict[str, str]:
    """What every machine is given: the shared services and the shared secret key, nothing of a machine's own."""
    database = settings.DATABASES["default"]
    return {
        **{k: v for k, v in os.environ.items() if k not in {"MEDIA_ROOT", "SECRET_KEY"}},
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "SECRET_KEY": "several-machines-test-secret",
        "INSECURE_LOCAL_HTTP": "true",  # plain HTTP on loopback: the session cookie is not Secure-only
        **s3_server.env,
    }


@pytest.fixture
def web_servers(machine_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Web servers A and B: gunicorn, one process each, each with a VAR_DIR of its own."""
    processes: list[subprocess.Popen[bytes]] = []
    bases = []
    try:
        for name in ("web-a", "web-b"):
            port = free_port()
            log = (tmp_path / f"{name}.log").open("w")
            command = [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
            ]
            processes.append(
                subprocess.Popen(
                    command,
                    env={**machine_env, "VAR_DIR": str(tmp_path / name)},
                    cwd=django_settings.BASE_DIR,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            wait_until(lambda base=base: requests.get(f"{base}/healthz", timeout=60).ok, 120, f"gunicorn at {base}")
        yield bases[0], bases[1]
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, "the form carries a CSRF token"
    return found.group(1)


def test_a_session_and_a_report_cross_machines_through_shared_services_alone(
    web_servers: tuple[str, str],
    machine_env: dict[str, str],
    celery_worker_process: WorkerFactory,
    s3_server: S3Server,
    miit: FrameworkVersion,
    organization: Organization,
    owner: User,
    tmp_path: Path,
    settings: Any,
) -> None:
    a, b = web_servers
    for name in ("worker-1", "worker-2"):
        celery_worker_process(queues="celery,reports", **{**machine_env, "VAR_DIR": str(tmp_path / name)})
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # one the servers know
    owner.set_password(PASSWORD)
    owner.save(update_fields=["password"])
    assessment = answered(miit, organization, owner)
    browser = requests.Session()

    logged_in = browser.post(
        f"{a}/login/",
        {"username": owner.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(browser, f"{a}/login/")},
        headers={"Referer": f"{a}/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert logged_in.status_code == 302, logged_in.text[:500]
    on_b = browser.get(f"{b}/assessments/{assessment.pk}/results/", timeout=30, allow_redirects=False)
    assert on_b.status_code == 200, f"the session from A is not known on B: {on_b.status_code} {on_b.headers}"
    assert organization.name in on_b.text

    # Asked for on A (CSRF token from B's page: the token is the shared secret's, not the machine's)
    token = csrf_token(browser, f"{b}/assessments/{assessment.pk}/results/")
    requested = browser.post(
        f"{a}/assessments/{assessment.pk}/reports/",
        {"language": "en", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{a}/assessments/{assessment.pk}/results/"},
        timeout=30,
        allow_redirects=False,
    )
    assert requested.status_code == 302, requested.text[:500]
    report = wait_until(
        lambda: Report.objects.filter(assessment=assessment, status__in=Report.FINISHED).first(), 120, "report"
    )
    assert report.status == Report.Status.READY, report.error

    download = browser.get(f"{b}/reports/{report.pk}/pdf/", timeout=30)
    assert download.status_code == 200, download.text[:500]
    assert download.headers["Content-Type"] == "application/pdf"
    stored = s3_server.client().get_object(Bucket=s3_server.BUCKET, Key=f"{s3_server.prefix}/{report.file.name}")
    assert download.content == stored["Body"].read()
    assert download.content.startswith(b"%PDF-")
    for name in ("web-a", "web-b", "worker-1", "worker-2"):
        var = tmp_path / name
        assert not (var / "media").exists(), f"{name} wrote files outside the bucket"
        assert not (var / "secret_key").exists(), f"{name} made a secret key of its own"
        assert not (var / "broker").exists(), f"{name} queued work in a folder of its own"
