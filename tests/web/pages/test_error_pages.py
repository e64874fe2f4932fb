"""403, 404, 500 and a refused CSRF token get the site's own pages, in the visitor's language (DEBUG off)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from assessment.models import Organization, User
from tests.web.pages.text import visible_text

pytestmark = pytest.mark.urls("tests.web.pages.error_urls")

STYLESHEET = '<link rel="stylesheet" href="/static/web/site.css">'


@pytest.fixture(autouse=True)
def _debug_off(settings: Any) -> None:
    settings.DEBUG = False


def test_an_unknown_address_gets_the_styled_404(client: Client) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    html = response.content.decode()
    assert STYLESHEET in html
    assert "Page not found" in visible_text(html)
    assert "The requested resource was not found on this server." not in html  # Django's bare default


@pytest.mark.django_db
def test_another_organisations_page_gets_the_styled_404(client: Client, organization: Organization) -> None:
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    client.force_login(stranger)
    response = client.get(f"/orgs/{organization.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in visible_text(response)
    assert organization.name not in response.content.decode()


def test_the_404_page_speaks_the_visitors_language(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get("/no-such-page/")
    assert '<html lang="zh-Hans">' in response.content.decode()


@pytest.mark.django_db
def test_a_forbidden_action_gets_the_styled_403_with_its_reason(
    client: Client, organization: Organization, owner: User
) -> None:
    viewer = User.objects.create_user("viewer@example.com", "pw-viewer-1234")
    organization.memberships.create(user=viewer, role="viewer")
    client.force_login(viewer)
    response = client.get(f"/orgs/{organization.pk}/api-keys/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    text = visible_text(response)
    assert "You may not do this" in text
    assert "Only owners of the organisation can do this." in text
    assert STYLESHEET in response.content.decode()


def test_a_forbidden_page_without_a_reason_still_explains(client: Client) -> None:
    response = client.get("/test-forbid/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "You may not do this" in visible_text(response)
    assert "403 Forbidden" not in response.content.decode()


def test_a_server_error_gets_the_styled_500(client: Client) -> None:
    client.raise_request_exception = False
    response = client.get("/test-fail/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    text = visible_text(response)
    assert "Something went wrong on our side" in text
    assert "a bug" not in text
    assert STYLESHEET in response.content.decode()


def test_the_500_page_renders_without_a_request_or_the_database() -> None:
    # No django_db mark: any query while rendering raises.
    with translation.override("zh-hans"):
        html = render_to_string("500.html")
    assert '<html lang="zh-Hans">' in html
    assert "500" in visible_text(html)
    assert 'name="csrfmiddlewaretoken"' not in html


@pytest.mark.django_db
def test_a_refused_csrf_token_gets_the_styled_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "a@example.com", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    text = visible_text(response)
    assert "The form could not be sent" in text
    assert "CSRF verification failed" not in text
    assert STYLESHEET in response.content.decode()
