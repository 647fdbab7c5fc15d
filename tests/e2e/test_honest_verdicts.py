"""In a browser: an amended criterion shown beside the frozen verdict, and a second trial's
result added without losing the first (ISSUE 11). Every page is checked with axe-core."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.trials.test_app_fixtures import allocated, initiative_for, outcomes_for, trial_for
from whatworks.initiatives.models import GoalResult
from whatworks.trials import services

from .browser import assert_accessible, assert_no_console_errors, assert_no_horizontal_scroll
from .test_journeys import sign_in


def _analysed(world: Any, initiative: Any, title: str, effect: float) -> Any:
    trial = allocated(world, trial_for(world, initiative, title=title), 200)
    services.trial_lock_plan(trial=trial, actor=world["analyst"])
    services.outcomes_import(
        trial=trial, actor=world["analyst"], raw=outcomes_for(trial, effect=effect)
    )
    trial.refresh_from_db()
    return trial


def test_an_amended_criterion_stands_beside_the_frozen_verdict_and_a_second_trial_joins(
    page: Any, page_factory: Any, base_url: str, world: Any
) -> None:
    initiative = initiative_for(world)
    first = _analysed(world, initiative, "First letters trial", 0.3)
    sign_in(page, base_url, world["analyst"].email)

    # Record the first trial's verdict from its results page.
    page.goto(f"{base_url}/trials/{first.pk}/results/")
    expect(page.locator("#verdict")).to_contain_text("The goal was met")
    assert_accessible(page)
    page.get_by_role("button", name="Record the verdict on the initiative").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is on the initiative")

    # Amend the criterion after the outcomes: a reason is required, and the change is post hoc.
    page.get_by_role("link", name="Amend Tenants who get in touch within 21 days").click()
    assert_accessible(page)
    expect(page.locator(".govuk-warning-text")).to_contain_text("this change is post hoc")
    page.get_by_label("Success criterion").fill("60")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the goal is changing")
    assert_accessible(page)
    page.get_by_label("Why is the goal changing?").fill("The board raised the bar")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("amended")

    # The initiative page: the frozen verdict, and the amended criterion read beside it.
    card = page.locator("#result-" + str(GoalResult.objects.get().pk))
    expect(card).to_contain_text("Met its goal")
    expect(card).to_contain_text("at least 40 %")
    expect(card.locator(".app-post-hoc")).to_contain_text("Post hoc")
    expect(card.locator(".app-post-hoc")).to_contain_text("at least 60 %")
    expect(card.locator(".app-post-hoc")).to_contain_text("does not replace it")
    expect(card).to_contain_text("What was observed")
    expect(page.locator("#goals")).to_be_visible()
    expect(page.get_by_text("Amended after the outcomes were seen")).to_be_visible()
    assert_accessible(page)

    # The trial's results page shows the recorded verdict and the post hoc reading.
    page.goto(f"{base_url}/trials/{first.pk}/results/")
    expect(page.locator("#recorded-verdict")).to_contain_text("met its goal")
    expect(page.locator("#post-hoc")).to_contain_text("against the amended criterion")
    assert_accessible(page)

    # A second trial on the same goal: its result joins the first, which stays primary.
    second = _analysed(world, initiative, "Second letters trial", 0.05)
    page.goto(f"{base_url}/trials/{second.pk}/results/")
    page.get_by_role("button", name="Record the verdict on the initiative").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is on the initiative")
    expect(page.get_by_role("heading", name="Results (2)")).to_be_visible()
    expect(page.locator(".app-result--primary")).to_contain_text("First letters trial")
    expect(page.locator(".app-result").nth(1)).to_contain_text("Second letters trial")
    assert_accessible(page)

    # Replacing the primary asks for a reason and a confirmation.
    page.get_by_role("link", name="Make this the primary result").click()
    assert_accessible(page)
    page.get_by_label("Why should this result be the primary one?").fill("Later and larger")
    page.get_by_role("button", name="Replace the primary result").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that this result")
    assert_accessible(page)
    page.get_by_label("I understand that this result replaces").check()
    page.get_by_role("button", name="Replace the primary result").click()
    expect(page.locator(".app-result--primary")).to_contain_text("Second letters trial")
    expect(page.locator(".app-result--primary")).to_contain_text("Later and larger")
    assert GoalResult.objects.count() == 2
    assert_accessible(page)
    assert_no_console_errors(page)

    phone = page_factory(width=320, height=640)
    sign_in(phone, base_url, world["analyst"].email)
    phone.goto(f"{base_url}/initiatives/{initiative.pk}/")
    assert_no_horizontal_scroll(phone)
