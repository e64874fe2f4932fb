"""Real headless Chromium (Playwright, sync API) against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    ViewportSize,
    sync_playwright,
)

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections are refused on locked-down machines.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
MOBILE: ViewportSize = {"width": 390, "height": 844}
PASSWORD = "pw-owner-1234"  # tests/conftest.py's owner
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip these tests on SQLite, before any fixture has written to the database (CI=true never uses SQLite)."""
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(
        reason="the browser tests need PostgreSQL (DATABASE_URL): a live server needs transactional tests, and "
        "on SQLite the immutability triggers stop the flush that ends each of them"
    )
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the session: fails under CI when it is missing, skips elsewhere."""
    if shutil.which(CHROMIUM) is None:
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


ContextFactory = Callable[..., BrowserContext]


def watch(page: Page, problems: list[str]) -> None:
    """Note JavaScript errors, server errors and Content-Security-Policy violations on `page` in `problems`."""
    page.on("pageerror", lambda error: problems.append(f"JavaScript error on {page.url}: {error}"))

    def on_response(response: Response) -> None:
        if response.status >= 500:
            problems.append(f"{response.status} from {response.request.method} {response.url}")

    # Chromium reports what the policy blocked (an inline script or handler, a style, a foreign file) as a
    # console error; the page may look fine while a button silently does nothing.
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP violation on {page.url}: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)


@pytest.fixture
def new_context(browser: Browser, live_server: Any) -> Iterator[ContextFactory]:
    """Fresh browser profiles (cookies, language) on the live server; every page in them is watched for
    JavaScript errors, server errors and Content-Security-Policy violations, which fail the test."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def make(*, locale: str = "zh-CN", viewport: ViewportSize | None = None) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport=viewport or DESKTOP, accept_downloads=True
        )
        context.set_default_timeout(10_000)
        context.on("page", lambda page: watch(page, problems))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_context: ContextFactory) -> Page:
    """A page in a fresh Chinese-language browser profile, 1280 px wide."""
    return new_context().new_page()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/screenshots/ with SAVE_SCREENSHOTS=1 (to commit), a temporary directory otherwise."""
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        folder = Path(settings.BASE_DIR) / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


Photographer = Callable[[Page, str], Path]


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Photographer:
    """Save a full-page PNG of the page as <name>.png."""

    def shoot(page: Page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        return path

    return shoot


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the log-in form, as a person would."""
    page.goto("/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
