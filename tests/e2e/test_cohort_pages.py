"""The cohort pages in real Chromium, in Chinese and English: filters, charts drawn on the server, no CSP
violation (the progress page polls through htmx, no inline script); screenshots to look at."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from assessment.models import FrameworkVersion
from programmes.models import CohortExport
from tests.e2e.conftest import ContextFactory, Photographer, log_in
from tests.programmes.cohort_world import standard_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("locale", "level"), [("zh-CN", "二级"), ("en-GB", "Level 2")])
def test_an_analyst_filters_the_cohort_and_reads_the_charts(
    new_context: ContextFactory, screenshot: Photographer, miit: FrameworkVersion, locale: str, level: str
) -> None:
    world = standard_world(miit)
    page = new_context(locale=locale).new_page()
    log_in(page, "analyst@bureau.example", "pw-analyst-1234")
    page.goto(f"/programmes/{world.programme.pk}/analytics/")
    expect(page.locator("main table").first).to_contain_text(level)
    assert page.locator("main svg").count() >= 7
    screenshot(page, f"cohort-analytics-{locale}")
    page.locator("#id_group").select_option(str(world.group.pk))
    page.locator("form.cohort-filters button[type=submit]").click()
    expect(page.locator(".cohort-figures div").first).to_contain_text("1")
    screenshot(page, f"cohort-analytics-group-{locale}")


def test_a_large_export_shows_its_progress_page(
    new_context: ContextFactory, screenshot: Photographer, miit: FrameworkVersion, settings: Any
) -> None:
    settings.COHORT_EXPORT_STREAM_MAX_ROWS = 1
    world = standard_world(miit)
    page = new_context(locale="zh-CN").new_page()
    log_in(page, "analyst@bureau.example", "pw-analyst-1234")
    page.goto(f"/programmes/{world.programme.pk}/exports/")
    page.locator("#id_format").select_option("xlsx")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/exports/*/")
    expect(page.locator("#export-progress progress")).to_be_visible()
    page.wait_for_timeout(2500)  # one htmx poll: watched for CSP violations and server errors
    export = CohortExport.objects.get()
    assert export.status == CohortExport.Status.QUEUED  # no worker in this test
    screenshot(page, "cohort-export-progress")
