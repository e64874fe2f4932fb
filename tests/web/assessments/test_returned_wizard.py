"""A returned questionnaire: the consultant's message and requests on top, only the requested answers open."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Assessment, User
from review.models import Notification
from tests.web.answering import save
from tests.web.assessments.reviewing import CHANGE_MESSAGE, RETURN_MESSAGE, returned

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("assignment")]


@pytest.fixture
def sent_back(submitted: Assessment, consultant: User) -> Assessment:
    """F5 has a change request; F2 is adjusted and the rest verified: returned."""
    return returned(submitted, consultant)


@pytest.fixture
def web(client: Client, owner: User) -> Client:
    client.force_login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def step_one(client: Client, assessment: Assessment) -> str:
    response = client.get(reverse("web:wizard", args=[assessment.pk, 1]))
    assert response.status_code == 200
    return response.content.decode()


def question(page: str, key: str) -> str:
    """One question's section of the page."""
    start = page.rindex("<section", 0, page.index(f'id="q-{key}"'))
    return page[start : page.index("</section>", start)]


def test_the_message_and_the_requested_changes_are_on_top(web: Client, sent_back: Assessment) -> None:
    page = step_one(web, sent_back)
    notice = page[page.index('id="return-notice"') : page.index('id="wizard-progress"')]
    assert "王立 returned the assessment on" in notice
    assert RETURN_MESSAGE in notice
    assert "1 answer to change" in notice
    assert f'href="/assessments/{sent_back.pk}/steps/1/#q-F5"' in notice
    assert CHANGE_MESSAGE in notice
    assert "not changed yet" in notice


def test_only_the_requested_answer_is_open(web: Client, sent_back: Assessment) -> None:
    page = step_one(web, sent_back)
    f5 = question(page, "F5")
    assert "hx-post" in f5
    assert "Change requested" in f5
    assert CHANGE_MESSAGE in f5
    assert " disabled" not in f5
    for key in ("F1", "F2", "F3", "F4", "F6", "F7"):
        locked = question(page, key)
        assert 'class="question is-locked"' in locked
        assert "<form" not in locked  # nothing to post: no autosave, no save button
        assert "<input" not in locked
        assert "The consultant asked for no change here: this answer stays as submitted." in locked
    assert page.count("hx-post") == 1
    assert page.count("<form") == 4  # F5's answer and its documents, the language switch, logging out


def test_a_locked_answer_reads_as_words(web: Client, sent_back: Assessment) -> None:
    f2 = " ".join(question(step_one(web, sent_back), "F2").split())
    assert "<dt>Your answer</dt><dd>More than 60%, up to 100%</dd>" in f2


def test_a_locked_answer_is_refused_with_a_clear_message(web: Client, sent_back: Assessment) -> None:
    response = save(web, sent_back, "F1", {"choices": ["B"]})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Not saved:" in body
    assert f"Assessment #{sent_back.pk} was returned for changes to F5 only: F1 cannot change." in body
    assert Answer.objects.get(assessment=sent_back, question__key="F1").option_keys == ["B", "C", "D", "E"]


def test_without_javascript_the_refusal_is_a_page_too(web: Client, sent_back: Assessment) -> None:
    response = save(web, sent_back, "F3", {"choice": "A"}, htmx=False)
    assert response.status_code == 409
    assert "F3 cannot change." in question(response.content.decode(), "F3")


def test_the_requested_answer_saves_and_reads_as_changed(web: Client, sent_back: Assessment) -> None:
    response = save(web, sent_back, "F5", {"choice": "B"})
    assert response.status_code == 200
    assert Answer.objects.get(assessment=sent_back, question__key="F5").option_keys == ["B"]
    notice = step_one(web, sent_back)
    assert '<span class="badge ok">changed</span>' in notice
    assert "not changed yet" not in notice


def test_resuming_opens_the_first_requested_answer(web: Client, sent_back: Assessment) -> None:
    response = web.get(reverse("web:assessment", args=[sent_back.pk]))
    assert response["Location"] == f"/assessments/{sent_back.pk}/steps/1/#q-F5"


def test_resubmitting_tells_the_consultant(web: Client, sent_back: Assessment, consultant: User) -> None:
    save(web, sent_back, "F5", {"choice": "B"})
    page = web.get(reverse("web:review", args=[sent_back.pk])).content.decode()
    assert "Resubmit the assessment" in page
    assert RETURN_MESSAGE in page
    response = web.post(reverse("web:review", args=[sent_back.pk]), {"pledge": "1"})
    assert response.status_code == 302
    sent_back.refresh_from_db()
    assert sent_back.status == "submitted"
    assert sent_back.reopened_questions == []
    subjects = Notification.objects.filter(recipient=consultant).values_list("subject", flat=True)
    assert f"评测 #{sent_back.pk} 已按您的要求修改并重新提交" in subjects  # in the site's language


def test_the_results_page_says_what_to_do(web: Client, sent_back: Assessment) -> None:
    page = web.get(reverse("web:results", args=[sent_back.pk])).content.decode()
    assert "Returned for changes: only the answers the consultant asked about can change." in page
    assert '<span class="badge warn">Returned for changes</span>' in page


def test_a_viewer_reads_the_request_but_changes_nothing(
    client: Client, sent_back: Assessment, member: Callable[..., User]
) -> None:
    client.force_login(member("viewer"))
    page = step_one(client, sent_back)
    assert CHANGE_MESSAGE in page
    assert "hx-post" not in page
    assert save(client, sent_back, "F5", {"choice": "B"}).status_code == 403


def test_another_organisation_gets_404(stranger: Client, sent_back: Assessment) -> None:
    assert stranger.get(reverse("web:wizard", args=[sent_back.pk, 1])).status_code == 404
    assert save(stranger, sent_back, "F5", {"choice": "B"}).status_code == 404
    assert stranger.post(reverse("web:review", args=[sent_back.pk]), {"pledge": "1"}).status_code == 404
