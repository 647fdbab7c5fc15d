"""Assertions for browser tests; see conftest.py for the fixtures and how to use them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDE_ELEMENTS = """(width) => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .filter(el => {  // inside a box that scrolls on its own, an element is not the culprit
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return false;
        }
        return true;
    })
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase()
        + (el.className ? '.' + String(el.className).trim().split(/ +/).join('.') : ''))"""


def assert_accessible(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Run axe-core on the page as it is now; fail listing violations of the given impacts."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (node_modules/axe-core/axe.min.js)")
    # add_script_tag inserts an inline <script>, which our Content-Security-Policy
    # rightly blocks; evaluate() goes through the DevTools protocol instead.
    violations = _axe_violations(page)
    bad = [v for v in violations if v.get("impact") in impacts]
    if bad:
        lines = [f"axe found {len(bad)} serious or critical problem(s) on {page.url}:"]
        for v in bad:
            targets = ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
            more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} -> {targets}{more}")
        pytest.fail("\n".join(lines))


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    # A click that follows a link returns once the navigation has started, not when the
    # next page has loaded: wait for it, and run again if a late navigation replaced the
    # document under axe (the first run then saw no page at all, not a clean one).
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                page.evaluate(AXE.read_text(encoding="utf-8"))
            return list(
                page.evaluate(
                    "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
                )
            )
        except PlaywrightError as error:
            navigated = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigated or attempt == 2:
                raise
    raise AssertionError("unreachable")


def assert_no_horizontal_scroll(page: Any, width: int = 320) -> None:
    """The page reflows at ``width`` CSS pixels: nothing sticks out sideways."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        # Name the first few elements that stick out, to say where to look.
        wide = page.evaluate(WIDE_ELEMENTS, width)
        pytest.fail(
            f"{page.url} scrolls sideways at {width}px "
            f"(scrollWidth {scroll_width}); too wide: {wide}"
        )


def assert_no_console_errors(page: Any) -> None:
    errors = getattr(page, "console_errors", [])
    assert not errors, "\n".join(errors)


WIDTHS = (390, 1280)


def check_at_widths(
    page_factory: Any, base_url: str, path: str, name: str, sign: Any = None
) -> list[Any]:
    """The page at each width: signed in by `sign(page)` if given, checked, saved."""
    pages = []
    for width in WIDTHS:
        page = page_factory(width=width, height=900)
        if sign is not None:
            sign(page)
        page.goto(base_url + path)
        assert_accessible(page)
        assert_no_horizontal_scroll(page, width)
        assert_no_console_errors(page)
        shots = os.environ.get("SHOTS_DIR")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
        pages.append(page)
    return pages
