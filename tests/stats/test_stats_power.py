"""Power and sample size against R's stats::power.prop.test and stats::power.t.test."""

from __future__ import annotations

import pytest
from statsmodels.stats.power import TTestIndPower

from whatworks import stats


def test_r_power_prop_test_power_from_n() -> None:
    # R: power.prop.test(n = 50, p1 = .50, p2 = .75) -> power = 0.7401659
    result = stats.power_two_proportions(0.50, 0.75, n_per_arm=50)
    assert round(result.power, 7) == pytest.approx(0.7401659)
    assert result.n_per_arm == 50


def test_r_power_prop_test_n_from_power() -> None:
    # R: power.prop.test(p1 = .50, p2 = .75, power = .90) -> n = 76.7069 (the help page's
    # example comment prints it as 76.7).
    result = stats.power_two_proportions(0.50, 0.75, power=0.90)
    assert round(result.n_per_arm, 4) == pytest.approx(76.7069)
    assert result.power == pytest.approx(0.90, abs=1e-9)
    assert result.n_per_arm_needed == 77


def test_r_power_prop_test_is_symmetric_in_direction() -> None:
    up = stats.power_two_proportions(0.50, 0.75, n_per_arm=50)
    down = stats.power_two_proportions(0.75, 0.50, n_per_arm=50)
    assert up.power == pytest.approx(down.power)


def test_r_power_prop_test_p2_is_the_mde() -> None:
    # R: power.prop.test(n = 50, p1 = .5, power = .90) -> p2 = 0.8026
    result = stats.mde_two_proportions(0.5, 50, power=0.90)
    assert round(result.p_treatment, 4) == pytest.approx(0.8026)
    assert result.absolute == pytest.approx(result.p_treatment - 0.5)
    assert result.relative == pytest.approx(result.p_treatment / 0.5 - 1)
    # Round trip: at that rate the power is exactly the target.
    check = stats.power_two_proportions(0.5, result.p_treatment, n_per_arm=50)
    assert check.power == pytest.approx(0.90, abs=1e-9)


def test_r_power_t_test_power_from_n() -> None:
    # R: power.t.test(n = 20, delta = 1) -> power = 0.8689528
    result = stats.power_two_means(delta=1, sd=1, n_per_arm=20)
    assert round(result.power, 7) == pytest.approx(0.8689528)


def test_r_power_t_test_n_from_power() -> None:
    # R: power.t.test(power = .90, delta = 1) -> n = 22.02110
    result = stats.power_two_means(delta=1, sd=1, power=0.90)
    assert round(result.n_per_arm, 5) == pytest.approx(22.02110)
    assert result.n_per_arm_needed == 23


def test_power_t_agrees_with_statsmodels_up_to_the_far_tail() -> None:
    # statsmodels counts rejections in both tails (R's strict = TRUE); the far tail is
    # negligible for a real effect, so the two must agree closely.
    ours = stats.power_two_means(delta=0.5, sd=1.0, n_per_arm=64).power
    theirs = TTestIndPower().power(effect_size=0.5, nobs1=64, alpha=0.05, ratio=1.0)
    assert ours == pytest.approx(theirs, abs=1e-6)


def test_power_scales_with_sd() -> None:
    a = stats.power_two_means(delta=2, sd=4, n_per_arm=30)
    b = stats.power_two_means(delta=0.5, sd=1, n_per_arm=30)
    assert a.power == pytest.approx(b.power)


def test_design_effect() -> None:
    assert stats.design_effect(20, 0.05) == pytest.approx(1.95)
    assert stats.design_effect(1, 0.3) == pytest.approx(1.0)
    assert stats.design_effect(30, 0.0) == pytest.approx(1.0)


def test_large_effect_reports_minimum_arm() -> None:
    # At n = 2 per arm this contrast already has about 49% power.
    result = stats.power_two_proportions(0.02, 0.98, power=0.4)
    assert result.n_per_arm == 2.0
    assert result.power >= 0.4
