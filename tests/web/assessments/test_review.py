"""Review and submit: what is still missing, the truthfulness pledge, who may submit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from assessment.framework_format import load_document
from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.frameworks import framework_import
from scoring.selectors import framework_structure
from tests.helpers import lowest_item
from tests.web.conftest import MINI

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(owner_web: Client) -> Client:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return owner_web


@pytest.fixture
def assessment(mini: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    return assessment_create(organization=organization, framework_version=mini, created_by=owner)


def answer_all_but(assessment: Assessment, owner: User, *left_out: str) -> None:
    framework = framework_structure(assessment.framework_version)
    items = [lowest_item(q) for key, q in framework.questions.items() if key not in left_out]
    answers_upsert(assessment=assessment, items=items, answered_by=owner)


def test_every_unanswered_required_question_is_listed_with_a_link_to_it(
    web: Client, assessment: Assessment, owner: User
) -> None:
    answer_all_but(assessment, owner, "N1", "S2", "T1")
    page = web.get(reverse("web:review", args=[assessment.pk])).content.decode()
    assert "2 required answers or evidence fields are missing." in page
    missing = page[page.index('id="missing-list"') : page.index('id="answers"')]
    assert f'href="{reverse("web:wizard", args=[assessment.pk, 1])}#q-N1"' in missing
    assert f'href="{reverse("web:wizard", args=[assessment.pk, 2])}#q-S2"' in missing
    assert "#q-T1" not in missing  # free text is optional


def test_missing_required_evidence_is_listed_by_its_label(web: Client, organization: Organization, owner: User) -> None:
    text = MINI.read_text(encoding="utf-8").replace("slug: mini", "slug: mini-evidence")
    text = text.replace(
        "label: {zh-Hans: 设备总数, en: Devices}, min: 0}",
        "label: {zh-Hans: 设备总数, en: Devices}, min: 0, required: true}",
    )
    document, content_hash = load_document(text)
    version = framework_import(document=document, content_hash=content_hash).version
    assessment = assessment_create(organization=organization, framework_version=version, created_by=owner)
    answer_all_but(assessment, owner)
    page = web.get(reverse("web:review", args=[assessment.pk])).content.decode()
    assert "evidence “Devices” is required" in page
    assert "#q-Q2" in page


def test_submitting_needs_the_pledge(web: Client, assessment: Assessment, owner: User) -> None:
    answer_all_but(assessment, owner)
    response = web.post(reverse("web:review", args=[assessment.pk]), {})
    assert response.status_code == 422
    assert "Confirm that the answers are true (the truthfulness pledge) to submit." in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_an_incomplete_assessment_is_not_submitted_and_the_gaps_are_shown_again(
    web: Client, assessment: Assessment, owner: User
) -> None:
    answer_all_but(assessment, owner, "Q2")
    response = web.post(reverse("web:review", args=[assessment.pk]), {"pledge": "1"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Answer the questions listed below first." in body
    assert "#q-Q2" in body
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_a_complete_assessment_is_submitted_with_the_pledge_and_opens_the_results(
    web: Client, assessment: Assessment, owner: User
) -> None:
    answer_all_but(assessment, owner)
    response = web.post(reverse("web:review", args=[assessment.pk]), {"pledge": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:results", args=[assessment.pk])
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.pledged_at is not None
    again = web.post(reverse("web:review", args=[assessment.pk]), {"pledge": "1"})
    assert again.status_code == 409
    assert "can no longer change" in again.content.decode()


def test_respondents_may_submit_but_viewers_may_not(
    client: Client, assessment: Assessment, owner: User, member: Callable[..., User]
) -> None:
    answer_all_but(assessment, owner)
    client.force_login(member("viewer"))
    page = client.get(reverse("web:review", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="pledge"' not in page
    assert client.post(reverse("web:review", args=[assessment.pk]), {"pledge": "1"}).status_code == 403
    client.force_login(member("respondent"))
    assert client.post(reverse("web:review", args=[assessment.pk]), {"pledge": "1"}).status_code == 302
