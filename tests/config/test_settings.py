from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import (
    env_bool,
    env_choice,
    env_http_header,
    env_http_url,
    env_int,
    env_key_prefix,
    env_list,
    env_s3_bucket,
)

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
    unset = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}
    clean = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("S3_")}
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


def test_storage_variables_fail_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    for helper, raw, message in (
        (env_s3_bucket, "My_Bucket", "is not a bucket name"),
        (env_http_url, "s3.example.cn", "is not an http:// or https:// address"),
        (env_key_prefix, "reports/../secrets", "is not a key prefix"),
    ):
        monkeypatch.setenv("STORAGE_VALUE", raw)
        with pytest.raises(ImproperlyConfigured, match=rf"STORAGE_VALUE={raw!r} {message}"):
            helper("STORAGE_VALUE")
    monkeypatch.setenv("STORAGE_VALUE", "public-read")
    with pytest.raises(ImproperlyConfigured, match="is not one of private, bucket-owner-full-control"):
        env_choice("STORAGE_VALUE", ("private", "bucket-owner-full-control"))


def test_storage_variables_are_read_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_VALUE", "/sme/prod/")
    assert env_key_prefix("STORAGE_VALUE") == "sme/prod"
    monkeypatch.setenv("STORAGE_VALUE", "https://oss-cn-hangzhou.aliyuncs.com/")
    assert env_http_url("STORAGE_VALUE") == "https://oss-cn-hangzhou.aliyuncs.com"
    monkeypatch.setenv("STORAGE_VALUE", "sme-reports.cn")
    assert env_s3_bucket("STORAGE_VALUE") == "sme-reports.cn"


S3 = {"S3_BUCKET": "sme-files", "S3_ENDPOINT_URL": "http://127.0.0.1:9000", "S3_REGION": "cn-north-1"}
KEYS = {"S3_ACCESS_KEY_ID": "id", "S3_SECRET_ACCESS_KEY": "secret"}


def test_a_bucket_needs_a_shared_secret_key_and_both_keys_or_neither(tmp_path: Path) -> None:
    without_secret = run_manage(tmp_path, "check", **S3, **KEYS)
    assert "S3_BUCKET is set, so SECRET_KEY must be too" in without_secret.stderr
    assert not (tmp_path / "secret_key").exists(), "no key of this machine's own was generated"
    half = run_manage(tmp_path, "check", SECRET_KEY="shared", **S3, S3_ACCESS_KEY_ID="id")
    assert "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together" in half.stderr
    no_bucket = run_manage(tmp_path, "check", SECRET_KEY="shared", S3_ENDPOINT_URL="http://127.0.0.1:9000")
    assert "S3_ENDPOINT_URL set without S3_BUCKET" in no_bucket.stderr
    public = run_manage(tmp_path, "check", SECRET_KEY="shared", **S3, S3_OBJECT_ACL="public-read")
    assert "S3_OBJECT_ACL='public-read' is not one of" in public.stderr


def test_the_s3_variables_alone_make_the_bucket_the_default_storage(tmp_path: Path) -> None:
    probe = (
        "import json; from django.core.files.storage import storages; d = storages['default']; "
        "print(json.dumps([type(d).__name__, d.bucket_name, d.endpoint_url, d.region_name, d.location, "
        "d.default_acl, d.file_overwrite, d.querystring_auth, d.querystring_expire]))"
    )
    done = run_manage(tmp_path, "shell", "-v", "0", "-c", probe, SECRET_KEY="shared", S3_PREFIX="/sme/", **S3, **KEYS)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        "PrivateS3Storage",
        "sme-files",
        "http://127.0.0.1:9000",
        "cn-north-1",
        "sme",
        None,  # no ACL sent: the owner's alone, which buckets with ACLs disabled also accept
        False,
        True,
        60,
    ]
    local = run_manage(
        tmp_path,
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.files.storage import storages; d = storages['default']; print(type(d).__name__, d.location)",
    )
    assert local.stdout.split() == ["FileSystemStorage", str(tmp_path / "media")]


def test_the_cache_key_prefix_comes_from_the_environment_and_refuses_spaces(tmp_path: Path) -> None:
    probe = "from django.core.cache import cache; print(cache.make_key('peers'))"
    done = run_manage(tmp_path, "shell", "-v", "0", "-c", probe, CACHE_KEY_PREFIX="province-a")
    assert done.stdout.strip() == "province-a:1:peers"
    refused = run_manage(tmp_path, "check", CACHE_KEY_PREFIX="province a")
    assert refused.returncode != 0
    assert "CACHE_KEY_PREFIX='province a' may hold letters" in refused.stderr
