"""Degenerate input is refused with a readable reason, never answered with a number."""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from whatworks import stats

NAN = math.nan
SLEEP = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]


def test_refusal_is_a_value_error_with_a_reason() -> None:
    with pytest.raises(stats.StatsRefusal) as caught:
        stats.compare_proportions(12, 40, 0, 0)
    assert isinstance(caught.value, ValueError)
    assert caught.value.reason == "The control arm has no observations."
    assert str(caught.value) == caught.value.reason
    # Round-trip our own exception (task queues pickle errors); no untrusted data involved.
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301
    assert copy.reason == caught.value.reason


CASES: list[tuple[str, Callable[[], Any], str]] = [
    # proportions
    ("empty treatment arm", lambda: stats.compare_proportions(0, 0, 3, 10), "no observations"),
    ("successes > n", lambda: stats.compare_proportions(11, 10, 3, 10), "cannot exceed"),
    ("negative count", lambda: stats.compare_proportions(-1, 10, 3, 10), "negative"),
    # Callers may pass floats from a form or a CSV despite the int annotation.
    ("fractional count", lambda: stats.compare_proportions(1.5, 10, 3, 10), "whole"),  # type: ignore[arg-type]
    ("NaN count", lambda: stats.compare_proportions(NAN, 10, 3, 10), "missing"),  # type: ignore[arg-type]
    ("bool count", lambda: stats.compare_proportions(True, 10, 3, 10), "whole number"),
    ("nobody succeeded", lambda: stats.compare_proportions(0, 10, 0, 20), "no variation"),
    ("everybody succeeded", lambda: stats.compare_proportions(10, 10, 20, 20), "no variation"),
    ("bad alpha", lambda: stats.compare_proportions(5, 10, 3, 10, alpha=1.5), "alpha"),
    ("NaN alpha", lambda: stats.compare_proportions(5, 10, 3, 10, alpha=NAN), "alpha"),
    ("wilson empty", lambda: stats.proportion_interval(0, 0), "no observations"),
    ("wilson too many", lambda: stats.proportion_interval(5, 4), "cannot exceed"),
    ("chi one group", lambda: stats.chi_square_proportions([3], [10]), "two groups"),
    ("chi mismatched", lambda: stats.chi_square_proportions([3, 4], [10]), "each group"),
    ("chi no variation", lambda: stats.chi_square_proportions([0, 0], [5, 6]), "same outcome"),
    ("fisher shape", lambda: stats.fisher_exact([[1, 2, 3], [4, 5, 6]]), "2 x 2"),
    ("fisher empty row", lambda: stats.fisher_exact([[0, 0], [3, 4]]), "row"),
    ("fisher empty column", lambda: stats.fisher_exact([[0, 3], [0, 4]]), "column"),
    ("fisher negative", lambda: stats.fisher_exact([[-1, 3], [2, 4]]), "negative"),
    ("adjust method", lambda: stats.adjust_p_values([0.1], "bonferroni"), "holm"),  # type: ignore[arg-type]
    ("adjust p > 1", lambda: stats.adjust_p_values([0.1, 1.2], "bh"), "between 0 and 1"),
    ("adjust NaN", lambda: stats.adjust_p_values([0.1, NAN], "holm"), "missing"),
    # means
    ("means empty control", lambda: stats.compare_means(SLEEP, []), "control arm has no obs"),
    ("means single obs", lambda: stats.compare_means(SLEEP, [1.0]), "at least two"),
    ("means zero variance", lambda: stats.compare_means([2.0, 2.0], [3.0, 3.0]), "identical"),
    ("means NaN", lambda: stats.compare_means([1.0, NAN, 2.0], SLEEP), "missing"),
    (
        "summary negative sd",
        lambda: stats.compare_means_from_summary(1, -1, 5, 1, 1, 5),
        "negative",
    ),
    ("summary n=1", lambda: stats.compare_means_from_summary(1, 1, 1, 1, 1, 5), "at least two"),
    ("summarise empty", lambda: stats.summarise([], "control arm"), "control arm has no obs"),
    # power
    ("power both given", lambda: stats.power_two_proportions(0.1, 0.2, 100, 0.8), "exactly one"),
    ("power none given", lambda: stats.power_two_means(1, 1), "exactly one"),
    ("power equal rates", lambda: stats.power_two_proportions(0.2, 0.2, power=0.8), "equal"),
    ("power rate of 1", lambda: stats.power_two_proportions(0.2, 1.0, power=0.8), "between 0"),
    ("power zero delta", lambda: stats.power_two_means(0, 1, power=0.8), "zero"),
    ("power zero sd", lambda: stats.power_two_means(1, 0, power=0.8), "greater than zero"),
    ("power n too small", lambda: stats.power_two_means(1, 1, n_per_arm=1), "at least two"),
    ("power target 1", lambda: stats.power_two_means(1, 1, power=1.0), "between 0 and 1"),
    (
        "power infeasible",
        lambda: stats.power_two_proportions(0.5, 0.5000001, power=0.8),
        "too small",
    ),
    ("mde unreachable", lambda: stats.mde_two_proportions(0.5, 3, power=0.9), "100%"),
    ("design effect icc", lambda: stats.design_effect(10, 1.5), "between 0 and 1"),
    ("design effect m", lambda: stats.design_effect(0.5, 0.1), "at least 1"),
    # survival
    ("km all censored", lambda: stats.kaplan_meier([1, 2, 3], [0, 0, 0]), "censored"),
    ("km empty", lambda: stats.kaplan_meier([], []), "no observations"),
    ("km negative time", lambda: stats.kaplan_meier([-1, 2], [1, 1]), "negative"),
    ("km bad event code", lambda: stats.kaplan_meier([1, 2], [1, 2]), "1 (event"),
    ("km length mismatch", lambda: stats.kaplan_meier([1, 2], [1]), "entries"),
    ("km NaN", lambda: stats.kaplan_meier([1, NAN], [1, 1]), "missing"),
    (
        "logrank all censored",
        lambda: stats.logrank([1, 2], [0, 0], [3, 4], [0, 0]),
        "censored",
    ),
    ("logrank empty arm", lambda: stats.logrank([1, 2], [1, 0], [], []), "control arm has no"),
    ("rmst beyond follow-up", lambda: stats.rmst([1, 2, 3], [1, 0, 1], 10), "beyond"),
    ("rmst non-positive", lambda: stats.rmst([1, 2, 3], [1, 0, 1], 0), "greater than zero"),
    ("rmst all censored", lambda: stats.rmst([1, 2, 3], [0, 0, 0], 2), "censored"),
    # regression
    ("ols constant treatment", lambda: stats.estimate_effect([1, 2, 3], [1, 1, 1]), "same"),
    ("ols length mismatch", lambda: stats.estimate_effect([1, 2, 3], [0, 1]), "entries"),
    (
        "ols collinear",
        lambda: stats.estimate_effect([1, 2, 3, 4, 5], [0, 0, 1, 1, 1], {"dup": [0, 0, 1, 1, 1]}),
        "collinear",
    ),
    ("ols too few", lambda: stats.estimate_effect([1, 2], [0, 1]), "more observations"),
    (
        "ols one cluster",
        lambda: stats.estimate_effect([1, 2, 3, 4], [0, 1, 0, 1], clusters=["a"] * 4),
        "two clusters",
    ),
    (
        "ols single-person arm",
        lambda: stats.estimate_effect([1.0, 2.0, 3.5, 4.0], [0, 0, 0, 1]),
        "cannot be estimated",
    ),
    ("ols NaN outcome", lambda: stats.estimate_effect([1, NAN, 3], [0, 1, 0]), "missing"),
    (
        "ols missing cluster",
        lambda: stats.estimate_effect([1, 2, 3, 4], [0, 1, 0, 1], clusters=["a", None, "b", "b"]),
        "no cluster label",
    ),
    # meta
    ("meta one study", lambda: stats.random_effects([0.1], [0.01]), "at least two"),
    ("meta zero variance", lambda: stats.random_effects([0.1, 0.2], [0.01, 0.0]), "greater than"),
    ("meta mismatch", lambda: stats.random_effects([0.1, 0.2], [0.01]), "pair up"),
    ("meta NaN", lambda: stats.random_effects([0.1, NAN], [0.01, 0.02]), "missing"),
]


@pytest.mark.parametrize(("call", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_degenerate_input_is_refused(call: Callable[[], Any], fragment: str) -> None:
    with pytest.raises(stats.StatsRefusal) as caught:
        call()
    reason = caught.value.reason
    assert fragment.lower() in reason.lower()
    # A reason is a sentence for a person: capitalised and finished.
    assert reason[0].isupper() and reason.endswith(".")
