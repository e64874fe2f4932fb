"""The questionnaire in words: no option keys and no slug question keys, contradictions warned on saving, constrained
scenarios marked with the reason, and R3's two revenue fields told apart."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from scoring.selectors import framework_structure
from tests.helpers import submit_filling_gaps
from tests.web.answering import save
from tests.web.pages.text import visible_text
from web.assessments.pages import questionnaire

pytestmark = pytest.mark.django_db


def start(version: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    return assessment_create(organization=organization, framework_version=version, created_by=owner)


def step_of(assessment: Assessment, key: str) -> int:
    return questionnaire(assessment.framework_version).step_of[key]


def wizard_html(client: Client, assessment: Assessment, step: int) -> str:
    response = client.get(reverse("web:wizard", args=[assessment.pk, step]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_eu_dma_page_of_the_questionnaire_shows_a_slug(
    owner_web: Client, organization: Organization, owner: User, eu_dma: FrameworkVersion, language: str
) -> None:
    owner_web.cookies["django_language"] = language
    assessment = start(eu_dma, organization, owner)
    framework = framework_structure(eu_dma)
    count = len(questionnaire(eu_dma).steps)
    text = " ".join(visible_text(wizard_html(owner_web, assessment, n)) for n in range(1, count + 1))
    for question in framework.questions.values():
        assert question.key not in text, question.key
        for option in question.options:
            if not option.key.isdigit():  # a 0–5 scale's "0." may end a sentence of the help
                assert f"{option.key}. " not in text, option.key
            if option.key.count("-") > 1:
                assert option.key not in text, option.key


def test_miit_questions_keep_their_short_codes_but_options_lose_their_letters(
    owner_web: Client, organization: Organization, owner: User, miit: FrameworkVersion
) -> None:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assessment = start(miit, organization, owner)
    html = wizard_html(owner_web, assessment, step_of(assessment, "F2"))
    assert '<span class="question-key">F2</span>' in html
    assert "option-key" not in html
    assert re.search(r'value="E">\s*<span>More than 60%, up to 100%</span>', html)
    assert "E. More than 60%" not in visible_text(html)


def test_a_contradiction_is_warned_when_saving_and_the_answer_is_kept(
    owner_web: Client, organization: Organization, owner: User, miit: FrameworkVersion
) -> None:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assessment = start(miit, organization, owner)
    data = {"choice": "E", "evidence.devices_total": "10", "evidence.devices_digital": "25"}
    response = save(owner_web, assessment, "F2", data)
    assert response.status_code == 200  # a warning, not a refusal
    text = visible_text(response)
    assert "Check: The evidence does not add up:" in text
    assert "“Number of digital production devices” (25) is more than “Number of production devices” (10)" in text
    saved = Answer.objects.get(assessment=assessment, question__key="F2")
    assert saved.option_keys == ["E"]
    assert saved.evidence == {"devices_total": 10, "devices_digital": 25}
    # Reloading the step shows it again; correcting the figures clears it.
    page = visible_text(wizard_html(owner_web, assessment, step_of(assessment, "F2")))
    assert "(25) is more than" in page
    corrected = save(owner_web, assessment, "F2", {**data, "evidence.devices_digital": "8"})
    assert "The evidence" not in visible_text(corrected)


def test_a_figure_in_another_band_is_warned_with_the_option_to_choose(
    owner_web: Client, organization: Organization, owner: User, miit: FrameworkVersion
) -> None:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assessment = start(miit, organization, owner)
    data = {"choice": "E", "evidence.devices_total": "100", "evidence.devices_digital": "30"}
    html = save(owner_web, assessment, "F2", data).content.decode()
    assert (
        "The evidence gives 30.0 %, which is “More than 20%, up to 40%”, not the option chosen "
        "(“More than 60%, up to 100%”)." in visible_text(html)
    )
    assert 'data-use-suggestion="C"' in html
    assert "Choose the option the figures give" in html


def test_constrained_scenarios_are_marked_with_the_reason(
    owner_web: Client, organization: Organization, owner: User, miit: FrameworkVersion
) -> None:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assessment = start(miit, organization, owner)
    framework = framework_structure(miit)
    html = wizard_html(owner_web, assessment, step_of(assessment, "S01"))
    step = questionnaire(miit).steps[step_of(assessment, "S01") - 1]
    constrained = [key for key in step.keys if framework.questions[key].constrained]
    assert constrained  # S01 product design is one
    for key in step.keys:
        section = html[html.index(f'id="q-{key}"') :]
        legend = section[: section.index("</legend>")]
        assert ("Constrained scenario" in legend) == (key in constrained), key
    note = visible_text(html[html.index('id="constrained-note"') :])
    assert "The level rule counts constrained scenarios separately" in note
    assert "level 3 needs 5 of them at level 3 or above" in note
    # A step without constrained scenarios has no note.
    assert 'id="constrained-note"' not in wizard_html(owner_web, assessment, step_of(assessment, "F2"))


def test_r3_revenue_fields_have_distinct_labels_in_both_languages(
    owner_web: Client, organization: Organization, owner: User, miit: FrameworkVersion
) -> None:
    assessment = start(miit, organization, owner)
    for language in ("zh-hans", "en"):
        owner_web.cookies["django_language"] = language
        html = wizard_html(owner_web, assessment, step_of(assessment, "R3"))
        section = html[html.index('id="q-R3"') : html.index('id="q-R4"')]
        labels = [visible_text(label) for label in re.findall(r'<label for="q-R3-ev-[^"]+">(.*?)</label>', section)]
        assert len(labels) == 4
        assert len(set(labels)) == 4, labels


def test_no_page_of_a_submitted_eu_dma_assessment_shows_a_question_slug(
    owner_web: Client, organization: Organization, owner: User, eu_dma: FrameworkVersion
) -> None:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assessment = submit_filling_gaps(start(eu_dma, organization, owner), owner)
    framework = framework_structure(eu_dma)
    # results: its path table (_plan.html, H-plan's) drops the key on h14-plan; answers in words need h14-report.
    for name in ("results", "assessment_comments", "assessment_audit", "review"):
        response = owner_web.get(reverse(f"web:{name}", args=[assessment.pk]))
        assert response.status_code == 200, name
        text = visible_text(response)
        for question in framework.questions.values():
            assert question.key not in text, (name, question.key)
