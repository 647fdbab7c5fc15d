"""Power for rates (two Poisson rates) and time to event (Schoenfeld), against published numbers.

Rates: the PASS documentation's table for "Tests for the Ratio of Two Poisson Rates" as
reproduced in statsmodels' own test suite (``statsmodels/stats/tests/test_rates_poisson.py``,
``test_poisson_power_2ratio``), and a formula computed independently here.
Time to event: Schoenfeld (1983), and the worked example in gsDesign's vignette "Overview of
survival endpoint design" (``nEvents``).
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from scipy.stats import norm
from statsmodels.stats.rates import power_poisson_ratio_2indep

from whatworks import stats
from whatworks.stats import StatsRefusal

# --- Rates: published numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate_treatment", "n_per_arm", "published_power"),
    [(1.8, 29, 0.90056), (1.9, 39, 0.90649), (2.2, 115, 0.90014), (2.4, 404, 0.90064)],
)
def test_rates_match_the_pass_table_for_a_margin(rate_treatment, n_per_arm, published_power):
    # PASS "Tests for the Ratio of Two Poisson Rates", non-inferiority margin 1.2, control rate
    # 2.2, exposure 2.5 per person, one-sided alpha 0.025 (= our two-sided 0.05, one tail),
    # as printed in statsmodels' test_poisson_power_2ratio (matched there to 5e-5).
    result = stats.power_two_rates(
        2.2, rate_treatment, exposure_per_arm=n_per_arm * 2.5, alpha=0.05, null_ratio=1.2
    )
    assert result.power == pytest.approx(published_power, abs=5e-5)


def test_rates_agree_with_an_independent_wald_formula_and_statsmodels_two_sided() -> None:
    # Wald test on log(RR) with variance (1/r_c + 1/r_t) / T, written out here by hand.
    r_c, r_t, exposure = 0.5, 0.4, 900.0
    z = norm.isf(0.025)
    by_hand = norm.cdf(abs(math.log(r_t / r_c)) / math.sqrt((1 / r_c + 1 / r_t) / exposure) - z)
    ours = stats.power_two_rates(r_c, r_t, exposure_per_arm=exposure)
    assert ours.power == pytest.approx(by_hand, abs=1e-12)
    # statsmodels' two-sided power adds the far tail, which is negligible for a real effect.
    both_tails = power_poisson_ratio_2indep(
        r_t, r_c, exposure, value=1, alternative="two-sided", return_results=False
    )
    assert ours.power == pytest.approx(float(both_tails), abs=1e-6)
    assert ours.events_control == pytest.approx(450.0)
    assert ours.events_treatment == pytest.approx(360.0)
    assert ours.rate_ratio == pytest.approx(0.8)


def test_rates_exposure_from_power_round_trips() -> None:
    result = stats.power_two_rates(0.5, 0.4, power=0.8)
    # Closed form: (1.959964 + 0.841621)^2 (1/0.5 + 1/0.4) / log(0.8)^2 = 709.34 per arm.
    assert result.exposure_per_arm == pytest.approx(709.335, abs=1e-3)
    check = stats.power_two_rates(0.5, 0.4, exposure_per_arm=result.exposure_per_arm)
    assert check.power == pytest.approx(0.8, abs=1e-12)


def test_rates_power_rises_with_exposure() -> None:
    powers = [stats.power_two_rates(1.0, 1.3, exposure_per_arm=t).power for t in (10, 50, 100, 400)]
    assert powers == sorted(powers) and powers[0] < powers[-1]


def test_rates_are_symmetric_in_swapping_the_arms() -> None:
    # Var(log RR) is symmetric in the two rates and |log RR| flips sign only.
    one = stats.power_two_rates(0.5, 0.7, exposure_per_arm=300)
    other = stats.power_two_rates(0.7, 0.5, exposure_per_arm=300)
    assert one.power == pytest.approx(other.power, abs=1e-12)
    n_one = stats.power_two_rates(0.5, 0.7, power=0.9).exposure_per_arm
    n_other = stats.power_two_rates(0.7, 0.5, power=0.9).exposure_per_arm
    assert n_one == pytest.approx(n_other)


def test_rates_depend_only_on_expected_events() -> None:
    # Rates per month and exposure in months, or per year and in years: the same trial.
    per_month = stats.power_two_rates(0.1, 0.08, exposure_per_arm=6000)
    per_year = stats.power_two_rates(1.2, 0.96, exposure_per_arm=500)
    assert per_month.power == pytest.approx(per_year.power)


@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_mde_two_rates_round_trips(direction) -> None:
    mde = stats.mde_two_rates(0.5, 1000, power=0.8, direction=direction)
    assert (mde.rate_ratio > 1) == (direction == "higher")
    assert mde.absolute == pytest.approx(mde.rate_treatment - 0.5)
    check = stats.power_two_rates(0.5, mde.rate_treatment, exposure_per_arm=1000)
    assert check.power == pytest.approx(0.8, abs=1e-9)
    # It is the nearest such rate: a little closer to control has less power.
    closer = 0.5 + 0.99 * mde.absolute
    assert stats.power_two_rates(0.5, closer, exposure_per_arm=1000).power < 0.8


def test_mde_two_rates_shrinks_with_exposure() -> None:
    ratios = [stats.mde_two_rates(1.0, t, direction="lower").rate_ratio for t in (50, 200, 800)]
    assert ratios == sorted(ratios)


def test_mde_two_rates_refuses_when_no_fall_is_detectable() -> None:
    # About 1 expected event in the control arm: no fall in the rate can be seen 8 times in 10.
    with pytest.raises(StatsRefusal, match="too few events"):
        stats.mde_two_rates(0.01, 100, direction="lower")


# --- Time to event: published numbers ----------------------------------------------------


def test_schoenfeld_hr_075_needs_380_events() -> None:
    # Schoenfeld DA (1983), Biometrics 39:499-503, formula (1) with equal allocation:
    # d = (1.959964 + 0.841621)^2 / (0.25 * log(0.75)^2) = 7.848879 / 0.0206903 = 379.35,
    # the 380 events quoted for HR 0.75, two-sided alpha 0.05, power 80%.
    result = stats.power_time_to_event(0.75, 1.0, power=0.8)
    assert result.events == pytest.approx(379.35, abs=0.005)
    assert result.events_needed == 380
    assert result.n_total_needed == 380
    # With 60% of people expected to have the event: 379.35 / 0.6 = 632.25 -> 633 people.
    with_censoring = stats.power_time_to_event(0.75, 0.6, power=0.8)
    assert with_censoring.events_needed == 380
    assert with_censoring.n_total == pytest.approx(632.25, abs=0.01)
    assert with_censoring.n_total_needed == 633


def test_schoenfeld_matches_the_gsdesign_vignette() -> None:
    # gsDesign vignette "Overview of survival endpoint design" (Anderson): HR 0.7, one-sided
    # alpha 0.025 (our two-sided 0.05), beta 0.1, r = 1: (1 + r)^2 / r / log(hr)^2 *
    # (qnorm(.975) + qnorm(.9))^2 = 330.4, i.e. 331 events; and with n = 100 events,
    # pnorm(qnorm(.025) - sqrt(100) / 2 * log(.7)) = 0.4299 power.
    events = stats.power_time_to_event(0.7, 1.0, power=0.9)
    assert events.events == pytest.approx(330.38, abs=0.005)
    assert events.events_needed == 331
    power = stats.power_time_to_event(0.7, 1.0, n_total=100)
    assert power.power == pytest.approx(0.4299, abs=5e-5)


def test_schoenfeld_unequal_allocation() -> None:
    # 2:1 allocation: pi (1 - pi) = 2/9 instead of 1/4, so 9/8 as many events.
    equal = stats.power_time_to_event(0.75, 1.0, power=0.8).events
    two_to_one = stats.power_time_to_event(0.75, 1.0, power=0.8, allocation=2 / 3).events
    assert two_to_one == pytest.approx(equal * 9 / 8)
    # Symmetric: 2:1 for treatment is the same as 1:2.
    one_to_two = stats.power_time_to_event(0.75, 1.0, power=0.8, allocation=1 / 3).events
    assert one_to_two == pytest.approx(two_to_one)


def test_schoenfeld_round_trips_and_is_symmetric_in_the_hazard_ratio() -> None:
    needed = stats.power_time_to_event(0.8, 0.5, power=0.85)
    back = stats.power_time_to_event(0.8, 0.5, n_total=needed.n_total)
    assert back.power == pytest.approx(0.85, abs=1e-12)
    # Swapping the arms turns HR into 1 / HR: same power.
    swapped = stats.power_time_to_event(1 / 0.8, 0.5, n_total=needed.n_total)
    assert swapped.power == pytest.approx(back.power)


def test_schoenfeld_power_rises_with_people_and_with_events() -> None:
    by_n = [stats.power_time_to_event(0.8, 0.5, n_total=n).power for n in (100, 400, 1600)]
    assert by_n == sorted(by_n)
    by_share = [stats.power_time_to_event(0.8, p, n_total=600).power for p in (0.2, 0.5, 0.9)]
    assert by_share == sorted(by_share)


def test_mde_time_to_event_inverts_schoenfeld() -> None:
    # 600 people, 70% with the event (420 events), 80% power: HR 0.76 (or 1/0.76 = 1.31).
    lower = stats.mde_time_to_event(0.7, 600)
    assert lower.events == pytest.approx(420)
    assert round(lower.hazard_ratio, 2) == 0.76
    higher = stats.mde_time_to_event(0.7, 600, direction="higher")
    assert higher.hazard_ratio == pytest.approx(1 / lower.hazard_ratio)
    check = stats.power_time_to_event(lower.hazard_ratio, 0.7, n_total=600)
    assert check.power == pytest.approx(0.8, abs=1e-12)


def test_large_effect_reports_the_smallest_trial() -> None:
    result = stats.power_time_to_event(0.05, 1.0, power=0.5)
    assert result.n_total == 4.0
    assert result.power >= 0.5


# --- Refusals and results ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: stats.power_two_rates(0.5, 0.5, exposure_per_arm=100), "equal"),
        (lambda: stats.power_two_rates(0, 0.5, exposure_per_arm=100), "greater than zero"),
        (lambda: stats.power_two_rates(-1, 0.5, power=0.8), "greater than zero"),
        (lambda: stats.power_two_rates(0.5, 0.4), "exactly one"),
        (lambda: stats.power_two_rates(0.5, 0.4, exposure_per_arm=100, power=0.8), "exactly one"),
        (lambda: stats.power_two_rates(0.5, 0.4, exposure_per_arm=0), "greater than zero"),
        (lambda: stats.power_two_rates(0.5, 0.4, power=1.0), "between 0 and 1"),
        (lambda: stats.power_two_rates(0.5, float("nan"), power=0.8), "not a finite"),
        (lambda: stats.power_two_rates(0.5, 0.6, power=0.8, null_ratio=1.2), "margin"),
        (lambda: stats.mde_two_rates(0.5, 100, direction="up"), "direction"),
        (lambda: stats.power_time_to_event(1.0, 0.5, power=0.8), "hazard ratio of 1"),
        (lambda: stats.power_time_to_event(0, 0.5, power=0.8), "greater than zero"),
        (lambda: stats.power_time_to_event(0.8, 0.0, power=0.8), "at most 1"),
        (lambda: stats.power_time_to_event(0.8, 1.2, power=0.8), "at most 1"),
        (lambda: stats.power_time_to_event(0.8, 0.5, power=0.8, allocation=1.0), "between"),
        (lambda: stats.power_time_to_event(0.8, 0.5, n_total=3), "at least two"),
        (lambda: stats.power_time_to_event(0.8, 0.5), "exactly one"),
        (lambda: stats.power_time_to_event(0.999, 0.01, power=0.9), "ten million"),
        (lambda: stats.power_time_to_event(0.8, 0.5, power=0.8, alpha=0), "significance"),
        (lambda: stats.mde_time_to_event(0.5, 3), "at least two"),
        (lambda: stats.mde_time_to_event(0.5, 100, direction="down"), "direction"),
    ],
)
def test_degenerate_input_is_refused(call, match) -> None:
    with pytest.raises(StatsRefusal, match=match):
        call()


def test_new_results_are_frozen_and_exported() -> None:
    results = [
        stats.power_two_rates(0.5, 0.4, power=0.8),
        stats.mde_two_rates(0.5, 1000),
        stats.power_time_to_event(0.75, 0.5, power=0.8),
        stats.mde_time_to_event(0.5, 400),
    ]
    for result in results:
        assert dataclasses.is_dataclass(result)
        assert type(result).__name__ in stats.__all__
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, dataclasses.fields(result)[0].name, 0)
    for name in ("power_two_rates", "mde_two_rates", "power_time_to_event", "mde_time_to_event"):
        assert name in stats.__all__
        assert "Reference" in (getattr(stats, name).__doc__ or "")
