"""Public pages in a real browser: accessible, reflowing at 320px, keyboard-first."""

from __future__ import annotations

from typing import Any

import pytest

from .browser import assert_accessible, assert_no_console_errors, assert_no_horizontal_scroll

PUBLIC_PAGES = [
    "/",
    "/about/",
    "/about/data/",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
    "/contact/",
    "/feedback/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_has_no_serious_accessibility_problems(page: Any, base_url: str, path: str) -> None:
    response = page.goto(base_url + path)
    assert response.status == 200
    assert_accessible(page)
    # The stylesheet loaded (the page is styled) and GOV.UK Frontend started under our CSP.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        .lower()
        .startswith("arial")
    )
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert_no_console_errors(page)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_reflows_at_320px(page_factory: Any, base_url: str, path: str) -> None:
    phone = page_factory(width=320, height=640)
    phone.goto(base_url + path)
    assert_no_horizontal_scroll(phone, 320)
    # On a narrow screen the navigation collapses behind a working Menu button.
    menu = phone.get_by_role("button", name="Menu")
    assert menu.is_visible()
    assert not phone.get_by_role("link", name="Organisations").is_visible()
    menu.click()
    assert phone.get_by_role("link", name="Organisations").is_visible()
    assert_accessible(phone)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_focuses_the_skip_link_first(page: Any, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.className, document.activeElement.textContent.trim()]"
    )
    assert focused == ["govuk-skip-link", "Skip to main content"]
    assert page.locator(".govuk-skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_feedback_from_the_phase_banner_reaches_the_outbox(
    page_factory: Any, base_url: str, settings: Any
) -> None:
    from whatworks.core.models import Message

    settings.FEEDBACK_EMAIL = "team@council.example"
    page = page_factory(width=320, height=640)
    page.goto(base_url + "/about/")
    page.get_by_role("link", name="give your feedback").click()
    page.get_by_role("button", name="Send feedback").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter your feedback" in summary.inner_text()
    assert_accessible(page)
    assert_no_horizontal_scroll(page, 320)
    page.get_by_label("What would you like to tell us?").fill("The charts are hard to read.")
    page.get_by_role("button", name="Send feedback").click()
    assert "has been sent" in page.locator(".govuk-notification-banner").inner_text()
    message = Message.objects.get()
    assert message.recipient == "team@council.example"
    assert message.personalisation["page"] == "/about/"
    assert_accessible(page)
