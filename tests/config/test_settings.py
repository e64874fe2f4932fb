from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool, env_http_header, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def test_booleans_accept_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, expected in (("1", True), ("Yes", True), ("on", True), ("0", False), ("false", False), ("", True)):
        monkeypatch.setenv("SOME_FLAG", raw)
        assert env_bool("SOME_FLAG", default=True) is expected


def test_a_bad_boolean_fails_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"SOME_FLAG='maybe' is not a boolean"):
        env_bool("SOME_FLAG")


def test_a_bad_integer_fails_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER='ten' is not a whole number"):
        env_int("SOME_NUMBER", 1)
    monkeypatch.setenv("SOME_NUMBER", "-3")
    with pytest.raises(ImproperlyConfigured, match="must be at least 0"):
        env_int("SOME_NUMBER", 1)


def test_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_a_trusted_proxy_header_is_named_as_http_sends_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROXY_HEADER", raising=False)
    assert env_http_header("PROXY_HEADER") == ""
    monkeypatch.setenv("PROXY_HEADER", "X-Forwarded-For")
    assert env_http_header("PROXY_HEADER") == "HTTP_X_FORWARDED_FOR"
    monkeypatch.setenv("PROXY_HEADER", "x-real-ip")
    assert env_http_header("PROXY_HEADER") == "HTTP_X_REAL_IP"


def test_a_bad_proxy_header_fails_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROXY_HEADER", "X-Forwarded-For: 1.2.3.4")
    with pytest.raises(ImproperlyConfigured, match=r"PROXY_HEADER='X-Forwarded-For: 1.2.3.4' is not an HTTP header"):
        env_http_header("PROXY_HEADER")


def run_manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "VAR_DIR": str(tmp_path), **env},
        check=False,
    )


def test_the_app_refuses_to_start_with_a_bad_setting(tmp_path: Path) -> None:
    done = run_manage(tmp_path, "check", DEBUG="perhaps")
    assert done.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in done.stderr


def test_the_defaults_serve_a_laptop_sqlite_under_var_and_a_persisted_secret_key(tmp_path: Path) -> None:
    probe = "from django.conf import settings as s; print(s.DATABASES['default']['NAME'], s.DEBUG, s.SECRET_KEY)"
    first = run_manage(tmp_path, "shell", "-v", "0", "-c", probe)
    second = run_manage(tmp_path, "shell", "-v", "0", "-c", probe)
    name, debug, key = first.stdout.split()
    assert name == str(tmp_path / "db.sqlite3")
    assert debug == "False"
    assert len(key) > 40
    assert second.stdout == first.stdout  # the generated key survives a restart
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_cache_key_prefix_comes_from_the_environment_and_refuses_spaces(tmp_path: Path) -> None:
    probe = "from django.core.cache import cache; print(cache.make_key('peers'))"
    done = run_manage(tmp_path, "shell", "-v", "0", "-c", probe, CACHE_KEY_PREFIX="province-a")
    assert done.stdout.strip() == "province-a:1:peers"
    refused = run_manage(tmp_path, "check", CACHE_KEY_PREFIX="province a")
    assert refused.returncode != 0
    assert "CACHE_KEY_PREFIX='province a' may hold letters" in refused.stderr
