"""What an analysis returns: frozen dataclasses the pages, exports and register read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from whatworks import stats
from whatworks.trials.randomise import AllocationCheck

Kind = Literal["proportion", "mean", "rate", "time_to_event"]
Design = Literal["randomised", "cluster randomised", "comparison group", "before and after"]
Direction = Literal["higher", "lower"]

#: The measures a comparison can report, in the order pooled evidence prefers them.
MEASURES = (
    "difference in proportions",
    "difference in means",
    "rate ratio",
    "difference in median time",
    "difference in restricted mean time",
)

RateComparison = stats.RateComparison


@dataclass(frozen=True)
class ArmCount:
    """Attrition for one arm: units allocated, units with an outcome, and the share missing.

    ``clusters`` counts the arm's allocated clusters and ``clusters_with_outcome`` those with at
    least one outcome (``None`` without clusters).
    """

    arm: str
    allocated: int
    with_outcome: int
    missing: int
    percent_missing: float
    clusters: int | None
    clusters_with_outcome: int | None = None


@dataclass(frozen=True)
class SurvivalArm:
    """Kaplan-Meier summary of one arm (``median`` is ``None`` when the curve never reaches 0.5)."""

    n: int
    events: int
    median: float | None
    max_follow_up: float
    times: tuple[float, ...]
    survival: tuple[float, ...]


@dataclass(frozen=True)
class SurvivalComparison:
    """Time to event, arm against control.

    * ``median_difference`` with a percentile bootstrap interval (``None`` when a median is not
      reached or the bootstrap could not place the interval within follow-up), and
      ``median_std_error`` the bootstrap standard deviation;
    * ``logrank_statistic`` / ``logrank_p``: Mantel-Cox log-rank test;
    * ``rmst_*``: restricted mean time to the event up to ``horizon``, Klein-Moeschberger variance;
    * ``within_*``: share with the event by ``within`` (1 - S), Greenwood variance.
    """

    arm_t: SurvivalArm
    arm_c: SurvivalArm
    median_difference: float | None
    median_ci_low: float | None
    median_ci_high: float | None
    median_std_error: float | None
    bootstrap_samples: int
    logrank_statistic: float
    logrank_p: float
    horizon: float
    rmst_t: float
    rmst_c: float
    rmst_difference: float
    rmst_std_error: float
    rmst_ci_low: float
    rmst_ci_high: float
    rmst_p: float
    within: float | None
    within_t: float | None
    within_c: float | None
    within_difference: float | None
    within_ci_low: float | None
    within_ci_high: float | None
    alpha: float


Details = stats.ProportionComparison | stats.MeanComparison | RateComparison | SurvivalComparison


@dataclass(frozen=True)
class Comparison:
    """One arm against control for one outcome: the headline estimate and everything beside it.

    ``estimate``/``ci_low``/``ci_high``/``p_value`` are the headline figures, in ``measure``
    (one of :data:`MEASURES`). ``null_value`` is 0 for differences and 1 for the rate ratio.
    ``std_error`` and ``df`` belong to the headline estimate (on the log scale for the rate
    ratio; ``df`` ``None`` for a normal reference distribution), stored with a recorded result
    so that pooling never reads them back from the interval. ``p_adjusted`` is Holm (primary
    outcome) or BH (secondary; after :func:`adjust_secondary`). ``adjusted`` is the regression
    adjustment on the baseline value, ``cluster_robust`` the unadjusted CR2 fit of a cluster
    trial (whose interval, p value and degrees of freedom are the headline's), and
    ``randomisation_p`` the permutation p-value shown beside it as a check.
    """

    arm: str
    control: str
    kind: Kind
    measure: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    null_value: float
    std_error: float | None
    df: float | None
    p_value: float
    p_adjusted: float | None
    adjustment: str | None
    method: str
    details: Details
    adjusted: stats.EffectEstimate | None
    cluster_robust: stats.EffectEstimate | None
    randomisation_p: float | None
    permutations: int | None
    effect_phrase: str
    interval_phrase: str
    headline: str
    alpha: float

    @property
    def clear(self) -> bool:
        """The interval leaves out "no effect" (so the headline p is below alpha)."""
        if self.ci_low is None or self.ci_high is None:
            return False
        return self.ci_low > self.null_value or self.ci_high < self.null_value


@dataclass(frozen=True)
class OutcomeAnalysis:
    """Everything the results page shows for one outcome.

    ``withheld`` is true when the allocation check failed: the numbers are kept for the details
    section but ``headline`` says why there is no headline. ``outcome_check`` is the same check
    on the units (clusters, for a cluster trial) that have outcomes: failing it does not withhold
    the result, but its warning goes into ``notes`` and every verdict's caveats. ``interim`` is
    true when analysed before the locked analysis date.
    """

    kind: Kind
    arms: tuple[str, ...]
    control: str
    primary: bool
    attrition: tuple[ArmCount, ...]
    allocation_check: AllocationCheck | None
    outcome_check: AllocationCheck | None
    comparisons: tuple[Comparison, ...]
    withheld: bool
    interim: bool
    notes: tuple[str, ...]
    headline: str
    alpha: float


@dataclass(frozen=True)
class Verdict:
    """The honest verdict against the locked success criterion.

    ``outcome`` is "met", "not met" or "inconclusive"; ``headline`` is one sentence and
    ``caveats`` are sentences that must always be shown beside it (design, attrition, regression
    to the mean, interim). ``text`` joins them.
    """

    outcome: Literal["met", "not met", "inconclusive"]
    headline: str
    caveats: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join((self.headline, *self.caveats))
