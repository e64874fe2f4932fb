"""The cohort pages: analytics with filters and charts for every member of the operator (names for analysts),
exports for analysts only, other operators 404, bad filters 400, text escaped."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from assessment.models import FrameworkVersion, User
from programmes.models import AccessRecord, CohortExport, Programme
from tests.programmes.cohort_world import operator_with_programme, standard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(miit: FrameworkVersion) -> Any:
    world = standard_world(miit)
    Programme.objects.filter(pk=world.programme.pk).update(name="试点<script>alert(1)</script>")
    return world


def web(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def page(world: Any) -> str:
    return f"/programmes/{world.programme.pk}/analytics/"


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ["enrolled", "Level 2", "Digital foundation"]), ("zh-hans", ["二级", "数字化基础", "一级供应商"])],
)
def test_an_analyst_sees_the_figures_charts_and_named_smes(world: Any, language: str, words: list[str]) -> None:
    response = web(world.analyst, language).get(page(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") >= 7
    for word in words:
        assert word in html
    assert "甲精密制造" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert f"/programmes/{world.programme.pk}/exports/" in html


def test_a_viewer_sees_the_figures_without_names_or_exports(world: Any) -> None:
    html = web(world.viewer).get(page(world)).content.decode()
    assert "Distribution of the total score" in html
    assert "甲精密制造" not in html
    assert "/exports/" not in html
    assert web(world.viewer).get(f"/programmes/{world.programme.pk}/exports/").status_code == 403


def test_filters_narrow_the_page_and_a_bad_one_is_a_400(world: Any) -> None:
    client = web(world.analyst)
    narrowed = client.get(page(world), {"group": world.group.pk}).content.decode()
    assert '<div id="cohort-enrolled"><strong>1</strong>enrolled</div>' in narrowed
    assert "丙机械" not in narrowed  # in the group, but assessed only once: no T0→T1 row
    bad = client.get(page(world), {"province": "99", "group": "x"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()


def test_other_operators_and_anonymous_visitors_see_nothing(world: Any, miit: FrameworkVersion) -> None:
    other = operator_with_programme(miit, prefix="other")
    assert web(other.owner).get(page(world)).status_code == 404
    assert web(world.smes["甲精密制造"].memberships.get().user).get(page(world)).status_code == 404
    assert Client().get(page(world)).status_code == 302


def test_a_small_export_downloads_at_once_and_is_logged(world: Any) -> None:
    response = web(world.analyst).post(f"/programmes/{world.programme.pk}/exports/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "甲精密制造" in b"".join(response.streaming_content).decode()
    assert AccessRecord.objects.filter(viewer=world.analyst, kind="export").count() == 4


def test_a_large_export_becomes_a_job_with_a_progress_page(world: Any, settings: Any) -> None:
    settings.COHORT_EXPORT_STREAM_MAX_ROWS = 1
    client = web(world.analyst)
    response = client.post(f"/programmes/{world.programme.pk}/exports/", {"format": "xlsx"})
    export = CohortExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{world.programme.pk}/exports/{export.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "<progress" in html
    assert client.get(f"/programmes/{world.programme.pk}/exports/{export.pk}/download/").status_code == 404
    assert client.post(f"/programmes/{world.programme.pk}/exports/", {"format": "docx"}).status_code == 400
