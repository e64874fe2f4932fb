"""The organisation's assessments: the history with levels and totals, progress T0 → T1, starting one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create, assessment_submit
from assessment.services.organizations import organization_create
from tests.helpers import submit_filling_gaps
from tests.web.answering import miit_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(owner_web: Client) -> Client:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return owner_web


def history(client: Client, organization: Organization) -> str:
    response = client.get(reverse("web:org_home", args=[organization.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_home_goes_to_the_only_organisation(web: Client, organization: Organization) -> None:
    assert web.get(reverse("web:home"))["Location"] == reverse("web:org_home", args=[organization.pk])


def test_every_assessment_is_listed_with_status_level_total_and_links(
    web: Client, miit: FrameworkVersion, mini: FrameworkVersion, organization: Organization, owner: User
) -> None:
    t0 = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=t0, items=miit_items(), answered_by=owner)
    assessment_submit(assessment=t0, submitted_by=owner, pledge=True)
    draft = assessment_create(organization=organization, framework_version=mini, created_by=owner)
    page = history(web, organization)
    submitted_row = page.split(f'<tr id="assessment-{t0.pk}">')[1].split("</tr>")[0]
    assert "SME Digitalisation Level Evaluation Indicators (2024 edition): manufacturing" in submitted_row
    assert "submitted" in submitted_row
    assert "<td>Level 2</td>" in submitted_row
    assert '<td class="num">50 / 100</td>' in submitted_row
    assert reverse("web:results", args=[t0.pk]) in submitted_row
    assert f"Continue #{t0.pk}" not in submitted_row
    draft_row = page.split(f'<tr id="assessment-{draft.pk}">')[1].split("</tr>")[0]
    assert "Mini framework" in draft_row
    assert f'href="{reverse("web:assessment", args=[draft.pk])}">Continue #{draft.pk}</a>' in draft_row
    assert page.index(f"assessment-{draft.pk}") < page.index(f"assessment-{t0.pk}")  # newest first


def test_progress_from_t0_to_t1_is_drawn_with_totals_and_levels(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    t0 = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    submit_filling_gaps(t0, owner)
    t1 = assessment_create(organization=organization, framework_version=miit, created_by=owner, previous=t0)
    answers_upsert(assessment=t1, items=miit_items(), answered_by=owner)
    assessment_submit(assessment=t1, submitted_by=owner, pledge=True)
    page = history(web, organization)
    chart = page.split('<figure class="chart">')[1].split("</figure>")[0]
    assert 'role="img" aria-label="Total score and level of each submitted assessment' in chart
    assert ">0</text>" in chart
    assert ">50</text>" in chart
    assert ">Below Level 1</text>" in chart
    assert ">Level 2</text>" in chart
    assert f"re-assessment of #{t0.pk}" in page


def test_starting_an_assessment_opens_its_first_step(
    web: Client, miit: FrameworkVersion, organization: Organization
) -> None:
    response = web.post(reverse("web:assessment_start", args=[organization.pk]), {"framework": miit.pk})
    assessment = Assessment.objects.get(organization=organization)
    assert response["Location"] == reverse("web:assessment", args=[assessment.pk])
    assert web.get(response["Location"])["Location"] == reverse("web:wizard", args=[assessment.pk, 1])


def test_a_reassessment_starts_from_the_previous_answers(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User, member: Callable[..., User]
) -> None:
    t0 = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=t0, items=miit_items(), answered_by=owner)
    assessment_submit(assessment=t0, submitted_by=owner, pledge=True)
    respondent = member("respondent")
    web.force_login(respondent)
    data = {"framework": miit.pk, "previous": t0.pk, "copy_answers": "on"}
    response = web.post(reverse("web:assessment_start", args=[organization.pk]), data)
    assert response.status_code == 302
    t1 = Assessment.objects.exclude(pk=t0.pk).get()
    assert t1.previous == t0
    assert t1.status == Assessment.Status.DRAFT
    copied = Answer.objects.filter(assessment=t1)
    assert copied.count() == 31
    assert {a.answered_by_id for a in copied} == {respondent.pk}
    assert copied.get(question__key="F2").evidence == {"devices_total": 100, "devices_digital": 70}
    # Everything is answered already: opening it goes straight to the review.
    assert web.get(response["Location"])["Location"] == reverse("web:review", args=[t1.pk])


def test_a_reassessment_may_start_empty(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    t0 = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=t0, items=miit_items(), answered_by=owner)
    web.post(reverse("web:assessment_start", args=[organization.pk]), {"framework": miit.pk, "previous": t0.pk})
    t1 = Assessment.objects.exclude(pk=t0.pk).get()
    assert t1.previous == t0
    assert not Answer.objects.filter(assessment=t1).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"framework": "abc"}, "Select a valid choice."),
        ({"framework": "99999999999999999999999"}, "Select a valid choice."),
        ({"framework": "1\x00"}, "Null characters are not allowed."),
    ],
)
def test_a_bad_start_form_gets_a_clear_error(
    web: Client, miit: FrameworkVersion, organization: Organization, data: dict[str, object], message: str
) -> None:
    response = web.post(reverse("web:assessment_start", args=[organization.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_previous_assessment_must_be_of_the_same_framework_and_organisation(
    web: Client, miit: FrameworkVersion, mini: FrameworkVersion, organization: Organization, owner: User
) -> None:
    other_framework = assessment_create(organization=organization, framework_version=mini, created_by=owner)
    data = {"framework": miit.pk, "previous": other_framework.pk}
    response = web.post(reverse("web:assessment_start", args=[organization.pk]), data)
    assert response.status_code == 422
    assert "Choose an earlier assessment of the same framework." in response.content.decode()
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    elsewhere = organization_create(owner=stranger, name="Other", sector="C", size_band="micro", province="11")
    theirs = assessment_create(organization=elsewhere, framework_version=miit, created_by=stranger)
    data = {"framework": miit.pk, "previous": theirs.pk}
    response = web.post(reverse("web:assessment_start", args=[organization.pk]), data)
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert Assessment.objects.filter(organization=organization).count() == 1


def test_draft_framework_versions_cannot_be_chosen(
    web: Client, miit: FrameworkVersion, organization: Organization
) -> None:
    FrameworkVersion.objects.filter(pk=miit.pk).update(status=FrameworkVersion.Status.RETIRED)
    page = history(web, organization)
    assert f'<option value="{miit.pk}"' not in page
    response = web.post(reverse("web:assessment_start", args=[organization.pk]), {"framework": miit.pk})
    assert response.status_code == 422


def test_viewers_see_the_history_read_only(
    client: Client, miit: FrameworkVersion, organization: Organization, member: Callable[..., User]
) -> None:
    client.force_login(member("viewer"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = history(client, organization)
    assert "Only owners and respondents can start an assessment" in page
    assert 'name="framework"' not in page
    response = client.post(reverse("web:assessment_start", args=[organization.pk]), {"framework": miit.pk})
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_another_organisations_history_is_a_404(client: Client, organization: Organization) -> None:
    client.force_login(User.objects.create_user("stranger@example.com", "pw-stranger-1234"))
    assert client.get(reverse("web:org_home", args=[organization.pk])).status_code == 404
    assert client.post(reverse("web:assessment_start", args=[organization.pk]), {}).status_code == 404
