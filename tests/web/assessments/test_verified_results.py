"""The results page: the verified result beside the self-assessed one, never over it, with every difference."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from review.models import Verification
from review.services import review_start
from tests.web.assessments.reviewing import adjust_f2, finalized

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client: Client, owner: User) -> Client:
    client.force_login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def results(client: Client, assessment: Assessment) -> str:
    response = client.get(reverse("web:results", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_draft_has_no_verification_panel(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    draft = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    page = results(web, draft)
    assert 'id="verification"' not in page
    assert "Your level: self-assessed and verified" not in page


def test_a_submitted_assessment_without_a_consultant_invites_a_request(web: Client, submitted: Assessment) -> None:
    page = results(web, submitted)
    assert '<span class="badge">Self-assessed: not verified</span>' in page
    link = reverse("web:org_verification", args=[submitted.organization_id])
    assert f'<a href="{link}">Ask a consultancy for verification</a>' in page
    assert 'id="verified-total"' not in page


@pytest.mark.usefixtures("assignment")
def test_an_assigned_consultant_is_awaited(web: Client, submitted: Assessment) -> None:
    assert '<span class="badge">Waiting for the consultant\'s review</span>' in results(web, submitted)


@pytest.mark.usefixtures("assignment")
def test_under_review_the_verified_figures_so_far_are_provisional(
    web: Client, submitted: Assessment, consultant: User
) -> None:
    review_start(assessment=submitted, consultant=consultant)
    page = results(web, submitted)
    assert '<span class="badge warn">Under review</span>' in page
    assert "by 王立" in page
    assert 'id="verified-total"' not in page  # no verdict yet
    adjust_f2(submitted, consultant)
    page = results(web, submitted)
    assert "Verified so far (provisional)" in page
    assert "Provisional: these verified figures follow the consultant's verdicts so far" in page
    assert '<dd id="total-score">58.13 / 100</dd>' in page  # the self-assessed figure stays
    assert '<dd id="verified-total">52.13 / 100</dd>' in page


@pytest.mark.usefixtures("assignment")
def test_signed_off_the_page_names_the_consultant_and_shows_both_bases(
    web: Client, submitted: Assessment, consultant: User
) -> None:
    verification = finalized(submitted, consultant)
    page = results(web, submitted)
    signed = verification.signed_at.astimezone().date().isoformat()
    assert '<span class="badge ok">Verified</span>' in page
    assert f"by 王立 (苏州市数字化评估师) on {signed}" in page
    assert "Verified so far" not in page
    assert '<p class="level-badge" id="level-badge"><span class="badge level">Level 2</span></p>' in page
    assert '<dd id="total-score">58.13 / 100</dd>' in page
    assert '<span class="badge level verified">Level 2</span>' in page
    assert '<dd id="verified-total">52.13 / 100</dd>' in page
    assert '<blockquote class="statement" id="statement">经现场核查，结果属实。</blockquote>' in page


@pytest.mark.usefixtures("assignment")
def test_each_dimension_shows_both_scores(web: Client, submitted: Assessment, consultant: User) -> None:
    finalized(submitted, consultant)
    page = results(web, submitted)
    table = page[
        page.index('id="verified-dimensions"') : page.index("</table>", page.index('id="verified-dimensions"'))
    ]
    rows = [" ".join(row.split()) for row in table.split("<tr")]
    assert any('Total score</th><td class="num">58.13</td><td class="num differs">52.13</td>' in r for r in rows)
    assert any('Digital foundation</th> <td class="num">27.5</td><td class="num differs">21.5</td>' in r for r in rows)
    assert any('Digital management</th> <td class="num">20.63</td><td class="num">20.63</td>' in r for r in rows)
    scenarios = (
        '<span class="help">average scenario level</span></th> <td class="num">2.06</td><td class="num">2.06</td>'
    )
    assert any(scenarios + ' <td class="num">4</td>' in r or scenarios + '<td class="num">4</td>' in r for r in rows)


@pytest.mark.usefixtures("assignment")
def test_an_adjusted_answer_shows_both_answers_and_the_reason(
    web: Client, submitted: Assessment, consultant: User
) -> None:
    finalized(submitted, consultant)
    page = results(web, submitted)
    differences = page[page.index('id="differences"') : page.index("</ul>", page.index('id="differences"'))]
    assert '<span class="question-key">F2</span> Digitalisation rate of production equipment' in differences
    assert '<dd class="self-answer">More than 60%, up to 100%</dd>' in differences
    assert '<dd class="verified-answer">0–10% (inclusive)</dd>' in differences
    assert '<dd class="num">6 → 0</dd>' in differences
    assert "设备台账显示仅少数设备联网 &lt;b&gt;not bold&lt;/b&gt;" in differences  # escaped
    assert differences.count('class="difference ') == 1
    assert "verified: <strong>30</strong>" in page
    assert "adjusted: <strong>1</strong>" in page


@pytest.mark.usefixtures("assignment")
def test_a_rounded_verified_total_never_reads_across_a_level_threshold(
    web: Client, submitted: Assessment, consultant: User
) -> None:
    verification = finalized(submitted, consultant)
    card = {**verification.card, "total": Decimal("59.996")}
    Verification.objects.filter(pk=verification.pk).update(card=card)
    page = results(web, submitted)
    assert '<dd id="verified-total">59.996 / 100</dd>' in page  # not "60": level 3 needs 60


@pytest.mark.usefixtures("assignment")
def test_the_assigned_consultant_reads_the_same_comparison(
    client: Client, submitted: Assessment, consultant: User
) -> None:
    finalized(submitted, consultant)
    client.force_login(consultant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert '<dd id="verified-total">52.13 / 100</dd>' in results(client, submitted)


def test_another_organisation_gets_404(stranger: Client, submitted: Assessment) -> None:
    assert stranger.get(reverse("web:results", args=[submitted.pk])).status_code == 404
