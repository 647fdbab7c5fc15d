"""Property-based checks of invariances every correct implementation must have."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from whatworks import stats

FAST = settings(max_examples=50, deadline=None)

# Values on a 0.01 grid keep the spread of a non-constant sample at least 0.01, so tolerances
# can be absolute without float noise from near-constant samples dominating.
values = st.integers(min_value=-100_000, max_value=100_000).map(lambda v: v / 100)
samples = st.lists(values, min_size=2, max_size=30)
shifts = st.integers(min_value=-1_000_000, max_value=1_000_000).map(lambda v: v / 100)


@st.composite
def two_arm_counts(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n_t = draw(st.integers(min_value=1, max_value=500))
    n_c = draw(st.integers(min_value=1, max_value=500))
    x_t = draw(st.integers(min_value=0, max_value=n_t))
    x_c = draw(st.integers(min_value=0, max_value=n_c))
    # Both arms all-failure or all-success is refused by design; tested elsewhere.
    assume(0 < x_t + x_c < n_t + n_c)
    return x_t, n_t, x_c, n_c


def _varies(*arms: list[float]) -> bool:
    return any(np.ptp(arm) > 0 for arm in arms)


@FAST
@given(two_arm_counts())
def test_swapping_arms_mirrors_proportion_comparison(counts: tuple[int, int, int, int]) -> None:
    x_t, n_t, x_c, n_c = counts
    forward = stats.compare_proportions(x_t, n_t, x_c, n_c)
    backward = stats.compare_proportions(x_c, n_c, x_t, n_t)
    assert backward.difference == pytest.approx(-forward.difference, abs=1e-12)
    assert backward.ci_low == pytest.approx(-forward.ci_high, abs=1e-12)
    assert backward.ci_high == pytest.approx(-forward.ci_low, abs=1e-12)
    assert backward.statistic == pytest.approx(-forward.statistic, abs=1e-9)
    assert backward.p_value == pytest.approx(forward.p_value, abs=1e-12)


@FAST
@given(two_arm_counts())
def test_newcombe_interval_is_proper(counts: tuple[int, int, int, int]) -> None:
    result = stats.compare_proportions(*counts)
    assert -1.0 <= result.ci_low <= result.difference + 1e-12
    assert result.difference - 1e-12 <= result.ci_high <= 1.0
    assert 0.0 <= result.p_value <= 1.0


@FAST
@given(samples, samples)
def test_swapping_arms_mirrors_mean_comparison(t: list[float], c: list[float]) -> None:
    assume(_varies(t, c))
    forward = stats.compare_means(t, c)
    backward = stats.compare_means(c, t)
    assert backward.difference == pytest.approx(-forward.difference, abs=1e-9)
    assert backward.ci_low == pytest.approx(-forward.ci_high, abs=1e-9)
    assert backward.ci_high == pytest.approx(-forward.ci_low, abs=1e-9)
    assert backward.p_value == pytest.approx(forward.p_value, abs=1e-9)
    assert backward.df == pytest.approx(forward.df, rel=1e-9)


@FAST
@given(samples, samples, shifts)
def test_shifting_both_arms_changes_nothing(t: list[float], c: list[float], k: float) -> None:
    assume(_varies(t, c))
    base = stats.compare_means(t, c)
    shifted = stats.compare_means([v + k for v in t], [v + k for v in c])
    assert shifted.difference == pytest.approx(base.difference, abs=1e-6)
    assert shifted.ci_low == pytest.approx(base.ci_low, abs=1e-6)
    assert shifted.ci_high == pytest.approx(base.ci_high, abs=1e-6)
    assert shifted.p_value == pytest.approx(base.p_value, abs=1e-6)


@FAST
@given(samples, samples, shifts)
def test_shifting_one_arm_shifts_the_interval(t: list[float], c: list[float], k: float) -> None:
    assume(_varies(t, c))
    base = stats.compare_means(t, c)
    shifted = stats.compare_means([v + k for v in t], c)
    assert shifted.difference == pytest.approx(base.difference + k, abs=1e-6)
    assert shifted.ci_low == pytest.approx(base.ci_low + k, abs=1e-6)
    assert shifted.ci_high == pytest.approx(base.ci_high + k, abs=1e-6)
    width = base.ci_high - base.ci_low
    assert shifted.ci_high - shifted.ci_low == pytest.approx(width, abs=1e-6)


@FAST
@given(
    st.integers(min_value=1, max_value=10_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_interval_within_unit_and_contains_estimate(counts: tuple[int, int]) -> None:
    successes, n = counts
    interval = stats.proportion_interval(successes, n)
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0


# Fewer examples here: statsmodels' Holm branch calls gc.collect() on every call (~0.1 s).
@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), max_size=40),
    st.sampled_from(["holm", "bh"]),
)
def test_adjusted_p_values_bounded(p_values: list[float], method: str) -> None:
    adjusted = stats.adjust_p_values(p_values, method)  # type: ignore[arg-type]
    assert len(adjusted) == len(p_values)
    for raw, adj in zip(p_values, adjusted, strict=True):
        assert raw <= adj <= 1.0


rates = st.integers(min_value=1, max_value=99).map(lambda v: v / 100)


@FAST
@given(rates, rates, st.integers(min_value=2, max_value=5000), st.integers(1, 5000))
def test_proportion_power_increases_with_n(p_c: float, p_t: float, n: int, extra: int) -> None:
    assume(p_c != p_t)
    smaller = stats.power_two_proportions(p_c, p_t, n_per_arm=n).power
    larger = stats.power_two_proportions(p_c, p_t, n_per_arm=n + extra).power
    assert larger >= smaller


@FAST
@given(
    st.floats(min_value=0.05, max_value=3.0),
    st.integers(min_value=2, max_value=2000),
    st.integers(min_value=1, max_value=2000),
)
def test_mean_power_increases_with_n(delta: float, n: int, extra: int) -> None:
    smaller = stats.power_two_means(delta, 1.0, n_per_arm=n).power
    larger = stats.power_two_means(delta, 1.0, n_per_arm=n + extra).power
    assert larger >= smaller


@FAST
@given(rates, rates, st.floats(min_value=0.5, max_value=0.95))
def test_solved_sample_size_round_trips(p_c: float, p_t: float, target: float) -> None:
    assume(abs(p_c - p_t) >= 0.01)
    solved = stats.power_two_proportions(p_c, p_t, power=target)
    assume(solved.n_per_arm > 2.0)  # at the floor of 2 the power can exceed the target
    again = stats.power_two_proportions(p_c, p_t, n_per_arm=solved.n_per_arm)
    assert again.power == pytest.approx(target, abs=1e-7)
