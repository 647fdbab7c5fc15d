"""Binary outcomes: comparing two rates, single-rate intervals, k-group and exact tests,
and multiplicity adjustment.

All comparisons are *treatment minus control* (or treatment over control for ratios).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_chisquare,
    proportions_ztest,
)

from ._checks import as_real, check_alpha, check_arm_counts, check_count, refuse


@dataclass(frozen=True)
class ProportionComparison:
    """Result of :func:`compare_proportions`.

    ``relative_*`` fields are ``None`` when the ratio is undefined: the lift needs at least one
    control success, and its log-scale interval needs at least one success in each arm.
    """

    successes_t: int
    n_t: int
    successes_c: int
    n_c: int
    rate_t: float
    rate_c: float
    difference: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    relative_lift: float | None
    relative_ci_low: float | None
    relative_ci_high: float | None
    alpha: float


@dataclass(frozen=True)
class ProportionInterval:
    """Result of :func:`proportion_interval`: a rate and its Wilson interval."""

    successes: int
    n: int
    estimate: float
    low: float
    high: float
    alpha: float


@dataclass(frozen=True)
class ChiSquareResult:
    """Result of :func:`chi_square_proportions`."""

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True)
class FisherResult:
    """Result of :func:`fisher_exact`.

    ``odds_ratio`` is the sample (cross-product) odds ratio ``a*d / (b*c)``; it is ``inf`` or
    ``0`` when an off-diagonal or diagonal cell is empty.
    """

    odds_ratio: float
    p_value: float


def compare_proportions(
    successes_t: int,
    n_t: int,
    successes_c: int,
    n_c: int,
    alpha: float = 0.05,
) -> ProportionComparison:
    """Compare two independent proportions (treatment minus control).

    * ``difference``, ``ci_low``, ``ci_high``: risk difference with Newcombe's hybrid score
      interval (method 10 of Newcombe 1998), which squares-and-adds the two Wilson intervals.
      Unlike the Wald interval it stays inside [-1, 1] and behaves at 0% and 100%.
    * ``statistic``, ``p_value``: the classical two-sided z test with pooled variance, i.e. the
      square root of the Pearson chi-square without continuity correction
      (R ``prop.test(correct = FALSE)``).
    * ``relative_lift = rate_t / rate_c - 1``; its interval is the delta-method (Katz) interval
      computed on the *log* risk ratio, ``exp(log RR +/- z * sqrt(1/x_t - 1/n_t + 1/x_c - 1/n_c))``,
      then shifted by -1. The log scale keeps the ratio positive and is better behaved than a
      delta method on the ratio itself.

    Refuses (raises :class:`StatsRefusal`) for empty arms, negative counts, successes > n, and
    when both arms are all-successes or all-failures (there is no variation to test).

    References:
        Newcombe RG (1998). Interval estimation for the difference between independent
        proportions: comparison of eleven methods. Statistics in Medicine 17:873-890.
        Katz D, Baptista J, Azen SP, Pike MC (1978). Obtaining confidence intervals for the risk
        ratio in cohort studies. Biometrics 34:469-474.
    """
    alpha = check_alpha(alpha)
    x_t, size_t = check_arm_counts(successes_t, n_t, "treatment arm")
    x_c, size_c = check_arm_counts(successes_c, n_c, "control arm")
    pooled = (x_t + x_c) / (size_t + size_c)
    if pooled in (0.0, 1.0):
        outcome = "succeeded" if pooled == 1.0 else "failed"
        raise refuse(f"Everyone in both arms {outcome}, so there is no variation to compare.")

    rate_t, rate_c = x_t / size_t, x_c / size_c
    ci_low, ci_high = confint_proportions_2indep(
        x_t, size_t, x_c, size_c, method="newcomb", compare="diff", alpha=alpha
    )
    # proportions_ztest pools the two rates under the null by default (prop_var=False).
    statistic, p_value = proportions_ztest(np.array([x_t, x_c]), np.array([size_t, size_c]))

    relative_lift: float | None = None
    rel_low: float | None = None
    rel_high: float | None = None
    if x_c > 0:
        relative_lift = rate_t / rate_c - 1.0
        if x_t > 0:
            # Katz's variance 1/x - 1/n is undefined for a zero count, hence the guard above.
            ratio_low, ratio_high = confint_proportions_2indep(
                x_t, size_t, x_c, size_c, method="log", compare="ratio", alpha=alpha
            )
            rel_low, rel_high = float(ratio_low) - 1.0, float(ratio_high) - 1.0

    return ProportionComparison(
        successes_t=x_t,
        n_t=size_t,
        successes_c=x_c,
        n_c=size_c,
        rate_t=rate_t,
        rate_c=rate_c,
        difference=rate_t - rate_c,
        # Exact limits never leave [-1, 1] nor exclude the estimate; clamp round-off such as
        # -1.0000000000000002 for 0/7 vs 7/7.
        ci_low=max(-1.0, min(float(ci_low), rate_t - rate_c)),
        ci_high=min(1.0, max(float(ci_high), rate_t - rate_c)),
        statistic=float(statistic),
        p_value=float(p_value),
        relative_lift=relative_lift,
        relative_ci_low=rel_low,
        relative_ci_high=rel_high,
        alpha=alpha,
    )


def proportion_interval(successes: int, n: int, alpha: float = 0.05) -> ProportionInterval:
    """Wilson score interval for a single proportion.

    Computed by ``statsmodels.stats.proportion.proportion_confint(method="wilson")``. The Wilson
    interval has close to nominal coverage even for small n and rates near 0 or 1, where the
    Wald interval collapses.

    References:
        Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
        JASA 22:209-212.
        Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison
        of seven methods. Statistics in Medicine 17:857-872 (method 3).
    """
    alpha = check_alpha(alpha)
    hits, size = check_arm_counts(successes, n, "group")
    low, high = proportion_confint(hits, size, alpha=alpha, method="wilson")
    estimate = hits / size
    # Round-off can leave e.g. a lower limit of 1.7e-18 for 0 successes, where the exact Wilson
    # limit is 0; clamp so the interval always lies in [0, 1] and contains the estimate.
    return ProportionInterval(
        successes=hits,
        n=size,
        estimate=estimate,
        low=min(max(float(low), 0.0), estimate),
        high=max(min(float(high), 1.0), estimate),
        alpha=alpha,
    )


def chi_square_proportions(successes: Sequence[int], totals: Sequence[int]) -> ChiSquareResult:
    """Pearson chi-square test that k >= 2 groups share the same success rate.

    Uses ``statsmodels.stats.proportion.proportions_chisquare`` on the 2 x k table, without a
    continuity correction (as R's ``prop.test`` does for k > 2; for k = 2 this matches
    ``prop.test(correct = FALSE)`` and equals the square of the z statistic of
    :func:`compare_proportions`). ``df = k - 1``.

    Reference: Agresti A (2013). Categorical Data Analysis, 3rd ed., section 3.2.
    """
    if len(successes) != len(totals):
        raise refuse("There must be one success count for each group total.")
    if len(successes) < 2:
        raise refuse("A chi-square comparison needs at least two groups.")
    hits: list[int] = []
    sizes: list[int] = []
    for index, (x, n) in enumerate(zip(successes, totals, strict=True), start=1):
        x_clean, n_clean = check_arm_counts(x, n, f"group {index}")
        hits.append(x_clean)
        sizes.append(n_clean)
    if sum(hits) in (0, sum(sizes)):
        raise refuse("Every group has the same outcome for everyone, so there is nothing to test.")
    statistic, p_value, _ = proportions_chisquare(np.array(hits), np.array(sizes))
    return ChiSquareResult(statistic=float(statistic), df=len(hits) - 1, p_value=float(p_value))


def fisher_exact(table: Sequence[Sequence[int]]) -> FisherResult:
    """Fisher's exact test on a 2 x 2 table ``[[a, b], [c, d]]`` (two-sided).

    Delegates to ``scipy.stats.fisher_exact``; the two-sided p-value sums the probabilities of all
    tables with the same margins that are no more likely than the one observed. The odds ratio is
    the sample odds ratio ``a*d / (b*c)`` (R's ``fisher.test`` instead reports a conditional MLE).

    Reference: Fisher RA (1935). The Design of Experiments, section 2 (the lady tasting tea).
    """
    if len(table) != 2 or any(len(row) != 2 for row in table):
        raise refuse("Fisher's exact test needs a 2 x 2 table of counts.")
    cells = [[check_count(v, "Each cell of the table") for v in row] for row in table]
    if any(sum(row) == 0 for row in cells):
        raise refuse("One row of the table has no observations.")
    if any(cells[0][j] + cells[1][j] == 0 for j in range(2)):
        raise refuse("One column of the table has no observations.")
    result = sps.fisher_exact(np.array(cells), alternative="two-sided")
    return FisherResult(odds_ratio=float(result.statistic), p_value=float(result.pvalue))


def adjust_p_values(p_values: Sequence[float], method: Literal["holm", "bh"]) -> list[float]:
    """Adjust a family of p-values for multiple comparisons (order is preserved).

    * ``"holm"``: Holm's step-down procedure, controls the family-wise error rate.
    * ``"bh"``: Benjamini-Hochberg step-up procedure, controls the false discovery rate.

    Delegates to ``statsmodels.stats.multitest.multipletests`` (methods ``holm``/``fdr_bh``);
    results equal R's ``p.adjust``. An empty family returns an empty list.

    References:
        Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat 6:65.
        Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. JRSS B 57:289-300.
    """
    methods = {"holm": "holm", "bh": "fdr_bh"}
    if method not in methods:
        raise refuse('The adjustment method must be "holm" or "bh".')
    cleaned = [as_real(p, "Each p-value") for p in p_values]
    if any(not 0.0 <= p <= 1.0 for p in cleaned):
        raise refuse("Each p-value must be between 0 and 1.")
    if not cleaned:
        return []
    _, adjusted, _, _ = multipletests(cleaned, method=methods[method])
    # Guard the documented invariants against floating-point wobble.
    return [min(1.0, max(float(a), p)) for a, p in zip(adjusted, cleaned, strict=True)]
