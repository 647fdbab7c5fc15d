"""Counts of events with exposure: the rate ratio of two arms with robust errors.

The model is Poisson with a log-exposure offset and one rate per arm. Its estimates are the
arms' events over their exposure, whatever the counts' distribution; only the variance needs
care, because counts are usually over-dispersed (more variable than Poisson), so the variance is
the robust (sandwich) one:

* units analysed one by one: HC0, ``sum((y - r e)^2) / Y^2`` for the log rate of an arm with
  ``Y`` events, and the normal distribution (Zeger & Liang 1986; Cameron & Trivedi 2013, 3.2.3);
* clusters (a cluster-randomised trial): the cluster totals' scores with the bias-reduced
  linearisation of Bell & McCaffrey (2002), which divides each cluster's squared score by
  ``1 - h_g``, its leverage, here the cluster's share of its arm's exposure; and a t
  distribution on Bell & McCaffrey's degrees of freedom under the Poisson working model. Both
  follow from the linear case in :func:`whatworks.stats.regression.cr2_effect` applied in the
  Poisson model's weighted space, where cluster ``g`` of arm ``a`` carries weight
  ``r_a E_g``.

References:
    Zeger SL, Liang K-Y (1986). Longitudinal data analysis using generalized linear models.
    Biometrika 73:13-22.
    Cameron AC, Trivedi PK (2013). Regression Analysis of Count Data, 2nd ed. Cambridge.
    Bell RM, McCaffrey DF (2002). Bias reduction in standard errors for linear regression with
    multi-stage samples. Survey Methodology 28:169-181.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

from ._checks import check_alpha, refuse


@dataclass(frozen=True)
class RateComparison:
    """Treatment against control: rates per unit of exposure, their ratio and difference.

    ``std_error`` is that of the log rate ratio; ``df`` is ``None`` when the reference
    distribution is the normal (units analysed one by one) and the t degrees of freedom with
    clusters.
    """

    events_t: float
    exposure_t: float
    rate_t: float
    events_c: float
    exposure_c: float
    rate_c: float
    rate_ratio: float
    ratio_ci_low: float
    ratio_ci_high: float
    p_value: float
    rate_difference: float
    difference_ci_low: float
    difference_ci_high: float
    std_error: float
    df: float | None
    cov_type: str
    n_clusters: int | None
    alpha: float


def compare_rates(
    counts: NDArray[np.float64],
    exposure: NDArray[np.float64],
    treated: NDArray[np.bool_],
    *,
    clusters: NDArray[np.intp] | None = None,
    alpha: float = 0.05,
) -> RateComparison:
    """Rate ratio (treatment over control) and rate difference; see the module docstring.

    ``counts``, ``exposure`` and ``treated`` have one entry per unit with an outcome;
    ``clusters`` (codes ``0..G-1``, each cluster in one arm) switches to the cluster-robust
    variance. Refuses negative counts, non-positive exposure, an arm without events, counts that
    do not vary, or fewer than two clusters with exposure in an arm.
    """
    alpha = check_alpha(alpha)
    y = np.asarray(counts, dtype=float)
    e = np.asarray(exposure, dtype=float)
    arm = np.asarray(treated, dtype=bool).view(np.int8)
    if not (np.isfinite(y).all() and np.isfinite(e).all()):
        raise refuse("The counts or exposures contain missing or infinite values.")
    if y.size and y.min() < 0:
        raise refuse("Counts cannot be negative.")
    if not (e > 0).all():
        raise refuse("Every unit with a count needs an exposure greater than zero.")
    events = np.bincount(arm, y, 2)
    expo = np.bincount(arm, e, 2)
    for a, name in ((1, "treatment"), (0, "control")):
        if events[a] == 0:
            raise refuse(f"The {name} arm has no events, so a rate ratio cannot be estimated.")
    rate = events / expo
    if clusters is None:
        score_ss = np.bincount(arm, (y - rate[arm] * e) ** 2, 2)
        var_log, var_rate = score_ss / events**2, score_ss / expo**2
        df: float | None = None
        cov_type, n_clusters = "HC0", None
    else:
        var_log, var_rate, df, n_clusters = _cluster_variance(y, e, arm, clusters, rate)
        cov_type = "CR2"
    log_rr = math.log(rate[1] / rate[0])
    se_log = math.sqrt(var_log[1] + var_log[0])
    se_diff = math.sqrt(var_rate[1] + var_rate[0])
    if not se_log > 0:
        raise refuse("The counts do not vary, so the rate ratio has no uncertainty to estimate.")
    reference = sps.norm() if df is None else sps.t(df)
    quantile = float(reference.ppf(1.0 - alpha / 2.0))
    diff = float(rate[1] - rate[0])
    return RateComparison(
        events_t=float(events[1]),
        exposure_t=float(expo[1]),
        rate_t=float(rate[1]),
        events_c=float(events[0]),
        exposure_c=float(expo[0]),
        rate_c=float(rate[0]),
        rate_ratio=math.exp(log_rr),
        ratio_ci_low=math.exp(log_rr - quantile * se_log),
        ratio_ci_high=math.exp(log_rr + quantile * se_log),
        p_value=float(2.0 * reference.sf(abs(log_rr / se_log))),
        rate_difference=diff,
        difference_ci_low=diff - quantile * se_diff,
        difference_ci_high=diff + quantile * se_diff,
        std_error=se_log,
        df=df,
        cov_type=cov_type,
        n_clusters=n_clusters,
        alpha=alpha,
    )


def _cluster_variance(
    y: NDArray[np.float64],
    e: NDArray[np.float64],
    arm: NDArray[np.int8],
    clusters: NDArray[np.intp],
    rate: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], float, int]:
    """CR2 variances of each arm's log rate and rate, and Bell-McCaffrey degrees of freedom."""
    _, codes = np.unique(clusters, return_inverse=True)
    g_count = int(codes.max()) + 1
    cy = np.bincount(codes, y, g_count)
    ce = np.bincount(codes, e, g_count)
    arm_of = np.zeros(g_count, dtype=np.intp)
    arm_of[codes] = arm
    per_arm = np.bincount(arm_of, minlength=2)
    if per_arm.min() < 2:
        raise refuse(
            "Each arm needs at least two clusters with outcomes for cluster-robust errors."
        )
    events = np.bincount(arm_of, cy, 2)
    expo = np.bincount(arm_of, ce, 2)
    share = ce / expo[arm_of]  # the leverage of cluster g in the weighted space
    score = cy - rate[arm_of] * ce
    adjusted = score**2 / (1.0 - share)
    var_log = np.bincount(arm_of, adjusted, 2) / events**2
    var_rate = np.bincount(arm_of, adjusted, 2) / expo**2
    # Bell-McCaffrey df for var_log[1] + var_log[0] under the Poisson working model: the linear
    # formula with cluster "sizes" mu_g = r_a E_g and arm totals M_a = Y_a.
    mu = rate[arm_of] * ce
    total = events[arm_of]
    q = 1.0 / ((1.0 - share) * total**2)
    trace = float(np.sum(q * mu * (1.0 - share)))
    square = 0.0
    for a in (0, 1):
        inside = arm_of == a
        qa, ma, big = q[inside], mu[inside], float(events[a])
        square += float(np.sum(qa**2 * (ma * (1.0 - ma / big)) ** 2))
        t = qa * ma**2
        square += float((t.sum() ** 2 - np.sum(t**2)) / big**2)
    df = trace**2 / square if square > 0 else float(g_count - 2)
    return var_log, var_rate, max(df, 1.0), g_count
