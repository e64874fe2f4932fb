"""Answering the questionnaire in the browser, as a person does: clicks, typing, the suggestion button."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from playwright.sync_api import Locator, Page, Request, expect

from scoring.engine.framework import Question

# Every foundation question well answered, scenarios mostly at level 2, management and outcomes at their
# lowest: 50 points with 15 scenarios (all 10 constrained ones) at level 2 or above is level 2 (3 needs 60).
MIIT_PLAN: dict[str, dict[str, Any]] = {
    "F1": {"choices": ["B", "C", "D", "E"]},
    "F2": {"choice": "E", "evidence": {"devices_total": 100, "devices_digital": 70}},
    "F3": {"choice": "E", "evidence": {"devices_networked": 65}},
    "F4": {"choices": list("BCDEFGHIJKLMNO")},
    "F5": {"choice": "E"},
    "F6": {"choices": ["B", "C", "D", "E"]},
    "F7": {"choices": ["B", "C", "D", "E"]},
    **{f"S{n:02}": {"level": 2} for n in range(1, 17)},
    "S03": {"level": 3},
    "S16": {"level": 1},
    "M1": {"choice": "A"},
    "M2": {"choices": ["A"]},
    "M3": {"choices": ["A"]},
    "M4": {"choice": "A", "comment": "ERP 投入以软件订阅为主 <b>not bold</b>"},
    "R1": {"choice": "A"},
    "R2": {"choice": "A"},
    "R3": {"choice": "A"},
    "R4": {"choice": "A"},
}
# Chosen with the "Choose E" button that the typed evidence offers, not by ticking the option.
BY_SUGGESTION = frozenset({"F2"})


def items(plan: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The plan in the answer format (docs/answers-format.md), for the scoring engine."""
    return [{"question": key, **item} for key, item in plan.items()]


def question(page: Page, key: str) -> Locator:
    return page.locator(f'section.question[id="q-{key}"]')


def settle(page: Page) -> None:
    """Wait until no htmx request is in flight (htmx marks the requesting form with .htmx-request)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def _posted(key: str, field: str, value: str) -> Callable[[Request], bool]:
    def matches(request: Request) -> bool:
        if request.method != "POST" or not request.url.endswith(f"/answers/{key}/"):
            return False
        return parse_qs(request.post_data or "").get(field) == [value]

    return matches


def _type_evidence(page: Page, section: Locator, name: str, value: Any) -> None:
    field = section.locator(f'[name="evidence.{name}"]')
    if field.evaluate("el => el.tagName") == "SELECT":
        field.select_option("yes" if value else "no")
    else:
        field.click()
        field.press_sequentially(str(value))
        field.press("Tab")  # the change event saves it
    settle(page)


def answer(page: Page, spec: Question, item: Mapping[str, Any]) -> None:
    """Answer one question of the open wizard step through its form, waiting for every save."""
    section = question(page, spec.key)
    for name, value in item.get("evidence", {}).items():
        _type_evidence(page, section, name, value)
    if spec.kind == "single_choice":
        if spec.key in BY_SUGGESTION:
            section.locator(f'button[data-use-suggestion="{item["choice"]}"]').click()
        else:
            section.locator(f'input[name=choice][value="{item["choice"]}"]').check()
    elif spec.kind == "multiple_choice":
        choices = item["choices"]
        exclusive = [option.key for option in spec.options if option.exclusive]
        if not choices:
            target = f'input[name=choices][value="{exclusive[0]}"]' if exclusive else "input[name=none_of_these]"
            section.locator(target).check()
        for key in choices:
            section.locator(f'input[name=choices][value="{key}"]').check()
            settle(page)
    elif spec.kind == "scenario":
        section.locator(f'input[name=level][value="{item["level"]}"]').check()
    else:
        raise NotImplementedError(f"{spec.kind} questions are not answered by these tests")
    settle(page)
    if "comment" in item:
        section.locator("details.comment summary").click()
        # The comment saves itself 800 ms after the last key, without leaving the field.
        with page.expect_request_finished(_posted(spec.key, "comment", item["comment"])):
            section.locator("textarea[name=comment]").press_sequentially(item["comment"])
        settle(page)
    expect(section.locator(".answer-status .saved")).to_be_visible()


def expect_answer_shown(page: Page, spec: Question, item: Mapping[str, Any]) -> None:
    """The question's form shows the saved answer: ticks, typed figures, the comment, a saved state."""
    section = question(page, spec.key)
    if spec.kind == "single_choice":
        for option in spec.options:
            radio = section.locator(f'input[name=choice][value="{option.key}"]')
            expect(radio).to_be_checked(checked=option.key == item["choice"])
    elif spec.kind == "multiple_choice":
        for option in spec.options:
            box = section.locator(f'input[name=choices][value="{option.key}"]')
            expect(box).to_be_checked(checked=option.key in item["choices"])
    elif spec.kind == "scenario":
        for level in range(5):
            radio = section.locator(f'input[name=level][value="{level}"]')
            expect(radio).to_be_checked(checked=level == item["level"])
    for name, value in item.get("evidence", {}).items():
        expect(section.locator(f'[name="evidence.{name}"]')).to_have_value(str(value))
    comment = section.locator("textarea[name=comment]")
    expect(comment).to_have_value(item.get("comment", ""))
    if "comment" in item:
        expect(section.locator("details.comment")).to_have_attribute("open", "")
    expect(section.locator(".answer-status .saved")).to_be_visible()
    expect(section.locator(".answer-status .unsaved")).to_have_count(0)
