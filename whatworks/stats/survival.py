"""Time-to-event outcomes with right censoring: Kaplan-Meier, log-rank and restricted mean
survival time.

``durations`` are times from entry to the event or to the end of follow-up; ``events`` are
1 (the event happened) or 0 (censored: follow-up ended first).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from ._checks import as_real, check_events, check_values, refuse


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

    Computed with ``statsmodels.duration.survfunc.SurvfuncRight``. The median is the first event
    time at which the curve is at or below 0.5 (``SurvfuncRight.quantile(0.5)``, the convention of
    lifelines and of R's ``survfit`` except for R's averaging when the curve sits exactly at 0.5).

    Refuses when there is no data or every observation is censored (the curve would be flat at 1
    and uninformative).

    Reference: Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
    JASA 53:457-481.
    """
    times, happened = _clean(durations, events, "group")
    if not happened.any():
        raise refuse("Every observation is censored, so no survival curve can be estimated.")
    fit = SurvfuncRight(times, happened.astype(float))
    median = fit.quantile(0.5)
    median_value = None if median is None or not math.isfinite(float(median)) else float(median)
    return KaplanMeier(
        times=tuple(float(t) for t in fit.surv_times),
        survival=tuple(float(s) for s in fit.surv_prob),
        median=median_value,
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

    Delegates to ``statsmodels.duration.survfunc.survdiff``; equals R's ``survival::survdiff``
    (rho = 0) and ``lifelines.statistics.logrank_test``.

    Reference: Mantel N (1966). Evaluation of survival data and two new rank order statistics
    arising in its consideration. Cancer Chemotherapy Reports 50:163-170.
    """
    times_t, happened_t = _clean(durations_t, events_t, "treatment arm")
    times_c, happened_c = _clean(durations_c, events_c, "control arm")
    if not (happened_t.any() or happened_c.any()):
        raise refuse("Every observation is censored, so the survival curves cannot be compared.")
    times = np.concatenate([times_t, times_c])
    status = np.concatenate([happened_t, happened_c]).astype(float)
    group = np.concatenate([np.ones(times_t.size), np.zeros(times_c.size)])
    statistic, p_value = survdiff(times, status, group)
    return LogrankResult(statistic=float(statistic), df=1, p_value=float(p_value))


def rmst(
    durations: Sequence[float] | NDArray[np.float64],
    events: Sequence[float] | NDArray[np.float64],
    horizon: float,
) -> float:
    """Restricted mean survival time: the area under the Kaplan-Meier curve from 0 to ``horizon``.

    Read it as "average event-free time during the first ``horizon`` units". Computed with
    ``lifelines.utils.restricted_mean_survival_time`` on a ``KaplanMeierFitter``.

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
    # Imported here: lifelines pulls in pandas and more, and only this function needs it.
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    fitter = KaplanMeierFitter().fit(times, event_observed=happened)
    return float(restricted_mean_survival_time(fitter, t=tau))
