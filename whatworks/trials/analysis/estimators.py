"""The estimates behind each comparison, all from :mod:`whatworks.stats`.

This module reduces the columns to what each method needs and calls the library; it carries
no statistical method of its own:

* proportions: ``stats.compare_proportions`` (Newcombe hybrid score interval, pooled z test);
* means: ``stats.compare_means_from_summary`` (Welch), from per-arm sums;
* regression adjustment on the baseline value: ``stats.hc2_effect_with_covariate`` (the
  library's fast path of ``estimate_effect`` for one covariate, HC2 errors);
* clusters (means and proportions): ``stats.estimate_effect(..., cluster_errors="CR2")``, the
  bias-reduced (CR2) sandwich with Imbens-Kolesar degrees of freedom; its interval, p value and
  "clear" flag are the headline's, so they always agree with the verdict. With fewer than
  :data:`FEW_CLUSTERS` clusters in an arm ``stats.randomisation_p_value`` re-draws the
  clusters' arms as a check shown beside it;
* counts with exposure: ``stats.compare_rates`` (Poisson rate ratio, robust variance; CR2 and
  Bell-McCaffrey degrees of freedom with clusters);
* time to event: ``stats.survival_tables`` and the functions on them (Kaplan-Meier, log-rank,
  restricted mean, Greenwood), with ``stats.bootstrap_medians`` for the difference in medians,
  whose percentile interval and bootstrap p value go together.

References:
    Bell RM, McCaffrey DF (2002). Survey Methodology 28:169-181 (CR2).
    Imbens GW, Kolesar M (2016). Review of Economics and Statistics 98:701-712.
    Gerber AS, Green DP (2012). Field Experiments, chapter 3 (randomisation inference).
    Efron B (1981). Censored data and the bootstrap. JASA 76:312-319.
    Klein JP, Moeschberger ML (2003). Survival Analysis, 2nd ed., sections 4.2 and 4.5.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Literal

import numpy as np
from numpy.random import PCG64, Generator
from numpy.typing import NDArray
from scipy import stats as sps

from whatworks import stats
from whatworks.stats import StatsRefusal

from .inputs import Context, bincount, pair_mask
from .results import (
    Comparison,
    Details,
    Kind,
    SurvivalArm,
    SurvivalComparison,
)
from .wording import comparison_headline, effect_phrase, interval_phrase, places_for

#: With fewer clusters than this in an arm, the randomisation test is run as a check on the CR2
#: interval (with many clusters the two agree and the permutations would only cost time).
FEW_CLUSTERS = 30


# --------------------------------------------------------------------------------------------
# Proportions and means
# --------------------------------------------------------------------------------------------


def arm_moments(
    ctx: Context, kind: Kind
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Per-arm n, mean and centred sum of squares from shifted sums (one or two bincounts).

    Sums are taken of ``y - K`` with ``K`` the overall mean (the "shifted data" algorithm of
    Chan, Golub & LeVeque 1983), so the sum of squares does not cancel catastrophically when the
    mean is large relative to the spread. Proportions use ``K = 0`` so sums are exact counts.
    """
    k = len(ctx.labels)
    n = ctx.observed.astype(float)
    y = ctx.y if ctx.present is None else np.where(ctx.present, ctx.y, 0.0)
    shift = 0.0
    if kind == "proportion":
        if not ((y == 0.0) | (y == 1.0)).all():
            raise StatsRefusal("A proportion outcome must be 0 (no) or 1 (yes) for every unit.")
        # Sums of 0/1 values are exact counts, and the sum of squares equals the sum.
        s1 = bincount(ctx.codes, k, y)
        s2 = s1
    else:
        shift = float(y.sum() / n.sum())
        centred = y - shift
        if ctx.present is not None:
            centred[~ctx.present] = 0.0
        s1 = bincount(ctx.codes, k, centred)
        s2 = bincount(ctx.codes, k, centred * centred)
        # An infinite value makes its arm's sums infinite or NaN, so one check on the sums
        # replaces a pass over the data.
        if not (np.isfinite(s1).all() and np.isfinite(s2).all()):
            raise StatsRefusal("The outcome contains infinite values; fix them first.")
    mean = shift + s1 / n
    ssd = np.maximum(s2 - s1 * s1 / n, 0.0)
    return n, mean, ssd


def compare_linear(ctx: Context, kind: Kind, notes: list[str]) -> list[Comparison]:
    n, mean, ssd = arm_moments(ctx, kind)
    if ctx.baseline is not None and ctx.clusters is None:
        with np.errstate(invalid="ignore"):
            if np.isnan(ctx.baseline).any():
                notes.append(
                    "Some units have no baseline value; the adjusted estimate uses only units "
                    "with both a baseline and an outcome."
                )
    comparisons = []
    c = ctx.control
    for a in ctx.others():
        details: stats.ProportionComparison | stats.MeanComparison
        if kind == "proportion":
            details = stats.compare_proportions(
                int(round(mean[a] * n[a])),
                int(n[a]),
                int(round(mean[c] * n[c])),
                int(n[c]),
                alpha=ctx.alpha,
            )
            measure = "difference in proportions"
            method = "Newcombe hybrid score interval; pooled z test"
            # The Wald standard error of the difference, stored for pooling (normal reference).
            std_error: float | None = math.sqrt(
                details.rate_t * (1 - details.rate_t) / n[a]
                + details.rate_c * (1 - details.rate_c) / n[c]
            )
            df: float | None = None
        else:
            sd = np.sqrt(ssd / np.maximum(n - 1.0, 1.0))
            details = stats.compare_means_from_summary(
                float(mean[a]),
                float(sd[a]),
                int(n[a]),
                float(mean[c]),
                float(sd[c]),
                int(n[c]),
                alpha=ctx.alpha,
            )
            measure, method = "difference in means", "Welch t test and interval"
            std_error, df = details.std_error, details.df
        estimate, low, high, p = (
            details.difference,
            details.ci_low,
            details.ci_high,
            details.p_value,
        )
        cluster_robust = adjusted = None
        randomisation_p = None
        used_permutations = None
        if ctx.clusters is not None:
            cluster_robust, adjusted, randomisation_p, used_permutations = clustered(ctx, a, notes)
            estimate, low, high, p = (
                cluster_robust.coefficient,
                cluster_robust.ci_low,
                cluster_robust.ci_high,
                cluster_robust.p_value,
            )
            std_error, df = cluster_robust.std_error, cluster_robust.df
            method = (
                "difference in means with the CR2 cluster-robust interval (Bell-McCaffrey) on "
                f"{cluster_robust.df:.1f} degrees of freedom (Imbens-Kolesar)"
            )
        elif ctx.baseline is not None:
            adjusted = adjusted_hc2(ctx, a)
        comparisons.append(
            make_comparison(
                ctx,
                a,
                kind,
                measure,
                estimate,
                low,
                high,
                0.0,
                p,
                method,
                details,
                adjusted,
                cluster_robust,
                randomisation_p,
                used_permutations,
                std_error=std_error,
                df=df,
            )
        )
    return comparisons


def adjusted_hc2(ctx: Context, a: int) -> stats.EffectEstimate:
    """OLS of outcome on arm and baseline with HC2 errors (``stats.hc2_effect_with_covariate``)."""
    assert ctx.baseline is not None
    mask = pair_mask(ctx, a)
    x_finite = np.isfinite(ctx.baseline)
    if not x_finite.all():
        mask = x_finite if mask is None else mask & x_finite
    y = ctx.y if mask is None else ctx.y[mask]
    x = ctx.baseline if mask is None else ctx.baseline[mask]
    group = (ctx.codes if mask is None else ctx.codes[mask]) == a
    return stats.hc2_effect_with_covariate(y, group, x, ctx.alpha)


def clustered(
    ctx: Context, a: int, notes: list[str]
) -> tuple[stats.EffectEstimate, stats.EffectEstimate | None, float | None, int | None]:
    """CR2 fits (unadjusted: the headline; adjusted on the baseline) and, with few clusters, the
    randomisation p-value as a check."""
    assert ctx.clusters is not None
    mask = pair_mask(ctx, a)
    sel = np.ones(ctx.codes.size, dtype=bool) if mask is None else mask
    y, cl = ctx.y[sel], ctx.clusters[sel]
    treated = (ctx.codes[sel] == a).astype(float)
    g_t = np.unique(cl[treated == 1]).size
    g_c = np.unique(cl[treated == 0]).size
    if min(g_t, g_c) < 2:
        arm = ctx.labels[a] if g_t < 2 else ctx.labels[ctx.control]
        raise StatsRefusal(
            f"The {arm} arm has only one cluster with outcomes; cluster-robust errors need at "
            "least two clusters in each arm."
        )
    unadjusted = stats.estimate_effect(
        y, treated, clusters=cl, alpha=ctx.alpha, cluster_errors="CR2"
    )
    adjusted = None
    if ctx.baseline is not None:
        x = ctx.baseline[sel]
        keep = np.isfinite(x)
        adjusted = stats.estimate_effect(
            y[keep],
            treated[keep],
            x[keep],
            clusters=cl[keep],
            alpha=ctx.alpha,
            cluster_errors="CR2",
        )
    if min(g_t, g_c) >= FEW_CLUSTERS:
        return unadjusted, adjusted, None, None
    notes.append(
        f"With fewer than {FEW_CLUSTERS} clusters in an arm, {ctx.permutations:,} "
        f"re-randomisations of the clusters check the interval for {ctx.labels[a]}: their "
        "p value is shown beside the one the verdict uses."
    )
    strata = None if ctx.strata is None else ctx.strata[sel]
    p = stats.randomisation_p_value(
        cl,
        treated.astype(bool),
        y,
        np.ones_like(y),
        stats.difference_of_ratios,
        strata=strata,
        permutations=ctx.permutations,
        seed=ctx.seed,
    )
    return unadjusted, adjusted, p, ctx.permutations


# --------------------------------------------------------------------------------------------
# Counts with exposure
# --------------------------------------------------------------------------------------------


def compare_rates(ctx: Context, exposure: NDArray[np.float64]) -> list[Comparison]:
    """Rate ratio of each arm against control (``stats.compare_rates``)."""
    keep = ctx.present
    if keep is not None:
        y_all = np.where(keep, ctx.y, 0.0)
        e_all = np.where(keep, exposure, 1.0)
    else:
        y_all, e_all = ctx.y, exposure
    if not (np.isfinite(y_all).all() and np.isfinite(e_all).all()):
        raise StatsRefusal("The counts or exposures contain missing or infinite values.")
    events = bincount(ctx.codes, len(ctx.labels), y_all)
    for arm in range(len(ctx.labels)):
        if events[arm] == 0:
            raise StatsRefusal(
                f"The {ctx.labels[arm]} arm has no events, so a rate ratio cannot be estimated."
            )
    comparisons = []
    for a in ctx.others():
        mask = (ctx.codes == a) | (ctx.codes == ctx.control)
        if keep is not None:
            mask &= keep
        clusters = None if ctx.clusters is None else ctx.clusters[mask]
        details = stats.compare_rates(
            ctx.y[mask],
            exposure[mask],
            ctx.codes[mask] == a,
            clusters=clusters,
            alpha=ctx.alpha,
        )
        randomisation_p = None
        if clusters is not None:
            randomisation_p = _rate_randomisation(ctx, a, mask, exposure)
        method = (
            f"Poisson rate ratio with log-exposure offset, {details.cov_type} robust variance"
            + (
                f" on {details.df:.1f} degrees of freedom (Bell-McCaffrey)"
                if details.df is not None
                else ""
            )
        )
        comparisons.append(
            make_comparison(
                ctx,
                a,
                "rate",
                "rate ratio",
                details.rate_ratio,
                details.ratio_ci_low,
                details.ratio_ci_high,
                1.0,
                details.p_value,
                method,
                details,
                None,
                None,
                randomisation_p,
                ctx.permutations if randomisation_p is not None else None,
                std_error=details.std_error,
                df=details.df,
            )
        )
    return comparisons


def _rate_randomisation(
    ctx: Context, a: int, mask: NDArray[np.bool_], exposure: NDArray[np.float64]
) -> float | None:
    assert ctx.clusters is not None
    cl = ctx.clusters[mask]
    treated = ctx.codes[mask] == a
    if min(np.unique(cl[treated]).size, np.unique(cl[~treated]).size) >= FEW_CLUSTERS:
        return None
    strata = None if ctx.strata is None else ctx.strata[mask]
    return stats.randomisation_p_value(
        cl,
        treated,
        ctx.y[mask],
        exposure[mask],
        stats.log_ratio_of_ratios,
        strata=strata,
        permutations=ctx.permutations,
        seed=ctx.seed,
    )


# --------------------------------------------------------------------------------------------
# Time to event
# --------------------------------------------------------------------------------------------


def compare_survival(
    ctx: Context, flags: NDArray[np.float64], horizon: float | None, within: float | None
) -> list[Comparison]:
    k = len(ctx.labels)
    keep = ctx.present
    durations = ctx.y if keep is None else ctx.y[keep]
    happened = flags if keep is None else flags[keep]
    codes = ctx.codes if keep is None else ctx.codes[keep]
    if not np.isfinite(durations).all() or durations.min() < 0:
        raise StatsRefusal("Follow-up times must be zero or more, with no infinite values.")
    if not ((happened == 0) | (happened == 1)).all():
        raise StatsRefusal(
            "Event flags must be 1 (event happened) or 0 (still waiting / censored)."
        )
    tables = stats.survival_tables(codes, k, durations, happened)
    arms = []
    for a, table in enumerate(tables):
        if table.deaths.sum() == 0:
            raise StatsRefusal(
                f"Every unit in the {ctx.labels[a]} arm is censored, so no survival curve can be "
                "estimated."
            )
        arms.append(survival_arm(table))
    c = ctx.control
    common_horizon = min(arms[a].max_follow_up for a in range(k)) if horizon is None else horizon
    comparisons = []
    for a in ctx.others():
        details, median_p = survival_comparison(
            ctx, tables[a], tables[c], arms[a], arms[c], common_horizon, within, a
        )
        if (
            details.median_ci_low is not None
            and details.median_ci_high is not None
            and details.median_difference is not None
            and median_p is not None
        ):
            measure = "difference in median time"
            estimate, low, high = (
                details.median_difference,
                details.median_ci_low,
                details.median_ci_high,
            )
            p, std_error = median_p, details.median_std_error
            method = (
                f"Kaplan-Meier medians with a {ctx.bootstrap:,}-sample bootstrap interval and "
                "p value; log-rank test beside it"
            )
        else:
            measure = "difference in restricted mean time"
            estimate, low, high = details.rmst_difference, details.rmst_ci_low, details.rmst_ci_high
            p, std_error = details.rmst_p, details.rmst_std_error
            method = f"restricted mean time to {details.horizon:g} with Klein-Moeschberger variance"
        comparisons.append(
            make_comparison(
                ctx,
                a,
                "time_to_event",
                measure,
                estimate,
                low,
                high,
                0.0,
                p,
                method,
                details,
                None,
                None,
                None,
                None,
                std_error=std_error,
                df=None,
            )
        )
    return comparisons


def survival_arm(table: stats.SurvivalTable) -> SurvivalArm:
    survival = table.survival()
    event_rows = table.deaths > 0
    return SurvivalArm(
        n=int(table.exits.sum()),
        events=int(table.deaths.sum()),
        median=table.median(),
        max_follow_up=float(table.times[table.exits > 0].max()),
        times=tuple(float(t) for t in table.times[event_rows]),
        survival=tuple(float(s) for s in survival[event_rows]),
    )


def survival_comparison(
    ctx: Context,
    treated: stats.SurvivalTable,
    control: stats.SurvivalTable,
    arm_t: SurvivalArm,
    arm_c: SurvivalArm,
    horizon: float,
    within: float | None,
    a: int,
) -> tuple[SurvivalComparison, float | None]:
    """The comparison's figures, and the bootstrap p value of the difference in medians (twice
    the smaller share of bootstrap differences on either side of zero, so that it is below alpha
    exactly when the percentile interval leaves zero out)."""
    statistic, logrank_p = stats.logrank_from_tables(treated, control)
    z = float(sps.norm.ppf(1.0 - ctx.alpha / 2.0))
    rmst_t, var_t = stats.rmst_from_table(treated, horizon)
    rmst_c, var_c = stats.rmst_from_table(control, horizon)
    rmst_diff = rmst_t - rmst_c
    rmst_se = math.sqrt(var_t + var_c)
    rmst_p = float(2.0 * sps.norm.sf(abs(rmst_diff / rmst_se))) if rmst_se > 0 else 1.0
    w_t = w_c = w_diff = w_low = w_high = None
    if within is not None:
        w_t, wv_t = stats.within_from_table(treated, within)
        w_c, wv_c = stats.within_from_table(control, within)
        w_diff = w_t - w_c
        w_se = math.sqrt(wv_t + wv_c)
        w_low, w_high = w_diff - z * w_se, w_diff + z * w_se
    median_diff = low = high = median_se = median_p = None
    if arm_t.median is not None and arm_c.median is not None:
        median_diff = arm_t.median - arm_c.median
        # A distinct stream per arm pair keeps results stable if arms are added or reordered.
        rng = Generator(PCG64([ctx.seed, a]))
        boot_t = stats.bootstrap_medians(treated, ctx.bootstrap, rng)
        boot_c = stats.bootstrap_medians(control, ctx.bootstrap, rng)
        if boot_t is not None and boot_c is not None:
            with np.errstate(invalid="ignore"):
                diffs = boot_t - boot_c
            diffs = np.where(np.isnan(diffs), np.inf, diffs)
            # Order statistics, not interpolation: the medians are discrete and may be infinite.
            lo = float(np.quantile(diffs, ctx.alpha / 2.0, method="lower"))
            hi = float(np.quantile(diffs, 1.0 - ctx.alpha / 2.0, method="higher"))
            if math.isfinite(lo) and math.isfinite(hi):
                low, high = lo, hi
                finite = diffs[np.isfinite(diffs)]
                median_se = float(np.std(finite, ddof=1)) if finite.size > 1 else None
                below = float(np.mean(diffs <= 0.0))
                above = float(np.mean(diffs >= 0.0))
                median_p = min(1.0, 2.0 * min(below, above))
    details = SurvivalComparison(
        arm_t=arm_t,
        arm_c=arm_c,
        median_difference=median_diff,
        median_ci_low=low,
        median_ci_high=high,
        median_std_error=median_se,
        bootstrap_samples=ctx.bootstrap,
        logrank_statistic=statistic,
        logrank_p=logrank_p,
        horizon=float(horizon),
        rmst_t=rmst_t,
        rmst_c=rmst_c,
        rmst_difference=rmst_diff,
        rmst_std_error=rmst_se,
        rmst_ci_low=rmst_diff - z * rmst_se,
        rmst_ci_high=rmst_diff + z * rmst_se,
        rmst_p=rmst_p,
        within=within,
        within_t=w_t,
        within_c=w_c,
        within_difference=w_diff,
        within_ci_low=w_low,
        within_ci_high=w_high,
        alpha=ctx.alpha,
    )
    return details, median_p


# --------------------------------------------------------------------------------------------
# Multiplicity and the comparison record
# --------------------------------------------------------------------------------------------


def with_adjusted_p(
    comparisons: list[Comparison], method: Literal["holm", "bh"]
) -> list[Comparison]:
    """Holm or BH across the comparisons, via ``stats.adjust_p_values``.

    A family of one is its own adjustment (Holm and BH both return p unchanged), so it skips the
    call: statsmodels' Holm runs ``gc.collect()``, which costs ~0.1 s in a process holding many
    objects and would dominate a two-arm analysis.
    """
    name = "Holm" if method == "holm" else "Benjamini-Hochberg"
    if len(comparisons) == 1:
        return [replace(comparisons[0], p_adjusted=comparisons[0].p_value, adjustment=name)]
    adjusted = stats.adjust_p_values([c.p_value for c in comparisons], method)
    return [
        replace(c, p_adjusted=p, adjustment=name)
        for c, p in zip(comparisons, adjusted, strict=True)
    ]


def make_comparison(
    ctx: Context,
    a: int,
    kind: Kind,
    measure: str,
    estimate: float,
    low: float | None,
    high: float | None,
    null: float,
    p: float,
    method: str,
    details: Details,
    adjusted: stats.EffectEstimate | None,
    cluster_robust: stats.EffectEstimate | None,
    randomisation_p: float | None,
    permutations: int | None,
    *,
    std_error: float | None,
    df: float | None,
) -> Comparison:
    arm, control = ctx.labels[a], ctx.labels[ctx.control]
    scale = 100.0 if kind == "proportion" else 1.0
    places = (
        2
        if kind == "rate"
        else places_for(*(None if v is None else scale * v for v in (estimate, low, high)))
    )
    effect = effect_phrase(kind, measure, estimate, ctx.words, places)
    interval = interval_phrase(kind, low, high, ctx.alpha, ctx.words, places)
    headline = comparison_headline(
        kind, measure, arm, control, details, effect, interval, low, high, null, ctx.words
    )
    return Comparison(
        arm=arm,
        control=control,
        kind=kind,
        measure=measure,
        estimate=float(estimate),
        ci_low=None if low is None else float(low),
        ci_high=None if high is None else float(high),
        null_value=null,
        std_error=None if std_error is None else float(std_error),
        df=None if df is None else float(df),
        p_value=float(p),
        p_adjusted=None,
        adjustment=None,
        method=method,
        details=details,
        adjusted=adjusted,
        cluster_robust=cluster_robust,
        randomisation_p=randomisation_p,
        permutations=permutations,
        effect_phrase=effect,
        interval_phrase=interval,
        headline=headline,
        alpha=ctx.alpha,
    )
