"""Interrupted time series and difference-in-differences (``whatworks.trials.quasi``).

The intervals are the Zellner-Tiao posterior with the autocorrelation integrated out
(``whatworks.stats.timeseries``); they are checked here against a direct numerical integration
with dense AR(1) covariance matrices (scipy's adaptive quadrature, no Prais-Winsten transform,
no grid), and the estimates against series with a known step. Their error rates are in
``tests/stats/test_stats_timeseries.py`` and ``bench/calibration.py``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from tests.stats.ar1_reference import posterior_by_quadrature
from whatworks.stats import StatsRefusal
from whatworks.trials import quasi
from whatworks.trials.analysis import Wording


def months(n: int, start: date = date(2023, 1, 1)) -> list[date]:
    out = []
    for i in range(n):
        y, m = divmod(start.month - 1 + i, 12)
        out.append(date(start.year + y, m + 1, 1))
    return out


def series(n_before: int = 12, n_after: int = 12, step: float = 5.0, seed: int = 7):
    rng = np.random.default_rng(seed)
    n = n_before + n_after
    t = np.arange(n) - n_before
    post = (t >= 0).astype(float)
    y = 20.0 + 0.4 * t + step * post + 0.1 * t * post + rng.normal(0.0, 1.0, n)
    return months(n), y


# --------------------------------------------------------------------------------------------
# Interrupted time series
# --------------------------------------------------------------------------------------------


def test_its_level_change_is_the_posterior_integrated_over_the_autocorrelation():
    periods, y = series()
    result = quasi.interrupted_time_series(periods, y, intervention=periods[12])
    t = np.arange(24.0) - 12
    post = (t >= 0).astype(float)
    x = np.column_stack([np.ones(24), t, post, t * post])
    reference = posterior_by_quadrature(y, x, column=2)
    assert result.p_value == pytest.approx(reference.p_value(), rel=1e-2, abs=1e-5)
    assert result.ci_low == pytest.approx(reference.quantile(0.025), rel=1e-3)
    assert result.ci_high == pytest.approx(reference.quantile(0.975), rel=1e-3)
    assert result.estimate == pytest.approx(reference.quantile(0.5), rel=1e-3)
    slope = posterior_by_quadrature(y, x, column=3)
    assert result.slope_change.p_value == pytest.approx(slope.p_value(), rel=2e-3, abs=1e-6)
    assert result.df_resid == 20
    # The interval, the p value and the "clear" wording agree by construction.
    assert (result.p_value < 0.05) == (result.ci_low > 0 or result.ci_high < 0)


def test_its_recovers_a_known_step_and_slope_change():
    periods, y = series(n_before=40, n_after=40, step=5.0, seed=3)
    result = quasi.interrupted_time_series(periods, y, intervention=periods[40])
    assert result.ci_low < 5.0 < result.ci_high
    assert result.estimate == pytest.approx(5.0, abs=1.0)
    assert result.slope_change.estimate == pytest.approx(0.1, abs=0.05)
    assert result.slope_before.estimate == pytest.approx(0.4, abs=0.05)
    assert result.headline.startswith("After the start, the measure was ")
    assert "higher than the earlier trend pointed to" in result.headline
    assert result.caveat == (
        "A before-and-after comparison cannot show that the initiative caused the change."
    )


def test_its_hand_checked_step_with_symmetric_noise():
    """Noise +1, -1, -1, +1 repeating is orthogonal to the constant and the lines within each
    segment, so least squares would give the step of exactly 3; integrating over the
    autocorrelation moves the estimate by less than the noise, and the counterfactual is the
    earlier fitted line carried on."""
    n_before = n_after = 8
    t = np.arange(16.0) - 8
    post = (t >= 0).astype(float)
    noise = np.tile([1.0, -1.0, -1.0, 1.0], 4)
    y = 10.0 + 2.0 * t + 3.0 * post + noise
    periods = list(range(16))
    result = quasi.interrupted_time_series(periods, y, intervention=8)
    assert result.n_before == n_before and result.n_after == n_after
    assert result.estimate == pytest.approx(3.0, abs=0.5)
    assert result.ci_low < 3.0 < result.ci_high
    assert result.slope_before.estimate == pytest.approx(2.0, abs=0.1)
    # The counterfactual continues the fitted line of the first eight periods.
    before = np.asarray(result.fitted[:8])
    slope = (before[-1] - before[0]) / 7
    assert np.diff(result.counterfactual) == pytest.approx(np.full(15, slope))
    assert result.counterfactual[:8] == pytest.approx(result.fitted[:8])


def test_its_periods_need_not_arrive_in_order():
    periods, y = series()
    order = np.random.default_rng(0).permutation(24)
    shuffled = quasi.interrupted_time_series(
        [periods[i] for i in order], y[order], intervention=periods[12]
    )
    straight = quasi.interrupted_time_series(periods, y, intervention=periods[12])
    assert shuffled.estimate == pytest.approx(straight.estimate)
    assert shuffled.periods == tuple(periods)


@pytest.mark.parametrize(("before", "after"), [(7, 12), (12, 7)])
def test_its_refuses_fewer_than_eight_points_a_side(before, after):
    periods, y = series(n_before=before, n_after=after)
    with pytest.raises(StatsRefusal, match=f"at least 8 periods.*{before} before and {after}"):
        quasi.interrupted_time_series(periods, y, intervention=periods[before])


def test_its_refuses_repeated_periods_and_exact_lines():
    periods, y = series()
    with pytest.raises(StatsRefusal, match="only once"):
        quasi.interrupted_time_series([*periods[:-1], periods[0]], y, intervention=periods[12])
    t = np.arange(24.0)
    with pytest.raises(StatsRefusal, match="exactly on the fitted lines"):
        quasi.interrupted_time_series(periods, 3 + t, intervention=periods[12])


def test_its_unclear_headline_says_the_series_cannot_tell():
    periods, y = series(step=0.0, seed=11)
    result = quasi.interrupted_time_series(
        periods,
        y,
        intervention=periods[12],
        words=Wording(outcome="arrears", measure_unit="pounds"),
    )
    assert result.ci_low < 0 < result.ci_high
    assert result.headline.startswith(
        "The series cannot tell whether arrears moved away from its earlier trend"
    )
    assert "pounds" in result.headline


# --------------------------------------------------------------------------------------------
# Difference-in-differences
# --------------------------------------------------------------------------------------------


def panel(effect: float = 4.0, pre_slope_gap: float = 0.0, seed: int = 5, reps: int = 1):
    rng = np.random.default_rng(seed)
    n = 20
    t = np.arange(n) - 10
    post = (t >= 0).astype(float)
    periods, values, groups = [], [], []
    for _ in range(reps):
        for g, base in (("treated", 30.0), ("comparison", 25.0)):
            slope = 0.5 + (pre_slope_gap if g == "treated" else 0.0)
            y = base + slope * t + (effect * post if g == "treated" else 0) + rng.normal(0, 1, n)
            periods += months(n)
            values += list(y)
            groups += [g] * n
    return periods, np.array(values), groups


def test_did_is_the_posterior_on_the_gap_of_two_way_means():
    periods, values, groups = panel(reps=3)
    result = quasi.difference_in_differences(periods, values, groups, intervention=months(20)[10])
    frame = pd.DataFrame({"period": periods, "value": values, "group": groups})
    means = frame.groupby(["group", "period"], as_index=False)["value"].mean()
    means["treated"] = (means["group"] == "treated").astype(float)
    means["post"] = (means["period"] >= months(20)[10]).astype(float)
    # The observed gaps: their change is the two-way fixed-effects interaction.
    twfe = smf.ols("value ~ C(period) + treated + treated:post", data=means).fit()
    assert result.mean_gap_after - result.mean_gap_before == pytest.approx(
        twfe.params["treated:post"], rel=1e-10
    )
    wide = means.pivot(index="period", columns="group", values="value").sort_index()
    gap = (wide["treated"] - wide["comparison"]).to_numpy()
    post = (wide.index >= months(20)[10]).astype(float)
    reference = posterior_by_quadrature(gap, np.column_stack([np.ones(20), post]), column=1)
    assert result.p_value == pytest.approx(reference.p_value(), rel=1e-2, abs=1e-5)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (reference.quantile(0.025), reference.quantile(0.975)), rel=2e-3
    )
    # Pre-trend: the slope of the pre-period gap equals the treated x time interaction.
    pre = means[means["post"] == 0].copy()
    pre["t"] = pre["period"].map({p: i for i, p in enumerate(months(20))}).astype(float)
    inter = smf.ols("value ~ treated * t", data=pre).fit()
    assert result.pretrend.estimate == pytest.approx(inter.params["treated:t"], rel=1e-10)
    pre_gap = gap[post == 0]
    classical = sm.OLS(pre_gap, sm.add_constant(np.arange(10.0))).fit()
    assert result.pretrend.p_value == pytest.approx(classical.pvalues[1], rel=1e-10)


def test_did_recovers_a_known_effect_and_reports_parallel_pre_trends():
    periods, values, groups = panel(effect=4.0, seed=2)
    result = quasi.difference_in_differences(periods, values, groups, intervention=months(20)[10])
    assert result.ci_low < 4.0 < result.ci_high
    assert result.pretrend_warning is None
    assert result.notes == ()
    assert result.headline.startswith("After the start, the measure in the treated group was ")
    assert result.caveat.startswith(
        "A comparison-group estimate relies on the groups having moved in parallel before;"
    )


def test_did_hand_checked_gaps():
    # Gaps before 5, 5.5, 4.5, 5, 5, 5.5, 4.5, 5 and after the same plus 4: mean gaps 5 and 9.
    periods = list(range(1, 17)) * 2
    comparison = [25, 25.5, 24.5, 25, 26, 24, 25, 26] * 2
    before = [5, 5.5, 4.5, 5, 5, 5.5, 4.5, 5]
    gaps = before + [g + 4 for g in before]
    treated = [c + g for c, g in zip(comparison, gaps, strict=True)]
    groups = ["treated"] * 16 + ["comparison"] * 16
    result = quasi.difference_in_differences(periods, treated + comparison, groups, intervention=9)
    assert result.mean_gap_before == pytest.approx(5.0)
    assert result.mean_gap_after == pytest.approx(9.0)
    assert result.ci_low < 4.0 < result.ci_high
    assert result.estimate == pytest.approx(4.0, abs=0.2)
    # Least-squares slope of the gaps before over periods 0..7: sum((t - 3.5) d) / 42 = -1 / 42.
    assert result.pretrend.estimate == pytest.approx(-1 / 42)


def test_did_warns_when_pre_trends_differ():
    periods, values, groups = panel(pre_slope_gap=0.6, seed=4)
    result = quasi.difference_in_differences(periods, values, groups, intervention=months(20)[10])
    assert result.pretrend.p_value < 0.05
    assert result.pretrend_warning is not None
    assert result.pretrend_warning.startswith("The groups were not moving in parallel")
    verdict = quasi.quasi_verdict(result, criterion=1.0, direction="higher")
    assert result.pretrend_warning in verdict.caveats


def test_did_refusals_and_dropped_periods():
    periods, values, groups = panel()
    with pytest.raises(StatsRefusal, match="treated.*comparison.*found control"):
        quasi.difference_in_differences(
            periods, values, ["control"] + groups[1:], intervention=months(20)[10]
        )
    with pytest.raises(StatsRefusal, match="at least 8 periods"):
        quasi.difference_in_differences(periods, values, groups, intervention=months(20)[18])
    keep = [
        i
        for i, (p, g) in enumerate(zip(periods, groups, strict=True))
        if not (p == months(20)[0] and g == "comparison")
    ]
    result = quasi.difference_in_differences(
        [periods[i] for i in keep],
        values[keep],
        [groups[i] for i in keep],
        intervention=months(20)[10],
    )
    assert result.dropped_periods == (months(20)[0],)
    assert result.n_before == 9


# --------------------------------------------------------------------------------------------
# Verdict
# --------------------------------------------------------------------------------------------


def test_before_and_after_verdict_always_says_it_cannot_show_cause():
    periods, y = series(step=5.0, seed=3)
    result = quasi.interrupted_time_series(periods, y, intervention=periods[12])
    met = quasi.quasi_verdict(result, criterion=1.0, direction="higher")
    assert met.outcome == "met"
    assert met.caveats[0] == quasi.ITS_CAVEAT
    assert met.text.endswith(quasi.ITS_CAVEAT)
    not_met = quasi.quasi_verdict(result, criterion=1.0, direction="lower")
    assert not_met.outcome == "not met"
    assert quasi.ITS_CAVEAT in not_met.text
    unsure = quasi.quasi_verdict(result, criterion=result.estimate, direction="higher")
    assert unsure.outcome == "inconclusive"
    assert unsure.headline.startswith("The data cannot tell")


def test_results_are_frozen():
    periods, y = series()
    result = quasi.interrupted_time_series(periods, y, intervention=periods[12])
    with pytest.raises(AttributeError):
        result.headline = "x"  # type: ignore[misc]
