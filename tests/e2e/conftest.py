"""Browser tests: Playwright (Python, sync API) driving Debian's chromium against a live server.

How to write a journey::

    from playwright.sync_api import expect

    from .browser import assert_accessible, assert_no_horizontal_scroll

    def test_it_signs_in(page, base_url, alice):        # alice: a user your fixture creates
        page.goto(base_url + "/sign-in/")
        page.get_by_label("Email address").fill(alice.email)
        page.get_by_label("Password").fill("a long passphrase")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("link", name="Alice Ashby")).to_be_visible()
        assert_accessible(page)

Fixtures:

- ``base_url``: the live server's address (``http://localhost:PORT``). Asking for it also
  gives the test a transactional database that the server thread shares, so objects
  your fixtures create are visible to the browser. (Plain ``db`` would hide them
  inside a transaction the server cannot see.)
  Fixtures built on ``db`` (such as ``world`` in tests/conftest.py) turn transactional
  too when the test also asks for ``base_url``.
- ``page``: a fresh browser context and page per test (own cookies), 1024x768.
- ``page_factory(width=..., height=...)``: more pages, each in its own context: for
  two people at once, or a 320px-wide phone.
- ``browser``: the session's chromium; skipped with a reason when /usr/bin/chromium or
  the static build (``npm run build``) is missing.

Helpers (plain functions in ``tests/e2e/browser.py``; import them relatively):

- ``assert_accessible(page)``: runs axe-core and fails on "serious" or "critical" violations.
- ``assert_no_horizontal_scroll(page)``: for pages opened at 320px (WCAG 1.4.10 reflow).
- ``assert_no_console_errors(page)``: no JavaScript errors or CSP violations so far.

Every test in this folder is marked ``e2e`` (``pytest -m "not e2e"`` skips them).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses database
# work from a thread with a running loop unless told it is safe (it is: the loop
# only talks to the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
APP_CSS = ROOT / "whatworks" / "ui" / "static" / "build" / "app.css"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1024, "height": 768}
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# Hang guards, not speed checks: a page or an assertion may wait this long on a busy machine.
# Playwright's defaults (5 s for expect, 30 s for actions) fail a slow machine, not a slow page.
WAIT_MS = 60_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
        )
    if not APP_CSS.exists():
        pytest.skip("browser tests need the static build: run `npm ci && npm run build`")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright Python package")
    expect.set_options(timeout=WAIT_MS)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(live_server: Any, transactional_db: None) -> str:
    return str(live_server.url)


@pytest.fixture
def page_factory(browser: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def make(width: int = DESKTOP["width"], height: int = DESKTOP["height"]) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        new_page = context.new_page()
        errors: list[str] = []
        new_page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        new_page.on(
            "console",
            lambda msg: (
                errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
            ),
        )
        new_page.console_errors = errors  # read by assert_no_console_errors
        return new_page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_factory: Callable[..., Any]) -> Any:
    return page_factory()
