"""Statistics for "What Works": comparing a treatment arm with a control arm.

Pure Python on top of numpy, scipy, statsmodels and lifelines; nothing here imports Django, so
it can be tested and reused on its own.

Conventions
-----------
* Every comparison is **treatment minus control** (ratios are treatment over control, and a
  relative lift is ``treatment / control - 1``).
* Every result is a frozen dataclass; intervals are two-sided at level ``1 - alpha``.
* Each function's docstring names its method and a reference.

Refusals
--------
When the data cannot support a calculation -- an empty arm, zero variance in both arms, an arm
too small, successes greater than n, negative counts, every observation censored, fewer than two
studies, missing (NaN) values -- the function **raises** :class:`StatsRefusal` instead of
returning a number that would look meaningful. ``StatsRefusal`` subclasses :class:`ValueError`
and carries ``reason``, a plain-English sentence for the analyst::

    try:
        result = stats.compare_proportions(12, 40, 0, 0)
    except stats.StatsRefusal as refusal:
        show(refusal.reason)  # "The control arm has no observations."

Quantities that are merely *undefined* for otherwise valid data are ``None`` rather than a
refusal: e.g. a relative lift when the control rate is zero, or a median survival time the curve
never reaches.
"""

from ._checks import StatsRefusal
from .means import (
    ArmSummary,
    MeanComparison,
    compare_means,
    compare_means_from_summary,
    summarise,
)
from .meta import RandomEffectsResult, random_effects
from .power import (
    CriterionPower,
    MeanPower,
    MinimumDetectableEffect,
    ProportionPower,
    RateMinimumDetectableEffect,
    RatePower,
    TimeToEventMinimumDetectableEffect,
    TimeToEventPower,
    cluster_standard_error,
    design_effect,
    mde_time_to_event,
    mde_two_proportions,
    mde_two_rates,
    power_against_criterion,
    power_time_to_event,
    power_two_means,
    power_two_proportions,
    power_two_rates,
)
from .proportions import (
    ChiSquareResult,
    FisherResult,
    ProportionComparison,
    ProportionInterval,
    adjust_p_values,
    chi_square_proportions,
    compare_proportions,
    fisher_exact,
    proportion_interval,
)
from .randomisation import (
    difference_of_ratios,
    log_ratio_of_ratios,
    randomisation_p_value,
)
from .rates import RateComparison, compare_rates
from .regression import (
    EffectEstimate,
    cr2_effect,
    estimate_effect,
    hc2_effect_with_covariate,
    residual_icc,
)
from .survival import (
    KaplanMeier,
    LogrankResult,
    SurvivalTable,
    bootstrap_medians,
    kaplan_meier,
    logrank,
    logrank_from_tables,
    rmst,
    rmst_from_table,
    survival_tables,
    within_from_table,
)
from .timeseries import (
    AutocorrelatedRegression,
    Coefficient,
    PosteriorBatch,
    ar1_posterior,
    ar1_regression,
    segmented_design,
    step_design,
)
from .verdict import judge_interval

__all__ = [
    "ArmSummary",
    "AutocorrelatedRegression",
    "Coefficient",
    "CriterionPower",
    "PosteriorBatch",
    "RateComparison",
    "SurvivalTable",
    "ar1_posterior",
    "ar1_regression",
    "bootstrap_medians",
    "cluster_standard_error",
    "compare_rates",
    "cr2_effect",
    "difference_of_ratios",
    "hc2_effect_with_covariate",
    "judge_interval",
    "log_ratio_of_ratios",
    "logrank_from_tables",
    "power_against_criterion",
    "randomisation_p_value",
    "residual_icc",
    "rmst_from_table",
    "segmented_design",
    "step_design",
    "survival_tables",
    "within_from_table",
    "ChiSquareResult",
    "EffectEstimate",
    "FisherResult",
    "KaplanMeier",
    "LogrankResult",
    "MeanComparison",
    "MeanPower",
    "MinimumDetectableEffect",
    "ProportionComparison",
    "ProportionInterval",
    "ProportionPower",
    "RandomEffectsResult",
    "RateMinimumDetectableEffect",
    "RatePower",
    "StatsRefusal",
    "TimeToEventMinimumDetectableEffect",
    "TimeToEventPower",
    "adjust_p_values",
    "chi_square_proportions",
    "compare_means",
    "compare_means_from_summary",
    "compare_proportions",
    "design_effect",
    "estimate_effect",
    "fisher_exact",
    "kaplan_meier",
    "logrank",
    "mde_time_to_event",
    "mde_two_proportions",
    "mde_two_rates",
    "power_time_to_event",
    "power_two_means",
    "power_two_proportions",
    "power_two_rates",
    "proportion_interval",
    "random_effects",
    "rmst",
    "summarise",
]
