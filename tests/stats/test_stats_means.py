"""Welch comparison and sufficient statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from whatworks import stats

# R datasets::sleep, extra hours of sleep for drug 1 (group 1) and drug 2 (group 2).
SLEEP_GROUP1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_GROUP2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_r_t_test_sleep() -> None:
    # R: t.test(extra ~ group, data = sleep)
    # t = -1.8608, df = 17.776, p-value = 0.07939
    # 95 percent confidence interval: -3.3654832  0.2054832; means 0.75 and 2.33
    result = stats.compare_means(SLEEP_GROUP1, SLEEP_GROUP2)
    assert round(result.statistic, 4) == pytest.approx(-1.8608)
    assert round(result.df, 3) == pytest.approx(17.776)
    assert round(result.p_value, 5) == pytest.approx(0.07939)
    assert round(result.ci_low, 7) == pytest.approx(-3.3654832)
    assert round(result.ci_high, 7) == pytest.approx(0.2054832)
    assert result.mean_t == pytest.approx(0.75)
    assert result.mean_c == pytest.approx(2.33)
    assert result.difference == pytest.approx(-1.58)


def test_welch_agrees_with_scipy() -> None:
    rng = np.random.default_rng(7)
    treatment = rng.normal(10, 2, size=37)
    control = rng.normal(9, 5, size=23)
    ours = stats.compare_means(treatment, control, alpha=0.1)
    theirs = sps.ttest_ind(treatment, control, equal_var=False)
    ci = theirs.confidence_interval(confidence_level=0.9)
    assert ours.statistic == pytest.approx(theirs.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-10)
    assert ours.df == pytest.approx(theirs.df, rel=1e-12)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-12)


def test_compare_means_delegates_to_summary() -> None:
    direct = stats.compare_means(SLEEP_GROUP1, SLEEP_GROUP2)
    arm_t = stats.summarise(SLEEP_GROUP1)
    arm_c = stats.summarise(SLEEP_GROUP2)
    from_summary = stats.compare_means_from_summary(
        arm_t.mean, arm_t.sd, arm_t.n, arm_c.mean, arm_c.sd, arm_c.n
    )
    assert from_summary == direct


def test_summary_from_published_means_and_sds() -> None:
    # Same data entered as a paper would report it (means, SDs to full precision, n).
    sd1 = float(np.std(SLEEP_GROUP1, ddof=1))
    sd2 = float(np.std(SLEEP_GROUP2, ddof=1))
    result = stats.compare_means_from_summary(0.75, sd1, 10, 2.33, sd2, 10)
    assert round(result.df, 3) == pytest.approx(17.776)
    assert round(result.p_value, 5) == pytest.approx(0.07939)


def test_arm_summary_constructors_agree() -> None:
    values = [3.0, 5.0, 4.0, 10.0, -2.0]
    from_values = stats.summarise(values)
    from_sums = stats.ArmSummary.from_sums(5, sum(values), sum(v * v for v in values))
    from_mean_sd = stats.ArmSummary.from_mean_sd(
        5, float(np.mean(values)), float(np.std(values, ddof=1))
    )
    for summary in (from_sums, from_mean_sd):
        assert summary.n == from_values.n
        assert summary.mean == pytest.approx(from_values.mean)
        assert summary.variance == pytest.approx(from_values.variance)
    assert from_values.total == pytest.approx(20.0)
    assert from_values.variance == pytest.approx(float(np.var(values, ddof=1)))


def test_arm_summary_combine_matches_whole_sample() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(1e6, 3.0, size=40)  # large mean: the centred form must not cancel
    whole = stats.summarise(values)
    pooled = stats.summarise(values[:13]).combine(stats.summarise(values[13:]))
    assert pooled.n == whole.n
    assert pooled.mean == pytest.approx(whole.mean, rel=1e-14)
    assert pooled.variance == pytest.approx(float(np.var(values, ddof=1)), rel=1e-9)


def test_relative_lift_delta_method_on_ratio() -> None:
    result = stats.compare_means_from_summary(12.0, 4.0, 50, 10.0, 3.0, 40)
    var_t, var_c = 4.0**2 / 50, 3.0**2 / 40
    se_ratio = math.sqrt(var_t / 10.0**2 + 12.0**2 * var_c / 10.0**4)
    z = sps.norm.ppf(0.975)
    assert result.relative_lift == pytest.approx(0.2)
    assert result.relative_ci_low == pytest.approx(0.2 - z * se_ratio)
    assert result.relative_ci_high == pytest.approx(0.2 + z * se_ratio)


def test_relative_lift_none_for_zero_control_mean() -> None:
    result = stats.compare_means_from_summary(1.0, 1.0, 10, 0.0, 1.0, 10)
    assert result.relative_lift is None and result.relative_ci_low is None


def test_one_arm_without_spread_is_fine() -> None:
    # Welch df reduces to n - 1 of the arm that varies.
    result = stats.compare_means([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0])
    assert result.df == pytest.approx(3.0)
