"""No page's number of SQL queries grows with the questionnaire: MIIT (31 questions) and the mini
framework (8) are held to the same bounds, both warm and right after a restart with stale results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from assessment import framework_texts
from assessment.models import Assessment, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring import selectors as scoring_selectors
from scoring.peers import peer_distributions_rebuild
from scoring.selectors import framework_structure
from tests.helpers import lowest_item
from tests.web.answering import HTMX
from web.assessments import pages as web_pages

pytestmark = pytest.mark.django_db

FRAMEWORKS = ["miit", "mini"]
# page: (queries once the process has the framework, queries on a cold process with a stale result)
BOUNDS = {
    "history": (9, 28),  # drafts are scored for the page, not stored: one query loads all their answers
    "wizard": (5, 16),  # with the evidence documents: one query for all of them
    "review": (5, 16),
    "results": (9, 31),  # with one query for the offerings of the framework ("Support that fits")
    "autosave": (10, 23),  # the save reads the answers before it and appends one history event per change
}


def _answered(request: pytest.FixtureRequest, name: str, organization: Organization, owner: User) -> Assessment:
    version = request.getfixturevalue(name)
    assessment = assessment_create(organization=organization, framework_version=version, created_by=owner)
    items = [lowest_item(q) for q in framework_structure(version).questions.values()]
    answers_upsert(assessment=assessment, items=items, answered_by=owner)
    return assessment


def _page(client: Client, assessment: Assessment, page: str) -> Callable[[], Any]:
    pk = assessment.pk
    key = next(iter(framework_structure(assessment.framework_version).questions))
    return {
        "history": lambda: client.get(reverse("web:org_home", args=[assessment.organization_id])),
        "wizard": lambda: client.get(reverse("web:wizard", args=[pk, 1])),
        "review": lambda: client.get(reverse("web:review", args=[pk])),
        "results": lambda: client.get(reverse("web:results", args=[pk])),
        "autosave": lambda: client.post(reverse("web:answer_save", args=[pk, key]), {"comment": "见附件"}, **HTMX),
    }[page]


@pytest.mark.parametrize("page", BOUNDS)
@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_page_takes_the_same_few_queries_whatever_the_size_of_the_questionnaire(
    request: pytest.FixtureRequest,
    owner_web: Client,
    organization: Organization,
    owner: User,
    django_assert_max_num_queries: Any,
    name: str,
    page: str,
) -> None:
    assessment = _answered(request, name, organization, owner)
    load = _page(owner_web, assessment, page)
    assert load().status_code == 200  # the process learns the framework
    # What the worker does after the first reader asked: the peer distributions are in the cache from now on.
    peer_distributions_rebuild(version_id=assessment.framework_version_id)
    with django_assert_max_num_queries(BOUNDS[page][0]):
        assert load().status_code == 200


@pytest.mark.parametrize("page", BOUNDS)
@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_cold_process_with_a_stale_result_still_takes_a_fixed_number_of_queries(
    request: pytest.FixtureRequest,
    owner_web: Client,
    organization: Organization,
    owner: User,
    django_assert_max_num_queries: Any,
    name: str,
    page: str,
) -> None:
    assessment = _answered(request, name, organization, owner)
    load = _page(owner_web, assessment, page)
    assert load().status_code == 200  # scored once …
    items = [lowest_item(q) for q in framework_structure(assessment.framework_version).questions.values()]
    answers_upsert(assessment=assessment, items=items, answered_by=owner)  # … and out of date again
    scoring_selectors._framework.cache_clear()
    scoring_selectors._question_ids.cache_clear()
    web_pages._questionnaire.cache_clear()
    framework_texts._texts.cache_clear()
    cache.clear()
    with django_assert_max_num_queries(BOUNDS[page][1]):
        assert load().status_code == 200
