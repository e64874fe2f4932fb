"""The review screen: who may open it, what it shows of each answer, and its few actions through the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from review.models import ReviewComment, ReviewItem
from review.services import (
    assessment_resubmit,
    review_comment_add,
    review_item_set,
    review_return,
    review_start,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def screen_url(assessment: Assessment) -> str:
    return reverse("web:review_screen", args=[assessment.pk])


def text_of(html: str) -> str:
    """The page's text without tags and with whitespace collapsed, as a reader sees it."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- who may open it ----------------------------------------------------------------------------


def test_the_assigned_consultant_opens_it(consultant_web: Client, under_review: Assessment) -> None:
    response = consultant_web.get(screen_url(under_review))
    assert response.status_code == 200
    assert f"Review of assessment #{under_review.pk}" in response.content.decode()


def test_a_consultant_of_another_organisation_gets_404(
    web_as: Callable[[User], Client], under_review: Assessment, other_consultant: User
) -> None:
    client = web_as(other_consultant)
    assert client.get(screen_url(under_review)).status_code == 404
    post = client.post(reverse("web:review_verdict", args=[under_review.pk, "F1"]), {"verdict": "verified"})
    assert post.status_code == 404
    assert not ReviewItem.objects.exists()


def test_the_enterprises_own_members_get_403(
    web_as: Callable[[User], Client], under_review: Assessment, owner: User
) -> None:
    client = web_as(owner)
    assert client.get(screen_url(under_review)).status_code == 403
    for name, data in (
        ("review_start", {}),
        ("review_verify_remaining", {}),
        ("review_return", {"message": "x"}),
        ("review_finalize", {"statement": "x"}),
        ("review_comment", {"body": "x", "visibility": "internal"}),
    ):
        assert client.post(reverse(f"web:{name}", args=[under_review.pk]), data).status_code == 403, name
    verdict = client.post(reverse("web:review_verdict", args=[under_review.pk, "F1"]), {"verdict": "verified"})
    assert verdict.status_code == 403
    assert not ReviewItem.objects.exists()
    assert not ReviewComment.objects.exists()


def test_the_consultancy_lead_who_is_not_assigned_gets_404(
    web_as: Callable[[User], Client], under_review: Assessment, lead: User
) -> None:
    assert web_as(lead).get(screen_url(under_review)).status_code == 404


def test_a_draft_is_not_reviewed(
    consultant_web: Client, organization: Organization, owner: User, miit: FrameworkVersion
) -> None:
    draft = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    assert consultant_web.get(screen_url(draft)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: Client, under_review: Assessment) -> None:
    response = client.get(screen_url(under_review))
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


# --- what it shows ------------------------------------------------------------------------------


def test_each_answer_shows_its_evidence_documents_points_and_the_contradicting_figures(
    consultant_web: Client, contradicting: Assessment
) -> None:
    page = text_of(consultant_web.get(screen_url(contradicting)).content.decode())
    assert "设备清单.pdf" in page  # F2's document
    assert "2024年财务报表.pdf" in page  # the assessment's
    assert "Self-assessed: 6 of 6 points" in page  # F2's option E
    assert "The evidence gives 30.0 %, which is “More than 20%, up to 40%”, not the option chosen" in page
    assert "(130) is more than “Number of production devices” (100)" in page
    assert "Figures that contradict the answer" in page
    html = consultant_web.get(screen_url(contradicting)).content.decode()
    f2 = html[html.index('id="rq-F2"') : html.index('id="rq-F3"')]
    assert "figures contradict the answer" in f2
    assert "100 units" in text_of(f2)  # its evidence, with the unit
    assert 'name="choice" value="E" checked' in f2  # the adjusted-answer input starts from the SME's answer
    # The documents to check, from the framework's guidance; for a scenario, those of the level claimed (S01: 1).
    assert "Production equipment ledger marking each digital device" in text_of(f2)
    s01 = html[html.index('id="rq-S01"') : html.index('id="rq-S02"')]
    assert "For the level claimed, 1:" in text_of(s01)
    assert "Licences or purchase records of design software" in text_of(s01)
    assert "design-management system" not in text_of(s01)  # level 2's


def test_the_consultant_downloads_the_documents(consultant_web: Client, contradicting: Assessment) -> None:
    html = consultant_web.get(screen_url(contradicting)).content.decode()
    links = re.findall(r'href="(/assessments/\d+/documents/\d+/)" download>([^<]+)<', html)
    assert sorted(name for _url, name in links) == ["2024年财务报表.pdf", "设备清单.pdf"]
    for link, _name in links:
        response = consultant_web.get(link)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"


def test_comments_show_internal_ones_marked_and_the_history_of_each_answer(
    consultant_web: Client, contradicting: Assessment, consultant: User
) -> None:
    review_comment_add(assessment=contradicting, author=consultant, body="请提供台账", question_key="F2")
    review_comment_add(
        assessment=contradicting, author=consultant, body="只给同事看", question_key="F2", visibility="internal"
    )
    review_item_set(
        assessment=contradicting,
        reviewer=consultant,
        question_key="F2",
        verdict="adjusted",
        answer={"choice": "C"},
        reason="台账显示30%",
    )
    html = consultant_web.get(screen_url(contradicting)).content.decode()
    f2 = html[html.index('id="rq-F2"') : html.index('id="rq-F3"')]
    assert "请提供台账" in f2
    assert re.search(r'class="comment-item is-internal">.*?只给同事看', f2, re.S)
    history = text_of(f2[f2.index("rq-history") :])
    assert "answer changed" in history
    assert "verdict given" in history
    assert "adjusted: More than 20%, up to 40%" in history
    assert "台账显示30%" in history
    assert "Your adjusted answer: More than 20%, up to 40%" in text_of(f2)


def test_user_text_is_escaped(consultant_web: Client, contradicting: Assessment, consultant: User) -> None:
    review_comment_add(assessment=contradicting, author=consultant, body="<script>alert(1)</script>", question_key="F1")
    html = consultant_web.get(screen_url(contradicting)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_summary_sets_self_assessed_beside_verified_so_far(
    consultant_web: Client, under_review: Assessment, consultant: User
) -> None:
    page = text_of(consultant_web.get(screen_url(under_review)).content.decode())
    assert "Total 58.13 —" in page  # nothing verified yet
    review_item_set(
        assessment=under_review,
        reviewer=consultant,
        question_key="F2",
        verdict="adjusted",
        answer={"choice": "A"},
        reason="台账",
    )
    page = text_of(consultant_web.get(screen_url(under_review)).content.decode())
    assert re.search(r"Total 58\.13 52\.13", page), page[:2000]


# --- start, verdicts, comments ------------------------------------------------------------------


def test_starting_the_review_from_the_page(consultant_web: Client, submitted: Assessment) -> None:
    html = consultant_web.get(screen_url(submitted)).content.decode()
    assert "Start the review" in html
    assert '<fieldset class="verdict-fields" disabled>' in html
    response = consultant_web.post(reverse("web:review_start", args=[submitted.pk]))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "under_review"
    assert "Start the review" not in consultant_web.get(screen_url(submitted)).content.decode()


def test_starting_twice_says_why_not(consultant_web: Client, under_review: Assessment) -> None:
    response = consultant_web.post(reverse("web:review_start", args=[under_review.pk]), follow=True)
    assert "starting a review needs it submitted" in response.content.decode()


def test_a_verified_verdict_through_htmx_returns_the_question_and_the_summary(
    consultant_web: Client, under_review: Assessment
) -> None:
    url = reverse("web:review_verdict", args=[under_review.pk, "F1"])
    response = consultant_web.post(url, {"verdict": "verified", "reason": "typed before switching"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="review-question')
    assert 'id="review-summary"' in html
    assert 'hx-swap-oob="true"' in html
    item = ReviewItem.objects.get()
    assert (item.question.key, item.verdict, item.reason) == ("F1", "verified", "")  # text of other verdicts dropped


def test_an_adjusted_answer_needs_a_reason_and_keeps_what_was_chosen(
    consultant_web: Client, under_review: Assessment
) -> None:
    url = reverse("web:review_verdict", args=[under_review.pk, "F2"])
    response = consultant_web.post(url, {"verdict": "adjusted", "choice": "B"}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Say why you adjusted the answer." in html
    assert 'name="choice" value="B" checked' in html
    assert 'name="verdict" value="adjusted" checked' in html
    assert not ReviewItem.objects.exists()
    response = consultant_web.post(url, {"verdict": "adjusted", "choice": "B", "reason": "台账显示15%"}, **HTMX)
    assert response.status_code == 200
    item = ReviewItem.objects.get()
    assert (item.verdict, item.answer, item.reason) == ("adjusted", {"choice": "B"}, "台账显示15%")
    under_review.refresh_from_db()
    assert under_review.answers.get(question__key="F2").option_keys == ["E"]  # the SME's answer is untouched


def test_an_adjusted_answer_the_engine_refuses_is_explained(consultant_web: Client, under_review: Assessment) -> None:
    url = reverse("web:review_verdict", args=[under_review.pk, "F1"])
    # F1's option A ("none") excludes the others.
    response = consultant_web.post(url, {"verdict": "adjusted", "choices": ["A", "B"], "reason": "x"}, **HTMX)
    assert response.status_code == 422
    assert "answer-errors" in response.content.decode()
    assert not ReviewItem.objects.exists()


def test_an_adjusted_verdict_without_an_answer_is_refused(consultant_web: Client, under_review: Assessment) -> None:
    url = reverse("web:review_verdict", args=[under_review.pk, "F2"])
    response = consultant_web.post(url, {"verdict": "adjusted", "reason": "x"}, **HTMX)
    assert response.status_code == 422
    assert "Give the answer you verified." in response.content.decode()


@pytest.mark.parametrize(
    ("verdict", "field", "message"),
    [
        ("change_requested", "message", "Tell the enterprise what to change."),
        ("unverifiable", "reason", "Say why the answer cannot be verified."),
    ],
)
def test_a_change_request_needs_a_message_and_cannot_verify_a_reason(
    consultant_web: Client, under_review: Assessment, verdict: str, field: str, message: str
) -> None:
    url = reverse("web:review_verdict", args=[under_review.pk, "M4"])
    response = consultant_web.post(url, {"verdict": verdict}, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    response = consultant_web.post(url, {"verdict": verdict, field: "请上传发票"}, **HTMX)
    assert response.status_code == 200
    item = ReviewItem.objects.get()
    assert getattr(item, field) == "请上传发票"


def test_without_htmx_a_verdict_goes_back_to_the_question(consultant_web: Client, under_review: Assessment) -> None:
    response = consultant_web.post(reverse("web:review_verdict", args=[under_review.pk, "F1"]), {"verdict": "verified"})
    assert response.status_code == 302
    assert response.url.endswith(f"{screen_url(under_review)}#rq-F1")
    failed = consultant_web.post(reverse("web:review_verdict", args=[under_review.pk, "F1"]), {"verdict": "nonsense"})
    assert failed.status_code == 422
    assert "<html" in failed.content.decode()


def test_a_verdict_before_the_review_started_is_a_conflict(consultant_web: Client, submitted: Assessment) -> None:
    url = reverse("web:review_verdict", args=[submitted.pk, "F1"])
    response = consultant_web.post(url, {"verdict": "verified"}, **HTMX)
    assert response.status_code == 409
    assert "a verdict needs it under review" in response.content.decode()


def test_an_unknown_question_is_404(consultant_web: Client, under_review: Assessment) -> None:
    url = reverse("web:review_verdict", args=[under_review.pk, "Z9"])
    assert consultant_web.post(url, {"verdict": "verified"}).status_code == 404


def test_comments_are_posted_shared_or_internal(consultant_web: Client, under_review: Assessment) -> None:
    url = reverse("web:review_comment", args=[under_review.pk])
    response = consultant_web.post(url, {"question": "F2", "body": "请提供台账", "visibility": "shared"}, **HTMX)
    assert response.status_code == 200
    assert 'id="thread-F2"' in response.content.decode()
    assert "请提供台账" in response.content.decode()
    consultant_web.post(url, {"body": "整体看法", "visibility": "internal"}, **HTMX)
    shared, internal = ReviewComment.objects.order_by("id")
    assert (shared.question.key, shared.visibility) == ("F2", "shared")  # type: ignore[union-attr]
    assert (internal.question, internal.visibility) == (None, "internal")
    empty = consultant_web.post(url, {"question": "F2", "body": " ", "visibility": "shared"}, **HTMX)
    assert empty.status_code == 422


# --- return, resubmission, sign-off -------------------------------------------------------------


def _verify_all_but(assessment: Assessment, consultant: User, *keys: str) -> None:
    for key in assessment.answers.values_list("question__key", flat=True):
        if key not in keys:
            review_item_set(assessment=assessment, reviewer=consultant, question_key=key, verdict="verified")


def test_returning_lists_the_change_requests_and_needs_a_message(
    consultant_web: Client, under_review: Assessment, consultant: User
) -> None:
    url = reverse("web:review_return", args=[under_review.pk])
    refused = consultant_web.post(url, {"message": "请修改"})
    assert refused.status_code == 422
    assert "Request a change on at least one answer" in refused.content.decode()
    review_item_set(
        assessment=under_review,
        reviewer=consultant,
        question_key="M4",
        verdict="change_requested",
        message="请上传发票",
    )
    page = consultant_web.get(screen_url(under_review)).content.decode()
    assert "请上传发票" in page[page.index('id="return-requests"') :]
    assert consultant_web.post(url, {"message": ""}).status_code == 422
    response = consultant_web.post(url, {"message": "请补充M4"})
    assert response.status_code == 302
    under_review.refresh_from_db()
    assert (under_review.status, under_review.reopened_questions) == ("returned", ["M4"])
    page = text_of(consultant_web.get(screen_url(under_review)).content.decode())
    assert "Returned to the enterprise on" in page
    assert "Waiting for the enterprise" in page


def test_after_resubmission_the_changes_since_the_return_are_shown(
    consultant_web: Client, under_review: Assessment, consultant: User, owner: User
) -> None:
    review_item_set(
        assessment=under_review, reviewer=consultant, question_key="M4", verdict="change_requested", message="发票"
    )
    review_return(assessment=under_review, consultant=consultant, message="请补充")
    answers_upsert(assessment=under_review, items=[{"question": "M4", "choice": "B"}], answered_by=owner)
    answers_upsert(assessment=under_review, items=[{"question": "M4", "choice": "C"}], answered_by=owner)
    assessment_resubmit(assessment=under_review, submitted_by=owner, pledge=True)
    page = text_of(consultant_web.get(screen_url(under_review)).content.decode())
    # The first answer before the return against the last one after it: D → C, not B → C.
    assert "Changed since the last review" in page
    assert re.search(r"M4 [^→]*: More than 40%, up to 60% → More than 20%, up to 40%", page)
    assert "changed since the last review" in page  # the question's own badge
    review_start(assessment=under_review, consultant=consultant)
    assert "Changed since the last review" in consultant_web.get(screen_url(under_review)).content.decode()


def test_no_change_since_the_return_says_so(
    consultant_web: Client, under_review: Assessment, consultant: User, owner: User
) -> None:
    review_item_set(
        assessment=under_review, reviewer=consultant, question_key="M4", verdict="change_requested", message="发票"
    )
    review_return(assessment=under_review, consultant=consultant, message="请补充")
    assessment_resubmit(assessment=under_review, submitted_by=owner, pledge=True)
    assert "No answer changed since the assessment was last returned." in (
        consultant_web.get(screen_url(under_review)).content.decode()
    )


def test_signing_off_shows_the_checklist_until_it_is_clear(
    consultant_web: Client, under_review: Assessment, consultant: User
) -> None:
    url = reverse("web:review_finalize", args=[under_review.pk])
    refused = consultant_web.post(url, {"statement": "经核查属实。"})
    assert refused.status_code == 422
    assert "answers have no verdict yet" in refused.content.decode()
    _verify_all_but(under_review, consultant)
    assert consultant_web.post(url, {"statement": ""}).status_code == 422
    response = consultant_web.post(url, {"statement": "经核查属实。"})
    assert response.status_code == 302
    under_review.refresh_from_db()
    assert under_review.status == "finalized"
    page = text_of(consultant_web.get(screen_url(under_review)).content.decode())
    assert "Signed off" in page
    assert "王立" in page
    assert "经核查属实。" in page
    assert "Sign and finalize" not in page


def test_the_remaining_answers_are_verified_with_one_button(
    consultant_web: Client, under_review: Assessment, consultant: User
) -> None:
    review_item_set(
        assessment=under_review,
        reviewer=consultant,
        question_key="F2",
        verdict="adjusted",
        answer={"choice": "A"},
        reason="台账",
    )
    answered = under_review.answers.count()
    page = consultant_web.get(screen_url(under_review)).content.decode()
    assert f"Verify the {answered - 1} remaining answers" in page
    response = consultant_web.post(reverse("web:review_verify_remaining", args=[under_review.pk]), follow=True)
    assert f"{answered - 1} answers verified." in response.content.decode()
    assert ReviewItem.objects.filter(assessment=under_review, verdict="verified").count() == answered - 1
    assert ReviewItem.objects.get(question__key="F2").verdict == "adjusted"  # a verdict given stays
    assert "remaining answer" not in response.content.decode()
    assert "Every answer has a verdict and no change request is open." in response.content.decode()


def test_signing_needs_a_consultant_profile(
    web_as: Callable[[User], Client], under_review: Assessment, consultant: User
) -> None:
    consultant.consultant_profile.delete()
    client = web_as(consultant)
    assert "before you sign" in client.get(screen_url(under_review)).content.decode()
    _verify_all_but(under_review, consultant)
    response = client.post(reverse("web:review_finalize", args=[under_review.pk]), {"statement": "属实"})
    assert response.status_code == 422
    assert "Fill in your consultant profile" in response.content.decode()


def test_the_offered_statement_names_the_assessment(consultant_web: Client, under_review: Assessment) -> None:
    page = consultant_web.get(screen_url(under_review)).content.decode()
    assert f"I have checked the answers of assessment #{under_review.pk} of {under_review.organization.name}" in page


def test_a_verdict_cannot_reach_another_enterprises_assessment_through_the_url(
    consultant_web: Client, under_review: Assessment, other_consultant: User, web_as: Callable[[User], Client]
) -> None:
    # The other consultant is assigned elsewhere; this assessment is not theirs whatever the URL says.
    client = web_as(other_consultant)
    response = client.post(reverse("web:review_comment", args=[under_review.pk]), {"body": "x", "visibility": "shared"})
    assert response.status_code == 404
