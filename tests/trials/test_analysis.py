"""The results-page analysis, checked against statsmodels, scipy and lifelines run directly.

Synthetic data with fixed seeds; the published-number checks of each method live in
tests/stats. Here we test the composition: sufficient statistics -> stats, adjusted beside
unadjusted, CR2 with Imbens-Kolesar df for clusters (the interval, p value and verdict agree),
randomisation inference as a check, Holm and BH, attrition, the allocation checks on allocated
and analysed counts, the verdict and the sentences.
"""

from __future__ import annotations

import itertools
import re
from datetime import date

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import restricted_mean_survival_time
from numpy.random import PCG64, Generator
from scipy import stats as sps
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from tests.stats.cr2_reference import linear_cr2, poisson_cr2
from whatworks import stats
from whatworks.stats import StatsRefusal
from whatworks.trials import analysis as an
from whatworks.trials.analysis import Wording, analyse_outcome, judge, verdict, verdict_for

LABELS = ["usual letter", "new letter"]
TENANTS = Wording(
    units="tenants",
    outcome="made contact",
    measure_unit="days",
    arm_phrases=(
        ("new letter", "who got the new letter"),
        ("usual letter", "who got the usual letter"),
    ),
)
FORBIDDEN = ("chance to win", "safe to proceed", "did not work", "proves")


def rng(seed: int) -> Generator:
    return Generator(PCG64(seed))


@pytest.fixture(scope="module")
def continuous() -> dict[str, np.ndarray]:
    g = rng(1)
    n = 3000
    arm = g.integers(0, 2, n)
    baseline = g.normal(50, 10, n)
    # Heteroskedastic by arm, so HC2 and Welch differ from the classical errors.
    y = 0.6 * baseline + 1.5 * arm + g.normal(0, 6 + 4 * arm, n)
    y[g.random(n) < 0.05 + 0.05 * arm] = np.nan  # attrition, worse in the treatment arm
    baseline[g.random(n) < 0.02] = np.nan
    return {"arm": arm, "y": y, "baseline": baseline}


# -- means -------------------------------------------------------------------------------------


def test_means_are_welch_as_scipy_computes_it(continuous: dict[str, np.ndarray]) -> None:
    arm, y = continuous["arm"], continuous["y"]
    result = analyse_outcome(arm, y, kind="mean", arm_labels=LABELS)
    comparison = result.comparisons[0]
    t, c = y[(arm == 1) & ~np.isnan(y)], y[(arm == 0) & ~np.isnan(y)]
    direct = sps.ttest_ind(t, c, equal_var=False)
    ci = direct.confidence_interval(0.95)
    assert comparison.estimate == pytest.approx(t.mean() - c.mean(), rel=1e-10)
    assert comparison.p_value == pytest.approx(direct.pvalue, rel=1e-8)
    assert (comparison.ci_low, comparison.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert comparison.details.sd_t == pytest.approx(t.std(ddof=1), rel=1e-10)
    assert comparison.measure == "difference in means"


def test_attrition_counts_allocated_against_outcomes(continuous: dict[str, np.ndarray]) -> None:
    arm, y = continuous["arm"], continuous["y"]
    result = analyse_outcome(arm, y, kind="mean", arm_labels=LABELS)
    for code, row in enumerate(result.attrition):
        assert row.allocated == int((arm == code).sum())
        assert row.with_outcome == int(((arm == code) & ~np.isnan(y)).sum())
        assert row.missing == row.allocated - row.with_outcome
    assert any("missing at different rates" in note for note in result.notes)


def test_the_shifted_sums_survive_a_huge_mean() -> None:
    g = rng(2)
    arm = np.repeat([0, 1], 500)
    y = 1e9 + g.normal(0, 1e-3, 1000)
    details = analyse_outcome(arm, y, kind="mean", arm_labels=LABELS).comparisons[0].details
    assert details.sd_c == pytest.approx(y[:500].std(ddof=1), rel=1e-6)


def test_adjusted_hc2_equals_stats_estimate_effect_and_statsmodels(
    continuous: dict[str, np.ndarray],
) -> None:
    arm, y, x = continuous["arm"], continuous["y"], continuous["baseline"]
    result = analyse_outcome(arm, y, kind="mean", arm_labels=LABELS, baseline=x)
    adjusted = result.comparisons[0].adjusted
    keep = ~np.isnan(y) & ~np.isnan(x)
    reference = stats.estimate_effect(y[keep], arm[keep].astype(float), x[keep])
    fit = sm.OLS(y[keep], np.column_stack([np.ones(keep.sum()), arm[keep], x[keep]])).fit(
        cov_type="HC2"
    )
    assert adjusted.coefficient == pytest.approx(reference.coefficient, rel=1e-9)
    assert adjusted.std_error == pytest.approx(reference.std_error, rel=1e-9)
    assert adjusted.std_error == pytest.approx(fit.bse[1], rel=1e-9)
    assert (adjusted.ci_low, adjusted.ci_high, adjusted.p_value, adjusted.df) == pytest.approx(
        (reference.ci_low, reference.ci_high, reference.p_value, reference.df), rel=1e-8
    )
    # Adjustment for a strong baseline predictor narrows the interval beside the unadjusted one.
    unadjusted = result.comparisons[0]
    assert adjusted.ci_high - adjusted.ci_low < unadjusted.ci_high - unadjusted.ci_low
    assert any("no baseline value" in note for note in result.notes)


def test_ols_hc2_refuses_like_estimate_effect() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0, 7.0])
    x = np.array([0.5, 1.0, 1.5, 2.5, 2.0])
    alone = np.array([False, False, False, False, True])
    with pytest.raises(StatsRefusal, match="single"):
        stats.estimate_effect(y, alone.astype(float), x)
    with pytest.raises(StatsRefusal, match="single"):
        stats.hc2_effect_with_covariate(y, alone, x)
    with pytest.raises(StatsRefusal, match="collinear"):
        stats.hc2_effect_with_covariate(
            y, np.array([0, 0, 1, 1, 1], dtype=bool), np.array([1.0, 1, 2, 2, 2])
        )


# -- proportions -------------------------------------------------------------------------------


def test_proportions_are_newcombe_on_the_counts() -> None:
    g = rng(3)
    arm = g.integers(0, 2, 4000)
    y = (g.random(4000) < 0.30 + 0.04 * arm).astype(float)
    comparison = analyse_outcome(arm, y, kind="proportion", arm_labels=LABELS).comparisons[0]
    x_t, n_t = int(y[arm == 1].sum()), int((arm == 1).sum())
    x_c, n_c = int(y[arm == 0].sum()), int((arm == 0).sum())
    low, high = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="newcomb", compare="diff")
    assert (comparison.ci_low, comparison.ci_high) == pytest.approx((low, high), rel=1e-12)
    assert comparison.details == stats.compare_proportions(x_t, n_t, x_c, n_c)


def test_a_proportion_outcome_must_be_zero_or_one() -> None:
    with pytest.raises(StatsRefusal, match="0 \\(no\\) or 1"):
        analyse_outcome([0, 1, 0, 1], [0, 1, 0.5, 1], kind="proportion", arm_labels=LABELS)


def test_string_arm_labels_work_like_codes() -> None:
    g = rng(4)
    codes = g.integers(0, 2, 200)
    y = (g.random(200) < 0.4).astype(float)
    labels = np.array(LABELS)[codes]
    by_code = analyse_outcome(codes, y, kind="proportion", arm_labels=LABELS)
    by_label = analyse_outcome(labels, y, kind="proportion", arm_labels=LABELS)
    assert by_code.comparisons == by_label.comparisons


# -- clusters ----------------------------------------------------------------------------------


def cluster_trial(
    seed: int, streets: int, per_street: int = 12, arms: int = 2
) -> dict[str, np.ndarray]:
    g = rng(seed)
    street_arm = np.arange(streets) % arms
    g.shuffle(street_arm)
    street = np.repeat(np.arange(streets), per_street)
    arm = street_arm[street]
    street_effect = g.normal(0, 0.6, streets)[street]
    baseline = g.normal(5, 1, street.size) + street_effect
    y = 0.5 * baseline + 0.4 * (arm == 1) + street_effect + g.normal(0, 1, street.size)
    return {"arm": arm, "street": street, "baseline": baseline, "y": y}


def test_cluster_headline_is_cr2_with_imbens_kolesar_df() -> None:
    d = cluster_trial(5, streets=40)
    result = analyse_outcome(
        d["arm"],
        d["y"],
        kind="mean",
        arm_labels=LABELS,
        clusters=d["street"],
        baseline=d["baseline"],
        ratio=[1, 1],
    )
    comparison = result.comparisons[0]
    design = np.column_stack([np.ones(d["y"].size), d["arm"]])
    coefficient, se, df = linear_cr2(d["y"], design, d["street"])
    half = sps.t.ppf(0.975, df) * se
    assert comparison.cluster_robust.cov_type == "CR2"
    assert comparison.df == pytest.approx(df, rel=1e-9)
    assert comparison.std_error == pytest.approx(se, rel=1e-9)
    assert comparison.estimate == pytest.approx(coefficient, rel=1e-10)
    assert (comparison.ci_low, comparison.ci_high) == pytest.approx(
        (coefficient - half, coefficient + half), rel=1e-9
    )
    # The headline p value is the CR2 one, so it agrees with the interval and the verdict; the
    # randomisation test (20 streets an arm, fewer than 30) is shown beside it as a check.
    assert comparison.p_value == pytest.approx(2 * sps.t.sf(abs(coefficient / se), df))
    assert comparison.randomisation_p is not None
    assert (comparison.p_value < 0.05) == comparison.clear
    adjusted = linear_cr2(d["y"], np.column_stack([design, d["baseline"]]), d["street"])
    assert comparison.adjusted.cov_type == "CR2" and comparison.adjusted.n_clusters == 40
    assert comparison.adjusted.std_error == pytest.approx(adjusted[1], rel=1e-9)
    assert result.allocation_check.observed == (20, 20)
    assert [row.clusters for row in result.attrition] == [20, 20]


def test_randomisation_p_matches_full_enumeration_and_is_reproducible() -> None:
    d = cluster_trial(6, streets=8, per_street=5)
    treated = d["arm"] == 1
    # Exact randomisation distribution: all C(8, 4) = 70 ways to pick the treated streets.
    totals = np.bincount(d["street"], d["y"])
    sizes = np.bincount(d["street"])
    observed = d["y"][treated].mean() - d["y"][~treated].mean()
    extreme = 0
    for chosen in itertools.combinations(range(8), 4):
        mask = np.isin(np.arange(8), chosen)
        diff = totals[mask].sum() / sizes[mask].sum() - totals[~mask].sum() / sizes[~mask].sum()
        extreme += abs(diff) >= abs(observed) - 1e-12
    exact = extreme / 70
    p = stats.randomisation_p_value(
        d["street"],
        treated,
        d["y"],
        np.ones(d["y"].size),
        lambda a, b, c, e: a / b - c / e,
        permutations=4000,
        seed=1,
    )
    assert p == pytest.approx(exact, abs=0.03)
    again = stats.randomisation_p_value(
        d["street"],
        treated,
        d["y"],
        np.ones(d["y"].size),
        lambda a, b, c, e: a / b - c / e,
        permutations=4000,
        seed=1,
    )
    assert p == again


def test_many_clusters_use_cr2_without_permutations() -> None:
    d = cluster_trial(7, streets=64, per_street=4)
    comparison = analyse_outcome(
        d["arm"], d["y"], kind="mean", arm_labels=LABELS, clusters=d["street"]
    ).comparisons[0]
    assert comparison.randomisation_p is None
    assert comparison.p_value == comparison.cluster_robust.p_value


def test_it_refuses_a_single_cluster_per_arm() -> None:
    with pytest.raises(StatsRefusal, match="only one cluster"):
        analyse_outcome(
            [0, 0, 1, 1],
            [1.0, 2.0, 3.0, 5.0],
            kind="mean",
            arm_labels=LABELS,
            clusters=["a", "a", "b", "b"],
        )


def test_it_refuses_a_cluster_split_across_arms() -> None:
    with pytest.raises(StatsRefusal, match="more than one arm"):
        analyse_outcome(
            [0, 1, 0, 1],
            [1.0, 2.0, 3.0, 5.0],
            kind="mean",
            arm_labels=LABELS,
            clusters=["a", "a", "b", "b"],
        )


# -- multiplicity ------------------------------------------------------------------------------


def test_holm_across_arms_of_the_primary_outcome() -> None:
    d = cluster_trial(8, streets=170, per_street=3, arms=4)
    labels = ["none", "voucher", "prize draw", "thank-you letter"]
    result = analyse_outcome(
        d["arm"], d["y"], kind="mean", arm_labels=labels, clusters=d["street"], ratio=[1, 1, 1, 1]
    )
    raw = [c.p_value for c in result.comparisons]
    expected = multipletests(raw, method="holm")[1]
    assert [c.p_adjusted for c in result.comparisons] == pytest.approx(list(expected))
    assert {c.adjustment for c in result.comparisons} == {"Holm"}
    assert [c.arm for c in result.comparisons] == labels[1:]
    assert "after allowing for comparing several arms (Holm)" in result.headline


def test_bh_across_every_secondary_comparison() -> None:
    g = rng(9)
    arm = g.integers(0, 3, 1500)
    labels = ["control", "a", "b"]
    outcomes = [
        analyse_outcome(
            arm, g.normal(0.1 * arm * k, 1, 1500), kind="mean", arm_labels=labels, primary=(k == 0)
        )
        for k in range(3)
    ]
    adjusted = an.adjust_secondary(outcomes)
    assert adjusted[0] == outcomes[0]
    raw = [c.p_value for o in outcomes[1:] for c in o.comparisons]
    expected = multipletests(raw, method="fdr_bh")[1]
    got = [c.p_adjusted for o in adjusted[1:] for c in o.comparisons]
    assert got == pytest.approx(list(expected))


# -- counts with exposure ----------------------------------------------------------------------


def test_rate_ratio_equals_a_poisson_glm_with_robust_errors() -> None:
    g = rng(10)
    n = 2000
    arm = g.integers(0, 2, n)
    exposure = g.uniform(0.5, 2.0, n)
    counts = g.negative_binomial(2, 2 / (2 + exposure * np.where(arm == 1, 1.5, 2.0))).astype(float)
    comparison = analyse_outcome(
        arm, counts, kind="rate", arm_labels=LABELS, exposure=exposure
    ).comparisons[0]
    fit = sm.GLM(
        counts,
        sm.add_constant(arm.astype(float)),
        family=sm.families.Poisson(),
        offset=np.log(exposure),
    ).fit(cov_type="HC0")
    low, high = np.exp(fit.conf_int()[1])
    assert comparison.estimate == pytest.approx(np.exp(fit.params[1]), rel=1e-8)
    assert (comparison.ci_low, comparison.ci_high) == pytest.approx((low, high), rel=1e-7)
    assert comparison.p_value == pytest.approx(fit.pvalues[1], rel=1e-6)
    assert comparison.null_value == 1.0


def test_clustered_rate_ratio_uses_the_cr2_sandwich() -> None:
    d = cluster_trial(11, streets=16, per_street=6)
    g = rng(12)
    exposure = g.uniform(1, 3, d["y"].size)
    counts = g.poisson(exposure * np.exp(0.3 * d["arm"] + 0.5 * g.normal(size=16)[d["street"]]))
    comparison = analyse_outcome(
        d["arm"],
        counts.astype(float),
        kind="rate",
        arm_labels=LABELS,
        exposure=exposure,
        clusters=d["street"],
    ).comparisons[0]
    log_ratio, se, df = poisson_cr2(counts.astype(float), exposure, d["arm"], d["street"])
    half = sps.t.ppf(0.975, df) * se
    assert comparison.df == pytest.approx(df, rel=1e-9)
    assert comparison.std_error == pytest.approx(se, rel=1e-9)
    assert np.log([comparison.ci_low, comparison.ci_high]) == pytest.approx(
        [log_ratio - half, log_ratio + half], rel=1e-7
    )
    assert comparison.p_value == pytest.approx(2 * sps.t.sf(abs(log_ratio / se), df), rel=1e-9)
    assert comparison.randomisation_p is not None


def test_a_rate_needs_events_in_every_arm() -> None:
    with pytest.raises(StatsRefusal, match="no events"):
        analyse_outcome(
            [0, 0, 1, 1],
            [0.0, 0.0, 1.0, 2.0],
            kind="rate",
            arm_labels=LABELS,
            exposure=[1.0, 1.0, 1.0, 1.0],
        )


# -- time to event -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def letters() -> dict[str, np.ndarray]:
    """Wealden-like: whole days to contact, medians near 46 and 21, censoring at 60-180 days."""
    g = rng(13)
    n = 1200
    arm = g.integers(0, 2, n)
    days = np.ceil(g.exponential(np.where(arm == 1, 30.0, 66.0)))
    follow_up = g.integers(60, 181, n)
    return {
        "arm": arm,
        "days": np.minimum(days, follow_up).astype(float),
        "event": (days <= follow_up).astype(float),
    }


def test_survival_matches_lifelines(letters: dict[str, np.ndarray]) -> None:
    arm, days, event = letters["arm"], letters["days"], letters["event"]
    result = analyse_outcome(
        arm, days, events=event, kind="time_to_event", arm_labels=LABELS, horizon=90, within=30
    )
    details = result.comparisons[0].details
    fitters = [KaplanMeierFitter().fit(days[arm == k], event[arm == k]) for k in (0, 1)]
    assert details.arm_c.median == fitters[0].median_survival_time_
    # The treatment curve sits exactly at 0.5 on day 22. whatworks.stats (statsmodels) takes the
    # first time with S <= 0.5, i.e. 22; lifelines' round-off lands on 23 (R would say 22.5).
    # We follow whatworks.stats so that both parts of the platform give the same median.
    assert details.arm_t.median == stats.kaplan_meier(days[arm == 1], event[arm == 1]).median == 22
    curve = fitters[1].survival_function_at_times(list(details.arm_t.times)).to_numpy()
    assert details.arm_t.survival == pytest.approx(curve, rel=1e-10)
    test = logrank_test(days[arm == 1], days[arm == 0], event[arm == 1], event[arm == 0])
    assert details.logrank_statistic == pytest.approx(test.test_statistic, rel=1e-9)
    assert details.logrank_p == pytest.approx(test.p_value, rel=1e-7)
    assert details.rmst_t == pytest.approx(
        restricted_mean_survival_time(fitters[1], t=90), rel=1e-9
    )
    assert details.rmst_c == pytest.approx(
        restricted_mean_survival_time(fitters[0], t=90), rel=1e-9
    )
    s30 = [f.survival_function_at_times(30).iloc[0] for f in fitters]
    assert (details.within_c, details.within_t) == pytest.approx(
        (1 - s30[0], 1 - s30[1]), rel=1e-10
    )
    assert details.median_ci_low <= details.median_difference <= details.median_ci_high


def test_greenwood_and_rmst_variances_check_out(letters: dict[str, np.ndarray]) -> None:
    arm, days, event = letters["arm"], letters["days"], letters["event"]
    table = stats.survival_tables(
        np.zeros(int((arm == 0).sum()), dtype=np.intp), 1, days[arm == 0], event[arm == 0]
    )[0]
    share, variance = stats.within_from_table(table, 30)
    fit = SurvfuncRight(days[arm == 0], event[arm == 0])
    at = np.searchsorted(fit.surv_times, 30, side="right") - 1
    assert 1 - share == pytest.approx(fit.surv_prob[at], rel=1e-10)
    assert variance == pytest.approx(fit.surv_prob_se[at] ** 2, rel=1e-8)
    # Without censoring the restricted mean is the mean of min(T, tau), and its variance is
    # the plug-in variance of min(T, tau) over n.
    g = rng(14)
    t = np.ceil(g.exponential(20, 400))
    whole = stats.survival_tables(np.zeros(400, dtype=np.intp), 1, t, np.ones(400))[0]
    area, var = stats.rmst_from_table(whole, 30.0)
    assert area == pytest.approx(np.minimum(t, 30).mean(), rel=1e-12)
    assert var == pytest.approx(np.minimum(t, 30).var() / 400, rel=1e-10)


def test_fractional_times_give_the_same_answers_as_whole_days(
    letters: dict[str, np.ndarray],
) -> None:
    arm, days, event = letters["arm"], letters["days"], letters["event"]
    whole = (
        analyse_outcome(
            arm, days, events=event, kind="time_to_event", arm_labels=LABELS, horizon=90
        )
        .comparisons[0]
        .details
    )
    half = (
        analyse_outcome(
            arm, days + 0.5, events=event, kind="time_to_event", arm_labels=LABELS, horizon=90.5
        )
        .comparisons[0]
        .details
    )
    assert half.logrank_statistic == pytest.approx(whole.logrank_statistic, rel=1e-12)
    assert half.arm_t.median == whole.arm_t.median + 0.5
    assert half.median_difference == whole.median_difference
    assert half.rmst_difference == pytest.approx(whole.rmst_difference, rel=1e-10)


def test_the_bootstrap_is_seeded(letters: dict[str, np.ndarray]) -> None:
    def run(seed: int) -> an.Comparison:
        return analyse_outcome(
            letters["arm"],
            letters["days"],
            events=letters["event"],
            kind="time_to_event",
            arm_labels=LABELS,
            seed=seed,
        ).comparisons[0]

    assert run(1) == run(1)


def test_the_time_to_event_headline_reads_as_the_report_would(
    letters: dict[str, np.ndarray],
) -> None:
    comparison = analyse_outcome(
        letters["arm"],
        letters["days"],
        events=letters["event"],
        kind="time_to_event",
        arm_labels=LABELS,
        wording=TENANTS,
    ).comparisons[0]
    pattern = (
        r"Tenants who got the new letter made contact a median of \d+ days sooner than "
        r"tenants who got the usual letter \(95% interval \d+ to \d+ days\)\."
    )
    assert re.fullmatch(pattern, comparison.headline), comparison.headline


def test_when_the_median_is_not_reached_the_headline_uses_the_restricted_mean() -> None:
    g = rng(15)
    arm = np.repeat([0, 1], 300)
    days = np.ceil(g.exponential(np.where(arm == 1, 400.0, 200.0)))
    event = (days <= 90).astype(float)
    days = np.minimum(days, 90)
    comparison = analyse_outcome(
        arm, days, events=event, kind="time_to_event", arm_labels=LABELS, wording=TENANTS
    ).comparisons[0]
    assert comparison.measure == "difference in restricted mean time"
    assert comparison.details.arm_t.median is None
    assert comparison.headline.startswith(("Within the first 90 days", "The trial cannot tell"))


def test_an_all_censored_arm_is_refused() -> None:
    with pytest.raises(StatsRefusal, match="censored"):
        analyse_outcome(
            [0, 0, 1, 1],
            [3.0, 4.0, 5.0, 6.0],
            events=[1, 1, 0, 0],
            kind="time_to_event",
            arm_labels=LABELS,
        )


def test_cluster_time_to_event_is_refused_for_now() -> None:
    with pytest.raises(StatsRefusal, match="not supported"):
        analyse_outcome(
            [0, 0, 1, 1],
            [3.0, 4.0, 5.0, 6.0],
            events=[1, 1, 1, 1],
            kind="time_to_event",
            arm_labels=LABELS,
            clusters=[1, 2, 3, 4],
        )


# -- degenerate input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arms", "outcome", "reason"),
    [
        ([0, 0, 0, 0], [1.0, 2.0, 3.0, 4.0], "no units allocated"),
        ([0, 0, 1, 1], [1.0, 2.0, np.nan, np.nan], "no recorded outcomes"),
        ([0, 1, 2, 1], [1.0, 2.0, 3.0, 4.0], "3 arms|2 or more"),
        ([0, 0, 1, 1], [1.0, 1.0, 1.0, 1.0], "identical"),
        ([0, 0, 1], [1.0, 2.0, 3.0], "at least two"),
    ],
)
def test_degenerate_input_is_refused_with_a_reason(arms: list, outcome: list, reason: str) -> None:
    with pytest.raises(StatsRefusal, match=reason):
        analyse_outcome(np.array(arms), outcome, kind="mean", arm_labels=LABELS)


# -- allocation check, interim ------------------------------------------------------------------


def test_a_failed_allocation_check_withholds_the_headline() -> None:
    g = rng(16)
    arm = (g.random(1000) < 0.62).astype(int)  # designed 1:1, realised about 380:620
    result = analyse_outcome(arm, g.normal(size=1000), kind="mean", arm_labels=LABELS, ratio=[1, 1])
    assert result.withheld and result.allocation_check.failed
    assert result.headline.startswith("The headline result is withheld")
    assert all(c.headline == result.headline for c in result.comparisons)
    with pytest.raises(StatsRefusal, match="allocation check failed"):
        verdict_for(result, criterion=0.1, direction="higher", design="randomised")


def test_an_analysis_before_the_analysis_date_is_interim() -> None:
    g = rng(17)
    arm = np.repeat([0, 1], 100)
    result = analyse_outcome(
        arm,
        g.normal(size=200),
        kind="mean",
        arm_labels=LABELS,
        analysis_date=date(2025, 6, 1),
        analysed_on=date(2025, 3, 1),
    )
    assert result.interim
    assert result.headline.startswith(
        "Interim result, before the planned analysis date of 1 June 2025: "
    )
    on_time = analyse_outcome(
        arm,
        g.normal(size=200),
        kind="mean",
        arm_labels=LABELS,
        analysis_date=date(2025, 6, 1),
        analysed_on=date(2025, 6, 1),
    )
    assert not on_time.interim


# -- verdict -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "criterion", "direction", "expected"),
    [
        (12, 20, 10, "higher", "met"),  # the whole interval clears the criterion
        (10, 20, 10, "higher", "met"),  # touching the criterion counts
        (-2, 8, 10, "higher", "not met"),  # rules out the effect needed, includes no effect
        (2, 8, 10, "higher", "not met"),  # an effect, but smaller than needed
        (-9, -2, 10, "higher", "not met"),  # worse
        (-3, 15, 10, "higher", "inconclusive"),  # spans both the criterion and no effect
        (4, 15, 10, "higher", "inconclusive"),  # an effect; cannot tell if it reaches 10
        (-31, -19, 10, "lower", "met"),  # 19 to 31 days sooner; needed 10 sooner
        (-12, 4, 10, "lower", "inconclusive"),
        (-8, 3, 10, "lower", "not met"),
        (0.5, 3, 0, "higher", "met"),  # any improvement
        (0, 3, 0, "higher", "inconclusive"),  # no effect not excluded
        (-1, 3, 0, "higher", "inconclusive"),
    ],
)
def test_the_verdict_truth_table(
    low: float, high: float, criterion: float, direction: str, expected: str
) -> None:
    assert judge(low, high, criterion=criterion, direction=direction) == expected


def test_the_verdict_on_a_rate_ratio_measures_from_one() -> None:
    assert judge(0.6, 0.75, criterion=0.2, direction="lower", null_value=1.0) == "met"
    assert judge(0.7, 1.1, criterion=0.2, direction="lower", null_value=1.0) == "inconclusive"
    assert judge(0.85, 0.95, criterion=0.2, direction="lower", null_value=1.0) == "not met"


@settings(max_examples=200, deadline=None)
@given(
    low=st.floats(-100, 100),
    width=st.floats(0, 100),
    criterion=st.floats(0, 50),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_property_an_interval_spanning_criterion_and_no_effect_is_inconclusive(
    low: float, width: float, criterion: float, direction: str
) -> None:
    high = low + width
    outcome = judge(low, high, criterion=criterion, direction=direction)
    benefit = sorted((low, high)) if direction == "higher" else sorted((-high, -low))
    if benefit[0] <= 0 and benefit[1] >= criterion:
        assert outcome == "inconclusive"
    if outcome == "not met":
        assert benefit[1] < criterion
    if outcome == "met":
        assert benefit[0] >= criterion and benefit[0] > 0


def test_verdict_sentences_and_caveats(letters: dict[str, np.ndarray]) -> None:
    result = analyse_outcome(
        letters["arm"],
        letters["days"],
        events=letters["event"],
        kind="time_to_event",
        arm_labels=LABELS,
        wording=TENANTS,
    )
    met = verdict_for(result, criterion=5, direction="lower", design="randomised", words=TENANTS)
    assert met.outcome == "met"
    assert met.headline.startswith(
        "The goal was met: the estimate for tenants who got the new letter"
    )
    assert met.caveats == ()
    unsure = verdict_for(
        result,
        criterion=60,
        direction="lower",
        design="before and after",
        selected_on_high_baseline=True,
        words=TENANTS,
    )
    assert unsure.outcome == "not met"
    assert "cannot show that the change caused the difference" in unsure.text
    assert "regression to the mean" in unsure.text


def test_an_inconclusive_verdict_says_the_trial_cannot_tell() -> None:
    values = rng(18).normal(0, 5, 40)
    arm = np.repeat([0, 1], 40)
    result = analyse_outcome(
        arm,
        np.r_[values, values + 0.3],
        kind="mean",
        arm_labels=LABELS,
        wording=Wording(units="households", outcome="weekly waste", measure_unit="kg"),
    )
    comparison = result.comparisons[0]
    assert comparison.headline.startswith(
        "The trial cannot tell whether households in the new letter arm"
    )
    outcome = verdict(
        comparison,
        criterion=1.0,
        direction="lower",
        design="randomised",
        words=Wording(units="households", measure_unit="kg"),
    )
    assert outcome.outcome == "inconclusive"
    assert outcome.headline.startswith("The trial cannot tell whether")
    assert "kg lower to " in comparison.headline and "kg higher)" in comparison.headline
    assert "interim" not in outcome.text


def test_randomised_regression_to_the_mean_warning_is_about_change_over_time() -> None:
    comparison = analyse_outcome(
        np.repeat([0, 1], 50),
        np.r_[np.zeros(50), np.ones(50)] + rng(19).normal(0, 0.1, 100),
        kind="mean",
        arm_labels=LABELS,
    ).comparisons[0]
    result = verdict(
        comparison,
        criterion=0.5,
        direction="higher",
        design="randomised",
        selected_on_high_baseline=True,
    )
    assert result.outcome == "met"
    assert "only the difference between arms shows the effect" in result.text


# -- sentences and properties -------------------------------------------------------------------


def test_headlines_are_single_plain_sentences(
    continuous: dict[str, np.ndarray], letters: dict[str, np.ndarray]
) -> None:
    results = [
        analyse_outcome(
            continuous["arm"],
            continuous["y"],
            kind="mean",
            arm_labels=LABELS,
            baseline=continuous["baseline"],
        ),
        analyse_outcome(
            continuous["arm"],
            (continuous["y"] > 30).astype(float),
            kind="proportion",
            arm_labels=LABELS,
        ),
        analyse_outcome(
            letters["arm"],
            letters["days"],
            events=letters["event"],
            kind="time_to_event",
            arm_labels=LABELS,
            wording=TENANTS,
        ),
    ]
    for result in results:
        for text in (result.headline, *(c.headline for c in result.comparisons)):
            assert text.endswith(".") and text.count(". ") == 0, text
            assert not any(word in text.lower() for word in FORBIDDEN), text
    # The seeded proportion's interval spans no difference, so it says so in words and points.
    assert results[1].headline.startswith(
        "The trial cannot tell whether people in the new letter arm are more or less likely"
    )
    assert "percentage points more (95% interval 1.8 points fewer to 5.3 points more)" in (
        results[1].headline
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-1e4, 1e4))
def test_property_swapping_arms_flips_the_sign_and_shifts_leave_it(seed: int, shift: float) -> None:
    g = rng(seed)
    arm = np.repeat([0, 1], 30)
    y = g.normal(0, 1, 60) + 0.3 * arm
    forward = analyse_outcome(arm, y, kind="mean", arm_labels=LABELS).comparisons[0]
    swapped = analyse_outcome(1 - arm, y, kind="mean", arm_labels=LABELS).comparisons[0]
    moved = analyse_outcome(arm, y + shift, kind="mean", arm_labels=LABELS).comparisons[0]
    assert swapped.estimate == pytest.approx(-forward.estimate, abs=1e-9)
    assert swapped.p_value == pytest.approx(forward.p_value, rel=1e-6)
    assert moved.estimate == pytest.approx(forward.estimate, abs=1e-7 * (1 + abs(shift)))
    assert moved.ci_high - moved.ci_low == pytest.approx(forward.ci_high - forward.ci_low, rel=1e-6)
