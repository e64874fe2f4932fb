"""Before the irreversible submit, the review page lists every answer in words, with its evidence and a link back
to change it; evidence that contradicts an answer is flagged there (a warning: the submit is not blocked)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring.selectors import framework_structure
from tests.helpers import lowest_item
from tests.web.answering import MIIT_LEVEL_TWO, miit_items
from tests.web.pages.text import visible_text

pytestmark = pytest.mark.django_db

CONTRADICTION = "“Number of digital production devices” (25) is more than “Number of production devices” (10)"


@pytest.fixture
def web(owner_web: Client) -> Client:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return owner_web


@pytest.fixture
def answered(miit: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=assessment, items=miit_items(), answered_by=owner)
    return assessment


def review_html(client: Client, assessment: Assessment) -> str:
    response = client.get(reverse("web:review", args=[assessment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="answers"') : html.index('id="documents"')]


def test_every_question_is_listed_with_its_answer_in_words(web: Client, answered: Assessment) -> None:
    html = review_html(web, answered)
    text = visible_text(html)
    layout_rows = re.findall(r'<div class="answer-row', html)
    assert len(layout_rows) == len(framework_structure(answered.framework_version).questions)
    # F2, option E, with its evidence; S01 at level 2; M4's comment, escaped.
    assert "Digitalisation rate of production equipment More than 60%, up to 100%" in text
    assert "Number of production devices: 100 units" in text
    assert "Number of digital production devices: 70 units" in text
    assert "投入以软件订阅为主 &lt;b&gt;not bold&lt;/b&gt;" in html


def test_each_answer_links_back_to_its_question_in_the_wizard(web: Client, answered: Assessment) -> None:
    html = review_html(web, answered)
    for key in ("F2", "S01", "R3"):
        assert re.search(rf'href="/assessments/{answered.pk}/steps/\d+/#q-{key}">Change<', html), key


def test_unanswered_questions_are_listed_as_such(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=assessment, items=[{"question": "F5", "choice": "E"}], answered_by=owner)
    text = visible_text(review_html(web, assessment))
    assert text.count("Not answered") == len(MIIT_LEVEL_TWO) - 1


def test_a_contradiction_is_flagged_but_the_submit_stays_open(web: Client, answered: Assessment, owner: User) -> None:
    item = {"question": "F2", "choice": "E", "evidence": {"devices_total": 10, "devices_digital": 25}}
    answers_upsert(assessment=answered, items=[item], answered_by=owner)
    page = web.get(reverse("web:review", args=[answered.pk])).content.decode()
    text = visible_text(page)
    # F3's networked devices (65) are counted against F2's total too, which is now 10.
    assert "2 answers have evidence that says otherwise: check them below. You may still submit." in text
    assert CONTRADICTION in text
    assert "“Number of networked production devices” (65) is more than “Number of production devices” (10)" in text
    response = web.post(reverse("web:review", args=[answered.pk]), {"pledge": "1"})
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.status == Assessment.Status.SUBMITTED


def test_an_answer_in_another_band_than_its_figures_is_flagged_with_option_texts(
    web: Client, answered: Assessment, owner: User
) -> None:
    item = {"question": "F2", "choice": "E", "evidence": {"devices_total": 100, "devices_digital": 30}}
    answers_upsert(assessment=answered, items=[item], answered_by=owner)
    text = visible_text(review_html(web, answered))
    assert (
        "The evidence gives 30.0 %, which is “More than 20%, up to 40%”, not the option chosen "
        "(“More than 60%, up to 100%”)." in text
    )


def test_without_contradictions_nothing_is_flagged(web: Client, answered: Assessment) -> None:
    html = review_html(web, answered)
    assert "evidence-warning" not in html


def test_constrained_scenarios_are_marked_and_the_rule_explained(web: Client, answered: Assessment) -> None:
    html = review_html(web, answered)
    assert html.count("Constrained scenario</span>") == 10 + 1  # ten scenarios, and the note
    text = visible_text(html)
    assert "level 2 needs 3 of them at level 2 or above" in text
    assert "level 4 needs 6 of them at level 4 or above" in text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_eu_dma_answers_show_no_slugs(
    client: Client, owner: User, organization: Organization, eu_dma: FrameworkVersion, language: str
) -> None:
    client.force_login(owner)
    client.cookies["django_language"] = language
    assessment = assessment_create(organization=organization, framework_version=eu_dma, created_by=owner)
    framework = framework_structure(eu_dma)
    items = []
    for question in framework.questions.values():
        item = lowest_item(question)
        if question.kind == "multiple_choice":  # every option but an exclusive one, so their texts show
            item["choices"] = [o.key for o in question.options if not o.exclusive]
        items.append(item)
    answers_upsert(assessment=assessment, items=items, answered_by=owner)
    text = visible_text(client.get(reverse("web:review", args=[assessment.pk])))
    for question in framework.questions.values():
        assert question.key not in text, question.key
        for option in question.options:
            if not option.key.isdigit():  # a 0–5 scale's "0." may end a sentence
                assert f"{option.key}. " not in text, option.key  # the "key. text" the pages once showed
            if option.key.count("-") > 1:  # "product-service-design" is no word of the texts; "e-commerce" is
                assert option.key not in text, option.key
