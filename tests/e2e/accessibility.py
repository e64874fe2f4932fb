"""Accessibility checks read from Chromium's own accessibility tree (what a screen reader is given)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

# The roles Chromium gives <input>, <select> and <textarea>.
FORM_CONTROL_ROLES = frozenset(
    {"textbox", "searchbox", "spinbutton", "checkbox", "radio", "combobox", "listbox", "slider", "switch"}
)


def _describe(session: Any, node: dict[str, Any]) -> str:
    described = session.send("DOM.describeNode", {"backendNodeId": node["backendDOMNodeId"]})["node"]
    attributes = described.get("attributes", [])
    pairs = dict(zip(attributes[::2], attributes[1::2], strict=True))
    shown = " ".join(f'{k}="{pairs[k]}"' for k in ("id", "name", "type", "value") if k in pairs)
    return f"<{described['localName']} {shown}> ({node['role']['value']})"


def unnamed_controls(page: Page) -> tuple[int, list[str]]:
    """How many visible form controls the page has, and those without an accessible name.

    The name is the browser's own computation: a <label for>, a wrapping <label>, aria-label,
    aria-labelledby or title; controls hidden from everyone (display: none, closed <details>) are skipped.
    """
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
        controls = [
            node
            for node in nodes
            if not node.get("ignored") and node.get("role", {}).get("value") in FORM_CONTROL_ROLES
        ]
        unnamed = [_describe(session, node) for node in controls if not node.get("name", {}).get("value", "").strip()]
    finally:
        session.detach()
    return len(controls), unnamed


def assert_controls_named(page: Page, *, at_least: int = 1) -> None:
    """Every visible control of the page has an accessible name (and there are controls to check)."""
    count, unnamed = unnamed_controls(page)
    assert not unnamed, f"{page.url}: form controls without an accessible name: {unnamed}"
    assert count >= at_least, f"{page.url}: expected at least {at_least} form controls, found {count}"


def assert_no_horizontal_overflow(page: Page) -> None:
    """Nothing makes the page wider than the window (wide tables scroll inside their own box)."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: the page is {widths[0]} px wide in a {widths[1]} px window"
