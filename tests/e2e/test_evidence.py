"""In a browser (issue 17): a Call & Check initiative takes its baseline from the scheme's own
figures, the pilot runs, the judge-by date passes, the nightly job computes a before-and-after
draft, and the owner confirms it with a note and publishes it with its honest label.
Every page is checked with axe-core, and the new pages reflow at 320 px."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from whatworks.checkins import outcomes
from whatworks.checkins import services as checkins
from whatworks.initiatives import services as register
from whatworks.initiatives.models import Goal, Initiative, Status
from whatworks.measures.services import observation_record
from whatworks.trials import evidence

from .browser import assert_accessible, assert_no_console_errors, assert_no_horizontal_scroll
from .test_journeys import sign_in

START = date(2025, 1, 1)
SHOTS = Path("/work/notes/shots/i17a")


def _months(first: date, count: int) -> list[date]:
    return [
        date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


def _shots(page_factory: Any, url: str, name: str, email: str, base_url: str) -> None:
    """Screenshots at 390 and 1280 px, and the reflow check at 320 px."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 390, 1280):
        narrow = page_factory(width=width, height=900)
        sign_in(narrow, base_url, email)
        narrow.goto(url)
        if width == 320:
            assert_no_horizontal_scroll(narrow)
        else:
            narrow.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def test_a_call_and_check_result_is_computed_confirmed_and_published(
    page: Any, page_factory: Any, base_url: str, world: Any
) -> None:
    officer = world["officer"]
    initiative = register.initiative_create(
        organisation=world.org_a,
        actor=officer,
        title="Call & Check on the Crowborough rounds",
        summary="Postal workers check on older people on their rounds",
        service_area="adult_care",
        visibility="public",
        planned_start=START,
        actual_start=START,
        status=Status.PLANNED,
    )
    scheme = checkins.scheme_create(
        organisation=world.org_a,
        name="Call and Check Wealden",
        actor=officer,
        initiative=initiative,
    )
    # The scheme's figures: emergency admissions imported from the NHS partner, two years
    # before the start at about 20 a month.
    admissions = outcomes.scheme_metrics(scheme)["emergency admissions"]
    rng = random.Random(17)
    for month in _months(date(2023, 1, 1), 24):
        observation_record(metric=admissions, period_start=month, value=20 + rng.gauss(0, 0.4))

    sign_in(page, base_url, officer.email)
    page.goto(f"{base_url}{initiative.get_absolute_url()}")
    page.get_by_role("link", name="Add a goal").click()
    assert_accessible(page)
    page.get_by_label("Shared metric (optional)").select_option(label=str(admissions))
    page.get_by_label("What will you measure?").fill("Emergency admissions")
    page.get_by_label("Unit").fill("admissions")
    page.get_by_label("Lower is better").check()
    page.get_by_label("The mean of the last periods before the start").check()
    page.get_by_label("Number of periods for the baseline").fill("12")
    page.get_by_label("Target value").fill("15")
    page.get_by_label("Success criterion").fill("18")
    judge_by = page.get_by_role("group", name="Judge by")
    judge_by.get_by_label("Day").fill("1")
    judge_by.get_by_label("Month").fill("1")
    judge_by.get_by_label("Year").fill("2026")
    page.get_by_label("Before and after the start (interrupted time series)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The goal is saved")
    goals = page.locator("#goals + .govuk-summary-card")
    expect(goals).to_contain_text("January 2024 to December 2024 (12 periods)")
    expect(goals).to_contain_text("Mean of the last 12 periods")
    assert_accessible(page)

    # The pilot starts (the goal and its baseline lock), runs a year with admissions down by
    # about 5 a month, and the judge-by date passes: the nightly job computes the draft.
    initiative = register.initiative_change_status(
        initiative=initiative, to_status=Status.STARTED, actor=officer
    )
    for month in _months(START, 12):
        observation_record(metric=admissions, period_start=month, value=15 + rng.gauss(0, 0.4))
    assert evidence.compute_due_results() == 1
    goal = Goal.objects.get(initiative=initiative)
    assert goal.locked_at is not None

    page.goto(f"{base_url}{initiative.get_absolute_url()}")
    expect(page.get_by_text("A computed result awaits confirmation")).to_be_visible()
    page.get_by_role("link", name="Check and confirm the computed result").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm the computed result")
    expect(page.locator("main")).to_contain_text("Met its goal")
    expect(page.locator("main")).to_contain_text("Before and after, no comparison group")
    assert_accessible(page)
    confirm_url = page.url
    _shots(page_factory, confirm_url, "confirm", officer.email, base_url)

    page.get_by_role("button", name="Confirm the result").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a note explaining the result"
    )
    assert_accessible(page)
    page.get_by_label("Your note on the result").fill(
        "Two GP practices joined the scheme in March; the fall began before then."
    )
    page.get_by_role("button", name="Confirm the result").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Verdict: met its goal")
    result = page.locator(".app-result--primary")
    expect(result).to_contain_text("Owner’s note: Two GP practices joined the scheme")
    expect(result).to_contain_text("Before and after, no comparison group (evidence level 2 of 5)")
    expect(result).to_contain_text("cannot show that the initiative caused the change")
    expect(result).to_contain_text("Computed from the metric’s figures")
    assert Initiative.objects.get(pk=initiative.pk).status == Status.PUBLISHED
    assert_accessible(page)
    _shots(
        page_factory,
        f"{base_url}{initiative.get_absolute_url()}",
        "published",
        officer.email,
        base_url,
    )

    # The register's results-due page: the published pilot counts towards the rate.
    page.goto(f"{base_url}/initiatives/results-due/")
    expect(page.locator("main")).to_contain_text("Wealden District Council")
    expect(page.locator("main")).to_contain_text("1 of 1 (100.0%)")
    assert_accessible(page)
    assert_no_console_errors(page)
    _shots(page_factory, f"{base_url}/initiatives/results-due/", "due", officer.email, base_url)
