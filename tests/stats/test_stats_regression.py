"""OLS treatment effects with HC2 and CR1 standard errors, checked against hand sandwiches."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats as sps

from whatworks import stats

SLEEP_GROUP1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_GROUP2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def _data(seed: int = 11, n: int = 90, clusters: int = 9) -> dict[str, NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    cluster = np.repeat(np.arange(clusters), n // clusters)
    treatment = (cluster % 2).astype(float)  # cluster-randomised
    age = rng.normal(40, 10, size=n)
    income = rng.normal(25, 5, size=n)
    cluster_shock = rng.normal(0, 1.0, size=clusters)[cluster]
    outcome = 1.5 * treatment + 0.05 * age - 0.1 * income + cluster_shock + rng.normal(size=n)
    return {
        "cluster": cluster,
        "treatment": treatment,
        "age": age,
        "income": income,
        "outcome": outcome,
    }


def _design(d: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
    return np.column_stack([np.ones(d["outcome"].size), d["treatment"], d["age"], d["income"]])


def test_hc2_without_covariates_equals_welch_standard_error() -> None:
    # Known identity (e.g. Imbens & Kolesar 2016): for a binary regressor HC2 = Welch's SE.
    outcome = SLEEP_GROUP1 + SLEEP_GROUP2
    treatment = [1.0] * 10 + [0.0] * 10
    effect = stats.estimate_effect(outcome, treatment)
    welch = stats.compare_means(SLEEP_GROUP1, SLEEP_GROUP2)
    assert effect.coefficient == pytest.approx(-1.58)
    assert effect.std_error == pytest.approx(welch.std_error, rel=1e-12)
    assert effect.df == 18
    assert effect.cov_type == "HC2"
    assert effect.n_clusters is None


def test_hc2_with_covariates_matches_hand_sandwich() -> None:
    d = _data()
    x = _design(d)
    y = d["outcome"]
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ y
    resid = y - x @ beta
    leverage = np.einsum("ij,jk,ik->i", x, bread, x)
    meat = x.T @ (x * (resid**2 / (1 - leverage))[:, None])
    se = float(np.sqrt((bread @ meat @ bread)[1, 1]))
    df = y.size - x.shape[1]
    t_crit = sps.t.ppf(0.975, df)

    effect = stats.estimate_effect(y, d["treatment"], {"age": d["age"], "income": d["income"]})
    assert effect.coefficient == pytest.approx(beta[1], rel=1e-10)
    assert effect.std_error == pytest.approx(se, rel=1e-10)
    assert effect.df == df
    assert effect.p_value == pytest.approx(2 * sps.t.sf(abs(beta[1] / se), df), rel=1e-8)
    assert effect.ci_low == pytest.approx(beta[1] - t_crit * se, rel=1e-10)


def test_cr1_matches_hand_sandwich_with_g_minus_1_df() -> None:
    d = _data()
    x = _design(d)
    y = d["outcome"]
    n, k = x.shape
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ y
    resid = y - x @ beta
    groups = np.unique(d["cluster"])
    meat = np.zeros((k, k))
    for g in groups:
        score = x[d["cluster"] == g].T @ resid[d["cluster"] == g]
        meat += np.outer(score, score)
    g_count = groups.size
    correction = g_count / (g_count - 1) * (n - 1) / (n - k)  # Stata's CR1 small-sample factor
    se = float(np.sqrt(correction * (bread @ meat @ bread)[1, 1]))
    t_crit = sps.t.ppf(0.975, g_count - 1)

    labels = [f"ward-{c}" for c in d["cluster"]]  # arbitrary hashable labels
    effect = stats.estimate_effect(
        y, d["treatment"], np.column_stack([d["age"], d["income"]]), clusters=labels
    )
    assert effect.coefficient == pytest.approx(beta[1], rel=1e-10)
    assert effect.std_error == pytest.approx(se, rel=1e-10)
    assert effect.df == g_count - 1
    assert effect.n_clusters == g_count
    assert effect.cov_type == "CR1"
    assert effect.p_value == pytest.approx(2 * sps.t.sf(abs(beta[1] / se), g_count - 1), rel=1e-8)
    assert effect.ci_high == pytest.approx(beta[1] + t_crit * se, rel=1e-10)


def test_covariates_as_mapping_or_matrix_agree() -> None:
    d = _data(seed=5)
    as_mapping = stats.estimate_effect(
        d["outcome"], d["treatment"], {"age": d["age"], "income": d["income"]}
    )
    as_matrix = stats.estimate_effect(
        d["outcome"], d["treatment"], np.column_stack([d["age"], d["income"]]).tolist()
    )
    assert as_mapping == as_matrix


def test_single_covariate_as_flat_list() -> None:
    d = _data(seed=6)
    flat = stats.estimate_effect(d["outcome"], d["treatment"], d["age"].tolist())
    named = stats.estimate_effect(d["outcome"], d["treatment"], {"age": d["age"]})
    assert flat == named
