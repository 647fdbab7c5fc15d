"""A trial in a real browser: design, power, units, allocation, plan, outcomes, verdict.

Every page the journey visits is checked with axe-core.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.trials.test_app_fixtures import initiative_for, outcomes_for, units_file
from whatworks.initiatives.models import GoalResult
from whatworks.trials.models import Trial

from .browser import assert_accessible, assert_no_console_errors
from .test_journeys import sign_in


def _file(page: Any, data: bytes, name: str) -> None:
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )


def _design(page: Any, base_url: str, initiative: Any, **choices: str) -> Trial:
    page.goto(f"{base_url}/initiatives/{initiative.pk}/trials/new/")
    assert_accessible(page)
    page.get_by_role("button", name="Save the design").click()  # empty: errors first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name of the trial").fill(choices["title"])
    page.get_by_label(choices["design"]).check()
    page.get_by_label("Proportion (yes or no for each unit)").check()
    page.get_by_label("Arms, one a line, the control arm first").fill(choices["arms"])
    if "cluster_column" in choices:
        page.get_by_label("Cluster column (cluster designs only)").fill(choices["cluster_column"])
        page.get_by_label("What a cluster is (plural)").fill("streets")
    page.get_by_label("What a unit is (plural)").fill(choices["units"])
    page.get_by_label("The outcome in words").fill("got in touch within 21 days")
    page.get_by_label("Primary outcome").fill("Contact within 21 days of the letter")
    page.get_by_label("Analysis date").fill("2017-03-31")
    if "judged_arm" in choices:
        page.get_by_label("Arm whose result decides the goal").fill(choices["judged_arm"])
    page.get_by_role("button", name="Save the design").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The trial is designed")
    assert_accessible(page)
    return Trial.objects.get(title=choices["title"])


def _run(
    page: Any, base_url: str, trial: Trial, units: bytes, power: dict[str, str], sentence: str
) -> None:
    page.get_by_role("link", name="Check what the trial can detect").click()
    assert_accessible(page)
    for label, value in power.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Work it out").click()
    expect(page.locator("#power-sentence")).to_contain_text(sentence)
    assert_accessible(page)

    page.goto(f"{base_url}/trials/{trial.pk}/")
    page.get_by_role("link", name="Upload the units and allocate them").click()
    assert_accessible(page)
    _file(page, b"unit_id,baseline\nA,1\nA,2\n", "bad.csv")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    _file(page, units, "units.csv")
    page.get_by_role("button", name="Check the file").click()
    assert_accessible(page)
    page.get_by_label("Seed (optional)").fill("2017")
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The units are allocated")
    expect(page.get_by_role("heading", name="Balance table")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to the trial").first.click()
    page.get_by_role("link", name="Lock the analysis plan").click()
    assert_accessible(page)
    page.get_by_role("button", name="Lock the analysis plan").click()
    page.get_by_role("link", name="Upload outcomes").click()
    assert_accessible(page)
    trial.refresh_from_db()
    _file(page, outcomes_for(trial, effect=0.3), "outcomes.csv")
    page.get_by_role("button", name="Check the file").click()
    assert_accessible(page)
    page.get_by_role("button", name="Import the outcomes").click()
    expect(page.locator("#headline")).to_be_visible()
    expect(page.locator("#verdict")).to_contain_text("The goal was met")
    assert_accessible(page)
    page.get_by_role("button", name="Record the verdict on the initiative").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is on the initiative")
    assert_accessible(page)
    assert GoalResult.objects.get(goal=trial.goal).verdict == "met"
    assert_no_console_errors(page)


def test_it_runs_a_two_arm_trial_to_a_verdict_on_the_initiative(
    page: Any, base_url: str, world: Any
) -> None:
    initiative = initiative_for(world)
    sign_in(page, base_url, world["analyst"].email)
    trial = _design(
        page,
        base_url,
        initiative,
        title="Letters trial",
        arms="Old letter\nNew letter",
        design="Randomised: individual units",
        units="tenants",
    )
    _run(
        page,
        base_url,
        trial,
        units_file(400),
        {"How many units in all?": "400", "Expected rate in the control arm (%)": "30"},
        "With 400 tenants in 2 arms (about 200 an arm), you can detect a change from 30% to",
    )


def test_it_runs_a_four_arm_cluster_trial_to_a_verdict(
    page: Any, base_url: str, world: Any
) -> None:
    initiative = initiative_for(world)
    sign_in(page, base_url, world["analyst"].email)
    trial = _design(
        page,
        base_url,
        initiative,
        title="Street champions",
        arms="No offer\nVoucher\nPrize draw\nThank-you letter",
        design="Randomised: clusters (for example streets)",
        cluster_column="street",
        units="households",
        judged_arm="Voucher",
    )
    _run(
        page,
        base_url,
        trial,
        units_file(1700, clusters=170),
        {
            "How many units in all?": "170",
            "Average units in a cluster": "10",
            "Intra-cluster correlation (ICC)": "0.05",
            "Expected rate in the control arm (%)": "30",
        },
        "With 170 streets in 4 arms (about 42 an arm) and an ICC of 0.05, you can detect a change "
        "from 30% to",
    )
