"""Covariate-adjusted treatment effect by ordinary least squares with robust standard errors."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps
from statsmodels.regression.linear_model import OLS

from ._checks import check_alpha, check_values, refuse

Covariates = (
    Mapping[str, Sequence[float] | NDArray[np.float64]]
    | Sequence[Sequence[float]]
    | Sequence[float]
    | NDArray[np.float64]
)


@dataclass(frozen=True)
class EffectEstimate:
    """Result of :func:`estimate_effect`: the coefficient on ``treatment``.

    ``cov_type`` is ``"HC2"``, ``"CR1"`` or ``"CR2"``; ``n_clusters`` is ``None`` without
    clustering. ``icc`` is the intra-cluster correlation of the residuals that CR2's degrees of
    freedom were worked out under (``None`` otherwise).
    """

    coefficient: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float
    n: int
    n_clusters: int | None
    cov_type: str
    alpha: float
    icc: float | None = None


ClusterErrors = Literal["CR1", "CR2"]


def estimate_effect(
    outcome: Sequence[float] | NDArray[np.float64],
    treatment: Sequence[float] | NDArray[np.float64],
    covariates: Covariates | None = None,
    clusters: Sequence[Hashable] | NDArray[np.generic] | None = None,
    alpha: float = 0.05,
    cluster_errors: ClusterErrors = "CR1",
) -> EffectEstimate:
    """Treatment effect from ``outcome ~ 1 + treatment + covariates`` fitted by OLS.

    * Without ``clusters``: HC2 heteroskedasticity-robust standard errors, t distribution with
      ``n - p`` degrees of freedom. With a binary treatment and no covariates the HC2 standard
      error equals the Welch standard error exactly.
    * With ``clusters`` (one label per row): CR1 cluster-robust standard errors, i.e. the
      sandwich scaled by ``G/(G-1) * (n-1)/(n-p)`` (statsmodels ``cov_type="cluster"`` with
      ``use_correction=True``), and the t distribution with ``G - 1`` degrees of freedom, as
      Stata's ``regress ..., vce(cluster)`` does.
    * With ``clusters`` and ``cluster_errors="CR2"``: the bias-reduced linearisation (CR2)
      sandwich of Bell & McCaffrey (2002), with the degrees of freedom of Imbens & Kolesar
      (2016): Satterthwaite's approximation for the CR2 variance under a working model in which
      units of a cluster share a random effect, its intra-cluster correlation estimated from the
      OLS residuals (one-way ANOVA). With few or unequal clusters CR1 on G - 1 degrees of
      freedom rejects a true null too often (7-15% at a nominal 5% with 8 to 24 clusters of
      unequal sizes, in ``bench/calibration.py``); CR2 with these degrees of freedom keeps close
      to the nominal rate (Pustejovsky & Tipton 2018). This is what the trials pages use.

    ``covariates`` may be a mapping of name to column or an n x k array-like. Fitting is done by
    ``statsmodels.api.OLS``.

    Refuses on missing values, length mismatches, a treatment that does not vary, covariates that
    are collinear with the treatment, too few observations, fewer than two clusters, or a
    standard error that cannot be estimated (e.g. an arm with a single observation under HC2).

    References:
        MacKinnon JG, White H (1985). Some heteroskedasticity-consistent covariance matrix
        estimators with improved finite sample properties. J Econometrics 29:305-325 (HC2).
        Cameron AC, Miller DL (2015). A practitioner's guide to cluster-robust inference.
        J Human Resources 50:317-372 (CR1 and G - 1 degrees of freedom).
        Lin W (2013). Agnostic notes on regression adjustments to experimental data.
        Annals of Applied Statistics 7:295-318.
        Bell RM, McCaffrey DF (2002). Bias reduction in standard errors for linear regression
        with multi-stage samples. Survey Methodology 28:169-181 (CR2).
        Imbens GW, Kolesar M (2016). Robust standard errors in small samples: some practical
        advice. Review of Economics and Statistics 98:701-712 (degrees of freedom).
        Pustejovsky JE, Tipton E (2018). Small-sample methods for cluster-robust variance
        estimation and hypothesis testing in fixed effects models. J Business & Economic
        Statistics 36:672-683.
    """
    alpha = check_alpha(alpha)
    if cluster_errors not in ("CR1", "CR2"):
        raise refuse('Cluster-robust errors are "CR1" or "CR2".')
    y = check_values(outcome, "The outcome")
    t = check_values(treatment, "The treatment indicator")
    n = y.size
    if n == 0:
        raise refuse("There are no observations.")
    if t.size != n:
        raise refuse(f"The treatment indicator has {t.size} entries but there are {n} outcomes.")
    if np.ptp(t) == 0:
        raise refuse("Everyone has the same treatment value, so there is no comparison to make.")

    columns = [np.ones(n), t]
    if covariates is not None:
        columns.extend(_covariate_columns(covariates, n))
    design = np.column_stack(columns)
    k = design.shape[1]
    if n <= k:
        raise refuse(
            f"There are {n} observations but the model has {k} coefficients; "
            "more observations than coefficients are needed."
        )
    if np.linalg.matrix_rank(design) < k:
        raise refuse(
            "The covariates are collinear with each other or with the treatment (one is a "
            "combination of the others), so the treatment effect cannot be separated out."
        )

    n_clusters: int | None = None
    if clusters is not None and cluster_errors == "CR2":
        codes = _cluster_codes(clusters, n)
        g_count = int(codes.max()) + 1
        if g_count < 2:
            raise refuse("Cluster-robust errors need at least two clusters.")
        coefficient, std_error, df, icc = cr2_effect(y, design, codes, g_count)
        return _effect(coefficient, std_error, df, n, g_count, "CR2", alpha, icc)
    model = OLS(y, design)
    if clusters is None:
        fit = model.fit(cov_type="HC2")
        # HC2 divides each squared residual by (1 - leverage). A point with leverage 1 (e.g. the
        # only person in an arm) has a residual of zero by construction, and statsmodels then
        # silently drops that arm's variance from the SE instead of failing; refuse instead.
        if np.max(fit.get_influence().hat_matrix_diag) > 1.0 - 1e-8:
            raise refuse(
                "The uncertainty of the treatment effect cannot be estimated from these data: "
                "one observation alone determines its own prediction (for example, an arm "
                "with a single person)."
            )
        df = float(n - k)
        cov_type = "HC2"
    else:
        codes = _cluster_codes(clusters, n)
        n_clusters = int(codes.max()) + 1
        if n_clusters < 2:
            raise refuse("Cluster-robust errors need at least two clusters.")
        fit = model.fit(
            cov_type="cluster",
            cov_kwds={"groups": codes, "use_correction": True, "df_correction": True},
        )
        df = float(n_clusters - 1)
        cov_type = "CR1"

    return _effect(float(fit.params[1]), float(fit.bse[1]), df, n, n_clusters, cov_type, alpha)


def _effect(
    coefficient: float,
    std_error: float,
    df: float,
    n: int,
    n_clusters: int | None,
    cov_type: str,
    alpha: float,
    icc: float | None = None,
) -> EffectEstimate:
    if not np.isfinite(std_error) or std_error <= 0:
        raise refuse(
            "The uncertainty of the treatment effect cannot be estimated from these data "
            "(for example, an arm or cluster has too few observations)."
        )
    # p-value and interval from t(df) explicitly, rather than relying on statsmodels' defaults,
    # so the degrees of freedom are exactly the documented ones.
    statistic = coefficient / std_error
    p_value = float(2.0 * sps.t.sf(abs(statistic), df))
    half_width = float(sps.t.ppf(1.0 - alpha / 2.0, df)) * std_error
    return EffectEstimate(
        coefficient=coefficient,
        std_error=std_error,
        ci_low=coefficient - half_width,
        ci_high=coefficient + half_width,
        p_value=p_value,
        df=df,
        n=n,
        n_clusters=n_clusters,
        cov_type=cov_type,
        alpha=alpha,
        icc=icc,
    )


def residual_icc(residuals: NDArray[np.float64], codes: NDArray[np.intp], n_clusters: int) -> float:
    """One-way ANOVA estimate of the intra-cluster correlation of ``residuals``, in [0, 1).

    ``(MSB - MSW) / (MSB + (m0 - 1) MSW)`` with ``m0 = (n - sum m_g^2 / n) / (G - 1)``, the
    usual estimator for unequal cluster sizes (Donner & Koval 1980, Biometrics 36:19-25),
    truncated at zero. Zero when every cluster has a single unit (no within-cluster spread).
    """
    n = residuals.size
    if n <= n_clusters or n_clusters < 2:
        return 0.0
    sizes = np.bincount(codes, minlength=n_clusters).astype(float)
    means = np.bincount(codes, residuals, n_clusters) / sizes
    grand = float(residuals.mean())
    msb = float(np.sum(sizes * (means - grand) ** 2)) / (n_clusters - 1)
    msw = float(np.sum((residuals - means[codes]) ** 2)) / (n - n_clusters)
    m0 = (n - float(np.sum(sizes**2)) / n) / (n_clusters - 1)
    between = max(0.0, (msb - msw) / m0)
    total = between + msw
    return 0.0 if total <= 0 else min(between / total, 1.0 - 1e-9)


def cr2_effect(
    y: NDArray[np.float64],
    design: NDArray[np.float64],
    codes: NDArray[np.intp],
    n_clusters: int,
    column: int = 1,
) -> tuple[float, float, float, float]:
    """(coefficient, CR2 standard error, Imbens-Kolesar degrees of freedom, working ICC).

    ``design`` has the intercept in column 0. Works cluster by cluster on p x p matrices, never
    on an n x n one, so a million units in a few thousand clusters cost little:

    * CR2 adjusts each cluster's residuals by ``A_g = (I - H_gg)^(-1/2)``. With
      ``G_g = X_g'X_g`` and ``S = (X'X)^(-1/2)`` the push-through identity gives
      ``X_g' A_g = S^-1 (I - S G_g S)^(-1/2) S X_g'``, a p x p matrix function.
    * The degrees of freedom are ``tr(B W)^2 / tr(B W B W)``, where the CR2 variance of the
      coefficient is ``e'Be`` and ``W = M Sigma M`` is the residuals' covariance under the
      working model ``Sigma_g = (1 - rho) I + rho J`` (Imbens & Kolesar 2016, section 4). Both
      traces reduce to sums over clusters of p-vectors (the G x G matrix ``C = (p_g' W_gh p_h)``
      is a diagonal plus a rank-2p term).

    Refuses when a cluster alone determines a coefficient (``H_gg`` has an eigenvalue of 1), for
    example when an arm has a single cluster.
    """
    n, p = design.shape
    xtx = design.T @ design
    bread = np.linalg.inv(xtx)
    beta = bread @ (design.T @ y)
    resid = y - design @ beta
    # Per-cluster cross products X_g'X_g (G, p, p) and scores X_g'e_g (G, p), by bincount.
    gram = np.empty((n_clusters, p, p))
    for i in range(p):
        for j in range(i, p):
            gram[:, i, j] = gram[:, j, i] = np.bincount(
                codes, design[:, i] * design[:, j], n_clusters
            )
    score = np.column_stack(
        [np.bincount(codes, design[:, i] * resid, n_clusters) for i in range(p)]
    )
    values, vectors = np.linalg.eigh(bread)
    root = (vectors * np.sqrt(values)) @ vectors.T
    root_inv = (vectors / np.sqrt(values)) @ vectors.T
    inner = root @ gram @ root  # S G_g S: its eigenvalues are those of H_gg
    lam, q = np.linalg.eigh(inner)
    if float(lam.max()) > 1.0 - 1e-10:
        raise refuse(
            "The uncertainty of the treatment effect cannot be estimated from these data: one "
            "cluster alone determines it (each arm needs at least two clusters with outcomes)."
        )
    lam = np.clip(lam, 0.0, None)
    half = np.einsum("gij,gj,gkj->gik", q, 1.0 / np.sqrt(1.0 - lam), q)  # (I - S G_g S)^-1/2
    full = np.einsum("gij,gj,gkj->gik", q, 1.0 / (1.0 - lam), q)  # (I - S G_g S)^-1
    left = root_inv @ half @ root  # X_g' A_g = left_g X_g'
    adjusted = np.einsum("gij,gj->gi", left, score)
    meat = adjusted.T @ adjusted
    variance = float((bread @ meat @ bread)[column, column])
    std_error = math.sqrt(max(variance, 0.0))

    rho = residual_icc(resid, codes, n_clusters)
    kc = bread[:, column]
    s = np.einsum("gij,gjk,k->gi", left, gram, kc)  # X_g' p_g, with p_g = A_g X_g K c
    ones_p = s[:, 0]  # 1_g' p_g, as 1_g = X_g e_1 (the intercept column)
    pp = np.einsum("i,ij,gjk,kl,glm,m->g", kc, root_inv, full, root, gram, kc)  # p_g' p_g
    a = (1.0 - rho) * pp + rho * ones_p**2
    col_sums = gram[:, :, 0]  # X_g' 1_g
    r = (1.0 - rho) * s + rho * col_sums * ones_p[:, None]
    xsx = (1.0 - rho) * gram.sum(axis=0) + rho * (col_sums.T @ col_sums)
    kxk = bread @ xsx @ bread
    trace_bw = float(
        a.sum() - 2.0 * np.einsum("gi,ij,gj->", s, bread, r) + np.einsum("gi,ij,gj->", s, kxk, s)
    )
    stacked = np.hstack([s, r])  # L = [U, R]
    middle = np.block([[kxk, -bread], [-bread, np.zeros((p, p))]])
    diag = np.einsum("gi,ij,gj->g", stacked, middle, stacked)
    gram_l = stacked.T @ stacked
    product = middle @ gram_l
    frobenius = float(np.sum(a**2) + 2.0 * np.sum(a * diag) + np.trace(product @ product))
    df = trace_bw**2 / frobenius if frobenius > 0 else float(n_clusters - 1)
    return float(beta[column]), std_error, max(df, 1.0), rho


def _covariate_columns(covariates: Covariates, n: int) -> list[NDArray[np.float64]]:
    named: list[tuple[str, Sequence[float] | NDArray[np.float64]]]
    if isinstance(covariates, Mapping):
        named = [(str(name), values) for name, values in covariates.items()]
    else:
        try:
            matrix = np.asarray(covariates, dtype=float)
        except (TypeError, ValueError):
            raise refuse("The covariates contain something that is not a number.") from None
        if matrix.ndim == 1:
            matrix = matrix[:, None]
        if matrix.ndim != 2 or matrix.shape[0] != n:
            raise refuse(f"The covariates must have one row per observation ({n} rows).")
        named = [(f"covariate {j + 1}", matrix[:, j]) for j in range(matrix.shape[1])]
    columns = []
    for name, values in named:
        column = check_values(values, f"The covariate '{name}'")
        if column.size != n:
            raise refuse(f"The covariate '{name}' has {column.size} values but needs {n}.")
        columns.append(column)
    return columns


def _cluster_codes(clusters: Sequence[Hashable] | NDArray[np.generic], n: int) -> NDArray[np.intp]:
    labels = list(clusters)
    if len(labels) != n:
        raise refuse(f"There are {len(labels)} cluster labels but {n} observations.")
    if any(label is None or (isinstance(label, float) and np.isnan(label)) for label in labels):
        raise refuse("Some observations have no cluster label.")
    # Map arbitrary hashable labels (ids, names) to 0..G-1 in first-seen order.
    index: dict[Hashable, int] = {}
    codes = np.fromiter(
        (index.setdefault(label, len(index)) for label in labels), dtype=np.intp, count=n
    )
    return codes


def hc2_effect_with_covariate(
    y: NDArray[np.float64], treated: NDArray[np.bool_], x: NDArray[np.float64], alpha: float = 0.05
) -> EffectEstimate:
    """Coefficient on ``treated`` in ``y ~ 1 + treated + x`` with HC2 standard error, t(n - 3).

    The fast path of :func:`estimate_effect` for one covariate (the trials' baseline value):
    equal to it (tested to 1e-9, and to statsmodels) but built from per-group sums with
    ``np.bincount`` instead of an n x 3 design matrix; ``bench/stats.py`` measures the gain on
    a million units. Works on centred sums per group and then the leverages
    ``h_i = x_i' (X'X)^-1 x_i``, which for this design is a quadratic in ``x`` per group.
    Refuses as :func:`estimate_effect` does: a group with one unit (leverage 1), a baseline
    that does not vary within arms (collinear), or too few units.

    Reference: MacKinnon JG, White H (1985). J Econometrics 29:305-325.
    """
    n = y.size
    if n <= 3:
        raise refuse(f"There are {n} observations but the model has 3 coefficients.")
    g = treated.view(np.int8) if treated.dtype == np.bool_ else treated.astype(np.int8)
    # Centre for numerical stability; the intercept absorbs the shift.
    xc = x - x.mean()
    yc = y - y.mean()
    cnt = np.bincount(g, minlength=2).astype(float)
    if cnt.min() == 0:
        raise refuse("Everyone has the same treatment value, so there is no comparison to make.")
    sx = np.bincount(g, xc, 2)
    sy = np.bincount(g, yc, 2)
    sxx = np.bincount(g, xc * xc, 2)
    sxy = np.bincount(g, xc * yc, 2)
    within_x = float(np.sum(sxx - sx * sx / cnt))
    if within_x <= 1e-12 * max(float(sxx.sum()), 1e-300):
        raise refuse(
            "The covariates are collinear with each other or with the treatment (one is a "
            "combination of the others), so the treatment effect cannot be separated out."
        )
    xtx = np.array(
        [[n, cnt[1], sx.sum()], [cnt[1], cnt[1], sx[1]], [sx.sum(), sx[1], sxx.sum()]], dtype=float
    )
    xty = np.array([sy.sum(), sy[1], sxy.sum()])
    inv = np.linalg.inv(xtx)
    beta = inv @ xty
    # Residuals and leverages; both are per-group affine/quadratic in x.
    fitted_base = np.array([beta[0], beta[0] + beta[1]])
    resid = yc - fitted_base[g] - beta[2] * xc
    lev_a = np.array([inv[0, 0], inv[0, 0] + inv[1, 1] + 2.0 * inv[0, 1]])
    lev_b = np.array([2.0 * inv[0, 2], 2.0 * inv[0, 2] + 2.0 * inv[1, 2]])
    leverage = lev_a[g] + (lev_b[g] + inv[2, 2] * xc) * xc
    if leverage.max() > 1.0 - 1e-8:
        raise refuse(
            "The uncertainty of the treatment effect cannot be estimated from these data: one "
            "observation alone determines its own prediction (for example, an arm with a single "
            "person)."
        )
    w = resid * resid / (1.0 - leverage)
    sw = np.bincount(g, w, 2)
    swx = np.bincount(g, w * xc, 2)
    swxx = float(np.dot(w, xc * xc))
    meat = np.array(
        [[sw.sum(), sw[1], swx.sum()], [sw[1], sw[1], swx[1]], [swx.sum(), swx[1], swxx]]
    )
    cov = inv @ meat @ inv
    std_error = math.sqrt(max(float(cov[1, 1]), 0.0))
    return _effect(float(beta[1]), std_error, float(n - 3), n, None, "HC2", alpha)
