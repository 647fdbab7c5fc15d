"""Dense, literal CR2 computations, to check the library's cluster-by-cluster shortcuts.

Every matrix is n x n and built as the papers write it: ``A_g = (I - H_gg)^(-1/2)`` with
``scipy.linalg.sqrtm``, and the degrees of freedom as ``tr(BW)^2 / tr(BWBW)``. Only usable on
small data, which is the point: nothing is shared with ``whatworks.stats``.

References: Bell & McCaffrey (2002); Imbens & Kolesar (2016), section 4; Pustejovsky & Tipton
(2018), section 3.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg


def _one_way_icc(resid: np.ndarray, clusters: np.ndarray) -> float:
    labels = np.unique(clusters)
    n, g = resid.size, labels.size
    groups = [resid[clusters == label] for label in labels]
    sizes = np.array([len(v) for v in groups], dtype=float)
    means = np.array([v.mean() for v in groups])
    msb = float(np.sum(sizes * (means - resid.mean()) ** 2)) / (g - 1)
    msw = float(sum(((v - v.mean()) ** 2).sum() for v in groups)) / (n - g)
    m0 = (n - float(np.sum(sizes**2)) / n) / (g - 1)
    between = max(0.0, (msb - msw) / m0)
    return between / (between + msw)


def linear_cr2(
    y: np.ndarray, x: np.ndarray, clusters: np.ndarray, column: int = 1
) -> tuple[float, float, float]:
    """(coefficient, CR2 standard error, Imbens-Kolesar df) for OLS of y on x (with intercept)."""
    n, p = x.shape
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ y
    resid = y - x @ beta
    hat = x @ bread @ x.T
    rho = _one_way_icc(resid, clusters)
    contrast = np.zeros(p)
    contrast[column] = 1.0
    meat = np.zeros((p, p))
    b = np.zeros((n, n))
    sigma = np.zeros((n, n))
    for label in np.unique(clusters):
        idx = np.flatnonzero(clusters == label)
        adjust = np.real(linalg.sqrtm(np.linalg.inv(np.eye(idx.size) - hat[np.ix_(idx, idx)])))
        score = x[idx].T @ adjust @ resid[idx]
        meat += np.outer(score, score)
        weights = adjust @ x[idx] @ bread @ contrast
        b[np.ix_(idx, idx)] = np.outer(weights, weights)
        sigma[np.ix_(idx, idx)] = (1 - rho) * np.eye(idx.size) + rho
    variance = (bread @ meat @ bread)[column, column]
    m = np.eye(n) - hat
    bw = b @ m @ sigma @ m
    df = np.trace(bw) ** 2 / np.trace(bw @ bw)
    return float(beta[column]), float(np.sqrt(variance)), float(df)


def poisson_cr2(
    counts: np.ndarray, exposure: np.ndarray, treated: np.ndarray, clusters: np.ndarray
) -> tuple[float, float, float]:
    """(log rate ratio, CR2 standard error, Bell-McCaffrey df under the Poisson working model)
    for the Poisson GLM ``log mu = log e + a + b treated``, from the weighted hat matrix."""
    x = np.column_stack([np.ones(counts.size), treated.astype(float)])
    rate = np.array([counts[treated == a].sum() / exposure[treated == a].sum() for a in (0, 1)])
    mu = rate[treated.astype(int)] * exposure
    root = np.sqrt(mu)
    xw = x * root[:, None]
    bread = np.linalg.inv(xw.T @ xw)
    hat = xw @ bread @ xw.T
    standardised = (counts - mu) / root
    meat = np.zeros((2, 2))
    b = np.zeros((counts.size, counts.size))
    for label in np.unique(clusters):
        idx = np.flatnonzero(clusters == label)
        adjust = np.real(linalg.sqrtm(np.linalg.inv(np.eye(idx.size) - hat[np.ix_(idx, idx)])))
        score = xw[idx].T @ adjust @ standardised[idx]
        meat += np.outer(score, score)
        weights = adjust @ xw[idx] @ bread @ np.array([0.0, 1.0])
        b[np.ix_(idx, idx)] = np.outer(weights, weights)
    variance = (bread @ meat @ bread)[1, 1]
    m = np.eye(counts.size) - hat
    bm = b @ m
    df = np.trace(bm) ** 2 / np.trace(bm @ bm)
    return float(np.log(rate[1] / rate[0])), float(np.sqrt(variance)), float(df)
