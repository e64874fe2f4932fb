"""The questionnaire wizard: steps, every question kind rendered and labelled, resuming where one left off."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring.selectors import framework_structure
from tests.helpers import lowest_item

pytestmark = pytest.mark.django_db


class Controls(HTMLParser):
    """Form controls of a page, each with whether a <label> names it."""

    def __init__(self) -> None:
        super().__init__()
        self.labels_for: set[str] = set()
        self.open_labels = 0
        self.controls: list[tuple[str, str | None, bool]] = []  # (name, id, inside a label)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                self.labels_for.add(str(attributes["for"]))
        elif tag in ("input", "select", "textarea") and attributes.get("type") not in ("hidden", "submit"):
            self.controls.append((str(attributes.get("name")), attributes.get("id"), self.open_labels > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1

    def unlabelled(self) -> list[str]:
        return [name for name, id_, inside in self.controls if not inside and id_ not in self.labels_for]


def unlabelled(html: str) -> list[str]:
    parser = Controls()
    parser.feed(html)
    assert parser.controls, "the page has no form controls"
    return parser.unlabelled()


@pytest.fixture
def web(owner_web: Client) -> Client:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return owner_web


def start(version: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    return assessment_create(organization=organization, framework_version=version, created_by=owner)


@pytest.mark.parametrize(("name", "steps"), [("miit", 7), ("eu_dma", 6), ("mini", 2)])
def test_every_control_on_every_step_has_a_label(
    request: pytest.FixtureRequest, web: Client, organization: Organization, owner: User, name: str, steps: int
) -> None:
    assessment = start(request.getfixturevalue(name), organization, owner)
    for step in range(1, steps + 1):
        response = web.get(reverse("web:wizard", args=[assessment.pk, step]))
        assert response.status_code == 200
        assert unlabelled(response.content.decode()) == [], step
    assert web.get(reverse("web:wizard", args=[assessment.pk, steps + 1])).status_code == 404
    assert web.get(reverse("web:wizard", args=[assessment.pk, 0])).status_code == 404


def test_the_large_operations_dimension_is_split_into_its_scenario_groups(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    page = web.get(reverse("web:wizard", args=[start(miit, organization, owner).pk, 3])).content.decode()
    assert "Step 3 of 7: Digital operations · Production execution digitalisation" in page
    for key in ("S05", "S06", "S07", "S08", "S09", "S10"):
        assert f'id="q-{key}"' in page
    assert 'id="q-S04"' not in page
    assert 'id="q-S11"' not in page


def test_scenarios_show_every_level_descriptor_as_a_radio_card(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    page = web.get(reverse("web:wizard", args=[start(miit, organization, owner).pk, 2])).content.decode()
    assert page.count('name="level" value="4"') == 4  # S01–S04
    assert "Product design is supported by design software such as CAD, CAE or EDA." in page
    assert "Not yet level 1" in page


def test_foundation_shows_definitions_option_bands_and_evidence_fields(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    page = web.get(reverse("web:wizard", args=[start(miit, organization, owner).pk, 1])).content.decode()
    assert "Equipment networking rate: networked devices as a share of all devices." in page
    assert 'name="evidence.devices_networked"' in page
    assert '<label for="q-F2-ev-devices_total">Number of production devices (units)</label>' in page
    assert 'value="A" data-exclusive' in page  # F1's 无 (None) stands alone
    assert 'hx-post="/assessments/' in page
    assert 'hx-target="find .answer-status"' in page


def test_a_banded_number_shows_its_bands_and_a_checklist_without_a_none_option_offers_one(
    web: Client, mini: FrameworkVersion, eu_dma: FrameworkVersion, organization: Organization, owner: User
) -> None:
    page = web.get(reverse("web:wizard", args=[start(mini, organization, owner).pk, 1])).content.decode()
    assert "(10, inf)" in page
    assert "5 points" in page
    assert 'name="not_applicable"' in page  # Y1 allows it
    assert 'name="none_of_these"' not in page  # Q1 has its own exclusive "None"
    dma = web.get(reverse("web:wizard", args=[start(eu_dma, organization, owner).pk, 1])).content.decode()
    assert 'name="none_of_these"' in dma


def test_framework_texts_follow_the_page_language(
    owner_web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = start(miit, organization, owner)
    chinese = owner_web.get(reverse("web:wizard", args=[assessment.pk, 1]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "企业网络建设连接情况" in chinese.content.decode()
    assert "数字化基础" in chinese.content.decode()
    english = owner_web.get(reverse("web:wizard", args=[assessment.pk, 1]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Network infrastructure and connectivity" in english.content.decode()


def test_opening_an_assessment_resumes_at_the_first_step_with_unanswered_required_questions(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = start(miit, organization, owner)
    resume = reverse("web:assessment", args=[assessment.pk])
    assert web.get(resume)["Location"] == reverse("web:wizard", args=[assessment.pk, 1])
    framework = framework_structure(miit)
    first_steps = ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "S01", "S02", "S03", "S04"]
    items = [lowest_item(framework.questions[key]) for key in first_steps]
    answers_upsert(assessment=assessment, items=items, answered_by=owner)
    assert web.get(resume)["Location"] == reverse("web:wizard", args=[assessment.pk, 3])


def test_the_step_list_and_progress_count_answers_per_step(
    web: Client, mini: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = start(mini, organization, owner)
    answers_upsert(
        assessment=assessment,
        items=[{"question": "Q1", "choices": ["B"]}, {"question": "S1", "level": 2}, {"question": "T1", "text": "x"}],
        answered_by=owner,
    )
    page = web.get(reverse("web:wizard", args=[assessment.pk, 2])).content.decode()
    assert "Answered overall: 3 of 8" in page
    assert "This step: 1 of 2" in page
    assert "2/6 answered" in page
    assert "1/2 answered" in page
    assert 'aria-current="step"' in page
    assert 'name="level" value="2" checked' in page
