"""Survival on R's survival::aml data (acute myelogenous leukaemia, maintenance chemotherapy)."""

from __future__ import annotations

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test

from whatworks import stats

# survival::aml; status 1 = relapse, 0 = censored (the "+" times in the printed data).
MAINTAINED_TIME = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161]
MAINTAINED_STATUS = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0]
NONMAINTAINED_TIME = [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
NONMAINTAINED_STATUS = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]


def test_km_matches_r_survfit_aml_maintained() -> None:
    # R: summary(survfit(Surv(time, status) ~ x, data = aml)), x = Maintained:
    # time 9 13 18 23 31 34 48; survival 0.909 0.818 0.716 0.614 0.491 0.368 0.184
    # print(): n = 11, events = 7, median = 31
    curve = stats.kaplan_meier(MAINTAINED_TIME, MAINTAINED_STATUS)
    assert curve.times == (9, 13, 18, 23, 31, 34, 48)
    assert [round(s, 3) for s in curve.survival] == pytest.approx(
        [0.909, 0.818, 0.716, 0.614, 0.491, 0.368, 0.184]
    )
    assert curve.median == 31
    assert (curve.n, curve.events) == (11, 7)


def test_km_matches_r_survfit_aml_nonmaintained() -> None:
    # R print(survfit(...)): x = Nonmaintained, n = 12, events = 11, median = 23
    curve = stats.kaplan_meier(NONMAINTAINED_TIME, NONMAINTAINED_STATUS)
    assert curve.median == 23
    assert (curve.n, curve.events) == (12, 11)
    assert curve.survival[-1] == pytest.approx(0.0)


def test_km_agrees_with_hand_product_limit_and_lifelines() -> None:
    curve = stats.kaplan_meier(MAINTAINED_TIME, MAINTAINED_STATUS)
    time = np.array(MAINTAINED_TIME)
    status = np.array(MAINTAINED_STATUS)
    s = 1.0
    expected = []
    for t in np.unique(time[status == 1]):
        at_risk = np.sum(time >= t)
        deaths = np.sum((time == t) & (status == 1))
        s *= 1 - deaths / at_risk
        expected.append(s)
    assert list(curve.survival) == pytest.approx(expected, rel=1e-12)
    kmf = KaplanMeierFitter().fit(MAINTAINED_TIME, MAINTAINED_STATUS)
    assert curve.median == kmf.median_survival_time_


def test_survival_at_is_right_continuous_step() -> None:
    curve = stats.kaplan_meier(MAINTAINED_TIME, MAINTAINED_STATUS)
    values = curve.survival_at([0, 8.99, 9, 12, 13, 100, 161, 161.5])
    assert values[:2] == [1.0, 1.0]
    assert values[2] == pytest.approx(10 / 11)
    assert values[3] == pytest.approx(10 / 11)
    assert values[4] == pytest.approx(curve.survival[1])
    assert values[5] == pytest.approx(curve.survival[-1])
    assert values[6] == pytest.approx(curve.survival[-1])
    assert values[7] is None  # beyond the longest follow-up


def test_median_not_reached_is_none() -> None:
    curve = stats.kaplan_meier([1, 2, 3, 4, 5, 6], [1, 0, 0, 0, 0, 0])
    assert curve.median is None


def test_logrank_matches_r_survdiff_and_lifelines() -> None:
    # R: survdiff(Surv(time, status) ~ x, data = aml) -> Chisq = 3.4 on 1 degrees of freedom,
    # p = 0.07 (older R versions print p = 0.0653).
    result = stats.logrank(
        MAINTAINED_TIME, MAINTAINED_STATUS, NONMAINTAINED_TIME, NONMAINTAINED_STATUS
    )
    assert round(result.statistic, 1) == pytest.approx(3.4)
    assert round(result.p_value, 2) == pytest.approx(0.07)
    assert round(result.p_value, 4) == pytest.approx(0.0653)
    assert result.df == 1
    theirs = logrank_test(
        MAINTAINED_TIME,
        NONMAINTAINED_TIME,
        event_observed_A=MAINTAINED_STATUS,
        event_observed_B=NONMAINTAINED_STATUS,
    )
    assert result.statistic == pytest.approx(theirs.test_statistic, rel=1e-10)
    assert result.p_value == pytest.approx(theirs.p_value, rel=1e-10)


def test_logrank_is_symmetric_in_arms() -> None:
    forward = stats.logrank(
        MAINTAINED_TIME, MAINTAINED_STATUS, NONMAINTAINED_TIME, NONMAINTAINED_STATUS
    )
    backward = stats.logrank(
        NONMAINTAINED_TIME, NONMAINTAINED_STATUS, MAINTAINED_TIME, MAINTAINED_STATUS
    )
    assert forward.statistic == pytest.approx(backward.statistic)


def test_rmst_equals_area_under_the_km_step_function() -> None:
    # Independent route: integrate the statsmodels/hand KM step function up to the horizon.
    horizon = 100.0
    curve = stats.kaplan_meier(MAINTAINED_TIME, MAINTAINED_STATUS)
    knots = np.array([0.0, *curve.times, horizon])
    knots = knots[knots <= horizon]
    levels = np.array([1.0, *curve.survival])[: knots.size - 1]
    expected = float(np.sum(np.diff(knots) * levels))
    assert expected == pytest.approx(41.4159, abs=1e-4)  # worked by hand from R's curve
    assert stats.rmst(MAINTAINED_TIME, MAINTAINED_STATUS, horizon) == pytest.approx(expected)


def test_rmst_before_first_event_is_the_horizon() -> None:
    assert stats.rmst(MAINTAINED_TIME, MAINTAINED_STATUS, 5.0) == pytest.approx(5.0)
