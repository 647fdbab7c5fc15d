"""Rate ratios with robust errors, checked against statsmodels and a dense CR2 computation."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as sps

from tests.stats.cr2_reference import poisson_cr2
from whatworks import stats


def _counts(seed: int, clusters: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 600 if not clusters else clusters * 8
    arm = rng.integers(0, 2, n) if not clusters else (np.arange(clusters) % 2)[np.arange(n) // 8]
    exposure = rng.uniform(0.5, 2.0, n)
    shock = rng.normal(0, 0.4, clusters)[np.arange(n) // 8] if clusters else 0.0
    counts = rng.poisson(exposure * np.exp(0.2 * arm + shock)).astype(float)
    return {"arm": arm, "exposure": exposure, "counts": counts, "cluster": np.arange(n) // 8}


def test_unclustered_rate_ratio_is_the_poisson_glm_with_hc0() -> None:
    d = _counts(1)
    result = stats.compare_rates(d["counts"], d["exposure"], d["arm"] == 1)
    fit = sm.GLM(
        d["counts"],
        sm.add_constant(d["arm"].astype(float)),
        family=sm.families.Poisson(),
        offset=np.log(d["exposure"]),
    ).fit(cov_type="HC0")
    assert np.log(result.rate_ratio) == pytest.approx(fit.params[1], rel=1e-9)
    assert result.std_error == pytest.approx(fit.bse[1], rel=1e-7)
    assert result.df is None and result.cov_type == "HC0"
    assert result.p_value == pytest.approx(fit.pvalues[1], rel=1e-6)


def test_clustered_rate_ratio_is_cr2_with_bell_mccaffrey_df() -> None:
    d = _counts(2, clusters=14)
    result = stats.compare_rates(d["counts"], d["exposure"], d["arm"] == 1, clusters=d["cluster"])
    log_ratio, se, df = poisson_cr2(d["counts"], d["exposure"], d["arm"], d["cluster"])
    assert np.log(result.rate_ratio) == pytest.approx(log_ratio, rel=1e-12)
    assert result.std_error == pytest.approx(se, rel=1e-9)
    assert result.df == pytest.approx(df, rel=1e-9)
    half = sps.t.ppf(0.975, df) * se
    assert np.log(result.ratio_ci_low) == pytest.approx(log_ratio - half, rel=1e-9)
    assert result.n_clusters == 14 and result.cov_type == "CR2"


def test_it_refuses_an_arm_without_events_and_bad_exposure() -> None:
    with pytest.raises(stats.StatsRefusal, match="no events"):
        stats.compare_rates(np.array([0.0, 0, 1, 2]), np.ones(4), np.array([1, 1, 0, 0]) == 1)
    with pytest.raises(stats.StatsRefusal, match="exposure greater than zero"):
        stats.compare_rates(np.array([1.0, 0, 1, 2]), np.zeros(4), np.array([1, 1, 0, 0]) == 1)
