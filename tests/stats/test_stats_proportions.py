"""Binary outcomes checked against published figures, to the precision each source prints."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from whatworks import stats

# Newcombe RG (1998) Stat Med 17:873-890, Table II, method 10 (hybrid score, no continuity
# correction): (successes_1, n_1, successes_2, n_2) -> 95% limits for p1 - p2, printed to 4 dp.
# Rows (e) 0/10 - 0/20 and (f) 0/10 - 0/10 are excluded here: nobody succeeded in either arm,
# so the z test is undefined and compare_proportions refuses them (see the refusal tests).
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),  # (a)
    ((9, 10, 3, 10), (0.1705, 0.8090)),  # (b)
    ((6, 7, 2, 7), (0.0582, 0.8062)),  # (c)
    ((5, 56, 0, 29), (-0.0381, 0.1926)),  # (d)
    ((10, 10, 0, 20), (0.6791, 1.0000)),  # (g)
    ((10, 10, 0, 10), (0.6075, 1.0000)),  # (h)
]


@pytest.mark.parametrize(("counts", "limits"), NEWCOMBE_TABLE_II)
def test_newcombe_1998_table_ii_method_10(
    counts: tuple[int, int, int, int], limits: tuple[float, float]
) -> None:
    result = stats.compare_proportions(*counts)
    assert result.difference == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3])
    assert round(result.ci_low, 4) == pytest.approx(limits[0], abs=1e-12)
    assert round(result.ci_high, 4) == pytest.approx(limits[1], abs=1e-12)


def test_pooled_z_matches_uncorrected_pearson_chi_square() -> None:
    # Independent route: scipy's chi-square on the 2x2 table without Yates' correction equals the
    # square of the pooled two-proportion z statistic (R: prop.test(..., correct = FALSE)).
    result = stats.compare_proportions(56, 70, 48, 80)
    chi2, p, _, _ = sps.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert result.statistic**2 == pytest.approx(chi2, rel=1e-12)
    assert result.p_value == pytest.approx(p, rel=1e-10)
    assert result.statistic > 0  # treatment (80%) is above control (60%)


def test_relative_lift_uses_katz_log_interval() -> None:
    result = stats.compare_proportions(56, 70, 48, 80)
    # Hand formula, Katz et al. (1978): log RR +/- z * sqrt(1/a - 1/n1 + 1/c - 1/n2).
    log_rr = math.log((56 / 70) / (48 / 80))
    se = math.sqrt(1 / 56 - 1 / 70 + 1 / 48 - 1 / 80)
    z = sps.norm.ppf(0.975)
    assert result.relative_lift == pytest.approx(1 / 3)
    assert result.relative_ci_low == pytest.approx(math.exp(log_rr - z * se) - 1, rel=1e-12)
    assert result.relative_ci_high == pytest.approx(math.exp(log_rr + z * se) - 1, rel=1e-12)


def test_relative_lift_is_none_when_undefined() -> None:
    no_control_successes = stats.compare_proportions(5, 56, 0, 29)
    assert no_control_successes.relative_lift is None
    assert no_control_successes.relative_ci_low is None
    no_treatment_successes = stats.compare_proportions(0, 29, 5, 56)
    assert no_treatment_successes.relative_lift == pytest.approx(-1.0)
    assert no_treatment_successes.relative_ci_low is None
    assert no_treatment_successes.relative_ci_high is None


def test_alpha_widens_interval() -> None:
    at_95 = stats.compare_proportions(56, 70, 48, 80)
    at_99 = stats.compare_proportions(56, 70, 48, 80, alpha=0.01)
    assert at_99.ci_low < at_95.ci_low and at_99.ci_high > at_95.ci_high


# Newcombe RG (1998) Stat Med 17:857-872, single-proportion examples, method 3 (Wilson score).
@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (0, 10, 0.0000, 0.2775),  # also the upper limit behind Newcombe Table II row (f)
    ],
)
def test_wilson_interval_newcombe_1998_single_proportion(
    successes: int, n: int, low: float, high: float
) -> None:
    interval = stats.proportion_interval(successes, n)
    assert round(interval.low, 4) == pytest.approx(low, abs=1e-12)
    assert round(interval.high, 4) == pytest.approx(high, abs=1e-12)
    assert interval.estimate == pytest.approx(successes / n)


def test_chi_square_r_prop_test_smokers() -> None:
    # R ?prop.test: smokers <- c(83, 90, 129, 70); patients <- c(86, 93, 136, 82)
    # prop.test(smokers, patients) -> X-squared = 12.6, df = 3, p-value = 0.005585
    result = stats.chi_square_proportions([83, 90, 129, 70], [86, 93, 136, 82])
    assert round(result.statistic, 1) == pytest.approx(12.6)
    assert result.df == 3
    assert round(result.p_value, 6) == pytest.approx(0.005585)


def test_chi_square_two_groups_equals_z_squared() -> None:
    chi = stats.chi_square_proportions([56, 48], [70, 80])
    z = stats.compare_proportions(56, 70, 48, 80)
    assert chi.statistic == pytest.approx(z.statistic**2, rel=1e-12)
    assert chi.p_value == pytest.approx(z.p_value, rel=1e-10)
    assert chi.df == 1


def test_fisher_lady_tasting_tea() -> None:
    # Fisher (1935): 4 cups of each kind, 3 of each identified correctly. Two-sided p = 34/70.
    result = stats.fisher_exact([[3, 1], [1, 3]])
    assert round(result.p_value, 4) == pytest.approx(0.4857)
    assert result.p_value == pytest.approx(34 / 70, rel=1e-12)
    assert result.odds_ratio == pytest.approx(9.0)


def test_adjust_p_values_worked_examples() -> None:
    raw = [0.5, 0.01, 0.03, 0.02]
    # Holm: sorted 0.01, 0.02, 0.03, 0.5 times 4, 3, 2, 1 -> 0.04, 0.06, 0.06, 0.5 (running max)
    assert stats.adjust_p_values(raw, "holm") == pytest.approx([0.5, 0.04, 0.06, 0.06])
    # BH: i-th smallest times 4/i -> 0.04, 0.04, 0.04, 0.5 (running min from the top)
    assert stats.adjust_p_values(raw, "bh") == pytest.approx([0.5, 0.04, 0.04, 0.04])
    assert stats.adjust_p_values([], "bh") == []


def test_adjust_p_values_match_textbook_definitions() -> None:
    # Independent check: the step-down / step-up definitions written out with numpy.
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    m = p.size
    order = np.argsort(p)
    holm = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    bh = np.minimum(1, np.minimum.accumulate((m / np.arange(m, 0, -1)) * p[order][::-1]))[::-1]
    expected_holm = np.empty(m)
    expected_holm[order] = holm
    expected_bh = np.empty(m)
    expected_bh[order] = bh
    assert stats.adjust_p_values(list(p), "holm") == pytest.approx(list(expected_holm))
    assert stats.adjust_p_values(list(p), "bh") == pytest.approx(list(expected_bh))
