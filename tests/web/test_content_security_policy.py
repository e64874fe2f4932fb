"""Every page is sent with a strict Content-Security-Policy, and no template carries what it would block.

The browser tests (tests/e2e) fail on any violation Chromium reports on the pages they visit; this scan
covers every template, visited or not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from assessment.models import Organization, User

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Templates a browser renders; reports/templates are read by WeasyPrint only, never sent to a browser.
BROWSER_TEMPLATES = [Path(settings.BASE_DIR) / app / "templates" for app in ("web", "api", "scoring")]
BLOCKED = {
    "an inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "an inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    # htmx runs hx-on, js: values and event filters (keyup[…]) through eval, which script-src 'self' refuses;
    # a selector in parentheses, as in target:(input[type=text]), is no filter.
    "an htmx expression": re.compile(r"hx-on|hx-vals=['\"]js:|hx-trigger=\"(?:[^\"(]|\([^)]*\))*\["),
}

COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)  # never sent


def policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize("path", ["/login/", "/signup/", "/password-reset/"])
def test_pages_are_sent_with_the_strict_policy(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert policy(response.headers["Content-Security-Policy"]) == STRICT


def test_a_signed_in_page_is_sent_with_the_strict_policy(
    client: Client, organization: Organization, owner: User
) -> None:
    client.force_login(owner)
    response = client.get(f"/orgs/{organization.pk}/members/")
    assert response.status_code == 200
    assert policy(response.headers["Content-Security-Policy"]) == STRICT


def test_no_template_carries_inline_script_style_or_htmx_expressions() -> None:
    found = []
    templates = sorted(path for folder in BROWSER_TEMPLATES for path in folder.rglob("*.html"))
    assert len(templates) > 30
    for template in templates:
        text = COMMENT.sub(lambda comment: "\n" * comment.group().count("\n"), template.read_text(encoding="utf-8"))
        for what, pattern in BLOCKED.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(settings.BASE_DIR)}:{line}: {what}: {match.group()[:60]}")
    assert found == []
