"""The issue's "done when": a newcomer signs up, answers the whole MIIT questionnaire in Chromium, submits,
reads the level in both languages and downloads the PDF report a real Celery worker rendered."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from assessment.models import FrameworkVersion
from scoring.engine import parse_answers, score
from scoring.selectors import framework_structure
from tests.conftest import WorkerFactory
from tests.e2e.accessibility import assert_controls_named
from tests.e2e.wizard import MIIT_PLAN, answer, expect_answer_shown, items
from web.assessments.pages import questionnaire

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

ORGANIZATION = "宁波精工机械有限公司"
EMAIL = "founder@example.com"
PASSWORD = "a-long-Passphrase-42"
RELOAD_AFTER_STEP = 4  # of 7: half-way


def _level_names(version: FrameworkVersion, level: int) -> dict[str, str]:
    names = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names[language] = questionnaire(version).level_name(level)
    return names


def _sign_up(page: Page) -> None:
    page.goto("/signup/")
    assert_controls_named(page, at_least=12)
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_name").fill(ORGANIZATION)
    page.locator("#id_sector").select_option("C")
    page.locator("#id_province").select_option("33")
    page.locator("#id_employees").fill("350")
    page.locator("#id_annual_revenue").fill("5000")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/orgs/\d+/$"))


def test_a_newcomer_answers_all_of_miit_submits_and_downloads_the_report(
    page: Page, miit: FrameworkVersion, celery_worker_process: WorkerFactory, settings: Any, tmp_path: Path
) -> None:
    celery_worker_process(queues="reports,celery", MEDIA_ROOT=str(settings.MEDIA_ROOT))
    framework = framework_structure(miit)
    expected = score(framework, parse_answers(framework, items(MIIT_PLAN)))
    assert expected.level == 2  # the plan is chosen for level 2: 50 points, not the 60 of level 3
    level = _level_names(miit, expected.level)
    with translation.override("zh-hans"):
        steps = questionnaire(miit).steps
    assert sorted(key for step in steps for key in step.keys) == sorted(MIIT_PLAN)

    _sign_up(page)
    expect(page.locator(".eyebrow")).to_have_text(ORGANIZATION)
    page.locator("#id_framework").select_option(str(miit.pk))
    page.locator('form[action$="/assessments/start/"] button[type=submit]').click()
    page.wait_for_url(re.compile(r"/assessments/\d+/steps/1/$"))
    wizard_url = page.url.removesuffix("1/")

    answered = 0
    for step in steps:
        expect(page.locator("#step-title")).to_contain_text(step.title)
        for key in step.keys:
            answer(page, framework.questions[key], MIIT_PLAN[key])
            answered += 1
            expect(page.locator("#progress-overall")).to_have_attribute("value", str(answered))
        if step.number == RELOAD_AFTER_STEP:
            # Half-way, every answer given so far is still there after a reload, on this step and before it.
            page.reload()
            for earlier in reversed(steps[: step.number]):
                if earlier is not step:
                    page.goto(f"{wizard_url}{earlier.number}/")
                expect(page.locator("#progress-overall")).to_have_attribute("value", str(answered))
                for key in earlier.keys:
                    expect_answer_shown(page, framework.questions[key], MIIT_PLAN[key])
            page.goto(f"{wizard_url}{step.number}/")
        assert_controls_named(page, at_least=5)
        if step is steps[-1]:
            page.locator(".pager a.button").last.click()
        else:
            page.locator(".pager a[rel=next]").click()
            page.wait_for_url(f"{wizard_url}{step.number + 1}/")

    page.wait_for_url(re.compile(r"/review/$"))
    expect(page.locator("#missing-list")).to_have_count(0)
    expect(page.locator("#progress-overall")).to_have_attribute("value", str(len(MIIT_PLAN)))
    assert_controls_named(page)
    page.locator("#id_pledge").check()
    page.locator('form[action$="/review/"] button[type=submit]').click()

    page.wait_for_url(re.compile(r"/results/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#level-badge")).to_have_text(level["zh-hans"])
    expect(page.locator("#total-score")).to_have_text(f"{expected.total.normalize():f} / 100")
    expect(page.locator("#dimensions-title + .results-dimensions thead th").first).to_have_text("维度")
    expect(page.get_by_role("rowheader", name="数字化基础")).to_be_visible()
    assert_controls_named(page)

    page.locator("#language-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/results/")
    expect(page.locator("#level-badge")).to_have_text(level["en"])
    expect(page.locator("#dimensions-title + .results-dimensions thead th").first).to_have_text("Dimension")
    expect(page.get_by_role("rowheader", name="Digital foundation")).to_be_visible()
    expect(page.locator("#level-title")).to_have_text("Your level")

    expect(page.locator("#report-language")).to_have_value("en")
    page.get_by_role("button", name="Request PDF report").click()
    report = page.locator("#report-list li.report").first
    expect(report.locator(".badge")).to_have_text("ready", timeout=90_000)  # polled every 2 s
    with page.expect_download() as download_info:
        report.get_by_role("link", name=re.compile(r"^Download PDF")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert ORGANIZATION in text
    assert level["en"] in text
