"""With DEBUG off the site is served over HTTPS: Secure cookies and HSTS, unless it is plain HTTP on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tests.config.test_settings import run_manage

PROBE = (
    "from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_PROXY_SSL_HEADER)"
)


# Empty means "not set" to config/settings.py: the developer's own environment does not leak in.
UNSET = dict.fromkeys(
    ["INSECURE_LOCAL_HTTP", "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "ALLOWED_HOSTS"], ""
)


def settings_under(tmp_path: Path, **env: str) -> str:
    done = run_manage(tmp_path, "shell", "-v", "0", "-c", PROBE, **{**UNSET, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_https_responses_carry_hsts_and_every_cookie_is_secure(client: Client) -> None:
    response = client.get("/login/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert response.cookies["csrftoken"]["secure"] is True
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_plain_http_responses_carry_no_hsts(client: Client) -> None:
    assert "Strict-Transport-Security" not in client.get("/login/").headers


def test_with_debug_off_cookies_are_secure_and_hsts_lasts_a_year(tmp_path: Path) -> None:
    assert settings_under(tmp_path) == "True True True 31536000 None"


@pytest.mark.parametrize("env", [{"INSECURE_LOCAL_HTTP": "true"}, {"DEBUG": "true"}])
def test_plain_http_on_this_machine_or_debug_turns_both_off(tmp_path: Path, env: dict[str, str]) -> None:
    assert settings_under(tmp_path, **env) == "False False False 0 None"


def test_each_setting_can_be_chosen_and_the_proxy_header_is_read_as_django_sees_it(tmp_path: Path) -> None:
    env = {
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "600",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
    }
    assert settings_under(tmp_path, **env) == "False False False 600 ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_plain_http_is_refused_for_a_public_host_name(tmp_path: Path) -> None:
    done = run_manage(tmp_path, "check", INSECURE_LOCAL_HTTP="true", ALLOWED_HOSTS="assess.example.cn,127.0.0.1")
    assert done.returncode != 0
    assert "but ALLOWED_HOSTS also has assess.example.cn" in done.stderr


def test_a_proxy_header_without_a_value_is_refused(tmp_path: Path) -> None:
    done = run_manage(tmp_path, "check", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert done.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER='X-Forwarded-Proto' is not a header and a value" in done.stderr
