"""An assessment's history page (记录): readable before → after, who and why; internal events for consultants only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from review.services import review_comment_add
from tests.web.assessments.reviewing import ADJUSTED_REASON, RETURN_MESSAGE, returned

pytestmark = pytest.mark.django_db

INTERNAL = "内部备注：F2 台账与现场不符"
SHARED = "请补充设备台账"


@pytest.fixture
def web(client: Client, owner: User) -> Client:
    client.force_login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def history(client: Client, assessment: Assessment) -> str:
    response = client.get(reverse("web:assessment_audit", args=[assessment.pk]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@pytest.fixture
def commented(submitted: Assessment, consultant: User, assignment: object) -> Assessment:
    """Returned (F2 adjusted, F5 to change), with a shared and an internal comment from the consultant."""
    returned(submitted, consultant)
    review_comment_add(assessment=submitted, author=consultant, body=SHARED, question_key="F2")
    review_comment_add(assessment=submitted, author=consultant, body=INTERNAL, question_key="F2", visibility="internal")
    return submitted


def test_answer_changes_read_as_answers_with_their_evidence(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    evidence = {"devices_total": 100, "devices_digital": 70}
    answers_upsert(
        assessment=assessment, answered_by=owner, items=[{"question": "F2", "choice": "E", "evidence": evidence}]
    )
    evidence = {"devices_total": 100, "devices_digital": 50}
    answers_upsert(
        assessment=assessment,
        answered_by=owner,
        items=[{"question": "F2", "choice": "D", "evidence": evidence, "comment": "台账已更新"}],
    )
    page = history(web, assessment)
    assert (
        '<span class="before">More than 60%, up to 100%</span> <span aria-hidden="true">→</span>'
        '<span class="visually-hidden">changed to</span> <span class="after">More than 40%, up to 60%</span>'
    ) in page
    assert "Number of digital production devices: 70 → 50" in page
    assert "Comment: — → 台账已更新" in page
    assert '<span class="after">— </span>' not in page
    assert page.index("More than 40%, up to 60%") < page.index("assessment started")  # newest first
    assert "owner@example.com" in page


def test_the_review_reads_with_its_reasons(web: Client, commented: Assessment) -> None:
    page = history(web, commented)
    assert '<span class="before">under review</span>' in page
    assert (
        '<span class="after">returned</span></p> <p class="audit-reason">'
        f'<span class="label">Message:</span> {RETURN_MESSAGE}' in page
    )
    assert '<span class="after">adjusted: 0–10% (inclusive)</span>' in page
    assert "设备台账显示仅少数设备联网 &lt;b&gt;not bold&lt;/b&gt;" in page
    assert ADJUSTED_REASON not in page  # escaped, never as markup
    assert "<td>王立</td>" in page


def test_the_enterprise_never_sees_internal_events(web: Client, commented: Assessment) -> None:
    page = history(web, commented)
    assert SHARED in page
    assert INTERNAL not in page
    assert "internal" not in page.replace("internal to the consultancy", "")


def test_the_assigned_consultant_sees_internal_events_marked(
    client: Client, commented: Assessment, consultant: User
) -> None:
    client.force_login(consultant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = history(client, commented)
    assert INTERNAL in page
    row = page[page.rindex("<tr", 0, page.index(INTERNAL)) : page.index(INTERNAL)]
    assert 'class="is-internal"' in row
    assert '<span class="badge warn">internal</span>' in row


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_every_member_reads_the_history(
    client: Client, commented: Assessment, member: Callable[..., User], role: str
) -> None:
    client.force_login(member(role))
    page = history(client, commented)
    assert RETURN_MESSAGE in page
    assert INTERNAL not in page


def test_another_organisation_gets_404(stranger: Client, submitted: Assessment) -> None:
    assert stranger.get(reverse("web:assessment_audit", args=[submitted.pk])).status_code == 404


def test_the_results_page_links_to_the_history(web: Client, submitted: Assessment) -> None:
    page = web.get(reverse("web:results", args=[submitted.pk])).content.decode()
    assert f'<a href="/assessments/{submitted.pk}/history/">History of changes</a>' in page
