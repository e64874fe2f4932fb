"""An assessment's comment threads: the enterprise reads and answers the shared ones, never the internal ones."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment, User
from review.models import ReviewComment
from review.services import review_comment_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("assignment")]

SHARED = "请补充设备台账 <script>alert(1)</script>"
INTERNAL = "内部备注：F2 台账与现场不符"
GENERAL = "现场核查定于下周二"


@pytest.fixture
def threads(submitted: Assessment, consultant: User) -> Assessment:
    review_comment_add(assessment=submitted, author=consultant, body=GENERAL)
    review_comment_add(assessment=submitted, author=consultant, body=SHARED, question_key="F2")
    review_comment_add(assessment=submitted, author=consultant, body=INTERNAL, question_key="F2", visibility="internal")
    return submitted


@pytest.fixture
def web(client: Client, owner: User) -> Client:
    client.force_login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def url(assessment: Assessment) -> str:
    return reverse("web:assessment_comments", args=[assessment.pk])


def comments(client: Client, assessment: Assessment) -> str:
    response = client.get(url(assessment))
    assert response.status_code == 200
    return response.content.decode()


def test_the_enterprise_reads_the_shared_threads_only(web: Client, threads: Assessment) -> None:
    page = comments(web, threads)
    general = page[page.index('id="thread-general"') : page.index('id="thread-F2"')]
    assert GENERAL in general
    f2 = page[page.index('id="thread-F2"') : page.index('id="new-comment"')]
    assert "Digitalisation rate of production equipment" in f2
    assert "请补充设备台账 &lt;script&gt;alert(1)&lt;/script&gt;" in f2
    assert '<strong>王立</strong> <span class="badge">consultant</span>' in f2
    assert INTERNAL not in page
    assert 'name="visibility"' not in page  # the enterprise's comments are always shared


def test_the_consultant_reads_internal_comments_marked(client: Client, threads: Assessment, consultant: User) -> None:
    client.force_login(consultant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = comments(client, threads)
    item = page[page.rindex("<li", 0, page.index(INTERNAL)) : page.index(INTERNAL)]
    assert "is-internal" in item
    assert '<span class="badge warn">internal</span>' in item
    assert 'name="visibility"' in page


def test_a_reply_joins_the_question_thread_shared(web: Client, threads: Assessment, owner: User) -> None:
    response = web.post(url(threads), {"question": "F2", "body": "台账已上传", "visibility": "internal"})
    assert response.status_code == 302
    assert response["Location"] == url(threads) + "#thread-F2"
    reply = ReviewComment.objects.get(body="台账已上传")
    assert (reply.question.key, reply.author, reply.visibility) == ("F2", owner, "shared")  # type: ignore[union-attr]
    page = comments(web, threads)
    f2 = page[page.index('id="thread-F2"') : page.index('id="new-comment"')]
    assert f2.index("请补充设备台账") < f2.index("台账已上传")
    assert "<strong>owner@example.com</strong>" in f2


def test_a_new_thread_on_another_question(web: Client, threads: Assessment) -> None:
    web.post(url(threads), {"question": "M4", "body": "投入数据来自财务报表"})
    page = comments(web, threads)
    assert page.index('id="thread-F2"') < page.index('id="thread-M4"')  # framework order
    assert "投入数据来自财务报表" in page


def test_an_empty_comment_is_refused_on_the_page(web: Client, threads: Assessment) -> None:
    response = web.post(url(threads), {"question": "", "body": "  "})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not ReviewComment.objects.filter(author__email="owner@example.com").exists()


def test_an_unknown_question_is_refused(web: Client, threads: Assessment) -> None:
    response = web.post(url(threads), {"question": "ZZ9", "body": "x"})
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["respondent", "viewer"])
def test_every_member_may_answer(client: Client, threads: Assessment, member: Callable[..., User], role: str) -> None:
    client.force_login(member(role))
    assert client.post(url(threads), {"question": "", "body": f"{role} 回复"}).status_code == 302
    assert ReviewComment.objects.get(body=f"{role} 回复").visibility == "shared"


def test_another_organisation_gets_404(stranger: Client, threads: Assessment) -> None:
    assert stranger.get(url(threads)).status_code == 404
    assert stranger.post(url(threads), {"question": "", "body": "x"}).status_code == 404
    assert not ReviewComment.objects.filter(body="x").exists()


def test_the_results_page_counts_the_shared_comments(web: Client, threads: Assessment) -> None:
    page = web.get(reverse("web:results", args=[threads.pk])).content.decode()
    assert f'<a href="{url(threads)}">Comments (2)</a>' in page
