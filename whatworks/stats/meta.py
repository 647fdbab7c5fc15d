"""Random-effects meta-analysis: pooling effects from several studies or sites."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps
from statsmodels.stats.meta_analysis import combine_effects

from ._checks import check_alpha, check_values, refuse


@dataclass(frozen=True)
class RandomEffectsResult:
    """Result of :func:`random_effects`.

    ``i2`` is a proportion (0.92 means 92%). ``prediction_low/high`` are ``None`` when there are
    fewer than three studies (the t distribution on k - 2 degrees of freedom needs k >= 3).
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    tau2: float
    i2: float
    q: float
    k: int
    prediction_low: float | None
    prediction_high: float | None
    alpha: float


def random_effects(
    effects: Sequence[float] | NDArray[np.float64],
    variances: Sequence[float] | NDArray[np.float64],
    alpha: float = 0.05,
) -> RandomEffectsResult:
    """DerSimonian-Laird random-effects pooled estimate.

    Uses ``statsmodels.stats.meta_analysis.combine_effects(method_re="dl")`` for the
    method-of-moments between-study variance ``tau2``, the inverse-variance weighted estimate, its
    standard error, Cochran's Q and ``I2 = max(0, (Q - (k - 1)) / Q)``. ``tau2`` is truncated at
    zero as DerSimonian & Laird specify, in which case the result is the fixed-effect one. The
    confidence interval and p-value use the normal distribution (metafor's ``rma(method = "DL")``
    default).

    The prediction interval for the effect in a new setting follows Higgins, Thompson &
    Spiegelhalter (2009): ``estimate +/- t_{k-2, 1-alpha/2} * sqrt(tau2 + se**2)``.

    Refuses with fewer than two studies, non-positive variances, or missing values.

    References:
        DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Controlled Clinical
        Trials 7:177-188.
        Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis.
        Statistics in Medicine 21:1539-1558.
        Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of random-effects
        meta-analysis. JRSS A 172:137-159.
    """
    alpha = check_alpha(alpha)
    y = check_values(effects, "The study effects")
    v = check_values(variances, "The study variances")
    if y.size != v.size:
        raise refuse(f"There are {y.size} effects but {v.size} variances; they must pair up.")
    k = int(y.size)
    if k < 2:
        raise refuse("A meta-analysis needs at least two studies.")
    if np.any(v <= 0):
        raise refuse("Every study variance must be greater than zero.")

    # statsmodels (0.14/0.15) returns the *untruncated* moment estimate (Q - df) / C, which is
    # negative when the studies agree more than chance predicts, and then derives negative weights
    # and an unbounded I2 from it. DerSimonian-Laird truncates tau2 at zero, where the random-
    # effects model reduces to the fixed-effect (inverse-variance) one, so take those figures.
    with np.errstate(divide="ignore", invalid="ignore"):
        result = combine_effects(y, v, method_re="dl", alpha=alpha)
    q = float(result.q)
    if float(result.tau2) > 0.0:
        tau2 = float(result.tau2)
        estimate = float(result.mean_effect_re)
        std_error = float(result.sd_eff_w_re)
        i2 = float(result.i2)
    else:
        tau2 = 0.0
        estimate = float(result.mean_effect_fe)
        std_error = float(result.sd_eff_w_fe)
        i2 = 0.0
    z = float(sps.norm.ppf(1.0 - alpha / 2.0))
    p_value = float(2.0 * sps.norm.sf(abs(estimate / std_error)))

    prediction_low: float | None = None
    prediction_high: float | None = None
    if k >= 3:
        half = float(sps.t.ppf(1.0 - alpha / 2.0, k - 2)) * math.sqrt(tau2 + std_error**2)
        prediction_low, prediction_high = estimate - half, estimate + half

    return RandomEffectsResult(
        estimate=estimate,
        std_error=std_error,
        ci_low=estimate - z * std_error,
        ci_high=estimate + z * std_error,
        p_value=p_value,
        tau2=tau2,
        i2=i2,
        q=q,
        k=k,
        prediction_low=prediction_low,
        prediction_high=prediction_high,
        alpha=alpha,
    )
