"""Time-to-event outcomes with right censoring: Kaplan-Meier, log-rank and restricted mean
survival time.

``durations`` are times from entry to the event or to the end of follow-up; ``events`` are
1 (the event happened) or 0 (censored: follow-up ended first).

One implementation: everything is computed from per-time counts (:class:`SurvivalTable`, built by
:func:`survival_tables` with two ``np.bincount`` sweeps), which is all that Kaplan-Meier, the
log-rank test and the restricted mean need. The single-sample functions (:func:`kaplan_meier`,
:func:`logrank`, :func:`rmst`) and the trials' results pages (a million units at a time) share
it; ``tests/stats`` checks it against R's ``survival`` output and lifelines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

from ._checks import as_real, check_events, check_values, refuse

#: Above this many distinct (time, event) cells a bootstrap of the median would cost too much.
MAX_BOOTSTRAP_CELLS = 20_000
#: Tolerance for S(t) <= 0.5 so that round-off in a cumulative product cannot move the median.
_MEDIAN_TOL = 1e-12


@dataclass(frozen=True)
class KaplanMeier:
    """Kaplan-Meier curve: ``survival[i]`` is S(t) just after ``times[i]`` (the event times).

    ``median`` is ``None`` when the curve never falls to 0.5 ("median not reached").
    """

    times: tuple[float, ...]
    survival: tuple[float, ...]
    median: float | None
    n: int
    events: int
    max_follow_up: float

    def survival_at(self, times: Iterable[float]) -> list[float | None]:
        """Step-function value S(t) at each requested time.

        S(t) = 1 before the first event. Times after the longest follow-up give ``None``:
        the data say nothing about survival beyond the last person observed.
        """
        query = check_values(times, "The requested times")
        event_times = np.asarray(self.times, dtype=float)
        # side="right": at an event time itself the drop has already happened (right-continuous).
        index = np.searchsorted(event_times, query, side="right")
        curve = np.concatenate(([1.0], np.asarray(self.survival, dtype=float)))
        return [
            None if t > self.max_follow_up else float(curve[i])
            for t, i in zip(query, index, strict=True)
        ]


@dataclass(frozen=True)
class LogrankResult:
    """Result of :func:`logrank` (chi-square on 1 degree of freedom)."""

    statistic: float
    df: int
    p_value: float


def _clean(
    durations: Sequence[float] | NDArray[np.float64],
    events: Sequence[float] | NDArray[np.float64],
    arm: str,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    times = check_values(durations, f"The follow-up times of the {arm}")
    if times.size == 0:
        raise refuse(f"The {arm} has no observations.")
    if np.any(times < 0):
        raise refuse(f"The {arm} has a negative follow-up time.")
    happened = check_events(events, times.size, f"The event indicators of the {arm}")
    return times, happened


def kaplan_meier(
    durations: Sequence[float] | NDArray[np.float64],
    events: Sequence[float] | NDArray[np.float64],
) -> KaplanMeier:
    """Kaplan-Meier product-limit estimate of the survival function.

    Product limit over the per-time counts of :func:`survival_tables`. The median is the first
    event time at which the curve is at or below 0.5 (the convention of lifelines and of R's
    ``survfit`` except for R's averaging when the curve sits exactly at 0.5).

    Refuses when there is no data or every observation is censored (the curve would be flat at 1
    and uninformative).

    Reference: Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
    JASA 53:457-481.
    """
    times, happened = _clean(durations, events, "group")
    if not happened.any():
        raise refuse("Every observation is censored, so no survival curve can be estimated.")
    table = _single_table(times, happened)
    survival = table.survival()
    event_rows = table.deaths > 0
    return KaplanMeier(
        times=tuple(float(t) for t in table.times[event_rows]),
        survival=tuple(float(s) for s in survival[event_rows]),
        median=table.median(),
        n=int(times.size),
        events=int(happened.sum()),
        max_follow_up=float(times.max()),
    )


def logrank(
    durations_t: Sequence[float] | NDArray[np.float64],
    events_t: Sequence[float] | NDArray[np.float64],
    durations_c: Sequence[float] | NDArray[np.float64],
    events_c: Sequence[float] | NDArray[np.float64],
) -> LogrankResult:
    """Two-sample log-rank (Mantel-Cox) test of equal survival curves.

    Computed by :func:`logrank_from_tables`; equals R's ``survival::survdiff`` (rho = 0) and
    ``lifelines.statistics.logrank_test``.

    Reference: Mantel N (1966). Evaluation of survival data and two new rank order statistics
    arising in its consideration. Cancer Chemotherapy Reports 50:163-170.
    """
    times_t, happened_t = _clean(durations_t, events_t, "treatment arm")
    times_c, happened_c = _clean(durations_c, events_c, "control arm")
    if not (happened_t.any() or happened_c.any()):
        raise refuse("Every observation is censored, so the survival curves cannot be compared.")
    times = np.concatenate([times_t, times_c])
    status = np.concatenate([happened_t, happened_c]).astype(float)
    codes = np.concatenate([np.ones(times_t.size), np.zeros(times_c.size)]).astype(np.intp)
    control, treated = survival_tables(codes, 2, times, status)
    statistic, p_value = logrank_from_tables(treated, control)
    return LogrankResult(statistic=statistic, df=1, p_value=p_value)


def rmst(
    durations: Sequence[float] | NDArray[np.float64],
    events: Sequence[float] | NDArray[np.float64],
    horizon: float,
) -> float:
    """Restricted mean survival time: the area under the Kaplan-Meier curve from 0 to ``horizon``.

    Read it as "average event-free time during the first ``horizon`` units". Computed by
    :func:`rmst_from_table` (equal to ``lifelines.utils.restricted_mean_survival_time``).

    Refuses when ``horizon`` is not positive, lies beyond the longest follow-up (the curve is not
    estimated there), or every observation is censored.

    Reference: Royston P, Parmar MKB (2013). Restricted mean survival time: an alternative to the
    hazard ratio for the design and analysis of randomized trials with a time-to-event outcome.
    BMC Medical Research Methodology 13:152.
    """
    times, happened = _clean(durations, events, "group")
    tau = as_real(horizon, "The time horizon")
    if tau <= 0:
        raise refuse("The time horizon must be greater than zero.")
    if tau > times.max():
        raise refuse(
            f"The time horizon ({tau:g}) is beyond the longest follow-up ({times.max():g}); "
            "choose a horizon within the observed follow-up."
        )
    if not happened.any():
        raise refuse("Every observation is censored, so no survival curve can be estimated.")
    area, _ = rmst_from_table(_single_table(times, happened), tau)
    return area


def _single_table(times: NDArray[np.float64], happened: NDArray[np.bool_]) -> SurvivalTable:
    codes = np.zeros(times.size, dtype=np.intp)
    return survival_tables(codes, 1, times, happened.astype(float))[0]


# --------------------------------------------------------------------------------------------
# Per-time counts: the one implementation behind everything above and the trials' pages
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurvivalTable:
    """Per-time counts for one arm on a shared time grid: exits (events + censored) and events."""

    times: NDArray[np.float64]
    exits: NDArray[np.float64]
    deaths: NDArray[np.float64]

    @property
    def at_risk(self) -> NDArray[np.float64]:
        return np.cumsum(self.exits[::-1])[::-1]

    def survival(self) -> NDArray[np.float64]:
        """S(t) just after each grid time (Kaplan-Meier product limit)."""
        risk = self.at_risk
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(risk > 0, 1.0 - self.deaths / risk, 1.0)
        return np.asarray(np.cumprod(factor), dtype=float)

    def median(self) -> float | None:
        """First grid time with S(t) <= 0.5, or ``None`` when the curve never gets there."""
        below = np.flatnonzero(self.survival() <= 0.5 + _MEDIAN_TOL)
        return float(self.times[below[0]]) if below.size else None


def survival_tables(
    codes: NDArray[np.intp], k: int, durations: NDArray[np.float64], events: NDArray[np.float64]
) -> list[SurvivalTable]:
    """Counts of exits and events per arm at each distinct time, from two ``np.bincount`` sweeps.

    Whole-number durations (e.g. days) index the grid directly; other durations are ranked with
    ``np.unique`` first. This is the whole of the data that Kaplan-Meier, log-rank and RMST need.
    """
    as_int = durations.astype(np.int64)
    whole = durations.size > 0 and as_int.max() < 10_000_000 and np.array_equal(as_int, durations)
    if whole:
        top = int(as_int.max()) + 1
        index = codes * top + as_int
        grid = np.arange(top, dtype=float)
    else:
        grid, inverse = np.unique(durations, return_inverse=True)
        top = grid.size
        index = codes * top + inverse
    exits = np.bincount(index, minlength=k * top).reshape(k, top).astype(float)
    deaths = np.bincount(index, weights=events, minlength=k * top).reshape(k, top)
    used = exits.sum(axis=0) > 0
    return [SurvivalTable(grid[used], exits[a, used], deaths[a, used]) for a in range(k)]


def logrank_from_tables(treated: SurvivalTable, control: SurvivalTable) -> tuple[float, float]:
    """Mantel-Cox log-rank chi-square (1 df) and p-value from per-time counts on a shared grid.

    ``O - E`` for the treated arm over the pooled risk sets, hypergeometric variance
    ``d (n1/n)(1 - n1/n)(n - d)/(n - 1)``. Reference: Mantel (1966); Klein & Moeschberger 7.3.
    """
    n1, n0 = treated.at_risk, control.at_risk
    d1, d = treated.deaths, treated.deaths + control.deaths
    n = n1 + n0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n > 0, n1 / n, 0.0)
        variance = np.where(n > 1, d * share * (1.0 - share) * (n - d) / (n - 1.0), 0.0)
    observed_minus_expected = float(np.sum(d1 - d * share))
    total_variance = float(variance.sum())
    if total_variance <= 0:
        raise refuse("The survival curves cannot be compared: there is no variation.")
    statistic = observed_minus_expected**2 / total_variance
    return float(statistic), float(sps.chi2.sf(statistic, 1))


def rmst_from_table(table: SurvivalTable, horizon: float) -> tuple[float, float]:
    """Restricted mean survival time to ``horizon`` and its variance.

    Area under the Kaplan-Meier step function, and the Klein-Moeschberger (2003, 4.5) variance
    ``sum_{t_j <= tau} A_j**2 d_j / (n_j (n_j - d_j))`` with ``A_j`` the area from ``t_j`` to
    ``tau``. Refuses a horizon beyond the arm's longest follow-up.
    """
    if horizon <= 0:
        raise refuse("The time horizon must be greater than zero.")
    longest = float(table.times[table.exits > 0].max())
    if horizon > longest:
        raise refuse(
            f"The time horizon ({horizon:g}) is beyond the longest follow-up ({longest:g}); "
            "choose a horizon within the observed follow-up."
        )
    survival = table.survival()
    inside = table.times <= horizon
    times, surv = table.times[inside], survival[inside]
    # S is 1 on [0, t_1), surv[j] on [t_j, t_{j+1}), and surv[-1] until the horizon.
    edges = np.append(times, horizon)
    steps = np.concatenate(([1.0], surv))
    widths = np.diff(np.concatenate(([0.0], edges)))
    pieces = steps * widths
    area = float(pieces.sum())
    # Area from t_j to the horizon: the tail sums of the pieces after t_j.
    tail = np.cumsum(pieces[::-1])[::-1][1:]
    d, n = table.deaths[inside], table.at_risk[inside]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((d > 0) & (n > d), tail**2 * d / (n * (n - d)), 0.0)
    return area, float(terms.sum())


def within_from_table(table: SurvivalTable, time: float) -> tuple[float, float]:
    """Share with the event by ``time``, ``1 - S(time)``, and its Greenwood variance.

    Greenwood (1926): ``Var S(t) = S(t)**2 sum_{t_j <= t} d_j / (n_j (n_j - d_j))``.
    """
    longest = float(table.times[table.exits > 0].max())
    if time > longest:
        raise refuse(f"The time {time:g} is beyond the longest follow-up ({longest:g}) in an arm.")
    survival = table.survival()
    inside = table.times <= time
    s = float(survival[inside][-1]) if inside.any() else 1.0
    d, n = table.deaths[inside], table.at_risk[inside]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((d > 0) & (n > d), d / (n * (n - d)), 0.0)
    return 1.0 - s, s * s * float(terms.sum())


def bootstrap_medians(
    table: SurvivalTable, samples: int, rng: np.random.Generator
) -> NDArray[np.float64] | None:
    """Kaplan-Meier medians of ``samples`` bootstrap resamples of one arm (``inf`` = not reached).

    Resampling units with replacement is the same as a multinomial draw over the arm's distinct
    (time, event) cells, so each resample costs the number of cells, not the number of units.
    Returns ``None`` when there are more than ``MAX_BOOTSTRAP_CELLS`` cells.
    Reference: Efron (1981), JASA 76:312-319.
    """
    censored = table.exits - table.deaths
    death_cells = np.flatnonzero(table.deaths > 0)
    censor_cells = np.flatnonzero(censored > 0)
    if death_cells.size + censor_cells.size > MAX_BOOTSTRAP_CELLS:
        return None
    n = int(table.exits.sum())
    weights = np.concatenate((table.deaths[death_cells], censored[censor_cells])) / n
    draws = rng.multinomial(n, weights / weights.sum(), size=samples)
    deaths = np.zeros((samples, table.times.size))
    exits = np.zeros((samples, table.times.size))
    deaths[:, death_cells] = draws[:, : death_cells.size]
    exits[:, death_cells] = draws[:, : death_cells.size]
    exits[:, censor_cells] += draws[:, death_cells.size :]
    risk = np.cumsum(exits[:, ::-1], axis=1)[:, ::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(risk > 0, 1.0 - deaths / risk, 1.0)
    below = np.cumprod(factor, axis=1) <= 0.5 + _MEDIAN_TOL
    reached = below.any(axis=1)
    return np.where(reached, table.times[below.argmax(axis=1)], np.inf)
