"""Third-party pages we serve must work under our Content-Security-Policy too."""

from typing import Any

from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .browser import assert_accessible, assert_no_console_errors


def test_it_renders_the_api_docs_under_the_csp(page: Any, base_url: str, db: Any) -> None:
    page.goto(base_url + "/api/docs")
    expect(page.get_by_text("/api/organisations").first).to_be_visible()
    assert_no_console_errors(page)
    # The description is current: it names what the API reads today.
    for words in ("register", "measures", "forum", "staff ideas"):
        expect(page.get_by_text(words, exact=False).first).to_be_visible()
    assert_accessible(page)
    # An operation opened shows its parameters, still without serious problems.
    page.get_by_text("/api/initiatives", exact=True).first.click()
    assert_accessible(page)


def test_it_lets_staff_use_the_admin(page: Any, base_url: str, world: Any) -> None:
    page.goto(base_url + "/admin/")
    page.get_by_label("Email").fill(world["staff"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Organisations", exact=True).first.click()
    expect(page.get_by_text(world.org_a.name)).to_be_visible()
    assert_no_console_errors(page)
