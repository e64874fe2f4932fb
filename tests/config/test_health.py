from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, json
django.setup()
from django.test import Client
response = Client(SERVER_NAME="localhost").get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def healthz_in_a_fresh_process(tmp_path: Path, **env: str) -> dict:  # type: ignore[type-arg]
    """Start the app in its own process with other settings, the way an operator would misconfigure it."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), **env}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_healthz_reports_database_cache_and_broker_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    checks = {"database": "ok", "cache": "ok", "broker": "ok"}
    assert response.json() == {"status": "ok", "checks": checks, "failing": []}


@pytest.mark.django_db
def test_healthz_checks_the_real_redis_cache_and_broker_when_configured(redis_url: str, tmp_path: Path) -> None:
    result = healthz_in_a_fresh_process(tmp_path, REDIS_URL=redis_url, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    assert result["body"]["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_healthz_is_503_unavailable_and_names_the_database_when_it_is_down(tmp_path: Path) -> None:
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    result = healthz_in_a_fresh_process(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:9/none")
    assert result["status"] == 503
    assert result["body"]["status"] == "unavailable"
    assert result["body"]["failing"] == ["database"]
    assert result["body"]["checks"]["database"] == "error: OperationalError"


def test_healthz_is_200_degraded_and_names_the_broker_when_it_is_down(tmp_path: Path) -> None:
    result = healthz_in_a_fresh_process(
        tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", CELERY_BROKER_URL="redis://127.0.0.1:9/0"
    )
    assert result["status"] == 200  # people can still work: a load balancer keeps sending them
    assert (result["body"]["status"], result["body"]["failing"]) == ("degraded", ["broker"])


def test_healthz_is_200_degraded_and_names_cache_and_broker_when_redis_is_down(tmp_path: Path) -> None:
    result = healthz_in_a_fresh_process(
        tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", REDIS_URL="redis://127.0.0.1:9/0"
    )
    assert result["status"] == 200
    assert (result["body"]["status"], result["body"]["failing"]) == ("degraded", ["broker", "cache"])
    assert result["body"]["checks"]["cache"] == "error: ConnectionError"


def test_healthz_accepts_only_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
