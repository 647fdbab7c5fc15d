"""The pages issue 12 changed, in a real browser at a phone's and a desktop's width: an
organisation admin's audit log (references, no residents' names), a resident erased, a
pseudonymous record's answered question seen by an anonymous visitor, and a staff ideas
campaign after it closed. Each is checked with axe-core and for sideways scrolling; with
SHOTS_DIR set, each is also saved as a screenshot there."""

from __future__ import annotations

import uuid
from typing import Any

import pyotp
from django.utils import timezone
from playwright.sync_api import expect

from tests.checkins.conftest import confirm_device, make_resident, make_round, make_scheme
from tests.forum.helpers import failed_initiative
from tests.ideas.support import campaign_for, idea_by
from whatworks.checkins import services as checkins
from whatworks.checkins.models import Resident
from whatworks.forum import services as forum
from whatworks.ideas import services as ideas
from whatworks.initiatives.models import Initiative, owner_label

from .browser import assert_accessible, check_at_widths
from .test_journeys import sign_in


def _coordinator(world: Any, base_url: str) -> Any:
    """Signs a page in as the coordinator, second factor included, once: later pages get
    the same session (a code, once accepted, cannot be used again)."""
    device = confirm_device(world["officer"])
    cookies: list[Any] = []

    def sign(page: Any) -> None:
        if cookies:
            page.context.add_cookies(cookies)
            return
        sign_in(page, base_url, world["officer"].email)
        page.goto(base_url + "/checkins/two-factor/verify/")
        page.get_by_label("Enter the code from your authenticator app").fill(
            pyotp.TOTP(device.secret).now()
        )
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Welfare check-ins")).to_be_visible()
        cookies.extend(page.context.cookies())

    return sign


def test_the_changed_pages_at_phone_and_desktop_width(
    page_factory: Any, base_url: str, world: Any
) -> None:
    # Call & Check: a concern at a visit, closed with a note, then the person erased.
    scheme = make_scheme(world)
    round_ = make_round(scheme, world["frontline"])
    hilda = make_resident(round_, "Hilda", "Xavier")
    checkins.visit_record(
        round_=round_,
        worker=world["frontline"],
        client_uuid=uuid.uuid4(),
        resident_id=hilda.pk,
        visited_on=timezone.localdate(),
        outcome="concern",
        note="Fell last night, bruised hip",
    )
    escalation = hilda.escalations.get()
    checkins.escalation_close(escalation=escalation, actor=world["officer"], note="GP called")

    # 1. The organisation admin's audit log: what happened, by reference only.
    admin = world["admin"]
    for page in check_at_widths(
        page_factory,
        base_url,
        f"/organisations/{world.org_a.slug}/manage/audit/",
        "audit-log",
        lambda p: sign_in(p, base_url, admin.email),
    ):
        expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
        body = page.content()
        assert f"task {escalation.pk} (resident {hilda.pk})" in body
        assert "Hilda" not in body and "bruised" not in body and "GP called" not in body

    # 2. The resident erased, through the page.
    sign = _coordinator(world, base_url)
    erase = page_factory(width=1280, height=900)
    sign(erase)
    erase.goto(f"{base_url}/checkins/residents/{hilda.pk}/erase/")
    assert_accessible(erase)
    erase.get_by_label("The person asked for their record to be erased").check()
    erase.get_by_role("button", name="Erase the record").click()
    expect(erase.locator(".govuk-notification-banner")).to_contain_text("The record is erased")
    assert Resident.objects.get(pk=hilda.pk).status == "erased"
    for page in check_at_widths(
        page_factory, base_url, f"/checkins/escalations/{escalation.pk}/", "resident-erased", sign
    ):
        body = page.content()
        assert "Erased record" in body
        assert "Hilda" not in body and "bruised" not in body and "GP called" not in body

    # 3. A pseudonymous record's question, answered by its owner, seen by anyone.
    record = failed_initiative(world)
    Initiative.objects.filter(pk=record.pk).update(pseudonymous=True)
    record.refresh_from_db()
    goal = record.goals.get()
    thread = forum.question_ask(
        initiative=record,
        author=world["outsider"],
        anchor=f"goal-{goal.pk}-baseline",
        title="How was the baseline measured?",
        body="Was it one month or a yearly average?",
    )
    forum.post_add(thread=thread, author=world["officer"], body="A yearly average, from 2016.")
    for page in check_at_widths(
        page_factory, base_url, thread.get_absolute_url(), "pseudonymous-answer"
    ):
        body = page.content()
        assert owner_label(record, None) in body
        assert "Wealden" not in body and "Officer of A" not in body

    # 4. A staff ideas campaign after it closed: nobody can be linked to an idea any more.
    campaign = campaign_for(world, title="Bins big idea day")
    idea_by(world, "frontline", campaign, anonymous=True, title="Photograph blocked bins")
    ideas.campaign_advance(campaign=campaign, actor=world["officer"])  # to the review
    for page in check_at_widths(
        page_factory,
        base_url,
        campaign.get_absolute_url(),
        "ideas-closed",
        lambda p: sign_in(p, base_url, world["frontline"].email),
    ):
        expect(page.get_by_text("Taking part has closed.")).to_be_visible()
        assert "Your ideas" not in page.content()
