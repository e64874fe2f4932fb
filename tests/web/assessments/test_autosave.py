"""Autosaving one question at a time: every kind, clear errors for bad input, roles and tenancy."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from assessment.services.organizations import organization_create
from tests.helpers import submit_filling_gaps
from tests.web.answering import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(mini: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    return assessment_create(organization=organization, framework_version=mini, created_by=owner)


@pytest.fixture
def web(owner_web: Client) -> Client:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return owner_web


def answer(assessment: Assessment, key: str) -> Answer:
    return Answer.objects.get(assessment=assessment, question__key=key)


@pytest.mark.parametrize(
    ("key", "data", "column", "expected"),
    [
        ("Q1", {"choices": ["B", "C"]}, "option_keys", ["B", "C"]),
        ("Q1", {"none_of_these": "1"}, "option_keys", []),
        ("Q2", {"choice": "B"}, "option_keys", ["B"]),
        ("N1", {"number": "12.5"}, "number", Decimal("12.5")),
        ("Y1", {"yes": "no"}, "boolean", False),
        ("Y1", {"not_applicable": "1", "yes": "yes"}, "not_applicable", True),
        ("B1", {"before": "10", "after": "8"}, "after_value", Decimal(8)),
        ("T1", {"text": "自动化改造仍在进行"}, "text", "自动化改造仍在进行"),
        ("S1", {"level": "3"}, "level", 3),
    ],
)
def test_each_kind_of_question_is_saved_from_its_form(
    web: Client, assessment: Assessment, key: str, data: dict[str, object], column: str, expected: object
) -> None:
    response = save(web, assessment, key, data)
    assert response.status_code == 200
    assert getattr(answer(assessment, key), column) == expected


def test_the_saved_state_names_the_time_and_who_saved_it(web: Client, assessment: Assessment) -> None:
    body = save(web, assessment, "Q2", {"choice": "A"}).content.decode()
    assert "Saved" in body
    assert "by you" in body
    assert 'id="wizard-progress" class="wizard-progress" hx-swap-oob="true"' in body
    assert "Answered overall: 1 of 8" in body


def test_not_applicable_sets_the_value_aside(web: Client, assessment: Assessment) -> None:
    save(web, assessment, "Y1", {"yes": "yes", "not_applicable": "1"})
    saved = answer(assessment, "Y1")
    assert saved.not_applicable
    assert saved.boolean is None


def test_evidence_and_comment_are_kept_and_the_band_is_suggested(web: Client, assessment: Assessment) -> None:
    body = save(web, assessment, "Q2", {"evidence.total": "40", "evidence.networked": "30", "comment": "台账"})
    assert "Your figures give 75.0%, which is “(50–100%]”." in body.content.decode()
    saved = answer(assessment, "Q2")
    assert saved.evidence == {"total": 40, "networked": 30}
    assert saved.comment == "台账"
    assert saved.option_keys is None  # evidence alone is not an answer
    response = save(web, assessment, "Q2", {"use_suggestion": "B", "evidence.total": "40", "evidence.networked": "30"})
    assert response.status_code == 200
    assert answer(assessment, "Q2").option_keys == ["B"]


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("Q1", {"choices": ["A", "B"]}, "option &quot;A&quot; excludes every other option; choose it alone"),
        ("Q1", {"choices": ["B"], "none_of_these": "1"}, "“None of these” cannot be chosen together with an option."),
        ("Q1", {"choices": ["Z"]}, "Select a valid choice. Z is not one of the available choices."),
        ("Q2", {"choice": "A\x00"}, "Select a valid choice."),
        ("T1", {"text": "bad\x00text"}, "Null characters are not allowed."),
        ("Q2", {"comment": "x\x00"}, "Null characters are not allowed."),
        ("N1", {"number": "1e400"}, "Ensure this value is less than or equal to 1000000000000."),
        ("N1", {"number": "9" * 5000}, "Ensure this value is less than or equal to 1000000000000."),
        ("N1", {"number": "NaN"}, "Enter a number."),
        ("N1", {"number": "-1"}, "-1 is outside every band"),
        ("N1", {"number": "twelve"}, "Enter a number."),
        ("Q2", {"evidence.total": "1.5"}, "Devices: Enter a whole number."),
        ("Q2", {"evidence.total": "-3"}, "Devices: Ensure this value is greater than or equal to 0."),
        ("Q2", {"evidence.total": "9" * 5000}, "Devices: Enter a whole number."),
        ("S1", {"level": "5"}, "Select a valid choice. 5 is not one of the available choices."),
        ("B1", {"before": "3"}, "give both &quot;before&quot; and &quot;after&quot;"),
        ("Y1", {"yes": "maybe"}, "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(
    web: Client, assessment: Assessment, key: str, data: dict[str, object], message: str
) -> None:
    response = save(web, assessment, key, data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Not saved:" in body
    assert message in body
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_an_unknown_question_key_is_a_404_with_a_message(web: Client, assessment: Assessment) -> None:
    response = save(web, assessment, "NOPE", {"choice": "A"})
    assert response.status_code == 404
    assert "No such question in this framework." in response.content.decode()


def test_without_htmx_a_save_returns_to_the_question(web: Client, assessment: Assessment) -> None:
    response = save(web, assessment, "S1", {"level": "2"}, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:wizard", args=[assessment.pk, 2]) + "#q-S1"
    failed = save(web, assessment, "N1", {"number": "-5"}, htmx=False)
    assert failed.status_code == 422
    assert "-5 is outside every band" in failed.content.decode()


def test_two_respondents_answering_different_questions_keep_both_answers(
    client: Client, assessment: Assessment, member: Callable[..., User]
) -> None:
    alice, bob = member("respondent", "alice@example.com"), member("respondent", "bob@example.com")
    alice_client, bob_client = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    alice_client.force_login(alice)
    bob_client.force_login(bob)
    # Both opened the step before either saved.
    assert alice_client.get(reverse("web:wizard", args=[assessment.pk, 1])).status_code == 200
    assert bob_client.get(reverse("web:wizard", args=[assessment.pk, 1])).status_code == 200
    assert save(alice_client, assessment, "Q1", {"choices": ["B"]}).status_code == 200
    assert save(bob_client, assessment, "Q2", {"choice": "B"}).status_code == 200
    assert save(alice_client, assessment, "N1", {"number": "20"}).status_code == 200
    rows = {a.question.key: a for a in Answer.objects.filter(assessment=assessment).select_related("question")}
    assert rows["Q1"].option_keys == ["B"]
    assert rows["Q1"].answered_by == alice
    assert rows["Q2"].option_keys == ["B"]
    assert rows["Q2"].answered_by == bob
    assert rows["N1"].number == 20
    page = bob_client.get(reverse("web:wizard", args=[assessment.pk, 1])).content.decode()
    assert "by alice@example.com" in page


def test_viewers_and_consultants_cannot_save(
    client: Client, assessment: Assessment, member: Callable[..., User]
) -> None:
    client.force_login(member("viewer"))
    assert save(client, assessment, "Q2", {"choice": "B"}).status_code == 403
    page = client.get(reverse("web:wizard", args=[assessment.pk, 1])).content.decode()
    assert "hx-post" not in page
    assert '<fieldset class="question-body" disabled>' in page
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_another_organisations_assessment_is_a_404(
    client: Client, assessment: Assessment, mini: FrameworkVersion
) -> None:
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    organization_create(owner=stranger, name="Other Co", sector="C", size_band="micro", province="11")
    client.force_login(stranger)
    assert save(client, assessment, "Q2", {"choice": "B"}).status_code == 404
    assert client.get(reverse("web:wizard", args=[assessment.pk, 1])).status_code == 404
    assert client.get(reverse("web:wizard", args=[99_999_999_999_999_999_999, 1])).status_code == 404


def test_a_submitted_assessment_refuses_changes_and_renders_read_only(
    web: Client, assessment: Assessment, owner: User
) -> None:
    submit_filling_gaps(assessment, owner)
    response = save(web, assessment, "Q2", {"choice": "B"})
    assert response.status_code == 409
    assert "its answers can no longer change" in response.content.decode()
    page = web.get(reverse("web:wizard", args=[assessment.pk, 1])).content.decode()
    assert "This assessment has been submitted" in page
    assert "hx-post" not in page
    assert web.get(reverse("web:assessment", args=[assessment.pk]))["Location"] == reverse(
        "web:results", args=[assessment.pk]
    )


def test_get_is_not_allowed_on_the_autosave_endpoint(web: Client, assessment: Assessment) -> None:
    assert web.get(reverse("web:answer_save", args=[assessment.pk, "Q1"])).status_code == 405


def test_logged_out_visitors_are_sent_to_log_in(client: Client, assessment: Assessment) -> None:
    response = save(client, assessment, "Q2", {"choice": "B"})
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]
