"""Randomisation inference for cluster-randomised comparisons.

The p-value re-draws the clusters' arm labels as the allocation did (within strata when it was
stratified) and asks how often a difference at least as large as the one observed arises by
chance. It assumes nothing about the outcome's distribution, so the trials pages show it beside
the CR2 interval as a check on it.

References:
    Gerber AS, Green DP (2012). Field Experiments: Design, Analysis, and Interpretation.
    Norton, chapter 3.
    Phipson B, Smyth GK (2010). Permutation p-values should never be zero. Statistical
    Applications in Genetics and Molecular Biology 9:39.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._checks import refuse


def difference_of_ratios(num_t: Any, den_t: Any, num_c: Any, den_c: Any) -> Any:
    """Difference of two ratios: with denominators of ones, a difference in means."""
    return num_t / den_t - num_c / den_c


def log_ratio_of_ratios(num_t: Any, den_t: Any, num_c: Any, den_c: Any) -> Any:
    """Log of a ratio of ratios: with events over exposure, the log rate ratio."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(num_t / den_t) - np.log(num_c / den_c)


def randomisation_p_value(
    clusters: NDArray[np.intp],
    treated: NDArray[np.bool_],
    numerator: NDArray[np.float64],
    denominator: NDArray[np.float64],
    statistic: Callable[[Any, Any, Any, Any], Any],
    *,
    strata: NDArray[np.intp] | None = None,
    permutations: int = 2000,
    seed: int = 0,
) -> float:
    """Two-sided randomisation-inference p-value, re-drawing cluster-level arm labels.

    The data are reduced to per-cluster totals of ``numerator`` and ``denominator`` (e.g.
    outcome and 1 for a difference in means; events and exposure for a rate ratio). Each of the
    ``permutations`` shuffles the clusters' arm labels (within strata when given, as the
    allocation did), recomputes ``statistic(num_t, den_t, num_c, den_c)`` with one matrix
    product, and the p-value is ``(1 + #{|T*| >= |T|}) / (1 + permutations)`` (Phipson & Smyth
    2010: never zero). Seeded with ``Generator(PCG64(seed))``, so it is reproducible.

    Reference: Gerber & Green (2012), Field Experiments, chapter 3.
    """
    if permutations < 1:
        raise refuse("Randomisation inference needs at least one permutation.")
    _, inverse = np.unique(clusters, return_inverse=True)
    num = np.bincount(inverse, numerator)
    den = np.bincount(inverse, denominator)
    arm = np.bincount(inverse, treated.astype(float)) > 0
    total_num, total_den = num.sum(), den.sum()
    observed = statistic(num[arm].sum(), den[arm].sum(), num[~arm].sum(), den[~arm].sum())
    rng = np.random.Generator(np.random.PCG64(seed))
    draws = np.tile(arm, (permutations, 1))
    if strata is None:
        draws = rng.permuted(draws, axis=1)
    else:
        cluster_stratum = np.zeros(arm.size, dtype=np.intp)
        cluster_stratum[inverse] = strata
        for s in np.unique(cluster_stratum):
            cols = np.flatnonzero(cluster_stratum == s)
            draws[:, cols] = rng.permuted(draws[:, cols], axis=1)
    mask = draws.astype(float)
    num_t, den_t = mask @ num, mask @ den
    permuted = statistic(num_t, den_t, total_num - num_t, total_den - den_t)
    # A relative tolerance so that permutations tying with the observed value count as ties.
    tol = 1e-9 * max(abs(float(observed)), 1e-12)
    extreme = np.sum(np.abs(permuted) >= abs(float(observed)) - tol)
    return float((1 + extreme) / (1 + permutations))
