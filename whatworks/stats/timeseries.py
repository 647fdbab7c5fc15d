"""Regression on a short series with autocorrelated errors: before-and-after and comparison-group
designs.

A council's series is short (8 to 30 points) and its neighbouring values are alike. Ordinary
least squares with Newey-West errors on a fixed lag rejects a true null far too often on such
series (19-31% at a nominal 5% with 8 + 8 points, in ``bench/calibration.py``): the lag
truncates the autocorrelation and the t distribution ignores the uncertainty of the variance.

The method
----------
Linear regression ``y = X b + u`` with stationary first-order autoregressive errors
``u_t = rho u_(t-1) + e_t``, analysed as Zellner & Tiao (1964) did: with the usual
non-informative prior on ``b`` and the error scale, the coefficients given ``rho`` follow a
Student t centred on the generalised least squares (Prais-Winsten) estimate with ``n - p``
degrees of freedom, and ``rho`` itself is weighted by the restricted (REML) likelihood, which is
its marginal likelihood once ``b`` and the scale are integrated out (Harville 1974). The
autocorrelation's uncertainty is carried into the interval by integrating over ``rho`` instead
of plugging in one estimate, whose downward bias in short series is what makes plug-in methods
too confident (Cheang & Reinsel 2000). The prior on ``rho`` is flat on Fisher's z scale
(``atanh rho``) for ``|rho| <= 0.995``, integrated by the trapezoid rule on an even grid of
:data:`GRID_POINTS` values.

For each coefficient the page shows the central ``1 - alpha`` interval of that mixture, the
two-sided p value ``2 min(P(b < 0), P(b > 0))`` and the posterior median; so a coefficient is
"clear" exactly when its interval leaves out zero, and the verdict, the flag and the p value
cannot disagree. Its frequentist error rates are checked by simulation in
``bench/calibration.py`` (autocorrelation 0, 0.3 and 0.6 at the shortest series the pages
accept).

References:
    Zellner A, Tiao GC (1964). Bayesian analysis of the regression model with autocorrelated
    errors. Journal of the American Statistical Association 59:763-778.
    Harville DA (1974). Bayesian inference for variance components using only error contrasts.
    Biometrika 61:383-385.
    Cheang W-K, Reinsel GC (2000). Bias reduction of autoregressive estimates in time series
    regression model through restricted maximum likelihood. JASA 95:1173-1184.
    Prais SJ, Winsten CB (1954). Trend estimators and serial correlation. Cowles Commission
    Discussion Paper 383.
    Turner SL, Forbes AB, Karahalios A, Taljaard M, McKenzie JE (2021). Evaluation of
    statistical methods used in the analysis of interrupted time series studies: a simulation
    study. BMC Medical Research Methodology 21:181.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from ._checks import check_alpha, check_values, refuse

#: Points of the grid on Fisher's z scale over which the autocorrelation is integrated.
GRID_POINTS = 121
#: Largest autocorrelation the prior allows (a near unit root).
MAX_RHO = 0.995
_Z = np.linspace(-math.atanh(MAX_RHO), math.atanh(MAX_RHO), GRID_POINTS)
RHO_GRID = np.tanh(_Z)
#: Trapezoid-rule weights of the grid on the z scale (the prior is flat there).
_LOG_PRIOR = np.log(np.r_[0.5, np.ones(GRID_POINTS - 2), 0.5])


@dataclass(frozen=True)
class Coefficient:
    """One coefficient: posterior median, posterior standard deviation, central interval and
    two-sided p value (twice the smaller posterior tail beyond zero)."""

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class AutocorrelatedRegression:
    """Result of :func:`ar1_regression`.

    ``coefficients`` follow the design's columns; ``rho`` is the posterior mean of the
    autocorrelation and ``rho_low``/``rho_high`` its central interval; ``fitted`` is the design
    times the posterior mean coefficients.
    """

    coefficients: tuple[Coefficient, ...]
    rho: float
    rho_low: float
    rho_high: float
    df: int
    n: int
    fitted: tuple[float, ...]
    alpha: float


@dataclass(frozen=True)
class PosteriorBatch:
    """The posterior of one coefficient for many series at once (columns of ``Y``).

    ``weights``, ``centres`` and ``scales`` are (grid, series) arrays: the posterior weight of
    each autocorrelation on the grid and the conditional t distribution's centre and scale,
    with ``df`` degrees of freedom.
    """

    weights: NDArray[np.float64]
    centres: NDArray[np.float64]
    scales: NDArray[np.float64]
    df: int

    def cdf(self, x: float | NDArray[np.float64]) -> NDArray[np.float64]:
        """Posterior probability that the coefficient is below ``x`` (a number or one per
        series)."""
        z = (np.asarray(x, dtype=float) - self.centres) / self.scales
        return np.asarray(np.sum(self.weights * special.stdtr(self.df, z), axis=0))

    def p_values(self) -> NDArray[np.float64]:
        below = self.cdf(0.0)
        return np.asarray(np.minimum(1.0, 2.0 * np.minimum(below, 1.0 - below)))

    def quantile(self, q: float) -> NDArray[np.float64]:
        """The ``q`` quantile for each series, by bisection on the mixture's distribution."""
        spread = 60.0 * self.scales.max(axis=0)
        low = self.centres.min(axis=0) - spread
        high = self.centres.max(axis=0) + spread
        for _ in range(80):
            middle = 0.5 * (low + high)
            below = self.cdf(middle) < q
            low = np.where(below, middle, low)
            high = np.where(below, high, middle)
        return np.asarray(0.5 * (low + high))

    def mean(self) -> NDArray[np.float64]:
        return np.asarray(np.sum(self.weights * self.centres, axis=0))

    def std(self) -> NDArray[np.float64]:
        # Variance of a mixture of t distributions (df > 2): E[var] + var[E].
        inflate = self.df / (self.df - 2.0) if self.df > 2 else float("inf")
        second = np.sum(self.weights * (self.scales**2 * inflate + self.centres**2), axis=0)
        return np.asarray(np.sqrt(np.maximum(second - self.mean() ** 2, 0.0)))


def _prais_winsten(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The AR(1) whitening of ``values`` (n, ...) for every ``rho`` on the grid: (grid, n, ...).

    Row 0 is ``sqrt(1 - rho^2) v_0`` and row t is ``v_t - rho v_(t-1)``, so the transformed
    errors are independent with equal variance (Prais & Winsten 1954).
    """
    rho = RHO_GRID.reshape((-1,) + (1,) * values.ndim)
    out = np.empty((RHO_GRID.size,) + values.shape)
    out[:, 0] = np.sqrt(1.0 - RHO_GRID**2).reshape((-1,) + (1,) * (values.ndim - 1)) * values[0]
    out[:, 1:] = values[None, 1:] - rho * values[None, :-1]
    return out


def _fit_grid(
    series: NDArray[np.float64], design: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(weights (grid, R), coefficients (grid, p, R), inverse cross products (grid, p, p),
    residual variances (grid, R)) for every series (columns of ``series``) and grid ``rho``."""
    n, p = design.shape
    xs = _prais_winsten(design)
    ys = _prais_winsten(series)
    cross = np.einsum("gnp,gnq->gpq", xs, xs)
    inverse = np.linalg.inv(cross)
    beta = np.einsum("gpq,gnq,gnr->gpr", inverse, xs, ys)
    resid = ys - np.einsum("gnp,gpr->gnr", xs, beta)
    rss = np.sum(resid**2, axis=1)
    if not np.all(rss > 1e-20 * max(1.0, float(np.max(np.abs(series))) ** 2) * n):
        raise refuse("The values lie exactly on the fitted lines, so no interval can be estimated.")
    logdet = np.linalg.slogdet(cross)[1]
    # Restricted log likelihood of rho with b and the scale integrated out (Harville 1974):
    # -1/2 [(n - p) log RSS(rho) + log|Omega| + log|X' Omega^-1 X|], |Omega| = 1 / (1 - rho^2).
    loglik = -0.5 * ((n - p) * np.log(rss) - np.log(1.0 - RHO_GRID**2)[:, None] + logdet[:, None])
    weights = np.exp(loglik - loglik.max(axis=0))
    weights /= weights.sum(axis=0)
    return weights, beta, inverse, rss / (n - p)


def ar1_posterior(
    series: NDArray[np.float64], design: NDArray[np.float64], column: int
) -> PosteriorBatch:
    """The posterior of coefficient ``column`` for each column of ``series`` (n, R) under
    ``design`` (n, p): what :func:`ar1_regression` uses for one series, and
    ``bench/calibration.py`` for thousands at once."""
    n, p = design.shape
    if n - p < 3:
        raise refuse(
            f"There are {n} periods for {p} coefficients; at least {p + 3} are needed to allow "
            "for the autocorrelation."
        )
    weights, beta, inverse, variance = _fit_grid(series, design)
    centres = beta[:, column, :]
    scales = np.sqrt(variance * inverse[:, column, column][:, None])
    return PosteriorBatch(weights=weights, centres=centres, scales=scales, df=n - p)


def ar1_regression(
    values: NDArray[np.float64] | list[float],
    design: NDArray[np.float64],
    alpha: float = 0.05,
) -> AutocorrelatedRegression:
    """Regression of one evenly spaced series on ``design`` with AR(1) errors (module docstring).

    Refuses missing values, a design whose rows do not match the series, too few periods
    (``n - p < 3``), collinear columns, or values that lie exactly on the fitted lines.
    """
    alpha = check_alpha(alpha)
    y = check_values(values, "The series")
    x = np.asarray(design, dtype=float)
    if x.ndim != 2 or x.shape[0] != y.size:
        raise refuse(f"The design needs one row per period ({y.size} rows).")
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise refuse("The design's columns are collinear, so the coefficients cannot be separated.")
    n, p = x.shape
    column = y[:, None]
    coefficients = []
    posteriors = [ar1_posterior(column, x, j) for j in range(p)]
    for post in posteriors:
        low = float(post.quantile(alpha / 2.0)[0])
        high = float(post.quantile(1.0 - alpha / 2.0)[0])
        coefficients.append(
            Coefficient(
                estimate=float(post.quantile(0.5)[0]),
                std_error=float(post.std()[0]),
                ci_low=low,
                ci_high=high,
                p_value=float(post.p_values()[0]),
            )
        )
    weights = posteriors[0].weights[:, 0]
    mean_beta = np.array([float(post.mean()[0]) for post in posteriors])
    cumulative = np.cumsum(weights)
    rho_low = float(RHO_GRID[int(np.searchsorted(cumulative, alpha / 2.0))])
    rho_high = float(
        RHO_GRID[min(int(np.searchsorted(cumulative, 1.0 - alpha / 2.0)), _Z.size - 1)]
    )
    return AutocorrelatedRegression(
        coefficients=tuple(coefficients),
        rho=float(np.sum(weights * RHO_GRID)),
        rho_low=rho_low,
        rho_high=rho_high,
        df=n - p,
        n=n,
        fitted=tuple(float(v) for v in x @ mean_beta),
        alpha=alpha,
    )


def segmented_design(n_before: int, n_after: int) -> NDArray[np.float64]:
    """Interrupted time series columns (Wagner et al. 2002): intercept, time (0 at the first
    period after the start), after, and time after the start.

    Reference: Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D (2002). Segmented regression
    analysis of interrupted time series studies in medication use research. J Clin Pharm Ther
    27:299-309.
    """
    n = n_before + n_after
    t = np.arange(n, dtype=float) - n_before
    after = (t >= 0).astype(float)
    return np.column_stack([np.ones(n), t, after, t * after])


def step_design(n_before: int, n_after: int) -> NDArray[np.float64]:
    """Intercept and after: the difference-in-differences on the gap between two groups."""
    n = n_before + n_after
    return np.column_stack([np.ones(n), (np.arange(n) >= n_before).astype(float)])
