"""The register's journey, as the issue defines "done": an officer registers a pilot with a
goal and baseline, starts it (the goal locks), records a result that misses the criterion
with a cause; an officer in another council finds it under "what didn't work", compares it
with two others and adopts it into their own council. Every page is checked with axe."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from whatworks.initiatives import services
from whatworks.initiatives.models import Initiative, Status

from .browser import assert_accessible
from .test_journeys import sign_in


def _published_peer_record(world: Any, title: str, value: float) -> Initiative:
    initiative = services.initiative_create(
        organisation=world.org_b,
        actor=world["outsider"],
        title=title,
        summary="Reminder letters",
        service_area="housing",
        visibility="peers",
        collaborations=["public"],
    )
    goal = services.goal_add(
        initiative=initiative,
        actor=world["outsider"],
        metric_name="Days to first contact",
        unit="days",
        direction="lower",
        baseline_value=40,
        baseline_period="2016",
        target_value=20,
        success_threshold=30,
    )
    for status in (Status.PLANNED, Status.STARTED):
        initiative = services.initiative_change_status(
            initiative=initiative, to_status=status, actor=world["outsider"]
        )
    services.result_record(goal=goal, actor=world["outsider"], value=value, design="before_after")
    return initiative


def test_it_takes_a_failed_pilot_from_one_council_to_another(
    page: Any, page_factory: Any, base_url: str, world: Any
) -> None:
    # Two records from Lambeth to compare against.
    _published_peer_record(world, "Text message reminders", 25)
    _published_peer_record(world, "Phone call reminders", 35)

    # An officer in Wealden registers a pilot...
    sign_in(page, base_url, world["officer"].email)
    page.goto(base_url + "/initiatives/new/")
    assert_accessible(page)
    page.get_by_label("Title").fill("Friendlier arrears letters")
    page.get_by_label("Summary").fill("Rewrote the rent arrears letters in plain English.")
    page.get_by_label("Service area").select_option("housing")
    page.get_by_label("With the public").check()
    page.get_by_label("Social").check()
    page.get_by_label("Shared with peers").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("registered")
    assert_accessible(page)

    # ...with a goal and its baseline...
    page.get_by_role("link", name="Add a goal").click()
    assert_accessible(page)
    page.get_by_label("What will you measure?").fill("Days to first contact")
    page.get_by_label("Unit").fill("days")
    page.get_by_label("Lower is better").check()
    page.get_by_label("Baseline value").fill("46")
    page.get_by_label("Baseline period").fill("2015 to 2016")
    page.get_by_label("Target value").fill("21")
    page.get_by_label("Success criterion").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Primary goal: Days to first contact")).to_be_visible()

    # ...starts it, which locks the goal...
    for status in ("Planned", "Started"):
        page.get_by_role("link", name="Change the status").click()
        assert_accessible(page)
        page.get_by_label(status, exact=True).check()
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("(locked")).to_be_visible()
    assert_accessible(page)

    # ...records a result that misses the criterion, and says why.
    page.get_by_role("link", name="Record result").click()
    assert_accessible(page)
    page.get_by_label("Result", exact=True).fill("38")
    page.get_by_label("Lower end of the 95% interval (optional)").fill("35")
    page.get_by_label("Upper end of the 95% interval (optional)").fill("41")
    page.get_by_label("Before and after, no comparison group").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Did not meet its goal").first).to_be_visible()
    page.get_by_role("link", name="Record why it didn't work").click()
    assert_accessible(page)
    page.get_by_label("Implementation failed").check()
    page.get_by_label("Lessons").fill("Half the letters went out late because of a print contract.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("print contract")).to_be_visible()
    assert_accessible(page)
    pilot = Initiative.objects.get(title="Friendlier arrears letters")
    assert pilot.goals.get().locked_at is not None

    # A peer in Lambeth finds it under "what didn't work"...
    peer = page_factory()
    sign_in(peer, base_url, world["outsider"].email)
    peer.goto(base_url + "/")
    peer.get_by_role("link", name="did not meet").click()
    assert_accessible(peer)
    expect(peer.get_by_role("link", name="Friendlier arrears letters")).to_be_visible()

    # ...compares it with two others...
    peer.goto(base_url + "/initiatives/?service_area=housing")
    for title in ("Friendlier arrears letters", "Text message reminders", "Phone call reminders"):
        peer.get_by_label(f"Add to comparison: {title}").check()
    peer.get_by_role("button", name="Compare selected").click()
    assert_accessible(peer)
    expect(peer.get_by_role("columnheader", name="Friendlier arrears letters")).to_be_visible()

    # ...and adopts it into their own council.
    peer.goto(base_url + pilot.get_absolute_url())
    peer.get_by_role("link", name="Try this in our council").click()
    assert_accessible(peer)
    peer.get_by_role("button", name="Add it to our register").click()
    expect(peer.locator(".govuk-notification-banner")).to_contain_text("Measure your own baseline")
    assert_accessible(peer)
    copy = Initiative.objects.get(replicated_from=pilot)
    assert copy.organisation == world.org_b and copy.status == Status.PLANNED
