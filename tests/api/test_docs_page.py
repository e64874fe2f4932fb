"""/api/docs/ serves Swagger UI from this site (drf-spectacular-sidecar), not from a CDN."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client


def test_the_docs_page_loads_every_file_from_this_site(client: Client) -> None:
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

