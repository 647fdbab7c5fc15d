"""Regression with AR(1) errors (``whatworks.stats.timeseries``): the posterior against direct
quadrature, and its error rates on short series against the method it replaced.

Reproductions (ISSUE 11): with 8 + 8 points and no effect, Newey-West on a fixed lag called
19-31% of series clear (nominal 5%); difference-in-differences with 3 + 3 periods, 15-30%.
The pages now need 8 + 8 periods for both.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.calibration import did_gaps, its_series, newey_west_fixed_lag
from tests.stats.ar1_reference import posterior_by_quadrature
from whatworks import stats
from whatworks.trials import quasi


def test_the_batch_posterior_equals_direct_integration() -> None:
    rng = np.random.default_rng(4)
    design = stats.step_design(6, 6)
    series = rng.normal(size=(12, 3)) + np.linspace(0, 1, 12)[:, None]
    batch = stats.ar1_posterior(series, design, 1)
    for j in range(3):
        reference = posterior_by_quadrature(series[:, j], design, 1)
        assert batch.cdf(0.0)[j] == pytest.approx(reference.cdf(0.0), rel=5e-3, abs=1e-5)
        assert batch.quantile(0.975)[j] == pytest.approx(reference.quantile(0.975), rel=2e-3)


def test_the_interval_and_the_p_value_agree() -> None:
    rng = np.random.default_rng(5)
    design = stats.segmented_design(8, 8)
    for _ in range(20):
        y = rng.normal(size=16) + 1.5 * design[:, 2]
        fit = stats.ar1_regression(y, design)
        level = fit.coefficients[2]
        assert (level.p_value < 0.05) == (level.ci_low > 0 or level.ci_high < 0)


def test_it_refuses_too_few_periods_and_exact_lines() -> None:
    with pytest.raises(stats.StatsRefusal, match="at least 7 are needed"):
        stats.ar1_regression(np.arange(6.0), stats.segmented_design(3, 3))
    with pytest.raises(stats.StatsRefusal, match="exactly on the fitted lines"):
        stats.ar1_regression(3 + np.arange(16.0), stats.segmented_design(8, 8))


def _rates(post: stats.PosteriorBatch) -> tuple[float, float]:
    below = post.cdf(0.0)
    return float(np.mean(below < 0.025)), float(np.mean(post.p_values() < 0.05))


def test_short_interrupted_series_keep_their_error_rates_where_newey_west_did_not() -> None:
    rng = np.random.Generator(np.random.PCG64(11))
    design = stats.segmented_design(8, 8)
    y = its_series(rng, 0.3, 4000, 8, 8)
    worked, rejected = _rates(stats.ar1_posterior(y, design, 2))
    # 4,000 runs: the Monte Carlo SE of 2.5% is 0.25 points and of 5% 0.34 points.
    assert worked <= 0.025 + 3 * math.sqrt(0.025 * 0.975 / 4000)
    assert rejected <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 4000)
    old = [newey_west_fixed_lag(y[:, j], design, 2)[1] < 0.05 for j in range(600)]
    assert np.mean(old) > 0.15  # the reproduction: far above 5%


def test_short_comparison_group_series_keep_their_error_rates_where_newey_west_did_not() -> None:
    rng = np.random.Generator(np.random.PCG64(12))
    _, _, short = did_gaps(rng, 0.3, 600, 3, 3)
    old = [
        newey_west_fixed_lag(short[:, j], stats.step_design(3, 3), 1)[1] < 0.05 for j in range(600)
    ]
    assert np.mean(old) > 0.15  # 3 + 3 periods: the reproduction
    with pytest.raises(stats.StatsRefusal, match="at least 8 periods"):
        quasi.difference_in_differences(
            list(range(6)) * 2,
            list(range(12)),
            ["treated"] * 6 + ["comparison"] * 6,
            intervention=3,
        )
    _, _, gap = did_gaps(rng, 0.3, 4000, 8, 8)
    worked, rejected = _rates(stats.ar1_posterior(gap, stats.step_design(8, 8), 1))
    assert worked <= 0.025 + 3 * math.sqrt(0.025 * 0.975 / 4000)
    assert rejected <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 4000)
