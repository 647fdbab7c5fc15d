"""Non-randomised designs: interrupted time series and difference-in-differences.

Pure Python on numpy, scipy and :mod:`whatworks.stats`; no Django imports.

Interrupted time series (before and after)
------------------------------------------
One value per period. Periods are put in order and numbered 0, 1, 2, ... (they are assumed to be
evenly spaced: weeks, months, quarters), and time is centred on the first period at or after the
intervention, ``t0``. Segmented regression (Wagner et al. 2002)::

    value = b0 + b1 * t + b2 * after + b3 * (t - t0) * after + error

``b2`` is the change in level at the intervention (the headline: how far the first period after
the change sits from where the earlier trend pointed) and ``b3`` the change in slope per period.
The errors are first-order autoregressive and the intervals come from
``stats.ar1_regression``: the autocorrelation is integrated over rather than plugged in, which
keeps the rate of false "clear" results near the nominal 5% on short series, where Newey-West
errors on a fixed lag reached 19-31% (see ``bench/calibration.py`` and the module docstring of
:mod:`whatworks.stats.timeseries`). Fewer than :data:`MIN_ITS_POINTS` periods on either side is
refused.

Difference-in-differences (comparison group)
--------------------------------------------
Rows are (period, value, group) with group "treated" or "comparison"; several rows in one
group and period are averaged first (group x period means). For each period observed in both
groups the gap ``d = treated - comparison`` is formed; the DiD estimate is the coefficient on
``after`` in ``d = a + delta * after + error`` (mean gap after minus mean gap before; with one
mean per group and period this equals the interaction in the two-way fixed-effects regression),
with the same autoregressive errors as above. Fewer than :data:`MIN_DID_PERIODS` shared periods
on either side is refused. The pre-trend check regresses the pre-period gap on time,
``d = a + g * t`` (before only): ``g`` is the difference between the groups' pre-period slopes,
tested with the classical OLS error (``scipy.stats.linregress``, t on n - 2 df). A clear
difference (p < alpha) is reported as a warning beside the headline: the parallel-trends
assumption the estimate rests on looks doubtful.

References:
    Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D (2002). Segmented regression analysis of
    interrupted time series studies in medication use research. J Clin Pharm Ther 27:299-309.
    Zellner A, Tiao GC (1964). Bayesian analysis of the regression model with autocorrelated
    errors. JASA 59:763-778.
    Bertrand M, Duflo E, Mullainathan S (2004). How much should we trust differences-in-
    differences estimates? QJE 119:249-275 (serial correlation; collapsing to group-period means).
    Angrist JD, Pischke J-S (2009). Mostly Harmless Econometrics, chapter 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats as sps

from whatworks import stats
from whatworks.stats import StatsRefusal

from .analysis import (
    Direction,
    Verdict,
    Wording,
    interval_phrase,
    judge,
    number,
    places_for,
    signed_words,
    unit_suffix,
)

#: An interrupted time series needs at least this many points on each side: with fewer, the
#: trend before and the autocorrelation cannot both be told apart from noise, and intervals stop
#: keeping their stated error rate (bench/calibration.py runs at exactly this length).
MIN_ITS_POINTS = 8
#: Difference-in-differences needs this many shared periods on each side, for the same reason
#: (with 3 + 3 periods, 15-30% of comparisons with no real difference were called clear; with
#: 5 + 5 and strongly alike neighbouring periods the false "worked" rate was still 3.2%).
MIN_DID_PERIODS = 8

#: What the pages say about the intervals' error rates (the figures of bench/calibration.py at
#: the shortest series accepted, with autocorrelation 0, 0.3 and 0.6).
CALIBRATION_NOTE = (
    "The interval allows for neighbouring periods being alike (autocorrelation). Checked by "
    "simulation at the shortest series accepted, it calls a change clear when there is none "
    "about 5 times in 100, as a 95% interval should, when neighbouring periods are unrelated "
    "or moderately alike; when they are strongly alike (an autocorrelation of 0.6) it can do so "
    "a little more often, between 5 and 6 times in 100."
)

ITS_CAVEAT = "A before-and-after comparison cannot show that the initiative caused the change."
DID_CAVEAT = (
    "A comparison-group estimate relies on the groups having moved in parallel before; "
    "it cannot rule out that something else changed for one group at the same time."
)

TREATED = "treated"
COMPARISON = "comparison"


#: One coefficient with its interval and two-sided p value (the library's own record).
Estimate = stats.Coefficient


@dataclass(frozen=True)
class TimeSeriesResult:
    """Interrupted time series. ``estimate``/``ci_*``/``p_value`` are the level change.

    ``periods``/``values`` are in time order; ``fitted`` is the segmented fit and
    ``counterfactual`` the earlier trend carried on (for the chart).
    """

    design: Literal["before and after"]
    n_before: int
    n_after: int
    level_change: Estimate
    slope_change: Estimate
    slope_before: Estimate
    rho: float
    df_resid: float
    alpha: float
    periods: tuple[Any, ...]
    values: tuple[float, ...]
    fitted: tuple[float, ...]
    counterfactual: tuple[float, ...]
    headline: str
    caveat: str
    method: str

    @property
    def estimate(self) -> float:
        return self.level_change.estimate

    @property
    def ci_low(self) -> float:
        return self.level_change.ci_low

    @property
    def ci_high(self) -> float:
        return self.level_change.ci_high

    @property
    def p_value(self) -> float:
        return self.level_change.p_value

    @property
    def notes(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class DiDResult:
    """Difference-in-differences on group x period means, with the pre-trend check.

    ``periods`` are the periods seen in both groups, with the group means ``treated`` and
    ``comparison`` in the same order (for the pre-trend chart). ``pretrend`` is the difference
    in pre-period slopes (treated minus comparison, per period); ``pretrend_warning`` is a
    sentence when it is clear at ``alpha``, else ``None``. ``dropped_periods`` were seen in one
    group only and left out.
    """

    design: Literal["comparison group"]
    n_before: int
    n_after: int
    did: Estimate
    pretrend: Estimate
    pretrend_warning: str | None
    mean_gap_before: float
    mean_gap_after: float
    rho: float
    df_resid: float
    alpha: float
    periods: tuple[Any, ...]
    treated: tuple[float, ...]
    comparison: tuple[float, ...]
    dropped_periods: tuple[Any, ...]
    headline: str
    caveat: str
    method: str

    @property
    def estimate(self) -> float:
        return self.did.estimate

    @property
    def ci_low(self) -> float:
        return self.did.ci_low

    @property
    def ci_high(self) -> float:
        return self.did.ci_high

    @property
    def p_value(self) -> float:
        return self.did.p_value

    @property
    def notes(self) -> tuple[str, ...]:
        return (self.pretrend_warning,) if self.pretrend_warning else ()


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------


def _check_alpha(alpha: float) -> float:
    if not 0.0 < alpha < 1.0:
        raise StatsRefusal("Alpha must lie strictly between 0 and 1.")
    return float(alpha)


def _values(values: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    y = np.asarray(values, dtype=float)
    if y.shape != (n,):
        raise StatsRefusal("Each period needs exactly one value.")
    if not np.all(np.isfinite(y)):
        raise StatsRefusal("Every value must be a finite number.")
    return y


def _clear(e: Estimate) -> bool:
    return e.ci_low > 0 or e.ci_high < 0


def _change(e: Estimate, alpha: float, words: Wording) -> tuple[str, str]:
    places = places_for(e.estimate, e.ci_low, e.ci_high)
    unit = unit_suffix(words)
    return (
        signed_words("mean", e.estimate, unit, places),
        interval_phrase("mean", e.ci_low, e.ci_high, alpha, words, places),
    )


def _order(periods: Sequence[Any]) -> list[Any]:
    try:
        return sorted(periods)
    except TypeError as exc:
        raise StatsRefusal("The periods must all be dates (or all numbers).") from exc


# --------------------------------------------------------------------------------------------
# Interrupted time series
# --------------------------------------------------------------------------------------------


def interrupted_time_series(
    periods: Sequence[Any],
    values: Sequence[float] | np.ndarray,
    *,
    intervention: Any,
    alpha: float = 0.05,
    words: Wording | None = None,
) -> TimeSeriesResult:
    """Segmented regression with autoregressive errors; see the module docstring.

    ``periods`` are dates (or numbers), each once; ``intervention`` is the first period the
    initiative was in place (periods on or after it are "after"). Refuses with a reason when a
    period repeats, when either side has fewer than :data:`MIN_ITS_POINTS` points, or when the
    values lie exactly on the lines.
    """
    alpha = _check_alpha(alpha)
    words = words or Wording(outcome="the measure")
    n = len(periods)
    y_raw = _values(values, n)
    if len(set(periods)) != n:
        raise StatsRefusal("Each period may appear only once in a before-and-after series.")
    ordered = _order(periods)
    index = {p: i for i, p in enumerate(periods)}
    y = np.array([y_raw[index[p]] for p in ordered])
    try:
        after = np.array([p >= intervention for p in ordered], dtype=bool)
    except TypeError as exc:
        raise StatsRefusal("The start date must be of the same kind as the periods.") from exc
    n_after = int(after.sum())
    n_before = n - n_after
    if n_before < MIN_ITS_POINTS or n_after < MIN_ITS_POINTS:
        raise StatsRefusal(
            f"An interrupted time series needs at least {MIN_ITS_POINTS} periods before and "
            f"{MIN_ITS_POINTS} after the start; this series has {n_before} before and "
            f"{n_after} after."
        )
    x = stats.segmented_design(n_before, n_after)
    fit = stats.ar1_regression(y, x, alpha=alpha)
    level = fit.coefficients[2]
    slope = fit.coefficients[3]
    before = fit.coefficients[1]
    fitted = np.asarray(fit.fitted)
    # The earlier trend carried on: the fit without the after terms.
    counterfactual = _trend_before(fitted, x, n_before)
    headline = _its_headline(level, slope, alpha, words)
    return TimeSeriesResult(
        design="before and after",
        n_before=n_before,
        n_after=n_after,
        level_change=level,
        slope_change=slope,
        slope_before=before,
        rho=fit.rho,
        df_resid=float(fit.df),
        alpha=alpha,
        periods=tuple(ordered),
        values=tuple(float(v) for v in y),
        fitted=tuple(float(v) for v in fit.fitted),
        counterfactual=tuple(float(v) for v in counterfactual),
        headline=headline,
        caveat=ITS_CAVEAT,
        method=(
            "Segmented regression (interrupted time series) with first-order autoregressive "
            f"errors, the autocorrelation (about {fit.rho:.2f}) integrated over its restricted "
            "likelihood (Zellner and Tiao 1964)."
        ),
    )


def _trend_before(fitted: np.ndarray, x: np.ndarray, n_before: int) -> np.ndarray:
    """The line through the fitted values before the start, carried on after it."""
    t = x[:, 1]
    slope = (fitted[n_before - 1] - fitted[0]) / (t[n_before - 1] - t[0])
    return np.asarray(fitted[0] + slope * (t - t[0]))


def _its_headline(level: Estimate, slope: Estimate, alpha: float, words: Wording) -> str:
    effect, interval = _change(level, alpha, words)
    s_effect, s_interval = _change(slope, alpha, words)
    slope_part = f"and its change per period was {s_effect} than before {s_interval}"
    if _clear(level):
        return (
            f"After the start, {words.outcome} was {effect} than the earlier trend pointed to "
            f"{interval}, {slope_part}."
        )
    return (
        f"The series cannot tell whether {words.outcome} moved away from its earlier trend at the "
        f"start: the change in level is {effect} {interval}, {slope_part}."
    )


# --------------------------------------------------------------------------------------------
# Difference-in-differences
# --------------------------------------------------------------------------------------------


def difference_in_differences(
    periods: Sequence[Any],
    values: Sequence[float] | np.ndarray,
    groups: Sequence[str],
    *,
    intervention: Any,
    alpha: float = 0.05,
    words: Wording | None = None,
) -> DiDResult:
    """DiD on group x period means with autoregressive errors and a pre-trend test.

    ``groups`` holds "treated" or "comparison" for each row. Refuses with a reason for an
    unknown group, or fewer than :data:`MIN_DID_PERIODS` shared periods on either side.
    """
    alpha = _check_alpha(alpha)
    words = words or Wording(outcome="the measure")
    n = len(periods)
    y = _values(values, n)
    if len(groups) != n:
        raise StatsRefusal("Each row needs a group.")
    unknown = sorted({str(g) for g in groups} - {TREATED, COMPARISON})
    if unknown:
        raise StatsRefusal(
            f'The group must be "{TREATED}" or "{COMPARISON}"; found {", ".join(unknown)}.'
        )
    sums: dict[tuple[str, Any], list[float]] = {}
    for p, v, g in zip(periods, y, groups, strict=True):
        cell = sums.setdefault((g, p), [0.0, 0.0])
        cell[0] += float(v)
        cell[1] += 1.0
    all_periods = _order(list({p for _, p in sums}))
    shared = [p for p in all_periods if (TREATED, p) in sums and (COMPARISON, p) in sums]
    dropped = tuple(p for p in all_periods if p not in set(shared))
    mean_t = np.array([sums[(TREATED, p)][0] / sums[(TREATED, p)][1] for p in shared])
    mean_c = np.array([sums[(COMPARISON, p)][0] / sums[(COMPARISON, p)][1] for p in shared])
    try:
        after = np.array([p >= intervention for p in shared], dtype=bool)
    except TypeError as exc:
        raise StatsRefusal("The start date must be of the same kind as the periods.") from exc
    n_after = int(after.sum())
    n_before = len(shared) - n_after
    if n_before < MIN_DID_PERIODS or n_after < MIN_DID_PERIODS:
        raise StatsRefusal(
            f"A comparison-group analysis needs at least {MIN_DID_PERIODS} periods before and "
            f"{MIN_DID_PERIODS} after the start with values for both groups; there are "
            f"{n_before} before and {n_after} after."
        )
    gap = mean_t - mean_c
    fit = stats.ar1_regression(gap, stats.step_design(n_before, n_after), alpha=alpha)
    did = fit.coefficients[1]
    pre_gap = gap[~after]
    pretrend = _slope(pre_gap, alpha)
    warning = None
    if pretrend.p_value < alpha:
        p_effect, p_interval = _change(pretrend, alpha, words)
        warning = (
            "The groups were not moving in parallel before the start: the treated group's "
            f"trend was {p_effect} per period than the comparison group's {p_interval}, "
            "so this estimate may be biased."
        )
    return DiDResult(
        design="comparison group",
        n_before=n_before,
        n_after=n_after,
        did=did,
        pretrend=pretrend,
        pretrend_warning=warning,
        mean_gap_before=float(pre_gap.mean()),
        mean_gap_after=float(gap[after].mean()),
        rho=fit.rho,
        df_resid=float(fit.df),
        alpha=alpha,
        periods=tuple(shared),
        treated=tuple(float(v) for v in mean_t),
        comparison=tuple(float(v) for v in mean_c),
        dropped_periods=dropped,
        headline=_did_headline(did, alpha, words),
        caveat=DID_CAVEAT,
        method=(
            "Difference-in-differences on group-period means with first-order autoregressive "
            f"errors, the autocorrelation (about {fit.rho:.2f}) integrated over its restricted "
            "likelihood (Zellner and Tiao 1964); pre-trend test of differing pre-period slopes."
        ),
    )


def _slope(values: np.ndarray, alpha: float) -> Estimate:
    """Least-squares slope per period with its classical interval (t on n - 2 df)."""
    t = np.arange(values.size, dtype=float)
    fit = sps.linregress(t, values)
    if not fit.stderr > 0:
        raise StatsRefusal(
            "The values lie exactly on the fitted lines, so no interval can be estimated."
        )
    half = float(sps.t.ppf(1.0 - alpha / 2.0, values.size - 2)) * float(fit.stderr)
    return Estimate(
        estimate=float(fit.slope),
        std_error=float(fit.stderr),
        ci_low=float(fit.slope) - half,
        ci_high=float(fit.slope) + half,
        p_value=float(fit.pvalue),
    )


def _did_headline(did: Estimate, alpha: float, words: Wording) -> str:
    effect, interval = _change(did, alpha, words)
    if _clear(did):
        return (
            f"After the start, {words.outcome} in the treated group was {effect}, relative to the "
            f"comparison group, than before {interval}."
        )
    return (
        f"The comparison cannot tell whether {words.outcome} moved differently in the treated "
        f"group than in the comparison group: the estimate is {effect} {interval}."
    )


# --------------------------------------------------------------------------------------------
# Verdict
# --------------------------------------------------------------------------------------------


def quasi_verdict(
    result: TimeSeriesResult | DiDResult,
    *,
    criterion: float,
    direction: Direction,
    words: Wording | None = None,
) -> Verdict:
    """The honest verdict (:func:`analysis.judge`) on the headline estimate, with the design's
    fixed caveat always attached (and the pre-trend warning when there is one)."""
    words = words or Wording(outcome="the measure")
    outcome = judge(result.ci_low, result.ci_high, criterion=criterion, direction=direction)
    e = result.level_change if isinstance(result, TimeSeriesResult) else result.did
    effect, interval = _change(e, result.alpha, words)
    needed = f"improvement of {number(criterion)}{unit_suffix(words)}"
    what = (
        "the change in level against the earlier trend"
        if isinstance(result, TimeSeriesResult)
        else "the difference-in-differences"
    )
    if outcome == "met":
        headline = (
            f"The goal was met: {what} is {effect} {interval}, and even the least favourable end "
            f"of the interval clears the {needed} set as the success criterion."
        )
    elif outcome == "not met":
        headline = (
            f"The goal was not met: {what} is {effect} {interval}, and even the most favourable "
            f"end of the interval falls short of the {needed} set as the success criterion."
        )
    else:
        headline = (
            f"The data cannot tell whether the {needed} set as the success criterion was "
            f"reached: {what} is {effect} {interval}."
        )
    caveats = (result.caveat, *result.notes)
    return Verdict(outcome=outcome, headline=headline, caveats=caveats)
