"""Random-effects meta-analysis: pooling effects from several studies or sites.

Three estimators of the between-study variance ``tau2`` and two intervals:

* ``method="DL"``: DerSimonian & Laird's method of moments (kept because published results are
  checked against it; it underestimates ``tau2`` with few studies);
* ``method="REML"``: restricted maximum likelihood (Viechtbauer 2005), by Fisher scoring;
* ``method="PM"``: Paule & Mandel's estimator, the ``tau2`` at which the weighted residual sum of
  squares equals its expectation ``k - 1``;
* ``interval="normal"``: the estimate plus or minus a normal quantile times its standard error
  (metafor's default);
* ``interval="hksj"``: the Hartung-Knapp-Sidik-Jonkman interval, a t distribution on ``k - 1``
  degrees of freedom with the variance scaled by the weighted residual mean square, never below
  the ordinary random-effects variance (the modification of Knapp & Hartung 2003 that Roever,
  Knapp & Friede 2015 recommend, because the plain scaling can make the interval *narrower*
  when the studies agree). With 2 to 10 studies the normal interval covers the true mean 84-89%
  of the time under heterogeneity; this one 94% or more (``bench/calibration.py``).

What the pages show uses REML with the HKSJ interval (Cochrane Handbook 10.10.4; IntHout,
Ioannidis & Borm 2014).

References:
    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Controlled Clinical
    Trials 7:177-188.
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. J Educational and Behavioral Statistics 30:261-293.
    Paule RC, Mandel J (1982). Consensus values and weighting factors. J Research of the
    National Bureau of Standards 87:377-385.
    Hartung J, Knapp G (2001). A refined method for the meta-analysis of controlled clinical
    trials with binary outcome. Statistics in Medicine 20:3875-3889.
    Sidik K, Jonkman JN (2002). A simple confidence interval for meta-analysis. Statistics in
    Medicine 21:3153-3159.
    Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression with a
    single covariate. Statistics in Medicine 22:2693-2710.
    Roever C, Knapp G, Friede T (2015). Hartung-Knapp-Sidik-Jonkman approach and its
    modification for random-effects meta-analysis with few studies. BMC Medical Research
    Methodology 15:99.
    IntHout J, Ioannidis JPA, Borm GF (2014). The Hartung-Knapp-Sidik-Jonkman method for
    random effects meta-analysis is straightforward and considerably outperforms the standard
    DerSimonian-Laird method. BMC Medical Research Methodology 14:25.
    Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis.
    Statistics in Medicine 21:1539-1558.
    Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of random-effects
    meta-analysis. JRSS A 172:137-159.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps
from scipy.optimize import brentq

from ._checks import check_alpha, check_values, refuse

Method = Literal["DL", "REML", "PM"]
Interval = Literal["normal", "hksj"]


@dataclass(frozen=True)
class RandomEffectsResult:
    """Result of :func:`random_effects`.

    ``i2`` is a proportion (0.92 means 92%): ``tau2 / (tau2 + s2)`` with ``s2`` the typical
    within-study variance (Higgins & Thompson 2002; for DL it equals ``(Q - (k - 1)) / Q``).
    ``prediction_low/high`` are ``None`` when there are fewer than three studies (the t
    distribution on k - 2 degrees of freedom needs k >= 3). ``df`` is ``None`` for the normal
    interval and ``k - 1`` for HKSJ.
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
    method: str = "DL"
    interval: str = "normal"
    df: int | None = None


def random_effects(
    effects: Sequence[float] | NDArray[np.float64],
    variances: Sequence[float] | NDArray[np.float64],
    alpha: float = 0.05,
    method: Method = "DL",
    interval: Interval = "normal",
) -> RandomEffectsResult:
    """Random-effects pooled estimate (see the module docstring for the methods).

    The estimate is the inverse-variance weighted mean with weights ``1 / (v_i + tau2)``; its
    standard error ``1 / sqrt(sum w)`` (scaled for HKSJ). Cochran's Q uses the fixed-effect
    weights. The prediction interval for the effect in a new setting follows Higgins, Thompson &
    Spiegelhalter (2009): ``estimate +/- t_{k-2, 1-alpha/2} * sqrt(tau2 + se**2)``.

    Refuses with fewer than two studies, non-positive variances, or missing values.
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
    if method not in ("DL", "REML", "PM"):
        raise refuse('The method must be "DL", "REML" or "PM".')
    if interval not in ("normal", "hksj"):
        raise refuse('The interval must be "normal" or "hksj".')

    w_fixed = 1.0 / v
    fixed = float(np.sum(w_fixed * y) / np.sum(w_fixed))
    q = float(np.sum(w_fixed * (y - fixed) ** 2))
    if method == "DL":
        tau2 = _dersimonian_laird(y, v, q)
    elif method == "PM":
        tau2 = _paule_mandel(y, v)
    else:
        tau2 = _reml(y, v)
    w = 1.0 / (v + tau2)
    estimate = float(np.sum(w * y) / np.sum(w))
    std_error = float(1.0 / math.sqrt(np.sum(w)))
    df: int | None = None
    if interval == "hksj":
        scale = float(np.sum(w * (y - estimate) ** 2)) / (k - 1)
        std_error *= math.sqrt(max(1.0, scale))
        df = k - 1
        reference = sps.t(df)
    else:
        reference = sps.norm()
    half = float(reference.ppf(1.0 - alpha / 2.0)) * std_error
    p_value = float(2.0 * reference.sf(abs(estimate / std_error)))
    # Typical within-study variance (Higgins & Thompson 2002, eq. 9).
    typical = (k - 1) * np.sum(w_fixed) / (np.sum(w_fixed) ** 2 - np.sum(w_fixed**2))
    i2 = float(tau2 / (tau2 + typical)) if tau2 > 0 else 0.0

    prediction_low: float | None = None
    prediction_high: float | None = None
    if k >= 3:
        spread = float(sps.t.ppf(1.0 - alpha / 2.0, k - 2)) * math.sqrt(tau2 + std_error**2)
        prediction_low, prediction_high = estimate - spread, estimate + spread

    return RandomEffectsResult(
        estimate=estimate,
        std_error=std_error,
        ci_low=estimate - half,
        ci_high=estimate + half,
        p_value=p_value,
        tau2=tau2,
        i2=i2,
        q=q,
        k=k,
        prediction_low=prediction_low,
        prediction_high=prediction_high,
        alpha=alpha,
        method=method,
        interval=interval,
        df=df,
    )


def _dersimonian_laird(y: NDArray[np.float64], v: NDArray[np.float64], q: float) -> float:
    """Method of moments, truncated at zero (where the model is the fixed-effect one)."""
    w = 1.0 / v
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (y.size - 1)) / c)


def _generalised_q(tau2: float, y: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    w = 1.0 / (v + tau2)
    mean = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mean) ** 2)) - (y.size - 1)


def _paule_mandel(y: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    """The root of ``Q(tau2) = k - 1`` (decreasing in tau2); zero when ``Q(0) <= k - 1``."""
    if _generalised_q(0.0, y, v) <= 0:
        return 0.0
    high = max(float(np.var(y)), float(np.max(v)), 1e-12)
    while _generalised_q(high, y, v) > 0:
        high *= 2.0
    return float(brentq(_generalised_q, 0.0, high, args=(y, v), xtol=1e-14, rtol=1e-12))


def _reml(y: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    """REML by Fisher scoring (Viechtbauer 2005, eq. 12), from the DL value, truncated at 0."""
    q = float(np.sum((y - np.sum(y / v) / np.sum(1 / v)) ** 2 / v))
    tau2 = _dersimonian_laird(y, v, q)
    for _ in range(500):
        w = 1.0 / (v + tau2)
        mean = np.sum(w * y) / np.sum(w)
        # Fisher scoring step of the restricted likelihood in tau2.
        p_diag = w - w**2 / np.sum(w)
        score = float(np.sum(w**2 * (y - mean) ** 2) - np.sum(p_diag))
        information = float(np.sum(w**2) - 2 * np.sum(w**3) / np.sum(w))
        information += float((np.sum(w**2) / np.sum(w)) ** 2)
        step = score / information
        new = max(0.0, tau2 + step)
        if abs(new - tau2) <= 1e-12 * max(1.0, tau2):
            return new
        tau2 = new
    raise refuse("The between-study variance did not converge; check the study variances.")
