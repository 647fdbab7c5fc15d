"""Finding the evidence in a real browser: the header's search finds Call & Check by a word
it does not contain ("lonely"), Wealden's organisation page lists its records, a signed-in
officer's home shows a result due and a question waiting, and a champion is contacted.
Every page visited passes axe and reflows at 320 px."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from tests.initiatives.factories import GoalFactory, InitiativeFactory
from whatworks.core.models import Message
from whatworks.forum import services as forum
from whatworks.forum.models import Champion
from whatworks.initiatives.models import ServiceArea, Status
from whatworks.organisations.models import Organisation

from .browser import assert_accessible, assert_no_horizontal_scroll
from .test_journeys import sign_in

CALL_AND_CHECK = "Call & Check: postal workers check on older people on their rounds"
SHOTS = os.environ.get("E2E_SHOTS_DIR", "")  # set it to keep screenshots at 390 and 1280 px


def check(page: Any, name: str) -> None:
    """axe on the page as it is, then reflow at 320 px (and screenshots when asked)."""
    assert_accessible(page)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_horizontal_scroll(page, 320)
    if SHOTS:
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SHOTS}/{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_it_finds_the_evidence_and_reaches_people(
    page_factory: Any, base_url: str, world: Any
) -> None:
    today = timezone.localdate()
    jersey = Organisation.objects.create(name="Jersey Post", slug="jersey-post", kind="business")
    InitiativeFactory(
        organisation=jersey,
        title=CALL_AND_CHECK,
        summary="Postal workers visit older and vulnerable people on their rounds.",
        problem="An ageing population at risk of isolation.",
        service_area=ServiceArea.ADULT_CARE,
    )
    letters = InitiativeFactory(
        organisation=world.org_a,
        title="Arrears letters in plain English",
        status=Status.EVALUATING,
        created_by=world["officer"],
    )
    GoalFactory(initiative=letters, metric_name="Days to contact", judge_by=today - timedelta(7))
    forum.question_ask(
        initiative=letters,
        author=world["outsider"],
        anchor="summary",
        title="Which wording did you send?",
        body="We would like to try it.",
    )
    champion = world["outsider"]  # Lambeth's champion
    Champion.objects.create(organisation=world.org_b, user=champion, service_areas=["housing"])

    page = page_factory(width=1280, height=900)
    page.goto(base_url + "/")
    page.get_by_role("searchbox", name="Search records").fill("lonely")
    page.get_by_role("button", name="Search", exact=True).first.click()
    expect(page.get_by_role("link", name=CALL_AND_CHECK)).to_be_visible()
    expect(page.get_by_role("heading", name="Records")).to_be_visible()
    check(page, "search")

    page.goto(base_url + "/organisations/wealden/")
    expect(page.get_by_role("heading", name="Records in the register")).to_be_visible()
    expect(page.get_by_role("link", name="Arrears letters in plain English")).to_be_visible()
    check(page, "organisation")
    page.get_by_role("link", name="Find and filter Wealden District Council’s records").click()
    expect(page.get_by_text("Organisation: Wealden District Council")).to_be_visible()
    check(page, "register-filtered")

    sign_in(page, base_url, world["officer"].email)
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    due_heading = page.get_by_role("heading", name="Results and follow-ups due")
    due = page.locator("section", has=due_heading)
    expect(due.get_by_role("link", name="Arrears letters in plain English")).to_be_visible()
    waiting = page.locator(
        "section", has=page.get_by_role("heading", name="Questions waiting for your answer")
    )
    expect(waiting.get_by_role("link", name="Which wording did you send?")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications")).to_be_visible()
    # Every section of the service on one row at 1280 px; the account links apart from them.
    tops = page.evaluate(
        "[...document.querySelectorAll('.govuk-service-navigation__item')]"
        ".map(li => li.getBoundingClientRect().top)"
    )
    assert len(tops) == 7 and len(set(tops)) == 1, tops
    account = page.get_by_role("navigation", name="Your account")
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    check(page, "home")

    page.goto(base_url + "/organisations/lambeth/")
    page.get_by_role("link", name=f"Contact {champion.full_name}").click()
    expect(page.get_by_role("heading", name=f"Contact {champion.full_name}")).to_be_visible()
    page.get_by_role("button", name="Send message").click()  # empty: says what to enter
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your message")
    check(page, "contact-error")
    page.get_by_label("Your message").fill("Could you share your befriending script?")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your message has been sent")
    check(page, "contact-sent")
    email = Message.objects.get(template="contact_message")
    assert email.recipient == champion.email
    assert email.personalisation["organisation"] == world.org_a.name
