"""The results page: level and meaning, scores, radar, peers, scenario matrix, gate, path, what-if, reports."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import (
    answers_upsert,
    assessment_create,
    assessment_start_from_previous,
    assessment_submit,
)
from reports.models import Report
from reports.services import report_render
from tests.helpers import answer_file, established_organization, submit_filling_gaps
from tests.web.answering import HTMX, miit_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(owner_web: Client) -> Client:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return owner_web


@pytest.fixture
def submitted(miit: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    """MIIT at level 2 with 50 points (tests.web.answering.MIIT_LEVEL_TWO), submitted."""
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=assessment, items=miit_items(), answered_by=owner)
    return assessment_submit(assessment=assessment, submitted_by=owner, pledge=True)


def peers(version: FrameworkVersion, count: int) -> None:
    """`count` other established organisations of the same sector, each with a submitted assessment at the
    lowest answers."""
    for n in range(count):
        owner = User.objects.create_user(f"peer{n}@example.com", "pw-peer-12345")
        organization = established_organization(owner, f"Peer {n}", n + 1)
        assessment = assessment_create(organization=organization, framework_version=version, created_by=owner)
        submit_filling_gaps(assessment, owner)


def results(client: Client, assessment: Assessment, query: str = "") -> str:
    response = client.get(reverse("web:results", args=[assessment.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_level_its_meaning_and_the_scores_are_shown(web: Client, submitted: Assessment) -> None:
    page = results(web, submitted)
    assert '<span class="badge level">Level 2</span>' in page
    assert "The main business areas are managed in a standardised way with information systems." in page
    assert '<dd id="total-score">50 / 100</dd>' in page
    assert '<th scope="row">Digital foundation</th><td class="num">50</td><td class="num">50</td>' in page
    assert 'role="img" aria-label="Dimension scores as a share of their maximum"' in page
    assert "Provisional" not in page


def test_the_gate_holding_the_next_level_back_and_the_scenario_matrix(web: Client, submitted: Assessment) -> None:
    page = results(web, submitted)
    assert "What Level 3 needs" in page
    assert "✗ not yet: A total of at least 60 points (now 50)" in page
    assert "✗ not yet: At least 8 scenarios at level 3 or above (now 0)" in page
    assert '<p id="blocking-gate"><strong>Holding you back:</strong> A total of at least 60 points (now 50)' in page
    assert page.count('<span class="visually-hidden">constrained scenario</span>') == 10
    assert page.count('<td class="num level-cell reached current">') == 16  # every scenario at level 2


def test_the_path_to_the_next_level_lists_improvements_with_points_and_effort(
    web: Client, submitted: Assessment
) -> None:
    page = results(web, submitted)
    assert 'id="path-table"' in page
    table = page.split('id="path-table"')[1].split("</table>")[0]
    rows = table.count('<th scope="row">')
    assert f"These {rows} changes, listed cheapest first, would reach Level 3" in page
    assert "<td>Level 3: " in table  # scenarios lifted to level 3, with the level's descriptor
    assert "S01" not in table
    assert "question-key" not in table
    assert 'id="roadmap-now"' in page
    assert 'name="q.S01"' in page  # the what-if panel offers the path's questions …
    assert "(now: Level 2)" in page  # … with the answers as they are
    assert "#q-" not in page.split('id="path-table"')[1].split("</table>")[0]  # submitted: no links to edit


def test_what_if_scores_hypothetical_answers_and_saves_nothing(web: Client, submitted: Assessment) -> None:
    before = list(Answer.objects.filter(assessment=submitted).values_list("option_keys", "level"))
    scenarios = {f"q.S0{n}": "3" for n in range(1, 9)}
    keys = ["M1", "M4", *(f"S0{n}" for n in range(1, 9))]
    response = web.post(
        reverse("web:what_if", args=[submitted.pk]), {"keys": keys, "q.M1": "F", "q.M4": "E", **scenarios}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "With these answers: <strong>Level 3</strong>, 65 of 100 points" in body
    assert "(+15)" in body
    assert "Nothing has been saved." in body
    assert list(Answer.objects.filter(assessment=submitted).values_list("option_keys", "level")) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"keys": ["NOPE"], "q.NOPE": "A"}, "No such question in this framework: NOPE"),
        ({"keys": ["M1"], "q.M1": "Z"}, "Select a valid choice. Z is not one of the available choices."),
        ({"keys": ["S01"], "q.S01": "9"}, "Select a valid choice."),
        ({"keys": ["M1"]}, "This field is required."),
        ({"keys": ["M1\x00"], "q.M1": "A"}, "No such question in this framework"),
    ],
)
def test_what_if_refuses_bad_input_with_a_clear_error(
    web: Client, submitted: Assessment, data: dict[str, object], message: str
) -> None:
    response = web.post(reverse("web:what_if", args=[submitted.pk]), data, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_peers_are_withheld_below_five_organisations(web: Client, submitted: Assessment) -> None:
    peers(submitted.framework_version, 4)
    page = results(web, submitted)
    assert "Not shown: only 4 other organisations have submitted this framework in this peer group" in page
    assert "Peer group: 4 other organisations that submitted SME Digitalisation Level Evaluation" in page
    assert 'id="peer-table"' not in page


def test_with_five_peers_the_percentile_is_shown_and_the_distribution_waits_for_ten(
    web: Client, submitted: Assessment
) -> None:
    peers(submitted.framework_version, 5)
    page = results(web, submitted)
    total_row = page.split('<tr><th scope="row">Total</th>')[1].split("</tr>")[0]
    assert '<td class="num">100</td>' in total_row
    assert "your score against the middle half of your peers" not in total_row


def test_with_ten_peers_the_percentile_and_distribution_are_shown(web: Client, submitted: Assessment) -> None:
    peers(submitted.framework_version, 10)
    page = results(web, submitted, "?peers=sector&peers=size_band")
    assert 'id="peer-table"' in page
    total_row = page.split('<tr><th scope="row">Total</th>')[1].split("</tr>")[0]
    assert '<td class="num">100</td>' in total_row  # every peer scored 0
    assert '<td class="num">10</td>' in total_row
    assert 'aria-label="Total: your score against the middle half of your peers"' in total_row
    assert "Peer group: 10 other organisations of the same sector (Manufacturing) and size band (small) that" in page
    scenario_row = page.split('<th scope="row">Digital operations (average scenario level, of 4)</th>')[1]
    assert '<td class="num">100</td>' in scenario_row.split("</tr>")[0]  # every peer's scenarios at level 0
    assert "peers=province" not in page
    assert results(web, submitted, "?peers=bogus").count('id="peer-table"') == 1  # an unknown filter is ignored


def test_a_reassessment_draws_the_earlier_one_on_the_radar(web: Client, submitted: Assessment, owner: User) -> None:
    later = assessment_start_from_previous(
        previous=submitted, framework_version=submitted.framework_version, created_by=owner
    )
    page = results(web, later)
    assert "Provisional: this assessment is not submitted yet" in page
    assert "grey: the earlier assessment" in page
    assert "50 / 100 · Level 2" in page


def test_a_report_is_requested_polled_and_downloaded_and_earlier_versions_stay_listed(
    web: Client, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    draft = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=draft, items=miit_items(), answered_by=owner)
    url = reverse("web:report_request", args=[draft.pk])
    assert web.post(url, {"language": "zh-Hans"}, **HTMX).status_code == 200
    first = Report.objects.get(assessment=draft)
    assert first.language == "zh-Hans"
    assert web.post(url, {"language": "zh-Hans"}, **HTMX).status_code == 200
    assert Report.objects.filter(assessment=draft).count() == 1  # unchanged inputs: the same report
    pdf_url = reverse("web:report_pdf", args=[first.pk])
    not_ready = web.get(pdf_url)
    assert not_ready.status_code == 409
    assert "not ready" in not_ready.content.decode()
    report_render(report_id=first.pk)

    answers_upsert(assessment=draft, items=[{"question": "M1", "choice": "F"}], answered_by=owner)
    response = web.post(url, {"language": "zh-Hans"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:results", args=[draft.pk]) + "#reports"
    page = results(web, draft)
    assert "简体中文, version 2" in page
    assert "Download PDF (简体中文, version 1)" in page
    download = web.get(pdf_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_a_bad_report_language_is_refused(web: Client, submitted: Assessment) -> None:
    response = web.post(reverse("web:report_request", args=[submitted.pk]), {"language": "fr"}, **HTMX)
    assert response.status_code == 422
    assert "Select a valid choice. fr is not one of the available choices." in response.content.decode()
    assert not Report.objects.exists()


def test_reports_and_results_of_other_organisations_are_404(client: Client, submitted: Assessment, owner: User) -> None:
    report = Report.objects.create(assessment=submitted, language="en", version=1, inputs_hash="x")
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    client.force_login(stranger)
    assert client.get(reverse("web:results", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("web:report_status", args=[report.pk])).status_code == 404
    assert client.get(reverse("web:report_pdf", args=[report.pk])).status_code == 404
    assert client.post(reverse("web:report_request", args=[submitted.pk]), {"language": "en"}).status_code == 404
    assert client.post(reverse("web:what_if", args=[submitted.pk]), {"keys": []}).status_code == 404


def test_viewers_read_results_and_may_ask_for_a_report_as_in_the_api(
    client: Client, submitted: Assessment, member: Callable[..., User]
) -> None:
    client.force_login(member("viewer"))
    assert '<span class="badge level">' in results(client, submitted)
    response = client.post(reverse("web:report_request", args=[submitted.pk]), {"language": "en"}, **HTMX)
    assert response.status_code == 200
    assert Report.objects.filter(assessment=submitted).count() == 1


def test_a_total_just_above_a_bands_bound_is_shown_with_enough_decimals_to_tell(
    web: Client, eu_dma: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = assessment_create(organization=organization, framework_version=eu_dma, created_by=owner)
    answers_upsert(assessment=assessment, items=answer_file("eu-dma-25+1-504.json"), answered_by=owner)
    page = results(web, assessment)
    assert '<span class="badge level">Average</span>' in page
    assert '<dd id="total-score">25.002 / 100</dd>' in page  # 25 + 1/504: "25" would read as Basic


def test_an_eu_dma_assessment_at_the_base_band_names_it(
    web: Client, eu_dma: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = assessment_create(organization=organization, framework_version=eu_dma, created_by=owner)
    page = results(web, assessment)
    assert '<span class="badge level">Basic</span>' in page
    assert "What Average needs" in page
