"""Non-randomised designs: interrupted time series and difference-in-differences.

Pure Python on numpy and statsmodels; no Django imports.

Interrupted time series (before and after)
------------------------------------------
One value per period. Periods are put in order and numbered 0, 1, 2, ... (they are assumed to be
evenly spaced: weeks, months, quarters), and time is centred on the first period at or after the
intervention, ``t0``. Segmented regression (Wagner et al. 2002)::

    value = b0 + b1 * t + b2 * after + b3 * (t - t0) * after + error

``b2`` is the change in level at the intervention (the headline: how far the first period after
the change sits from where the earlier trend pointed) and ``b3`` the change in slope per period.
Errors are Newey-West (HAC, Bartlett kernel) so that autocorrelated residuals do not give falsely
narrow intervals, with the usual automatic lag ``floor(4 (n/100)^(2/9))`` (at least 1) unless
one is given, the small-sample correction, and t on the residual degrees of freedom; exactly
``statsmodels.OLS(...).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True},
use_t=True)``. Fewer than :data:`MIN_ITS_POINTS` periods on either side is refused: the trend
before, or the change after, cannot be told apart from noise.

Difference-in-differences (comparison group)
--------------------------------------------
Rows are (period, value, group) with group "treated" or "comparison"; several rows in one
group and period are averaged first (group x period means). For each period observed in both
groups the gap ``d = treated - comparison`` is formed; the DiD estimate is the coefficient on
``after`` in ``d = a + delta * after`` (mean gap after minus mean gap before; with one mean per
group and period this equals the interaction in the two-way fixed-effects regression), with the
same HAC errors as above. The pre-trend check regresses the pre-period gap on time,
``d = a + g * t`` (before only): ``g`` is the difference between the groups' pre-period slopes,
equal to the ``treated x time`` interaction of ``value ~ treated * time`` fitted to the pre-period
means, tested with the classical OLS error (t on n - 2 df). Not HAC: on the short pre-periods
councils have (5 to 20 points) Newey-West errors reject a true null about 10 to 17% of the time
at alpha 0.05 (checked by simulation), which would raise false alarms. A clear difference
(p < alpha) is reported as a warning beside the headline: the parallel-trends assumption the
estimate rests on looks doubtful.

References:
    Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D (2002). Segmented regression analysis of
    interrupted time series studies in medication use research. J Clin Pharm Ther 27:299-309.
    Newey WK, West KD (1987). A simple, positive semi-definite, heteroskedasticity and
    autocorrelation consistent covariance matrix. Econometrica 55:703-708.
    Bertrand M, Duflo E, Mullainathan S (2004). How much should we trust differences-in-
    differences estimates? QJE 119:249-275 (serial correlation; collapsing to group-period means).
    Angrist JD, Pischke J-S (2009). Mostly Harmless Econometrics, chapter 5.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import statsmodels.api as sm

from whatworks.stats import StatsRefusal

from .analysis import Direction, Verdict, Wording, _interval_phrase, _number, _signed_words, judge

#: The issue's rule: an interrupted time series needs at least this many points on each side.
MIN_ITS_POINTS = 8
#: Difference-in-differences needs this many shared periods on each side (3 before, so that the
#: pre-trend slope test has a residual degree of freedom).
MIN_DID_PERIODS = 3

ITS_CAVEAT = "A before-and-after comparison cannot show that the initiative caused the change."
DID_CAVEAT = (
    "A comparison-group estimate relies on the groups having moved in parallel before; "
    "it cannot rule out that something else changed for one group at the same time."
)

TREATED = "treated"
COMPARISON = "comparison"


@dataclass(frozen=True)
class Estimate:
    """One coefficient with its interval and two-sided p-value."""

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float


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
    maxlags: int
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
    maxlags: int
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


def newey_west_lags(n: int) -> int:
    """The usual automatic lag for Newey-West errors, ``floor(4 (n/100)^(2/9))``, at least 1."""
    return max(1, int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))))


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


def _fit_hac(y: np.ndarray, x: np.ndarray, maxlags: int, alpha: float) -> Any:
    fit = sm.OLS(y, x).fit(
        cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True
    )
    if not fit.df_resid > 0:
        raise StatsRefusal("There are too few periods to estimate the variation around the line.")
    scale = max(1.0, float(np.max(np.abs(y))))
    if not np.all(np.isfinite(fit.bse)) or float(np.max(np.abs(fit.resid))) <= 1e-10 * scale:
        raise StatsRefusal(
            "The values lie exactly on the fitted lines, so no interval can be estimated."
        )
    return fit


def _coef(fit: Any, i: int, alpha: float) -> Estimate:
    ci = fit.conf_int(alpha=alpha)
    return Estimate(
        estimate=float(fit.params[i]),
        std_error=float(fit.bse[i]),
        ci_low=float(ci[i, 0]),
        ci_high=float(ci[i, 1]),
        p_value=float(fit.pvalues[i]),
    )


def _clear(e: Estimate) -> bool:
    return e.ci_low > 0 or e.ci_high < 0


def _places(*values: float) -> int:
    present = [abs(v) for v in values if math.isfinite(v)]
    largest = max(present) if present else 0.0
    if largest >= 100:
        return 0
    return 1 if largest >= 1 else 2


def _unit(words: Wording) -> str:
    return f" {words.measure_unit}" if words.measure_unit else ""


def _change(e: Estimate, alpha: float, words: Wording) -> tuple[str, str]:
    places = _places(e.estimate, e.ci_low, e.ci_high)
    unit = _unit(words)
    return (
        _signed_words("mean", e.estimate, unit, places),
        _interval_phrase("mean", e.ci_low, e.ci_high, alpha, words, places),
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
    maxlags: int | None = None,
    words: Wording | None = None,
) -> TimeSeriesResult:
    """Segmented regression with Newey-West errors; see the module docstring.

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
    lags = newey_west_lags(n) if maxlags is None else int(maxlags)
    if lags < 0:
        raise StatsRefusal("The number of lags must be zero or more.")
    t = np.arange(n, dtype=float) - n_before
    post = after.astype(float)
    x = np.column_stack([np.ones(n), t, post, t * post])
    fit = _fit_hac(y, x, lags, alpha)
    level = _coef(fit, 2, alpha)
    slope = _coef(fit, 3, alpha)
    before = _coef(fit, 1, alpha)
    params = np.asarray(fit.params)
    counterfactual = params[0] + params[1] * t
    headline = _its_headline(level, slope, alpha, words)
    return TimeSeriesResult(
        design="before and after",
        n_before=n_before,
        n_after=n_after,
        level_change=level,
        slope_change=slope,
        slope_before=before,
        maxlags=lags,
        df_resid=float(fit.df_resid),
        alpha=alpha,
        periods=tuple(ordered),
        values=tuple(float(v) for v in y),
        fitted=tuple(float(v) for v in fit.fittedvalues),
        counterfactual=tuple(float(v) for v in counterfactual),
        headline=headline,
        caveat=ITS_CAVEAT,
        method=(
            "Segmented regression (interrupted time series) with Newey-West errors "
            f"({lags} lag{'s' if lags != 1 else ''}); t on {fit.df_resid:g} degrees of freedom."
        ),
    )


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
    maxlags: int | None = None,
    words: Wording | None = None,
) -> DiDResult:
    """DiD on group x period means with Newey-West errors and a pre-trend test.

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
    m = len(shared)
    lags = newey_west_lags(m) if maxlags is None else int(maxlags)
    if lags < 0:
        raise StatsRefusal("The number of lags must be zero or more.")
    x = np.column_stack([np.ones(m), after.astype(float)])
    fit = _fit_hac(gap, x, lags, alpha)
    did = _coef(fit, 1, alpha)
    pre_gap = gap[~after]
    t_pre = np.arange(n_before, dtype=float) - n_before
    pre_fit = sm.OLS(pre_gap, np.column_stack([np.ones(n_before), t_pre])).fit()
    pretrend = _coef(pre_fit, 1, alpha)
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
        maxlags=lags,
        alpha=alpha,
        periods=tuple(shared),
        treated=tuple(float(v) for v in mean_t),
        comparison=tuple(float(v) for v in mean_c),
        dropped_periods=dropped,
        headline=_did_headline(did, alpha, words),
        caveat=DID_CAVEAT,
        method=(
            "Difference-in-differences on group-period means with Newey-West errors "
            f"({lags} lag{'s' if lags != 1 else ''}); pre-trend test of differing pre-period "
            "slopes."
        ),
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
    needed = f"improvement of {_number(criterion)}{_unit(words)}"
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
