"""The consultant's pages take a fixed number of queries: more verdicts, comments, documents and history
do not add any."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment, User
from review.services import review_comment_add, review_item_set
from tests.web.answering import HTMX

pytestmark = pytest.mark.django_db

SCREEN_QUERIES = 16
VERDICT_QUERIES = 24  # the verdict's own checks and writes, then the screen's data for the answer


def _busy(assessment: Assessment, consultant: User) -> None:
    """Verdicts on every answer, with a comment and more history on each."""
    for key in assessment.answers.values_list("question__key", flat=True):
        review_item_set(assessment=assessment, reviewer=consultant, question_key=key, verdict="verified")
        review_comment_add(assessment=assessment, author=consultant, body=f"{key} 已核对", question_key=key)


def test_the_review_screen_takes_the_same_queries_however_much_was_done(
    consultant_web: Client, contradicting: Assessment, consultant: User, django_assert_max_num_queries: Any
) -> None:
    url = reverse("web:review_screen", args=[contradicting.pk])
    assert consultant_web.get(url).status_code == 200  # the process learns the framework
    with django_assert_max_num_queries(SCREEN_QUERIES):
        assert consultant_web.get(url).status_code == 200
    _busy(contradicting, consultant)
    with django_assert_max_num_queries(SCREEN_QUERIES):
        assert consultant_web.get(url).status_code == 200


def test_a_verdict_takes_a_fixed_number_of_queries(
    consultant_web: Client, contradicting: Assessment, consultant: User, django_assert_max_num_queries: Any
) -> None:
    _busy(contradicting, consultant)
    url = reverse("web:review_verdict", args=[contradicting.pk, "F2"])
    data = {"verdict": "adjusted", "choice": "C", "reason": "台账"}
    consultant_web.get(reverse("web:review_screen", args=[contradicting.pk]))
    with django_assert_max_num_queries(VERDICT_QUERIES):
        assert consultant_web.post(url, data, **HTMX).status_code == 200
