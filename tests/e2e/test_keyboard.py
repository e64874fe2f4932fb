"""The questionnaire works with the keyboard alone: Tab, Space, Enter and the arrow keys."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from assessment.models import Answer, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from scoring.selectors import framework_structure
from tests.e2e.conftest import log_in
from tests.e2e.wizard import expect_answer_shown, question, settle

pytestmark = pytest.mark.django_db(transaction=True)

MOST_TABS = 400  # more stops than any step of MIIT has


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focus is on the element `selector` names (as a keyboard user moves)."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reaches {selector}")


def test_every_kind_of_answer_and_the_next_step_by_keyboard_alone(
    page: Page, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    framework = framework_structure(miit)
    log_in(page, owner.email)
    page.goto(f"/assessments/{assessment.pk}/steps/1/")

    # Checkboxes (F1, several options): Space ticks the focused one, Tab moves to the next.
    tab_to(page, '#q-F1 input[name=choices][value="B"]')
    page.keyboard.press("Space")
    settle(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    settle(page)
    expect(question(page, "F1").locator(".answer-status .saved")).to_be_visible()

    # A number (F2's evidence): type, then Tab away to save.
    tab_to(page, '#q-F2 input[name="evidence.devices_total"]')
    page.keyboard.type("80")
    page.keyboard.press("Tab")
    settle(page)

    # Radio buttons (F3, one option): Tab enters the group on its first option, the arrows choose.
    tab_to(page, "#q-F3 input[name=choice]")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
        settle(page)
    expect(question(page, "F3").locator(".answer-status .saved")).to_be_visible()

    # The next step: a link, followed with Enter.
    tab_to(page, ".pager a[rel=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/assessments/{assessment.pk}/steps/2/")

    # A scenario level (the level cards are radio buttons), and its comment behind a disclosure.
    tab_to(page, "#q-S01 input[name=level]")
    page.keyboard.press("ArrowRight")
    settle(page)
    page.keyboard.press("ArrowRight")
    settle(page)
    tab_to(page, "#q-S01 details.comment summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("MES pilot line")
    page.keyboard.press("Tab")
    settle(page)

    saved = {a.question.key: a for a in Answer.objects.filter(assessment=assessment).select_related("question")}
    assert sorted(saved) == ["F1", "F2", "F3", "S01"]
    plan: dict[str, dict[str, Any]] = {
        "F1": {"choices": ["B", "C"]},
        "F2": {"evidence": {"devices_total": 80}},
        "F3": {"choice": "D"},
        "S01": {"level": 2, "comment": "MES pilot line"},
    }
    page.reload()
    expect_answer_shown(page, framework.questions["S01"], plan["S01"])
    page.goto(f"/assessments/{assessment.pk}/steps/1/")
    for key in ("F1", "F3"):
        expect_answer_shown(page, framework.questions[key], plan[key])
    expect(question(page, "F2").locator('[name="evidence.devices_total"]')).to_have_value("80")
    expect(question(page, "F2").locator("input[name=choice]:checked")).to_have_count(0)
