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


# -- CR2 with Imbens-Kolesar degrees of freedom --------------------------------------------------


def _unequal_clusters(seed: int = 3) -> dict[str, NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 15, 10)
    cluster = np.repeat(np.arange(10), sizes)
    treatment = rng.permutation(np.repeat([0.0, 1.0], 5))[cluster]
    age = rng.normal(40, 10, cluster.size)
    outcome = (
        0.3 * treatment + 0.02 * age + rng.normal(size=10)[cluster] + rng.normal(size=cluster.size)
    )
    return {"cluster": cluster, "treatment": treatment, "age": age, "outcome": outcome}


@pytest.mark.parametrize("with_covariate", [False, True])
def test_cr2_matches_the_dense_textbook_computation(with_covariate: bool) -> None:
    from tests.stats.cr2_reference import linear_cr2

    d = _unequal_clusters()
    columns = [np.ones(d["outcome"].size), d["treatment"]]
    if with_covariate:
        columns.append(d["age"])
    coefficient, se, df = linear_cr2(d["outcome"], np.column_stack(columns), d["cluster"])
    effect = stats.estimate_effect(
        d["outcome"],
        d["treatment"],
        d["age"] if with_covariate else None,
        clusters=d["cluster"],
        cluster_errors="CR2",
    )
    assert effect.cov_type == "CR2"
    assert effect.coefficient == pytest.approx(coefficient, rel=1e-10)
    assert effect.std_error == pytest.approx(se, rel=1e-9)
    assert effect.df == pytest.approx(df, rel=1e-9)
    half = sps.t.ppf(0.975, df) * se
    assert (effect.ci_low, effect.ci_high) == pytest.approx(
        (coefficient - half, coefficient + half), rel=1e-9
    )


def test_cr2_on_equal_clusters_is_welch_on_the_cluster_means() -> None:
    # A known identity (Imbens & Kolesar 2016, section 4): with equal cluster sizes, a
    # cluster-level treatment and no covariates, the CR2 variance is the Welch variance of the
    # cluster means, s_t^2 / G_t + s_c^2 / G_c.
    rng = np.random.default_rng(8)
    cluster = np.repeat(np.arange(12), 9)
    treatment = (np.arange(12) % 2)[cluster].astype(float)
    outcome = rng.normal(size=12)[cluster] + rng.normal(size=cluster.size)
    means = np.bincount(cluster, outcome) / 9
    arm = np.arange(12) % 2
    welch = stats.compare_means(means[arm == 1], means[arm == 0])
    effect = stats.estimate_effect(outcome, treatment, clusters=cluster, cluster_errors="CR2")
    assert effect.std_error == pytest.approx(welch.std_error, rel=1e-10)


def test_cr2_refuses_a_single_cluster_in_an_arm() -> None:
    cluster = np.repeat(np.arange(3), 4)
    treatment = (cluster == 0).astype(float)
    outcome = np.arange(12, dtype=float) % 5
    with pytest.raises(stats.StatsRefusal, match="one cluster alone"):
        stats.estimate_effect(outcome, treatment, clusters=cluster, cluster_errors="CR2")


def test_hc2_fast_path_equals_estimate_effect() -> None:
    d = _data(seed=21)
    fast = stats.hc2_effect_with_covariate(d["outcome"], d["treatment"] == 1, d["age"])
    reference = stats.estimate_effect(d["outcome"], d["treatment"], d["age"])
    assert fast.coefficient == pytest.approx(reference.coefficient, rel=1e-9)
    assert fast.std_error == pytest.approx(reference.std_error, rel=1e-9)
    assert fast.df == reference.df
