"""DerSimonian-Laird random effects on metafor's dat.bcg (BCG vaccine, 13 trials)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats as sps

from whatworks import stats

TPOS = np.array([4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27])
TNEG = np.array([119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886])
CPOS = np.array([11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29])
CNEG = np.array([128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825])


def _bcg_log_rr() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    # metafor::escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg)
    yi = np.log((TPOS / (TPOS + TNEG)) / (CPOS / (CPOS + CNEG)))
    vi = 1 / TPOS - 1 / (TPOS + TNEG) + 1 / CPOS - 1 / (CPOS + CNEG)
    return yi, vi


def test_bcg_dersimonian_laird_matches_metafor() -> None:
    # metafor: rma(yi, vi, data = dat, method = "DL") on escalc's log risk ratios (so this also
    # checks the inputs: escalc gives yi = -0.8893, vi = 0.3256 for Aronson 1948)
    # estimate -0.7141, se 0.1787, ci.lb -1.0644, ci.ub -0.3638, tau^2 0.3088,
    # Q(df = 12) = 152.2330
    yi, vi = _bcg_log_rr()
    result = stats.random_effects(yi, vi)
    assert round(result.estimate, 4) == pytest.approx(-0.7141)
    assert round(result.std_error, 4) == pytest.approx(0.1787)
    assert round(result.ci_low, 4) == pytest.approx(-1.0644)
    assert round(result.ci_high, 4) == pytest.approx(-0.3638)
    assert round(result.tau2, 4) == pytest.approx(0.3088)
    assert round(result.q, 4) == pytest.approx(152.2330)
    assert result.k == 13
    # Under DL, I^2 = (Q - df) / Q (Higgins & Thompson 2002), which is 92.12% here.
    assert result.i2 == pytest.approx((result.q - 12) / result.q, rel=1e-12)
    assert round(100 * result.i2, 2) == pytest.approx(92.12)


def test_bcg_dersimonian_laird_matches_hand_formula() -> None:
    yi, vi = _bcg_log_rr()
    w = 1 / vi
    fixed = np.sum(w * yi) / np.sum(w)
    q = float(np.sum(w * (yi - fixed) ** 2))
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    tau2 = max(0.0, (q - (yi.size - 1)) / c)
    w_star = 1 / (vi + tau2)
    estimate = float(np.sum(w_star * yi) / np.sum(w_star))
    se = float(1 / math.sqrt(np.sum(w_star)))
    result = stats.random_effects(yi, vi)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    assert result.estimate == pytest.approx(estimate, rel=1e-12)
    assert result.std_error == pytest.approx(se, rel=1e-12)
    assert result.p_value == pytest.approx(2 * sps.norm.sf(abs(estimate / se)), rel=1e-10)


def test_bcg_prediction_interval_higgins_2009() -> None:
    # Higgins, Thompson & Spiegelhalter (2009): mu +/- t_{k-2} sqrt(tau^2 + se^2), k - 2 = 11.
    yi, vi = _bcg_log_rr()
    result = stats.random_effects(yi, vi)
    half = sps.t.ppf(0.975, 11) * math.sqrt(result.tau2 + result.std_error**2)
    assert result.prediction_low == pytest.approx(result.estimate - half, rel=1e-12)
    assert result.prediction_high == pytest.approx(result.estimate + half, rel=1e-12)
    # Same formula from metafor's printed (4 dp) estimate, se and tau^2, and t_{11, 0.975} =
    # 2.2010 from tables; the tolerance covers the rounding of those printed inputs.
    printed_half = 2.2010 * math.sqrt(0.3088 + 0.1787**2)
    assert result.prediction_low == pytest.approx(-0.7141 - printed_half, abs=5e-4)
    assert result.prediction_high == pytest.approx(-0.7141 + printed_half, abs=5e-4)


def test_homogeneous_studies_truncate_tau2_at_zero() -> None:
    # Q < df: DL truncates tau^2 at 0 and the estimate is the inverse-variance fixed effect.
    effects = [0.10, 0.11, 0.10, 0.09]
    variances = [0.01, 0.02, 0.03, 0.04]
    result = stats.random_effects(effects, variances)
    w = 1 / np.array(variances)
    assert result.tau2 == 0.0
    assert result.i2 == 0.0
    assert result.estimate == pytest.approx(float(np.sum(w * effects) / np.sum(w)))
    assert result.std_error == pytest.approx(float(1 / math.sqrt(np.sum(w))))


def test_two_studies_have_no_prediction_interval() -> None:
    result = stats.random_effects([0.2, 0.5], [0.01, 0.02])
    assert result.prediction_low is None and result.prediction_high is None
    assert result.k == 2


# -- REML and Paule-Mandel with the Hartung-Knapp-Sidik-Jonkman interval ---------------------


def test_bcg_reml_with_knapp_hartung_matches_metafor() -> None:
    # metafor's README: rma(yi, vi, data = dat, test = "knha") (REML by default):
    # tau^2 0.3132, I^2 92.22%, estimate -0.7145, se 0.1808, t(12) p 0.0019,
    # ci.lb -1.1084, ci.ub -0.3206.
    yi, vi = _bcg_log_rr()
    result = stats.random_effects(yi, vi, method="REML", interval="hksj")
    assert round(result.tau2, 4) == pytest.approx(0.3132)
    assert round(100 * result.i2, 2) == pytest.approx(92.22)
    assert round(result.estimate, 4) == pytest.approx(-0.7145)
    assert round(result.std_error, 4) == pytest.approx(0.1808)
    assert round(result.p_value, 4) == pytest.approx(0.0019)
    assert round(result.ci_low, 4) == pytest.approx(-1.1084)
    assert round(result.ci_high, 4) == pytest.approx(-0.3206)
    assert result.df == 12


def test_bcg_paule_mandel_with_hksj_matches_statsmodels() -> None:
    from statsmodels.stats.meta_analysis import combine_effects

    yi, vi = _bcg_log_rr()
    result = stats.random_effects(yi, vi, method="PM", interval="hksj")
    reference = combine_effects(yi, vi, method_re="iterated")  # Paule-Mandel
    assert result.tau2 == pytest.approx(float(reference.tau2), rel=1e-6)
    assert result.estimate == pytest.approx(float(reference.mean_effect_re), rel=1e-9)
    low, high = reference.conf_int(use_t=True)[3]  # the WLS (HKSJ) random-effects row
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-6)


def test_hksj_is_never_narrower_than_the_random_effects_interval() -> None:
    # Studies that agree more than chance predicts: the plain HKSJ scaling (q < 1) would
    # shrink the interval; the modification keeps the random-effects variance (Roever 2015).
    effects = [0.10, 0.11, 0.10, 0.09]
    variances = [0.01, 0.02, 0.03, 0.04]
    w = 1 / np.array(variances)
    result = stats.random_effects(effects, variances, method="REML", interval="hksj")
    assert result.tau2 == 0.0
    assert result.std_error == pytest.approx(float(1 / math.sqrt(np.sum(w))))
    half = sps.t.ppf(0.975, 3) * result.std_error
    assert result.ci_high - result.estimate == pytest.approx(half)


def test_with_few_councils_the_pooled_interval_keeps_its_coverage() -> None:
    """Reproduction: with 2 to 5 councils and real heterogeneity the DerSimonian-Laird normal
    interval covered 84-89%. REML with HKSJ keeps 95% (simulated; bench/calibration.py has the
    full figures)."""
    from bench.calibration import meta_studies

    rng = np.random.Generator(np.random.PCG64(5))
    runs, covered, covered_dl = 2000, 0, 0
    for _ in range(runs):
        effects, variances = meta_studies(rng, 3, 0.05)
        pooled = stats.random_effects(effects, variances, method="REML", interval="hksj")
        covered += pooled.ci_low <= 0 <= pooled.ci_high
        old = stats.random_effects(effects, variances)
        covered_dl += old.ci_low <= 0 <= old.ci_high
    assert covered / runs >= 0.93
    assert covered_dl / runs <= 0.90
