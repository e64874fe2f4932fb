"""`make run`'s embedded default: log-in over plain HTTP, and reports with SQLite, no Redis, a worker on the
filesystem broker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import requests
from django.conf import settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_embedded_default_logs_a_person_in_over_http_and_renders_a_requested_report_without_redis(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env |= {"VAR_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path / "media"), "HOST": "127.0.0.1"}
    env |= {"PORT": str(port), "PY": sys.executable, "CI": "false"}
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "import_framework", *map(str, sorted(Path(settings.FRAMEWORKS_DIR).glob("*.yaml"))))
    manage(env, "seed_demo")
    key = manage(env, "create_api_key", "--user", "owner@demo.example", "--scope", "write").strip().splitlines()[-1]

    server = subprocess.Popen(
        ["scripts/run.sh"],
        env=env,
        cwd=settings.BASE_DIR,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {key}"
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 60
        while True:
            try:
                organizations = api.get(f"{base}/organizations/", timeout=5).json()["results"]
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        # A person logs in over plain http://127.0.0.1 with a client that keeps no Secure cookie over HTTP.
        password = json.loads((tmp_path / "demo-credentials.json").read_text())["owner"]
        browser = requests.Session()
        browser.get(f"http://127.0.0.1:{port}/login/", timeout=5)
        logged_in = browser.post(
            f"http://127.0.0.1:{port}/login/",
            data={
                "username": "owner@demo.example",
                "password": password,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
            timeout=10,
        )
        assert logged_in.status_code == 200, logged_in.text
        assert urlparse(logged_in.url).path.startswith("/orgs/"), logged_in.url
        assert "owner@demo.example" in logged_in.text

        created = api.post(f"{base}/assessments/", json={"organization": organizations[0]["id"], "framework": "eu-dma"})
        assert created.status_code == 201, created.text
        requested = api.post(f"{base}/assessments/{created.json()['id']}/reports/", json={"language": "en"})
        assert requested.status_code == 202, requested.text
        report = requested.json()
        deadline = time.monotonic() + 120
        while report["status"] not in ("ready", "failed"):
            assert time.monotonic() < deadline, f"no worker rendered it: {(tmp_path / 'worker.log').read_text()}"
            time.sleep(0.5)
            report = api.get(f"{base}/reports/{report['id']}/", timeout=5).json()
        assert report["status"] == "ready", report["error"]
        pdf = api.get(f"http://127.0.0.1:{port}{report['pdf']}", timeout=10)
        assert (pdf.headers["Content-Type"], pdf.content[:5]) == ("application/pdf", b"%PDF-")
        # The demo's own messages (its e-mails, its submission's result) are taken one per poll: wait for them.
        queue = tmp_path / "broker" / "queue"
        deadline = time.monotonic() + 60
        while any(queue.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert list(queue.iterdir()) == [], "every message was consumed"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
