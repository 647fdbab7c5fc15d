"""The power page for counts with exposure (rates) and time to an event.

The sentences are built by ``power.answer`` on ``stats.mde_two_rates`` and
``stats.mde_time_to_event`` (tested against published numbers in
``tests/stats/test_stats_power_rates_survival.py``); here: the wording, the directions, the
cluster design effect, the several-arm Bonferroni step, and the page itself.
"""

from __future__ import annotations

import math

import pytest

from tests.trials.test_app_fixtures import initiative_for, trial_for
from whatworks import stats
from whatworks.stats import StatsRefusal
from whatworks.trials import power

DAYS_GOAL = {
    "metric_name": "Days until the tenant gets in touch",
    "unit": "days",
    "direction": "lower",
    "baseline_value": 46,
    "target_value": 30,
    "success_threshold": 35,
}
ARREARS_GOAL = {
    "metric_name": "Missed rent payments a month, per 100 tenants",
    "unit": "missed payments per 100 tenants a month",
    "direction": "lower",
    "baseline_value": 50,
    "target_value": 40,
    "success_threshold": 45,
}


@pytest.fixture
def survival_trial(world):
    initiative = initiative_for(world, **DAYS_GOAL)
    return trial_for(world, initiative, outcome_kind="time_to_event", outcome_phrase="made contact")


@pytest.fixture
def rate_trial(world):
    initiative = initiative_for(world, **ARREARS_GOAL)
    return trial_for(
        world,
        initiative,
        outcome_kind="rate",
        outcome_phrase="missed payments",
        measure_unit="missed payments a month",
    )


# --- Time to event -------------------------------------------------------------------------


def test_time_to_event_sentence(survival_trial):
    # 600 tenants, 70% expected to make contact: 420 events; Schoenfeld at 80% power gives
    # log HR = (1.96 + 0.8416) / sqrt(420 / 4) = 0.2734, HR = 1.31 (the event sooner).
    answer = power.answer(survival_trial, n_total=600, power=0.8, event_share=0.7)
    assert answer.sentence == (
        "With 600 tenants in 2 arms (about 300 an arm), about 420 of whom you expect to have "
        "made contact, you can detect a hazard ratio of 1.31 or more (the event sooner than in "
        "the control arm), 8 times in 10."
    )
    hr = stats.mde_time_to_event(0.7, 600, direction="higher").hazard_ratio
    assert answer.mde == pytest.approx(hr)
    assert 1 / hr == pytest.approx(0.7608, abs=1e-4)  # the same trial detects 0.76 the other way
    assert answer.mde_goal_units is None
    assert "No payback check" in answer.payback_note and not answer.payback_warning


def test_time_to_event_when_later_is_better(world):
    initiative = initiative_for(world, **{**DAYS_GOAL, "direction": "higher"})
    trial = trial_for(world, initiative, outcome_kind="time_to_event", outcome_phrase="left")
    answer = power.answer(trial, n_total=600, power=0.8, event_share=0.7)
    assert "a hazard ratio of 0.76 or less (the event later than in the control arm)" in (
        answer.sentence
    )


def test_time_to_event_hoped_for_hazard_ratio(survival_trial):
    # Schoenfeld: HR 0.75 needs 379.35 events; with 70% having the event, 541.9 tenants -> 542.
    answer = power.answer(survival_trial, n_total=600, power=0.8, event_share=0.7, expected=0.75)
    expected_power = stats.power_time_to_event(0.75, 0.7, n_total=600).power
    assert answer.power_at_expected == pytest.approx(expected_power)
    assert f"A hazard ratio of 0.75 would be detected {expected_power:.0%} of the time." in (
        answer.details
    )
    assert answer.needed_sentence == (
        "To detect the hoped-for change 8 times in 10 you would need about 542 tenants in all."
    )


def test_time_to_event_cluster_design_effect(world):
    initiative = initiative_for(world, **DAYS_GOAL)
    trial = trial_for(
        world,
        initiative,
        outcome_kind="time_to_event",
        outcome_phrase="made contact",
        design="cluster",
        cluster_column="street",
        cluster_noun="streets",
    )
    answer = power.answer(trial, n_total=60, power=0.8, event_share=0.7, cluster_size=10, icc=0.05)
    # 600 tenants, design effect 1 + 9 * 0.05 = 1.45: as precise as 600 / 1.45 = 413.8.
    hr = stats.mde_time_to_event(0.7, 600 / 1.45, direction="higher").hazard_ratio
    assert answer.mde == pytest.approx(hr)
    assert answer.sentence == (
        "With 60 streets in 2 arms (about 30 an arm) and an ICC of 0.05, with about 420 tenants "
        f"expected to have made contact, you can detect a hazard ratio of {hr:.2f} or more "
        "(the event sooner than in the control arm), 8 times in 10."
    )
    assert any("design effect of 1.45" in line for line in answer.details)


def test_time_to_event_refuses_without_the_share_with_the_event(survival_trial):
    for share in (None, 0, 1.5):
        with pytest.raises(StatsRefusal, match="share of units you expect"):
            power.answer(survival_trial, n_total=600, power=0.8, event_share=share)
    with pytest.raises(StatsRefusal, match="hazard ratio must be above zero"):
        power.answer(survival_trial, n_total=600, power=0.8, event_share=0.5, expected=1)


# --- Rates ---------------------------------------------------------------------------------


def test_rate_sentence(rate_trial):
    # 600 tenants followed 6 months at 0.5 missed payments a month: 1,800 tenant-months and
    # 900 expected missed payments an arm.
    answer = power.answer(rate_trial, n_total=600, power=0.8, rate_control=0.5, exposure=6)
    mde = stats.mde_two_rates(0.5, 1800, direction="lower")
    assert answer.sentence == (
        "With 600 tenants in 2 arms (about 300 an arm), you can detect a rate ratio of "
        f"{mde.rate_ratio:.2f} or lower (the rate going from 0.5 to "
        f"{mde.rate_treatment:.2f} missed payments a month), 8 times in 10."
    )
    # By hand: |log 0.872| / sqrt((1/0.5 + 1/0.436) / 1800) = 1.960 + 0.842 (80% power).
    assert f"{mde.rate_ratio:.2f}" == "0.87"
    assert answer.mde == pytest.approx(mde.absolute)
    assert any("About 900 events are expected in the control arm" in d for d in answer.details)
    # On the goal (baseline 50 per 100 tenants), the ratio is 50 * (1 - 0.91) = about 4.5.
    assert answer.mde_goal_units == pytest.approx(50 * (1 - mde.rate_ratio))


def test_rate_sentence_when_a_rise_is_better(world):
    initiative = initiative_for(world, **{**ARREARS_GOAL, "direction": "higher"})
    trial = trial_for(world, initiative, outcome_kind="rate", measure_unit="visits a year")
    answer = power.answer(trial, n_total=400, power=0.9, rate_control=2.0)
    mde = stats.mde_two_rates(2.0, 200, power=0.9, direction="higher")
    assert mde.rate_ratio > 1
    assert f"a rate ratio of {mde.rate_ratio:.2f} or higher (the rate going from 2 to " in (
        answer.sentence
    )
    assert answer.sentence.endswith("visits a year), 9 times in 10.")


def test_rate_hoped_for_change_and_units_needed(rate_trial):
    answer = power.answer(
        rate_trial, n_total=600, power=0.8, rate_control=0.5, exposure=6, expected=0.45
    )
    at = stats.power_two_rates(0.5, 0.45, exposure_per_arm=1800).power
    assert answer.power_at_expected == pytest.approx(at)
    needed = stats.power_two_rates(0.5, 0.45, power=0.8).exposure_per_arm / 6 * 2
    assert answer.needed_sentence == (
        "To detect the hoped-for change 8 times in 10 you would need about "
        f"{math.ceil(needed):,} tenants in all."
    )


def test_rate_cluster_and_several_arms(world):
    initiative = initiative_for(world, **ARREARS_GOAL)
    trial = trial_for(
        world,
        initiative,
        outcome_kind="rate",
        design="cluster",
        cluster_column="street",
        cluster_noun="streets",
        units_noun="households",
        arms=[("No offer", 1), ("Voucher", 1), ("Prize draw", 1), ("Thank-you", 1)],
    )
    answer = power.answer(
        trial, n_total=170, power=0.8, rate_control=0.5, exposure=6, cluster_size=10, icc=0.05
    )
    # 42.5 streets of 10 an arm, design effect 1.45, alpha 0.05 / 3 (Bonferroni, Holm's step 1).
    exposure = 425 / 1.45 * 6
    mde = stats.mde_two_rates(0.5, exposure, alpha=0.05 / 3, direction="lower")
    assert answer.mde == pytest.approx(mde.absolute)
    assert answer.sentence.startswith(
        "With 170 streets in 4 arms (about 42 an arm) and an ICC of 0.05, you can detect a rate "
        f"ratio of {mde.rate_ratio:.2f} or lower"
    )
    assert any("design effect of 1.45" in line for line in answer.details)
    assert any("shared across 3 comparisons" in line for line in answer.details)


def test_rate_payback_warning_uses_the_goal_baseline(world):
    from whatworks.initiatives import services as register

    initiative = initiative_for(world, **ARREARS_GOAL)
    for kind, timing, amount in (("cost", "upfront", "10000"), ("saving", "recurring", "100000")):
        register.ledger_line_add(
            initiative=initiative,
            actor=world["officer"],
            kind=kind,
            timing=timing,
            basis="estimated",
            description=kind,
            amount=amount,
            **({"beneficiary": "council"} if kind == "saving" else {}),
        )
    trial = trial_for(world, initiative, outcome_kind="rate")
    # Target 50 -> 40, costs a tenth of savings: a change of 1 pays back; 600 tenants over
    # one month (150 expected events an arm) detect only a ratio of about 0.70, i.e. 15.
    answer = power.answer(trial, n_total=600, power=0.8, rate_control=0.5)
    assert "larger than the change needed to pay back the costs (about 1 " in (
        answer.payback_warning
    )


def test_rate_refuses_without_a_control_rate_or_exposure(rate_trial):
    with pytest.raises(StatsRefusal, match="rate of events in the control arm"):
        power.answer(rate_trial, n_total=600, power=0.8)
    with pytest.raises(StatsRefusal, match="exposure of one unit"):
        power.answer(rate_trial, n_total=600, power=0.8, rate_control=0.5, exposure=0)
    with pytest.raises(StatsRefusal, match="hoped-for rate"):
        power.answer(rate_trial, n_total=600, power=0.8, rate_control=0.5, expected=0.5)
    # Two expected events an arm: no fall in the rate can be seen 8 times in 10.
    with pytest.raises(StatsRefusal, match="too few events"):
        power.answer(rate_trial, n_total=40, power=0.8, rate_control=0.1)


# --- The page ------------------------------------------------------------------------------


def test_the_page_no_longer_says_not_available(world, client_for, rate_trial, survival_trial):
    for trial, method in ((rate_trial, "rate ratio"), (survival_trial, "Schoenfeld")):
        body = client_for(world["analyst"]).get(f"/trials/{trial.pk}/power/").content.decode()
        assert "not in the statistics library yet" not in body
        assert method in body
        assert "Work it out" in body  # the form is shown, not a refusal


def test_the_page_answers_for_rates(world, client_for, rate_trial):
    body = (
        client_for(world["outsider"])
        .get(
            f"/trials/{rate_trial.pk}/power/",
            {"n_total": "600", "rate_control": "0.5", "exposure": "6", "power": "80"},
        )
        .content.decode()
    )
    assert "you can detect a rate ratio of 0.87 or lower" in body


def test_the_page_answers_for_time_to_event(world, client_for, survival_trial):
    body = (
        client_for(world["outsider"])
        .get(
            f"/trials/{survival_trial.pk}/power/",
            {"n_total": "600", "event_share": "70", "power": "80"},
        )
        .content.decode()
    )
    assert "about 420 of whom you expect to have made contact" in body
    assert "you can detect a hazard ratio of 1.31 or more" in body
