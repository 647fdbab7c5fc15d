"""Covariate-adjusted treatment effect by ordinary least squares with robust standard errors."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

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

    ``cov_type`` is ``"HC2"`` or ``"CR1"``; ``n_clusters`` is ``None`` without clustering.
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


def estimate_effect(
    outcome: Sequence[float] | NDArray[np.float64],
    treatment: Sequence[float] | NDArray[np.float64],
    covariates: Covariates | None = None,
    clusters: Sequence[Hashable] | NDArray[np.generic] | None = None,
    alpha: float = 0.05,
) -> EffectEstimate:
    """Treatment effect from ``outcome ~ 1 + treatment + covariates`` fitted by OLS.

    * Without ``clusters``: HC2 heteroskedasticity-robust standard errors, t distribution with
      ``n - p`` degrees of freedom. With a binary treatment and no covariates the HC2 standard
      error equals the Welch standard error exactly.
    * With ``clusters`` (one label per row): CR1 cluster-robust standard errors, i.e. the
      sandwich scaled by ``G/(G-1) * (n-1)/(n-p)`` (statsmodels ``cov_type="cluster"`` with
      ``use_correction=True``), and the t distribution with ``G - 1`` degrees of freedom, as
      Stata's ``regress ..., vce(cluster)`` does.

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
    """
    alpha = check_alpha(alpha)
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
        n_clusters = None
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

    coefficient = float(fit.params[1])
    std_error = float(fit.bse[1])
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
    )


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
