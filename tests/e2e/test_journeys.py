"""The platform's journeys in a real browser: sign in, accept an invitation, change a role.

Every page a journey visits is checked with axe-core.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from whatworks.core.models import Message
from whatworks.organisations.models import Membership, Role

from .browser import assert_accessible, assert_no_console_errors, assert_no_horizontal_scroll


def sign_in(page: Any, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_it_signs_in_after_a_mistake(page: Any, base_url: str, world: Any) -> None:
    page.goto(base_url + "/sign-in/")
    assert_accessible(page)
    sign_in(page, base_url, world["officer"].email, "wrong password")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address")
    expect(page).to_have_title("Error: Sign in – What Works")
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=world["officer"].full_name)).to_be_visible()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_it_invites_someone_who_then_joins(
    page: Any, page_factory: Any, base_url: str, world: Any
) -> None:
    sign_in(page, base_url, world["admin"].email)
    page.goto(base_url + "/your-organisation/")
    assert_accessible(page)
    page.get_by_role("link", name="Invite someone").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send invitation").click()  # empty: errors first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email address").fill("ria.newcomer@example.org")
    page.get_by_label("Analyst").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent")
    assert_accessible(page)

    link = Message.objects.get(template="invitation").personalisation["link"]
    path = "/" + link.split("/", 3)[3]
    invitee = page_factory(width=320, height=640)  # a phone, signed out
    invitee.goto(base_url + path)
    assert_accessible(invitee)
    assert_no_horizontal_scroll(invitee, 320)
    invitee.get_by_label("Full name").fill("Ria Newcomer")
    invitee.get_by_label("Create a password").fill("a long unusual passphrase")
    invitee.get_by_role("button", name="Create account and join").click()
    expect(invitee.locator(".govuk-notification-banner")).to_contain_text("You have joined")
    assert_accessible(invitee)
    membership = Membership.objects.get(user__email="ria.newcomer@example.org")
    assert membership.role == Role.ANALYST and membership.organisation == world.org_a


def test_it_changes_a_role_with_the_keyboard(page: Any, base_url: str, world: Any) -> None:
    sign_in(page, base_url, world["admin"].email)
    page.goto(base_url + f"/organisations/{world.org_a.slug}/manage/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Change role for {world['officer'].full_name}").click()
    assert_accessible(page)
    page.get_by_label("Volunteer").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is now volunteer")
    assert_accessible(page)
    assert Membership.objects.get(user=world["officer"]).role == Role.VOLUNTEER


def test_it_lays_out_the_signed_in_pages_at_320px(
    page_factory: Any, base_url: str, world: Any
) -> None:
    phone = page_factory(width=320, height=640)
    sign_in(phone, base_url, world["admin"].email)
    for path in [
        f"/organisations/{world.org_a.slug}/manage/",
        "/organisations/",
        f"/organisations/{world.org_a.slug}/manage/audit/",
        "/search/?q=wealden",
        f"/people/{world['officer'].pk}/",
    ]:
        phone.goto(base_url + path)
        assert_no_horizontal_scroll(phone, 320)
        assert_accessible(phone)
