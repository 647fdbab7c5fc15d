"""The chance of "met" against a criterion and cluster power on the analysis's degrees of
freedom, checked against scipy's noncentral t directly and against Eldridge et al. (2006)."""

from __future__ import annotations

import math

import pytest
from scipy import stats as sps

from whatworks import stats


def test_met_is_the_noncentral_t_tail_beyond_the_criterion() -> None:
    result = stats.power_against_criterion(0.5, 0.15, criterion=0.2, df=18)
    critical = sps.t.ppf(0.975, 18)
    # (estimate - 0.2) / se is noncentral t(18, (0.5 - 0.2) / 0.15); "met" when it exceeds
    # the critical value.
    assert result.met == pytest.approx(1 - sps.nct.cdf(critical, 18, 2.0), rel=1e-9)
    assert result.detect == pytest.approx(1 - sps.nct.cdf(critical, 18, 0.5 / 0.15), rel=1e-9)
    assert result.met < result.detect


def test_with_a_criterion_of_zero_met_is_the_power_of_power_t_test() -> None:
    # stats.power_two_means reproduces R's power.t.test (tests/stats/test_stats_power.py).
    result = stats.power_against_criterion(0.5, math.sqrt(2 / 50), df=98)
    assert result.detect == pytest.approx(stats.power_two_means(0.5, 1, n_per_arm=50).power)
    assert result.met == pytest.approx(result.detect)


def test_the_normal_reference_without_degrees_of_freedom() -> None:
    result = stats.power_against_criterion(0.3, 0.1, criterion=0.1)
    assert result.met == pytest.approx(sps.norm.sf(1.959964 - 2.0), rel=1e-6)


def test_unequal_cluster_sizes_inflate_the_design_effect_as_eldridge_2006() -> None:
    # Eldridge, Ashby & Kerry (2006), eq. 4: DE = 1 + ((cv^2 + 1) m - 1) rho.
    assert stats.design_effect(20, 0.05, cv=0.6) == pytest.approx(1 + (1.36 * 20 - 1) * 0.05)
    assert stats.design_effect(20, 0.05) == pytest.approx(1.95)


def test_cluster_power_uses_the_clusters_not_the_units_for_its_degrees_of_freedom() -> None:
    se, df = stats.cluster_standard_error(
        2.0, clusters_t=6, clusters_c=6, cluster_size=25, icc=0.05
    )
    assert df == 10  # 12 clusters minus 2, not 300 units minus 2
    assert se == pytest.approx(2.0 * math.sqrt(2.2 * 2 / 150))


def test_unequal_cluster_sizes_leave_fewer_degrees_of_freedom() -> None:
    # Kish's effective number of clusters, g / (1 + cv^2): 16 clusters with sizes of CV 0.75
    # count as 16 / 1.5625 = 10.24, so 8.24 degrees of freedom instead of 14.
    _, equal = stats.cluster_standard_error(
        1.0, clusters_t=8, clusters_c=8, cluster_size=25, icc=0.1
    )
    _, unequal = stats.cluster_standard_error(
        1.0, clusters_t=8, clusters_c=8, cluster_size=25, icc=0.1, cv=0.75
    )
    assert equal == 14.0
    assert unequal == pytest.approx(16 / 1.5625 - 2)
