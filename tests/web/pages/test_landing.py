"""The landing page: a visitor learns what the service is and for whom, in either language; a user keeps the home."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Organization, User
from tests.web.pages.text import visible_text


def test_a_visitor_sees_what_the_service_does_and_for_whom(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = visible_text(response)
    for words in (
        "small and medium-sized enterprises",
        "MIIT SME digitalisation index",
        "Digital Maturity Assessment (DMA)",
        "Consultants and assessment bodies",
        "Operators, service bureaus and banks",
        "Integrators",
        "Every point explained.",
        "A path to the next level.",
        "A roadmap.",
        "A PDF report.",
        "Consultant verification.",
    ):
        assert words in text, words


def test_the_landing_page_leads_to_sign_up_and_log_in(client: Client) -> None:
    html = client.get("/").content.decode()
    assert f'href="{reverse("web:signup")}"' in html
    assert f'href="{reverse("web:login")}"' in html


@pytest.mark.parametrize(("language", "lang"), [("zh-hans", 'lang="zh-Hans"'), ("en", 'lang="en"')])
def test_the_landing_page_is_served_in_the_chosen_language(client: Client, language: str, lang: str) -> None:
    client.cookies["django_language"] = language
    html = client.get("/").content.decode()
    assert f"<html {lang}>" in html


@pytest.mark.django_db
def test_a_logged_in_user_keeps_the_home_of_their_organisation(
    client: Client, owner: User, organization: Organization
) -> None:
    client.force_login(owner)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:org_home", args=[organization.pk])


@pytest.mark.parametrize(
    ("language", "english", "chinese"), [("en", "English", "简体中文"), ("zh-hans", "English", "简体中文")]
)
def test_the_language_switch_names_each_language_in_its_own_language(
    client: Client, language: str, english: str, chinese: str
) -> None:
    client.cookies["django_language"] = language
    html = client.get("/").content.decode()
    assert f">{english}</option>" in html
    assert f">{chinese}</option>" in html
    assert "英语" not in html
    assert "Simplified Chinese" not in html
