"""/api/docs/ serves Swagger UI from this site (drf-spectacular-sidecar), with no inline script, under the CSP."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client

from tests.web.test_content_security_policy import STRICT, policy


def test_the_docs_page_loads_every_file_from_this_site_and_runs_no_inline_script(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert addresses, html
    assert [a for a in addresses if not a.startswith("/")] == []  # no CDN, no other host
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in addresses
    for address in addresses:
        path = address.split("?")[0]
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), f"{path} is not a static file"
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert "<style" not in html


def test_the_docs_page_adds_data_images_to_the_strict_policy_and_nothing_else(client: Client) -> None:
    response = client.get("/api/docs/")
    assert policy(response.headers["Content-Security-Policy"]) == {**STRICT, "img-src": ["'self'", "data:"]}


def test_swagger_ui_starts_from_a_script_the_docs_page_serves(client: Client) -> None:
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in response.content.decode()
    assert client.get("/api/schema/").status_code == 200
