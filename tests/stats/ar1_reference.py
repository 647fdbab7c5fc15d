"""An independent computation of the Zellner-Tiao posterior for regression with AR(1) errors.

Dense covariance matrices ``R_ij = rho^|i-j| / (1 - rho^2)`` (no Prais-Winsten transform), the
restricted likelihood written from its definition, and scipy's adaptive quadrature over Fisher's
z = atanh(rho) (no fixed grid), so that ``whatworks.stats.timeseries`` is checked against a
computation that shares none of its shortcuts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize
from scipy import stats as sps

LIMIT = math.atanh(0.995)


@dataclass
class Posterior:
    y: np.ndarray
    x: np.ndarray
    column: int

    def _parts(self, z: float) -> tuple[float, float, float]:
        """(log restricted likelihood, conditional centre, conditional scale) at atanh rho = z."""
        rho = math.tanh(z)
        n, p = self.x.shape
        lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
        omega = rho**lags / (1.0 - rho**2)
        inverse = np.linalg.inv(omega)
        cross = self.x.T @ inverse @ self.x
        cross_inv = np.linalg.inv(cross)
        beta = cross_inv @ self.x.T @ inverse @ self.y
        resid = self.y - self.x @ beta
        rss = float(resid @ inverse @ resid)
        loglik = -0.5 * (
            (n - p) * math.log(rss) + np.linalg.slogdet(omega)[1] + np.linalg.slogdet(cross)[1]
        )
        scale = math.sqrt(rss / (n - p) * cross_inv[self.column, self.column])
        return loglik, float(beta[self.column]), scale

    def _peak(self) -> float:
        if not hasattr(self, "_max"):
            grid = np.linspace(-LIMIT, LIMIT, 301)
            self._max = max(self._parts(z)[0] for z in grid)
        return self._max

    def cdf(self, value: float) -> float:
        n, p = self.x.shape
        peak = self._peak()

        def weight(z: float) -> float:
            return math.exp(self._parts(z)[0] - peak)

        def weighted(z: float) -> float:
            loglik, centre, scale = self._parts(z)
            return math.exp(loglik - peak) * sps.t.cdf((value - centre) / scale, n - p)

        total = integrate.quad(weight, -LIMIT, LIMIT, limit=200, epsabs=1e-12, epsrel=1e-10)[0]
        part = integrate.quad(weighted, -LIMIT, LIMIT, limit=200, epsabs=1e-12, epsrel=1e-10)[0]
        return part / total

    def p_value(self) -> float:
        below = self.cdf(0.0)
        return 2.0 * min(below, 1.0 - below)

    def quantile(self, q: float) -> float:
        centre = self._parts(0.0)[1]
        spread = 50.0 * self._parts(0.0)[2]
        return float(
            optimize.brentq(lambda v: self.cdf(v) - q, centre - spread, centre + spread, xtol=1e-9)
        )


def posterior_by_quadrature(y: np.ndarray, x: np.ndarray, column: int) -> Posterior:
    return Posterior(np.asarray(y, dtype=float), np.asarray(x, dtype=float), column)
