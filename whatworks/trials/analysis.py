"""The analysis a trial's results page shows, from unit-level columns, and the honest verdict.

Pure Python on numpy, scipy and :mod:`whatworks.stats`; no Django imports.

Inputs are one row per *allocated* unit (numpy arrays or sequences of equal length): the arm,
the outcome (NaN where no outcome was recorded, which is how attrition is counted), and
optionally a baseline value, a cluster id, an exposure (for counts) or an event flag (for time
to event). Arms are either integer codes ``0..k-1`` with ``arm_labels`` naming them (the fast
path: no string work at all), or labels. The control arm is ``control`` (default: the first
label); every comparison is **arm minus control** (ratios are arm over control).

How the work is done
--------------------
Each analysis first reduces the columns to sufficient statistics per arm with ``np.bincount``
(counts, shifted sums and sums of squares; per-time event and exit counts for survival), then
hands those to :mod:`whatworks.stats` (Welch, Newcombe, multiplicity) or to closed-form
estimators written here and checked in ``tests/trials`` against statsmodels, scipy and lifelines
run directly on the raw arrays:

* proportions: ``stats.compare_proportions`` (Newcombe hybrid score interval, pooled z test);
* means: ``stats.compare_means_from_summary`` (Welch);
* counts with exposure: rate ratio from a Poisson model with log-exposure offset, with a
  robust (sandwich, HC0) variance so that over-dispersed counts do not give falsely narrow
  intervals; equal to ``statsmodels`` ``GLM(Poisson, offset=log(exposure)).fit(cov_type="HC0")``
  (Zeger & Liang 1986; Cameron & Trivedi 2013, section 3.2.3);
* time to event: Kaplan-Meier curves, medians, log-rank, restricted mean survival time (RMST)
  and "% within N" computed from per-time counts (equal to lifelines), with a seeded bootstrap
  interval for the difference in medians;
* regression adjustment on the baseline value: OLS ``outcome ~ 1 + arm + baseline`` with HC2
  errors from sufficient statistics (equal to ``stats.estimate_effect``, which this calls
  directly when there are clusters, for CR1 errors on G - 1 df);
* with clusters: CR1 errors, and when an arm has fewer than 30 clusters a randomisation
  (permutation) test that re-draws the cluster-level arm labels.

Multiplicity: Holm across the arms of the primary outcome (inside :func:`analyse_outcome`),
Benjamini-Hochberg across every comparison of the secondary outcomes
(:func:`adjust_secondary`).

References:
    Gerber AS, Green DP (2012). Field Experiments: Design, Analysis, and Interpretation.
    Norton, chapter 3 (randomisation inference).
    Phipson B, Smyth GK (2010). Permutation p-values should never be zero. SAGMB 9:39.
    Klein JP, Moeschberger ML (2003). Survival Analysis, 2nd ed., sections 4.2 and 4.5
    (Greenwood variance; variance of the restricted mean).
    Efron B (1981). Censored data and the bootstrap. JASA 76:312-319.
    Moher D et al. (2010). CONSORT 2010 explanation and elaboration. BMJ 340:c869 (attrition).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import numpy as np
from numpy.random import PCG64, Generator
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps

from whatworks import stats
from whatworks.stats import StatsRefusal

from .randomise import AllocationCheck, check_allocation

Kind = Literal["proportion", "mean", "rate", "time_to_event"]
Design = Literal["randomised", "cluster randomised", "comparison group", "before and after"]
Direction = Literal["higher", "lower"]

#: Fewer clusters than this in an arm and the CR1 interval is unreliable (Cameron & Miller 2015),
#: so the p-value comes from randomisation inference instead.
FEW_CLUSTERS = 30
#: Above this many distinct (time, event) cells the median bootstrap would cost too much; the
#: time-to-event headline then uses the restricted mean, which has a closed-form interval.
MAX_BOOTSTRAP_CELLS = 20_000
#: Tolerance for S(t) <= 0.5 so that round-off in a cumulative product cannot move the median.
_MEDIAN_TOL = 1e-12


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """Words for the plain-English headlines.

    ``units`` is the plural noun for a unit ("tenants", "streets"). ``outcome`` is a verb phrase
    for proportions and time to event ("made contact") and a noun for means and rates ("rent
    arrears", "missed bins"). ``measure_unit`` follows numbers ("days", "pounds").
    ``arm_phrases`` maps an arm label to a relative clause ("who got the new letter"); the default
    is "in the <label> arm".
    """

    units: str = "people"
    outcome: str = "had the outcome"
    measure_unit: str = ""
    arm_phrases: tuple[tuple[str, str], ...] = ()

    def subject(self, arm: str) -> str:
        phrase = dict(self.arm_phrases).get(arm, f"in the {arm} arm")
        return f"{self.units} {phrase}"


@dataclass(frozen=True)
class ArmCount:
    """Attrition for one arm: units allocated, units with an outcome, and the share missing."""

    arm: str
    allocated: int
    with_outcome: int
    missing: int
    percent_missing: float
    clusters: int | None


@dataclass(frozen=True)
class RateComparison:
    """Counts with exposure: rates per unit of exposure, their ratio and difference.

    Intervals and p-values use the robust (sandwich) variance of the Poisson model, on the
    normal scale without clusters and on t with G - 1 df with clusters (CR1 correction).
    """

    events_t: float
    exposure_t: float
    rate_t: float
    events_c: float
    exposure_c: float
    rate_c: float
    rate_ratio: float
    ratio_ci_low: float
    ratio_ci_high: float
    p_value: float
    rate_difference: float
    difference_ci_low: float
    difference_ci_high: float
    cov_type: str
    alpha: float


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
      reached or the bootstrap could not place the interval within follow-up);
    * ``logrank_statistic`` / ``logrank_p``: Mantel-Cox log-rank test;
    * ``rmst_*``: restricted mean time to the event up to ``horizon``, Klein-Moeschberger variance;
    * ``within_*``: share with the event by ``within`` (1 - S), Greenwood variance.
    """

    arm_t: SurvivalArm
    arm_c: SurvivalArm
    median_difference: float | None
    median_ci_low: float | None
    median_ci_high: float | None
    bootstrap_samples: int
    logrank_statistic: float
    logrank_p: float
    horizon: float
    rmst_t: float
    rmst_c: float
    rmst_difference: float
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
    ("difference in proportions", "difference in means", "rate ratio", "difference in median
    time", "difference in restricted mean time"). ``null_value`` is 0 for differences and 1 for
    the rate ratio. ``p_adjusted`` is Holm (primary outcome) or BH (secondary; after
    :func:`adjust_secondary`). ``adjusted`` is the regression adjustment on the baseline value,
    ``cluster_robust`` the unadjusted CR1 fit, and ``randomisation_p`` the permutation p-value.
    """

    arm: str
    control: str
    kind: Kind
    measure: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    null_value: float
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


@dataclass(frozen=True)
class OutcomeAnalysis:
    """Everything the results page shows for one outcome.

    ``withheld`` is true when the allocation check failed: the numbers are kept for the details
    section but ``headline`` says why there is no headline. ``interim`` is true when analysed
    before the locked analysis date.
    """

    kind: Kind
    arms: tuple[str, ...]
    control: str
    primary: bool
    attrition: tuple[ArmCount, ...]
    allocation_check: AllocationCheck | None
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
    ``caveats`` are sentences that must always be shown beside it (design, regression to the
    mean, interim). ``text`` joins them.
    """

    outcome: Literal["met", "not met", "inconclusive"]
    headline: str
    caveats: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join((self.headline, *self.caveats))


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def analyse_outcome(
    arms: ArrayLike,
    outcome: ArrayLike,
    *,
    kind: Kind,
    arm_labels: Sequence[str] | None = None,
    control: str | None = None,
    baseline: ArrayLike | None = None,
    clusters: ArrayLike | None = None,
    strata: ArrayLike | None = None,
    exposure: ArrayLike | None = None,
    events: ArrayLike | None = None,
    horizon: float | None = None,
    within: float | None = None,
    ratio: Sequence[float] | None = None,
    primary: bool = True,
    alpha: float = 0.05,
    seed: int = 20170601,
    permutations: int = 2000,
    bootstrap: int = 1000,
    analysis_date: date | None = None,
    analysed_on: date | None = None,
    wording: Wording | None = None,
) -> OutcomeAnalysis:
    """Analyse one outcome of a trial: each non-control arm against control.

    ``ratio`` is the designed allocation ratio in ``arm_labels`` order; when given, the realised
    allocation (units, or clusters when ``clusters`` is given) is checked against it and a failed
    check withholds the headline. ``strata`` (unit level, constant within a cluster) restricts the
    permutations of the randomisation test to within strata. ``seed`` drives the permutations and
    the bootstrap, so the same inputs always give the same numbers.

    Raises :class:`StatsRefusal` with a reason for degenerate input: an empty arm, an arm with no
    outcomes, all-censored time to event, a single cluster in an arm, a cluster in two arms.
    """
    alpha = _check_alpha(alpha)
    words = _default_wording(kind, wording)
    codes, labels = _arm_codes(arms, arm_labels)
    k = len(labels)
    control_code = _control_code(labels, control)
    y = _float_column(outcome, codes.size, "The outcome")
    present = _present(y, events, kind, codes.size)
    allocated = _bincount(codes, k)
    if np.any(allocated == 0):
        empty = labels[int(np.argmin(allocated))]
        raise StatsRefusal(f"The {empty} arm has no units allocated to it.")
    observed = allocated if present is None else np.bincount(codes[present], minlength=k)
    cluster_codes = None if clusters is None else _cluster_codes(clusters, codes, labels)

    attrition = _attrition(labels, allocated, observed, cluster_codes, codes)
    for row in attrition:
        if row.with_outcome == 0:
            raise StatsRefusal(f"The {row.arm} arm has no recorded outcomes.")
    check = _allocation_check(attrition, ratio, clustered=cluster_codes is not None)
    notes = list(_attrition_notes(attrition))

    context = _Context(
        codes=codes,
        labels=labels,
        control=control_code,
        y=y,
        present=present,
        observed=observed,
        baseline=None if baseline is None else _float_column(baseline, codes.size, "The baseline"),
        clusters=cluster_codes,
        strata=None if strata is None else _strata_codes(strata, codes.size),
        alpha=alpha,
        seed=seed,
        permutations=permutations,
        bootstrap=bootstrap,
        words=words,
    )
    if kind in ("proportion", "mean"):
        comparisons = _compare_linear(context, kind, notes)
    elif kind == "rate":
        if exposure is None:
            raise StatsRefusal("Counts need an exposure (time or population at risk) per unit.")
        comparisons = _compare_rates(context, _float_column(exposure, codes.size, "The exposure"))
    elif kind == "time_to_event":
        if events is None:
            raise StatsRefusal("Time to event needs an event flag (1 happened, 0 censored).")
        if cluster_codes is not None:
            raise StatsRefusal(
                "Time-to-event analysis of cluster-randomised trials is not supported yet; "
                "analyse a cluster-level outcome instead."
            )
        flags = _float_column(events, codes.size, "The event flags")
        comparisons = _compare_survival(context, flags, horizon, within)
    else:
        raise StatsRefusal(
            'The outcome kind must be "proportion", "mean", "rate" or "time_to_event".'
        )

    if primary:
        comparisons = _with_adjusted_p(comparisons, "holm")
    interim = analysis_date is not None and analysed_on is not None and analysed_on < analysis_date
    withheld = check is not None and check.failed
    headline = _outcome_headline(comparisons, labels[control_code], withheld, check, primary)
    if interim:
        headline = _interim(headline, analysis_date)
        comparisons = [
            replace(c, headline=_interim(c.headline, analysis_date)) for c in comparisons
        ]
    if withheld:
        comparisons = [replace(c, headline=headline) for c in comparisons]
    return OutcomeAnalysis(
        kind=kind,
        arms=labels,
        control=labels[control_code],
        primary=primary,
        attrition=attrition,
        allocation_check=check,
        comparisons=tuple(comparisons),
        withheld=withheld,
        interim=interim,
        notes=tuple(notes),
        headline=headline,
        alpha=alpha,
    )


def adjust_secondary(outcomes: Sequence[OutcomeAnalysis]) -> list[OutcomeAnalysis]:
    """Benjamini-Hochberg across every arm comparison of every secondary outcome.

    The secondary outcomes are one family: the false discovery rate is controlled across all of
    them together (Benjamini & Hochberg 1995, via ``stats.adjust_p_values(..., "bh")``). Primary
    outcomes are returned unchanged (they carry Holm across arms already).
    """
    secondary = [o for o in outcomes if not o.primary]
    raw = [c.p_value for o in secondary for c in o.comparisons]
    adjusted = iter(stats.adjust_p_values(raw, "bh"))
    result = []
    for outcome in outcomes:
        if outcome.primary:
            result.append(outcome)
            continue
        comparisons = tuple(
            replace(c, p_adjusted=next(adjusted), adjustment="Benjamini-Hochberg")
            for c in outcome.comparisons
        )
        result.append(replace(outcome, comparisons=comparisons))
    return result


# --------------------------------------------------------------------------------------------
# Input preparation (one pass each, no pandas)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    codes: NDArray[np.intp]
    labels: tuple[str, ...]
    control: int
    y: NDArray[np.float64]
    present: NDArray[np.bool_] | None
    observed: NDArray[np.intp]
    baseline: NDArray[np.float64] | None
    clusters: NDArray[np.intp] | None
    strata: NDArray[np.intp] | None
    alpha: float
    seed: int
    permutations: int
    bootstrap: int
    words: Wording

    def others(self) -> list[int]:
        return [a for a in range(len(self.labels)) if a != self.control]


def _default_wording(kind: Kind, wording: Wording | None) -> Wording:
    """Fill in words the caller left out, suited to the kind of outcome."""
    words = wording or Wording()
    if words.outcome == Wording.outcome and kind in ("mean", "rate"):
        words = replace(words, outcome="outcome" if kind == "mean" else "events")
    if not words.measure_unit and kind == "time_to_event":
        words = replace(words, measure_unit="days")
    return words


def _check_alpha(alpha: float) -> float:
    if not isinstance(alpha, int | float) or not 0.0 < float(alpha) < 1.0:
        raise StatsRefusal("The significance level (alpha) must be between 0 and 1, e.g. 0.05.")
    return float(alpha)


def _arm_codes(
    arms: ArrayLike, arm_labels: Sequence[str] | None
) -> tuple[NDArray[np.intp], tuple[str, ...]]:
    """Integer codes per unit and the arm labels.

    Integer input is used as is (no copy for int64), which is the fast path for large data;
    anything else is treated as labels and encoded with ``np.unique``.
    """
    array = np.asarray(arms)
    if array.ndim != 1 or array.size == 0:
        raise StatsRefusal("There are no units: the arm column is empty.")
    if np.issubdtype(array.dtype, np.integer):
        if arm_labels is None:
            raise StatsRefusal("Arm codes need arm labels to name them.")
        labels = tuple(str(a) for a in arm_labels)
        return array.astype(np.intp, copy=False), _distinct_labels(labels)
    text = array.astype(str)
    found, inverse = np.unique(text, return_inverse=True)
    labels = _distinct_labels(tuple(arm_labels) if arm_labels is not None else tuple(found))
    lookup = {label: i for i, label in enumerate(labels)}
    unknown = [f for f in found if f not in lookup]
    if unknown:
        raise StatsRefusal(f"Unknown arm {unknown[0]!r}; expected one of {', '.join(labels)}.")
    remap = np.array([lookup[f] for f in found], dtype=np.intp)
    return remap[inverse], labels


def _distinct_labels(labels: tuple[str, ...]) -> tuple[str, ...]:
    if len(labels) < 2:
        raise StatsRefusal("A comparison needs at least two arms.")
    if len(set(labels)) != len(labels):
        raise StatsRefusal("Each arm needs a different name.")
    return labels


def _control_code(labels: tuple[str, ...], control: str | None) -> int:
    if control is None:
        return 0
    if control not in labels:
        raise StatsRefusal(f"The control arm {control!r} is not one of {', '.join(labels)}.")
    return labels.index(control)


def _bincount(codes: NDArray[np.intp], k: int, weights: NDArray[Any] | None = None) -> NDArray[Any]:
    """``np.bincount`` that refuses codes outside ``0..k-1`` (bincount rejects negatives itself)."""
    try:
        counts = np.bincount(codes, weights=weights, minlength=k)
    except ValueError:
        raise StatsRefusal("Some arm codes are negative; codes must be 0 to k - 1.") from None
    if counts.size > k:
        raise StatsRefusal(f"Some arm codes are {counts.size - 1} or more; there are {k} arms.")
    return counts


def _float_column(values: ArrayLike, n: int, label: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise StatsRefusal(f"{label} contains something that is not a number.") from None
    if array.shape != (n,):
        raise StatsRefusal(f"{label} has {array.size} values but there are {n} units.")
    return array


def _present(
    y: NDArray[np.float64], events: ArrayLike | None, kind: Kind, n: int
) -> NDArray[np.bool_] | None:
    """Mask of units with an outcome, or ``None`` when every unit has one (saves copies)."""
    missing = np.isnan(y)
    if kind == "time_to_event" and events is not None:
        missing |= np.isnan(np.asarray(events, dtype=float))
    if not missing.any():
        return None
    return ~missing


def _cluster_codes(
    clusters: ArrayLike, codes: NDArray[np.intp], labels: tuple[str, ...]
) -> NDArray[np.intp]:
    """Cluster ids encoded 0..G-1; refuses a cluster whose units sit in different arms."""
    raw = np.asarray(clusters)
    if raw.shape != codes.shape:
        raise StatsRefusal(f"There are {raw.size} cluster ids but {codes.size} units.")
    if raw.dtype.kind in "fc" and np.isnan(raw).any():
        raise StatsRefusal("Some units have no cluster id.")
    found, inverse = np.unique(
        raw.astype(str) if raw.dtype.kind == "O" else raw, return_inverse=True
    )
    inverse = inverse.astype(np.intp, copy=False)
    k = len(labels)
    pairs = np.unique(inverse * k + codes)
    if pairs.size != found.size:
        split = np.bincount(pairs // k)
        bad = found[int(np.argmax(split > 1))]
        raise StatsRefusal(
            f"Cluster {bad} has units in more than one arm; in a cluster trial every unit "
            "follows its cluster."
        )
    return inverse


def _strata_codes(strata: ArrayLike, n: int) -> NDArray[np.intp]:
    raw = np.asarray(strata)
    if raw.shape != (n,):
        raise StatsRefusal(f"There are {raw.size} strata but {n} units.")
    _, inverse = np.unique(raw.astype(str), return_inverse=True)
    return inverse.astype(np.intp, copy=False)


def _attrition(
    labels: tuple[str, ...],
    allocated: NDArray[np.intp],
    observed: NDArray[np.intp],
    clusters: NDArray[np.intp] | None,
    codes: NDArray[np.intp],
) -> tuple[ArmCount, ...]:
    per_arm_clusters: list[int | None] = [None] * len(labels)
    if clusters is not None:
        arm_of_cluster = np.zeros(int(clusters.max()) + 1, dtype=np.intp)
        arm_of_cluster[clusters] = codes
        per_arm_clusters = [int(c) for c in np.bincount(arm_of_cluster, minlength=len(labels))]
    return tuple(
        ArmCount(
            arm=label,
            allocated=int(allocated[a]),
            with_outcome=int(observed[a]),
            missing=int(allocated[a] - observed[a]),
            percent_missing=100.0 * float(allocated[a] - observed[a]) / float(allocated[a]),
            clusters=per_arm_clusters[a],
        )
        for a, label in enumerate(labels)
    )


def _attrition_notes(attrition: Sequence[ArmCount]) -> list[str]:
    """Flag attrition the reader should weigh.

    The thresholds (more than 10% missing overall, or arms differing by more than 5 percentage
    points) are a simplified form of the What Works Clearinghouse attrition boundaries; they are
    prompts to look, not a test.
    """
    shares = [row.percent_missing for row in attrition]
    notes = []
    if max(shares) - min(shares) > 5.0:
        listed = ", ".join(f"{row.arm} {row.percent_missing:.1f}%" for row in attrition)
        notes.append(
            f"Outcomes are missing at different rates by arm ({listed}); if the people lost "
            "differ between arms, the comparison may be biased."
        )
    total_missing = sum(row.missing for row in attrition)
    total = sum(row.allocated for row in attrition)
    if total_missing > 0.1 * total:
        notes.append(
            f"{100.0 * total_missing / total:.1f}% of allocated units have no outcome recorded."
        )
    return notes


def _allocation_check(
    attrition: Sequence[ArmCount], ratio: Sequence[float] | None, *, clustered: bool
) -> AllocationCheck | None:
    if ratio is None:
        return None
    if clustered:
        counts = [row.clusters or 0 for row in attrition]
        return check_allocation(counts, ratio, unit="clusters")
    return check_allocation([row.allocated for row in attrition], ratio, unit="units")


# --------------------------------------------------------------------------------------------
# Proportions and means
# --------------------------------------------------------------------------------------------


def _arm_moments(
    ctx: _Context, kind: Kind
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
        s1 = _bincount(ctx.codes, k, y)
        s2 = s1
    else:
        shift = float(y.sum() / n.sum())
        centred = y - shift
        if ctx.present is not None:
            centred[~ctx.present] = 0.0
        s1 = _bincount(ctx.codes, k, centred)
        s2 = _bincount(ctx.codes, k, centred * centred)
        # An infinite value makes its arm's sums infinite or NaN, so one check on the sums
        # replaces a pass over the data.
        if not (np.isfinite(s1).all() and np.isfinite(s2).all()):
            raise StatsRefusal("The outcome contains infinite values; fix them first.")
    mean = shift + s1 / n
    ssd = np.maximum(s2 - s1 * s1 / n, 0.0)
    return n, mean, ssd


def _compare_linear(ctx: _Context, kind: Kind, notes: list[str]) -> list[Comparison]:
    n, mean, ssd = _arm_moments(ctx, kind)
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
        if kind == "proportion":
            details: stats.ProportionComparison | stats.MeanComparison = stats.compare_proportions(
                int(round(mean[a] * n[a])),
                int(n[a]),
                int(round(mean[c] * n[c])),
                int(n[c]),
                alpha=ctx.alpha,
            )
            measure, method = (
                "difference in proportions",
                "Newcombe hybrid score interval; pooled z test",
            )
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
            cluster_robust, adjusted, randomisation_p, used_permutations = _clustered(ctx, a, notes)
            estimate, low, high = (
                cluster_robust.coefficient,
                cluster_robust.ci_low,
                cluster_robust.ci_high,
            )
            p = randomisation_p if randomisation_p is not None else cluster_robust.p_value
            method = (
                f"difference in means with CR1 cluster-robust interval on {cluster_robust.df:g} df"
                + ("; p-value by randomisation inference" if randomisation_p is not None else "")
            )
        elif ctx.baseline is not None:
            adjusted = _adjusted_hc2(ctx, a)
        comparisons.append(
            _comparison(
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
            )
        )
    return comparisons


def _pair_mask(ctx: _Context, a: int) -> NDArray[np.bool_] | None:
    """Units of arm ``a`` and control with an outcome; ``None`` means "all units" (no copy)."""
    if len(ctx.labels) == 2:
        return ctx.present
    mask = (ctx.codes == a) | (ctx.codes == ctx.control)
    return mask if ctx.present is None else mask & ctx.present


def _adjusted_hc2(ctx: _Context, a: int) -> stats.EffectEstimate:
    """OLS of outcome on arm and baseline with HC2 errors, from sufficient statistics.

    Identical to ``stats.estimate_effect(y, t, baseline)`` (tested to 1e-9), but built from
    per-arm sums with ``np.bincount`` instead of an n x 3 design matrix, so it runs in a few
    vectorised passes (MacKinnon & White 1985 HC2: squared residuals divided by 1 - leverage).
    """
    assert ctx.baseline is not None
    mask = _pair_mask(ctx, a)
    x_finite = np.isfinite(ctx.baseline)
    if not x_finite.all():
        mask = x_finite if mask is None else mask & x_finite
    y = ctx.y if mask is None else ctx.y[mask]
    x = ctx.baseline if mask is None else ctx.baseline[mask]
    group = (ctx.codes if mask is None else ctx.codes[mask]) == a
    return ols_hc2(y, group, x, ctx.alpha)


def ols_hc2(
    y: NDArray[np.float64], treated: NDArray[np.bool_], x: NDArray[np.float64], alpha: float = 0.05
) -> stats.EffectEstimate:
    """Coefficient on ``treated`` in ``y ~ 1 + treated + x`` with HC2 standard error, t(n - 3).

    Works on centred sums per group (two ``np.bincount`` sweeps) and then the leverages
    ``h_i = x_i' (X'X)^-1 x_i``, which for this design is a quadratic in ``x`` per group.
    Refuses as ``stats.estimate_effect`` does: a group with one unit (leverage 1), a baseline
    that does not vary within arms (collinear), or too few units.

    Reference: MacKinnon JG, White H (1985). J Econometrics 29:305-325.
    """
    n = y.size
    if n <= 3:
        raise StatsRefusal(f"There are {n} observations but the model has 3 coefficients.")
    g = treated.view(np.int8) if treated.dtype == np.bool_ else treated.astype(np.int8)
    # Centre for numerical stability; the intercept absorbs the shift.
    xc = x - x.mean()
    yc = y - y.mean()
    cnt = np.bincount(g, minlength=2).astype(float)
    if cnt.min() == 0:
        raise StatsRefusal(
            "Everyone has the same treatment value, so there is no comparison to make."
        )
    sx = np.bincount(g, xc, 2)
    sy = np.bincount(g, yc, 2)
    sxx = np.bincount(g, xc * xc, 2)
    sxy = np.bincount(g, xc * yc, 2)
    within_x = float(np.sum(sxx - sx * sx / cnt))
    if within_x <= 1e-12 * max(float(sxx.sum()), 1e-300):
        raise StatsRefusal(
            "The covariates are collinear with each other or with the treatment (one is a "
            "combination of the others), so the treatment effect cannot be separated out."
        )
    xtx = np.array(
        [[n, cnt[1], sx.sum()], [cnt[1], cnt[1], sx[1]], [sx.sum(), sx[1], sxx.sum()]], dtype=float
    )
    xty = np.array([sy.sum(), sy[1], sxy.sum()])
    inv = np.linalg.inv(xtx)
    beta = inv @ xty
    # Residuals and leverages; both are per-group affine/quadratic in x.
    fitted_base = np.array([beta[0], beta[0] + beta[1]])
    resid = yc - fitted_base[g] - beta[2] * xc
    lev_a = np.array([inv[0, 0], inv[0, 0] + inv[1, 1] + 2.0 * inv[0, 1]])
    lev_b = np.array([2.0 * inv[0, 2], 2.0 * inv[0, 2] + 2.0 * inv[1, 2]])
    leverage = lev_a[g] + (lev_b[g] + inv[2, 2] * xc) * xc
    if leverage.max() > 1.0 - 1e-8:
        raise StatsRefusal(
            "The uncertainty of the treatment effect cannot be estimated from these data: one "
            "observation alone determines its own prediction (for example, an arm with a single "
            "person)."
        )
    w = resid * resid / (1.0 - leverage)
    sw = np.bincount(g, w, 2)
    swx = np.bincount(g, w * xc, 2)
    swxx = float(np.dot(w, xc * xc))
    meat = np.array(
        [[sw.sum(), sw[1], swx.sum()], [sw[1], sw[1], swx[1]], [swx.sum(), swx[1], swxx]]
    )
    cov = inv @ meat @ inv
    std_error = math.sqrt(max(float(cov[1, 1]), 0.0))
    if not std_error > 0.0:
        raise StatsRefusal(
            "The uncertainty of the treatment effect cannot be estimated from these data "
            "(for example, an arm or cluster has too few observations)."
        )
    df = float(n - 3)
    coefficient = float(beta[1])
    half = float(sps.t.ppf(1.0 - alpha / 2.0, df)) * std_error
    return stats.EffectEstimate(
        coefficient=coefficient,
        std_error=std_error,
        ci_low=coefficient - half,
        ci_high=coefficient + half,
        p_value=float(2.0 * sps.t.sf(abs(coefficient / std_error), df)),
        df=df,
        n=n,
        n_clusters=None,
        cov_type="HC2",
        alpha=alpha,
    )


def _clustered(
    ctx: _Context, a: int, notes: list[str]
) -> tuple[stats.EffectEstimate, stats.EffectEstimate | None, float | None, int | None]:
    """CR1 fits (unadjusted and adjusted) and, with few clusters, the randomisation p-value."""
    assert ctx.clusters is not None
    mask = _pair_mask(ctx, a)
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
    unadjusted = stats.estimate_effect(y, treated, clusters=cl, alpha=ctx.alpha)
    adjusted = None
    if ctx.baseline is not None:
        x = ctx.baseline[sel]
        keep = np.isfinite(x)
        adjusted = stats.estimate_effect(
            y[keep], treated[keep], x[keep], clusters=cl[keep], alpha=ctx.alpha
        )
    if min(g_t, g_c) >= FEW_CLUSTERS:
        return unadjusted, adjusted, None, None
    notes_text = (
        f"With fewer than {FEW_CLUSTERS} clusters in an arm, the p-value for "
        f"{ctx.labels[a]} comes from {ctx.permutations:,} re-randomisations of the clusters."
    )
    notes.append(notes_text)
    strata = None if ctx.strata is None else ctx.strata[sel]
    p = randomisation_p_value(
        cl,
        treated.astype(bool),
        y,
        np.ones_like(y),
        _difference_of_ratios,
        strata=strata,
        permutations=ctx.permutations,
        seed=ctx.seed,
    )
    return unadjusted, adjusted, p, ctx.permutations


def _difference_of_ratios(num_t: Any, den_t: Any, num_c: Any, den_c: Any) -> Any:
    return num_t / den_t - num_c / den_c


def _log_ratio_of_ratios(num_t: Any, den_t: Any, num_c: Any, den_c: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(num_t / den_t) - np.log(num_c / den_c)


def randomisation_p_value(
    clusters: NDArray[np.intp],
    treated: NDArray[np.bool_],
    numerator: NDArray[np.float64],
    denominator: NDArray[np.float64],
    statistic: Callable[[Any, Any, Any, Any], Any],
    *,
    strata: NDArray[np.intp] | None = None,
    permutations: int = 2000,
    seed: int = 0,
) -> float:
    """Two-sided randomisation-inference p-value, re-drawing cluster-level arm labels.

    The data are reduced to per-cluster totals of ``numerator`` and ``denominator`` (e.g.
    outcome and 1 for a difference in means; events and exposure for a rate ratio). Each of the
    ``permutations`` shuffles the clusters' arm labels (within strata when given, as the
    allocation did), recomputes ``statistic(num_t, den_t, num_c, den_c)`` with one matrix
    product, and the p-value is ``(1 + #{|T*| >= |T|}) / (1 + permutations)`` (Phipson & Smyth
    2010: never zero). Seeded with ``Generator(PCG64(seed))``, so it is reproducible.

    Reference: Gerber & Green (2012), Field Experiments, chapter 3.
    """
    if permutations < 1:
        raise StatsRefusal("Randomisation inference needs at least one permutation.")
    _, inverse = np.unique(clusters, return_inverse=True)
    num = np.bincount(inverse, numerator)
    den = np.bincount(inverse, denominator)
    arm = np.bincount(inverse, treated.astype(float)) > 0
    total_num, total_den = num.sum(), den.sum()
    observed = statistic(num[arm].sum(), den[arm].sum(), num[~arm].sum(), den[~arm].sum())
    rng = Generator(PCG64(seed))
    draws = np.tile(arm, (permutations, 1))
    if strata is None:
        draws = rng.permuted(draws, axis=1)
    else:
        cluster_stratum = np.zeros(arm.size, dtype=np.intp)
        cluster_stratum[inverse] = strata
        for s in np.unique(cluster_stratum):
            cols = np.flatnonzero(cluster_stratum == s)
            draws[:, cols] = rng.permuted(draws[:, cols], axis=1)
    mask = draws.astype(float)
    num_t, den_t = mask @ num, mask @ den
    permuted = statistic(num_t, den_t, total_num - num_t, total_den - den_t)
    # A relative tolerance so that permutations tying with the observed value count as ties.
    tol = 1e-9 * max(abs(float(observed)), 1e-12)
    extreme = np.sum(np.abs(permuted) >= abs(float(observed)) - tol)
    return float((1 + extreme) / (1 + permutations))


# --------------------------------------------------------------------------------------------
# Counts with exposure
# --------------------------------------------------------------------------------------------


def _compare_rates(ctx: _Context, exposure: NDArray[np.float64]) -> list[Comparison]:
    """Rate ratio per arm from the Poisson model with log-exposure offset, robust variance.

    With one indicator per arm the Poisson MLE of each arm's rate is ``sum(y) / sum(e)`` and
    the sandwich variance of its log is ``sum((y - r e)**2) / sum(y)**2`` (HC0), or with clusters
    the same over cluster totals scaled by the CR1 factor ``G/(G-1) * (N-1)/(N-2)``; all from
    sums per arm (or cluster), equal to statsmodels' GLM with ``cov_type="HC0"`` / ``"cluster"``.
    """
    k = len(ctx.labels)
    keep = ctx.present
    y = ctx.y if keep is None else np.where(keep, ctx.y, 0.0)
    e = exposure if keep is None else np.where(keep, exposure, 0.0)
    if not (np.isfinite(y).all() and np.isfinite(e).all()):
        raise StatsRefusal("The counts or exposures contain missing or infinite values.")
    if y.min() < 0:
        raise StatsRefusal("Counts cannot be negative.")
    valid_e = e > 0 if keep is None else (e > 0) | ~keep
    if not valid_e.all():
        raise StatsRefusal("Every unit with a count needs an exposure greater than zero.")
    events = _bincount(ctx.codes, k, y)
    expo = _bincount(ctx.codes, k, e)
    for arm in range(k):
        if events[arm] == 0:
            raise StatsRefusal(
                f"The {ctx.labels[arm]} arm has no events, so a rate ratio cannot be estimated."
            )
    rate = events / expo
    comparisons = []
    c = ctx.control
    for a in ctx.others():
        if ctx.clusters is None:
            score_ss = _bincount(ctx.codes, k, (y - rate[ctx.codes] * e) ** 2)
            var_log = score_ss / events**2
            var_rate = score_ss / expo**2
            df: float | None = None  # normal reference distribution
            cov_type = "HC0"
            randomisation_p = None
        else:
            var_log, var_rate, df = _cluster_rate_variance(ctx, a, y, e, rate)
            cov_type = "CR1"
            randomisation_p = _rate_randomisation(ctx, a, y, e)
        log_rr = math.log(rate[a] / rate[c])
        se_log = math.sqrt(var_log[a] + var_log[c])
        se_diff = math.sqrt(var_rate[a] + var_rate[c])
        if not se_log > 0:
            raise StatsRefusal(
                "The counts do not vary, so the rate ratio has no uncertainty to estimate."
            )
        reference = sps.norm() if df is None else sps.t(df)
        quantile = float(reference.ppf(1.0 - ctx.alpha / 2.0))
        p = float(2.0 * reference.sf(abs(log_rr / se_log)))
        diff = float(rate[a] - rate[c])
        details = RateComparison(
            events_t=float(events[a]),
            exposure_t=float(expo[a]),
            rate_t=float(rate[a]),
            events_c=float(events[c]),
            exposure_c=float(expo[c]),
            rate_c=float(rate[c]),
            rate_ratio=math.exp(log_rr),
            ratio_ci_low=math.exp(log_rr - quantile * se_log),
            ratio_ci_high=math.exp(log_rr + quantile * se_log),
            p_value=p,
            rate_difference=diff,
            difference_ci_low=diff - quantile * se_diff,
            difference_ci_high=diff + quantile * se_diff,
            cov_type=cov_type,
            alpha=ctx.alpha,
        )
        head_p = randomisation_p if randomisation_p is not None else p
        method = f"Poisson rate ratio with log-exposure offset, {cov_type} robust variance" + (
            "; p-value by randomisation inference" if randomisation_p is not None else ""
        )
        comparisons.append(
            _comparison(
                ctx,
                a,
                "rate",
                "rate ratio",
                details.rate_ratio,
                details.ratio_ci_low,
                details.ratio_ci_high,
                1.0,
                head_p,
                method,
                details,
                None,
                None,
                randomisation_p,
                ctx.permutations if randomisation_p is not None else None,
            )
        )
    return comparisons


def _cluster_rate_variance(
    ctx: _Context, a: int, y: NDArray[np.float64], e: NDArray[np.float64], rate: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    assert ctx.clusters is not None
    k = len(ctx.labels)
    mask = (ctx.codes == a) | (ctx.codes == ctx.control)
    n_units = int(mask.sum() if ctx.present is None else (mask & ctx.present).sum())
    g_count = int(ctx.clusters.max()) + 1
    cy = np.bincount(ctx.clusters, y, g_count)
    ce = np.bincount(ctx.clusters, e, g_count)
    arm_of = np.zeros(g_count, dtype=np.intp)
    arm_of[ctx.clusters] = ctx.codes
    in_pair = ((arm_of == a) | (arm_of == ctx.control)) & (ce > 0)
    g = int(in_pair.sum())
    per_arm = np.bincount(arm_of[in_pair], minlength=k)
    if min(per_arm[a], per_arm[ctx.control]) < 2:
        raise StatsRefusal(
            "Each arm needs at least two clusters with outcomes for cluster-robust errors."
        )
    score_ss = np.bincount(arm_of, (cy - rate[arm_of] * ce) ** 2 * in_pair, k)
    factor = g / (g - 1.0) * (n_units - 1.0) / (n_units - 2.0)
    events = np.bincount(arm_of, cy, k)
    expo = np.bincount(arm_of, ce, k)
    return factor * score_ss / events**2, factor * score_ss / expo**2, float(g - 1)


def _rate_randomisation(
    ctx: _Context, a: int, y: NDArray[np.float64], e: NDArray[np.float64]
) -> float | None:
    assert ctx.clusters is not None
    mask = (ctx.codes == a) | (ctx.codes == ctx.control)
    cl = ctx.clusters[mask]
    treated = ctx.codes[mask] == a
    if min(np.unique(cl[treated]).size, np.unique(cl[~treated]).size) >= FEW_CLUSTERS:
        return None
    strata = None if ctx.strata is None else ctx.strata[mask]
    return randomisation_p_value(
        cl,
        treated,
        y[mask],
        e[mask],
        _log_ratio_of_ratios,
        strata=strata,
        permutations=ctx.permutations,
        seed=ctx.seed,
    )


# --------------------------------------------------------------------------------------------
# Time to event
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """Per-time counts for one arm on a shared time grid: exits (events + censored) and events."""

    times: NDArray[np.float64]
    exits: NDArray[np.float64]
    deaths: NDArray[np.float64]

    @property
    def at_risk(self) -> NDArray[np.float64]:
        return np.cumsum(self.exits[::-1])[::-1]

    def survival(self) -> NDArray[np.float64]:
        """S(t) just after each grid time (Kaplan-Meier product limit)."""
        risk = self.at_risk
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(risk > 0, 1.0 - self.deaths / risk, 1.0)
        return np.asarray(np.cumprod(factor), dtype=float)


def survival_tables(
    codes: NDArray[np.intp], k: int, durations: NDArray[np.float64], events: NDArray[np.float64]
) -> list[_Table]:
    """Counts of exits and events per arm at each distinct time, from two ``np.bincount`` sweeps.

    Whole-number durations (e.g. days) index the grid directly; other durations are ranked with
    ``np.unique`` first. This is the whole of the data that Kaplan-Meier, log-rank and RMST need.
    """
    as_int = durations.astype(np.int64)
    whole = durations.size > 0 and as_int.max() < 10_000_000 and np.array_equal(as_int, durations)
    if whole:
        top = int(as_int.max()) + 1
        index = codes * top + as_int
        grid = np.arange(top, dtype=float)
    else:
        grid, inverse = np.unique(durations, return_inverse=True)
        top = grid.size
        index = codes * top + inverse
    exits = np.bincount(index, minlength=k * top).reshape(k, top).astype(float)
    deaths = np.bincount(index, weights=events, minlength=k * top).reshape(k, top)
    used = exits.sum(axis=0) > 0
    return [_Table(grid[used], exits[a, used], deaths[a, used]) for a in range(k)]


def _compare_survival(
    ctx: _Context, flags: NDArray[np.float64], horizon: float | None, within: float | None
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
    tables = survival_tables(codes, k, durations, happened)
    arms = []
    for a, table in enumerate(tables):
        if table.deaths.sum() == 0:
            raise StatsRefusal(
                f"Every unit in the {ctx.labels[a]} arm is censored, so no survival curve can be "
                "estimated."
            )
        arms.append(_survival_arm(table))
    c = ctx.control
    common_horizon = min(arms[a].max_follow_up for a in range(k)) if horizon is None else horizon
    comparisons = []
    for a in ctx.others():
        details = _survival_comparison(
            ctx, tables[a], tables[c], arms[a], arms[c], common_horizon, within, a
        )
        if details.median_ci_low is not None and details.median_difference is not None:
            measure = "difference in median time"
            estimate, low, high = (
                details.median_difference,
                details.median_ci_low,
                details.median_ci_high,
            )
            p = details.logrank_p
            method = (
                f"Kaplan-Meier medians with a {ctx.bootstrap:,}-sample bootstrap interval; "
                "log-rank p-value"
            )
        else:
            measure = "difference in restricted mean time"
            estimate, low, high = details.rmst_difference, details.rmst_ci_low, details.rmst_ci_high
            p = details.rmst_p
            method = f"restricted mean time to {details.horizon:g} with Klein-Moeschberger variance"
        comparisons.append(
            _comparison(
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
            )
        )
    return comparisons


def _survival_arm(table: _Table) -> SurvivalArm:
    survival = table.survival()
    event_rows = table.deaths > 0
    below = np.flatnonzero(survival <= 0.5 + _MEDIAN_TOL)
    median = float(table.times[below[0]]) if below.size else None
    return SurvivalArm(
        n=int(table.exits.sum()),
        events=int(table.deaths.sum()),
        median=median,
        max_follow_up=float(table.times[table.exits > 0].max()),
        times=tuple(float(t) for t in table.times[event_rows]),
        survival=tuple(float(s) for s in survival[event_rows]),
    )


def logrank_from_tables(treated: _Table, control: _Table) -> tuple[float, float]:
    """Mantel-Cox log-rank chi-square (1 df) and p-value from per-time counts on a shared grid.

    ``O - E`` for the treated arm over the pooled risk sets, hypergeometric variance
    ``d (n1/n)(1 - n1/n)(n - d)/(n - 1)``. Reference: Mantel (1966); Klein & Moeschberger 7.3.
    """
    n1, n0 = treated.at_risk, control.at_risk
    d1, d = treated.deaths, treated.deaths + control.deaths
    n = n1 + n0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n > 0, n1 / n, 0.0)
        variance = np.where(n > 1, d * share * (1.0 - share) * (n - d) / (n - 1.0), 0.0)
    observed_minus_expected = float(np.sum(d1 - d * share))
    total_variance = float(variance.sum())
    if total_variance <= 0:
        raise StatsRefusal("The survival curves cannot be compared: there is no variation.")
    statistic = observed_minus_expected**2 / total_variance
    return statistic, float(sps.chi2.sf(statistic, 1))


def rmst_from_table(table: _Table, horizon: float) -> tuple[float, float]:
    """Restricted mean survival time to ``horizon`` and its variance.

    Area under the Kaplan-Meier step function, and the Klein-Moeschberger (2003, 4.5) variance
    ``sum_{t_j <= tau} A_j**2 d_j / (n_j (n_j - d_j))`` with ``A_j`` the area from ``t_j`` to
    ``tau``. Refuses a horizon beyond the arm's longest follow-up.
    """
    if horizon <= 0:
        raise StatsRefusal("The time horizon must be greater than zero.")
    longest = float(table.times[table.exits > 0].max())
    if horizon > longest:
        raise StatsRefusal(
            f"The time horizon ({horizon:g}) is beyond the longest follow-up ({longest:g}); "
            "choose a horizon within the observed follow-up."
        )
    survival = table.survival()
    inside = table.times <= horizon
    times, surv = table.times[inside], survival[inside]
    # S is 1 on [0, t_1), surv[j] on [t_j, t_{j+1}), and surv[-1] until the horizon.
    edges = np.append(times, horizon)
    steps = np.concatenate(([1.0], surv))
    widths = np.diff(np.concatenate(([0.0], edges)))
    pieces = steps * widths
    area = float(pieces.sum())
    # Area from t_j to the horizon: the tail sums of the pieces after t_j.
    tail = np.cumsum(pieces[::-1])[::-1][1:]
    d, n = table.deaths[inside], table.at_risk[inside]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((d > 0) & (n > d), tail**2 * d / (n * (n - d)), 0.0)
    return area, float(terms.sum())


def within_from_table(table: _Table, time: float) -> tuple[float, float]:
    """Share with the event by ``time``, ``1 - S(time)``, and its Greenwood variance.

    Greenwood (1926): ``Var S(t) = S(t)**2 sum_{t_j <= t} d_j / (n_j (n_j - d_j))``.
    """
    longest = float(table.times[table.exits > 0].max())
    if time > longest:
        raise StatsRefusal(
            f"The time {time:g} is beyond the longest follow-up ({longest:g}) in an arm."
        )
    survival = table.survival()
    inside = table.times <= time
    s = float(survival[inside][-1]) if inside.any() else 1.0
    d, n = table.deaths[inside], table.at_risk[inside]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((d > 0) & (n > d), d / (n * (n - d)), 0.0)
    return 1.0 - s, s * s * float(terms.sum())


def bootstrap_medians(table: _Table, samples: int, rng: Generator) -> NDArray[np.float64] | None:
    """Kaplan-Meier medians of ``samples`` bootstrap resamples of one arm (``inf`` = not reached).

    Resampling units with replacement is the same as a multinomial draw over the arm's distinct
    (time, event) cells, so each resample costs the number of cells, not the number of units.
    Returns ``None`` when there are more than ``MAX_BOOTSTRAP_CELLS`` cells.
    Reference: Efron (1981), JASA 76:312-319.
    """
    censored = table.exits - table.deaths
    death_cells = np.flatnonzero(table.deaths > 0)
    censor_cells = np.flatnonzero(censored > 0)
    if death_cells.size + censor_cells.size > MAX_BOOTSTRAP_CELLS:
        return None
    n = int(table.exits.sum())
    weights = np.concatenate((table.deaths[death_cells], censored[censor_cells])) / n
    draws = rng.multinomial(n, weights / weights.sum(), size=samples)
    deaths = np.zeros((samples, table.times.size))
    exits = np.zeros((samples, table.times.size))
    deaths[:, death_cells] = draws[:, : death_cells.size]
    exits[:, death_cells] = draws[:, : death_cells.size]
    exits[:, censor_cells] += draws[:, death_cells.size :]
    risk = np.cumsum(exits[:, ::-1], axis=1)[:, ::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(risk > 0, 1.0 - deaths / risk, 1.0)
    below = np.cumprod(factor, axis=1) <= 0.5 + _MEDIAN_TOL
    reached = below.any(axis=1)
    return np.where(reached, table.times[below.argmax(axis=1)], np.inf)


def _survival_comparison(
    ctx: _Context,
    treated: _Table,
    control: _Table,
    arm_t: SurvivalArm,
    arm_c: SurvivalArm,
    horizon: float,
    within: float | None,
    a: int,
) -> SurvivalComparison:
    statistic, logrank_p = logrank_from_tables(treated, control)
    z = float(sps.norm.ppf(1.0 - ctx.alpha / 2.0))
    rmst_t, var_t = rmst_from_table(treated, horizon)
    rmst_c, var_c = rmst_from_table(control, horizon)
    rmst_diff = rmst_t - rmst_c
    rmst_se = math.sqrt(var_t + var_c)
    rmst_p = float(2.0 * sps.norm.sf(abs(rmst_diff / rmst_se))) if rmst_se > 0 else 1.0
    w_t = w_c = w_diff = w_low = w_high = None
    if within is not None:
        w_t, wv_t = within_from_table(treated, within)
        w_c, wv_c = within_from_table(control, within)
        w_diff = w_t - w_c
        w_se = math.sqrt(wv_t + wv_c)
        w_low, w_high = w_diff - z * w_se, w_diff + z * w_se
    median_diff = low = high = None
    if arm_t.median is not None and arm_c.median is not None:
        median_diff = arm_t.median - arm_c.median
        # A distinct stream per arm pair keeps results stable if arms are added or reordered.
        rng = Generator(PCG64([ctx.seed, a]))
        boot_t = bootstrap_medians(treated, ctx.bootstrap, rng)
        boot_c = bootstrap_medians(control, ctx.bootstrap, rng)
        if boot_t is not None and boot_c is not None:
            with np.errstate(invalid="ignore"):
                diffs = boot_t - boot_c
            diffs = np.where(np.isnan(diffs), np.inf, diffs)
            # Order statistics, not interpolation: the medians are discrete and may be infinite.
            lo = float(np.quantile(diffs, ctx.alpha / 2.0, method="lower"))
            hi = float(np.quantile(diffs, 1.0 - ctx.alpha / 2.0, method="higher"))
            if math.isfinite(lo) and math.isfinite(hi):
                low, high = lo, hi
    return SurvivalComparison(
        arm_t=arm_t,
        arm_c=arm_c,
        median_difference=median_diff,
        median_ci_low=low,
        median_ci_high=high,
        bootstrap_samples=ctx.bootstrap,
        logrank_statistic=statistic,
        logrank_p=logrank_p,
        horizon=float(horizon),
        rmst_t=rmst_t,
        rmst_c=rmst_c,
        rmst_difference=rmst_diff,
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


# --------------------------------------------------------------------------------------------
# Multiplicity and headlines
# --------------------------------------------------------------------------------------------


def _with_adjusted_p(
    comparisons: list[Comparison], method: Literal["holm", "bh"]
) -> list[Comparison]:
    """Holm or BH across the comparisons, via ``stats.adjust_p_values``.

    A family of one is its own adjustment (Holm and BH both return p unchanged), so it skips the
    call: statsmodels' Holm runs ``gc.collect()``, which costs ~0.1 s in a process holding many
    objects and would dominate a two-arm analysis.
    """
    if len(comparisons) == 1:
        name = "Holm" if method == "holm" else "Benjamini-Hochberg"
        return [replace(comparisons[0], p_adjusted=comparisons[0].p_value, adjustment=name)]
    adjusted = stats.adjust_p_values([c.p_value for c in comparisons], method)
    name = "Holm" if method == "holm" else "Benjamini-Hochberg"
    return [
        replace(c, p_adjusted=p, adjustment=name)
        for c, p in zip(comparisons, adjusted, strict=True)
    ]


def _comparison(
    ctx: _Context,
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
) -> Comparison:
    arm, control = ctx.labels[a], ctx.labels[ctx.control]
    scale = 100.0 if kind == "proportion" else 1.0
    places = (
        2
        if kind == "rate"
        else _decimals(*(None if v is None else scale * v for v in (estimate, low, high)))
    )
    effect = _effect_phrase(kind, measure, estimate, ctx.words, places)
    interval = _interval_phrase(kind, low, high, ctx.alpha, ctx.words, places)
    headline = _comparison_headline(
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


def _decimals(*values: float | None) -> int:
    """One precision for an estimate and its interval, so the three figures read alike.

    Whole numbers (e.g. days) stay whole; otherwise one decimal place, or two when every figure
    is below 1 in size, or none from 100 up.
    """
    present = [abs(v) for v in values if v is not None and math.isfinite(v)]
    if not present or all(float(v).is_integer() for v in present):
        return 0
    largest = max(present)
    if largest >= 100:
        return 0
    return 1 if largest >= 1 else 2


def _number(value: float, decimals: int | None = None) -> str:
    places = _decimals(value) if decimals is None else decimals
    return f"{value:,.{places}f}"


def _unit(words: Wording) -> str:
    return f" {words.measure_unit}" if words.measure_unit else ""


_WORDS: dict[str, tuple[str, str]] = {
    "proportion": ("fewer", "more"),
    "mean": ("lower", "higher"),
    "time_to_event": ("sooner", "later"),
}


def _signed_words(kind: Kind, value: float, unit: str, places: int) -> str:
    """'25 days sooner', '3.1 points more': a signed difference as a size and a direction."""
    if value == 0:
        return f"0{unit}"
    below, above = _WORDS[kind]
    return f"{_number(abs(value), places)}{unit} {below if value < 0 else above}"


def _effect_phrase(kind: Kind, measure: str, estimate: float, words: Wording, places: int) -> str:
    if kind == "proportion":
        return _signed_words(kind, 100.0 * estimate, " percentage points", places)
    if kind == "mean":
        return _signed_words(kind, estimate, _unit(words), places)
    if kind == "rate":
        return f"{estimate:.2f} times the rate"
    prefix = "a median of" if measure == "difference in median time" else "on average"
    if estimate == 0:
        return f"at the same {'median' if prefix.startswith('a') else 'average'} time"
    return f"{prefix} {_signed_words(kind, estimate, _unit(words), places)}"


def _interval_phrase(
    kind: Kind, low: float | None, high: float | None, alpha: float, words: Wording, places: int
) -> str:
    """The interval in the same words as the estimate.

    When both ends lie on one side of zero they are given as sizes in the estimate's direction
    ("19 to 31 days", read with "sooner"); when the interval reaches both sides each end is
    named in words ("8 days sooner to 2 days later"), so a sign is never left to the reader.
    """
    level = f"{100.0 * (1.0 - alpha):g}% interval"
    if low is None or high is None:
        return "(no interval could be estimated)"
    if kind == "rate":
        return f"({level} {low:.2f} to {high:.2f})"
    scale, unit = (100.0, " points") if kind == "proportion" else (1.0, _unit(words))
    low, high = scale * low, scale * high
    if low < 0 <= high or low <= 0 < high:
        return (
            f"({level} {_signed_words(kind, low, unit, places)} to "
            f"{_signed_words(kind, high, unit, places)})"
        )
    ends = sorted((abs(low), abs(high)))
    return f"({level} {_number(ends[0], places)} to {_number(ends[1], places)}{unit})"


def _comparison_headline(
    kind: Kind,
    measure: str,
    arm: str,
    control: str,
    details: Details,
    effect: str,
    interval: str,
    low: float | None,
    high: float | None,
    null: float,
    words: Wording,
) -> str:
    subject_t = _capital(words.subject(arm))
    subject_c = words.subject(control)
    clear = low is not None and high is not None and (low > null or high < null)
    if not clear:
        question = {
            "proportion": f"are more or less likely to have {words.outcome} than",
            "mean": f"have a higher or lower average {words.outcome} than",
            "rate": f"have {words.outcome} at a higher or lower rate than",
            "time_to_event": f"{words.outcome} sooner or later than",
        }[kind]
        return (
            f"The trial cannot tell whether {words.subject(arm)} {question} {subject_c}: "
            f"the estimate is {effect} {interval}."
        )
    if kind == "proportion":
        assert isinstance(details, stats.ProportionComparison)
        return (
            f"{100.0 * details.rate_t:.1f}% of {words.subject(arm)} {words.outcome}, against "
            f"{100.0 * details.rate_c:.1f}% of {subject_c}: {effect} {interval}."
        )
    if kind == "mean":
        assert isinstance(details, stats.MeanComparison)
        return (
            f"{subject_t} had an average {words.outcome} of "
            f"{_number(details.mean_t)}{_unit(words)} against {_number(details.mean_c)} for "
            f"{subject_c}: {effect} {interval}."
        )
    if kind == "rate":
        return f"{subject_t} had {words.outcome} at {effect} of {subject_c} {interval}."
    assert isinstance(details, SurvivalComparison)
    if measure == "difference in median time":
        return f"{subject_t} {words.outcome} {effect} than {subject_c} {interval}."
    return (
        f"Within the first {_number(details.horizon)}{_unit(words)}, {words.subject(arm)} "
        f"{words.outcome} {effect} than {subject_c} {interval}."
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _outcome_headline(
    comparisons: Sequence[Comparison],
    control: str,
    withheld: bool,
    check: AllocationCheck | None,
    primary: bool,
) -> str:
    if withheld and check is not None:
        return (
            "The headline result is withheld because the allocation check failed: the numbers "
            f"per arm ({', '.join(str(o) for o in check.observed)}) differ from the designed ratio "
            f"more than chance allows (p = {check.p_value:.2g})."
        )
    if len(comparisons) == 1:
        return comparisons[0].headline
    clear = sum(
        1
        for c in comparisons
        if (c.p_adjusted if c.p_adjusted is not None else c.p_value) < c.alpha
    )
    allowance = " after allowing for comparing several arms (Holm)" if primary else ""
    return (
        f"{clear} of the {len(comparisons)} arms compared with the {control} arm "
        f"{'shows' if clear == 1 else 'show'} a clear difference{allowance}; each arm's result "
        "is given below."
    )


def _interim(headline: str, analysis_date: date | None) -> str:
    when = f"{analysis_date.day} {analysis_date:%B %Y}" if analysis_date else "the planned date"
    lowered = headline[:1].lower() + headline[1:]
    return f"Interim result, before the planned analysis date of {when}: {lowered}"


# --------------------------------------------------------------------------------------------
# Honest verdict
# --------------------------------------------------------------------------------------------


def judge(
    ci_low: float,
    ci_high: float,
    *,
    criterion: float,
    direction: Direction,
    null_value: float = 0.0,
) -> Literal["met", "not met", "inconclusive"]:
    """Truth table of the verdict, on the interval alone.

    ``criterion`` is the locked minimum effect, a non-negative size in natural units measured
    from ``null_value`` in the better ``direction`` (10 with "lower" means "at least 10 days
    sooner"; for a rate ratio, 0.2 with "lower" means a ratio of 0.8 or below). On the benefit
    scale (the difference turned so that better is positive) with interval ``[L, U]`` and
    threshold ``c``:

    =============================  ===============  ====================================
    interval                       verdict          why
    =============================  ===============  ====================================
    ``L >= c`` and ``L > 0``       met              every value the data allow clears c
    ``U < c``                      not met          the effect needed is ruled out (even
                                                    if the interval includes no effect:
                                                    it is then precise enough to say the
                                                    effect is too small to matter)
    otherwise (``L < c <= U``)     inconclusive     the interval spans the criterion: it
                                                    contains the effect needed and either
                                                    no effect or a smaller one
    =============================  ===============  ====================================

    So "not met" is never an underpowered null: an interval that spans both the criterion and
    no effect is "inconclusive" (DESIGN.md "Honest evidence").
    """
    if criterion < 0 or not math.isfinite(criterion):
        raise StatsRefusal("The success criterion must be a size of effect of zero or more.")
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)) or ci_low > ci_high:
        raise StatsRefusal("The verdict needs a finite interval with its lower end first.")
    sign = 1.0 if direction == "higher" else -1.0
    if direction not in ("higher", "lower"):
        raise StatsRefusal('The better direction must be "higher" or "lower".')
    low, high = sorted((sign * (ci_low - null_value), sign * (ci_high - null_value)))
    if low >= criterion and low > 0:
        return "met"
    if high < criterion:
        return "not met"
    return "inconclusive"


def verdict(
    comparison: Comparison,
    *,
    criterion: float,
    direction: Direction,
    design: Design,
    selected_on_high_baseline: bool = False,
    interim: bool = False,
    words: Wording | None = None,
) -> Verdict:
    """The honest verdict for one comparison against the locked criterion (see :func:`judge`).

    Always adds the caveats that apply: a before-and-after design cannot show cause; units picked
    for high baseline values regress to the mean; an interim look may change. Refuses when the
    comparison has no interval. Use :func:`verdict_for` to start from an :class:`OutcomeAnalysis`
    (it refuses when the allocation check failed).
    """
    if comparison.ci_low is None or comparison.ci_high is None:
        raise StatsRefusal("This result has no interval, so no verdict can be given.")
    words = words or Wording()
    outcome = judge(
        comparison.ci_low,
        comparison.ci_high,
        criterion=criterion,
        direction=direction,
        null_value=comparison.null_value,
    )
    needed = _criterion_phrase(comparison, criterion, direction, words)
    subject = words.subject(comparison.arm)
    result = f"{comparison.effect_phrase} {comparison.interval_phrase}"
    if outcome == "met":
        headline = (
            f"The goal was met: the estimate for {subject} is {result}, and even the least "
            f"favourable end of the interval clears the {needed} set as the success criterion."
        )
    elif outcome == "not met":
        sign = 1.0 if direction == "higher" else -1.0
        worse = (
            sign * (comparison.ci_high - comparison.null_value) < 0
            and sign * (comparison.ci_low - comparison.null_value) < 0
        )
        tail = (
            ", and the whole interval is on the side of doing worse"
            if worse
            else (
                ", and even the most favourable end of the interval falls short of the "
                f"{needed} set as the success criterion"
            )
        )
        headline = f"The goal was not met: the estimate for {subject} is {result}{tail}."
    else:
        sign = 1.0 if direction == "higher" else -1.0
        low = min(
            sign * (comparison.ci_low - comparison.null_value),
            sign * (comparison.ci_high - comparison.null_value),
        )
        if low > 0:
            headline = (
                f"The trial cannot tell whether the improvement reaches the {needed} set as the "
                f"success criterion: the estimate for {subject} is {result}."
            )
        else:
            headline = (
                f"The trial cannot tell whether {subject} did better by the {needed} set as the "
                f"success criterion, or at all: the estimate is {result}."
            )
    caveats = _caveats(design, selected_on_high_baseline, interim)
    return Verdict(outcome=outcome, headline=headline, caveats=caveats)


def verdict_for(
    analysis: OutcomeAnalysis,
    *,
    criterion: float,
    direction: Direction,
    design: Design,
    arm: str | None = None,
    selected_on_high_baseline: bool = False,
    words: Wording | None = None,
) -> Verdict:
    """The verdict for ``arm`` (default: the only non-control arm) of an analysed outcome."""
    if analysis.withheld:
        raise StatsRefusal(
            "The allocation check failed, so no verdict is given until the allocation is explained."
        )
    chosen = [c for c in analysis.comparisons if arm is None or c.arm == arm]
    if len(chosen) != 1:
        raise StatsRefusal("Name the arm to judge: the trial has several arms.")
    return verdict(
        chosen[0],
        criterion=criterion,
        direction=direction,
        design=design,
        selected_on_high_baseline=selected_on_high_baseline,
        interim=analysis.interim,
        words=words,
    )


def _criterion_phrase(
    comparison: Comparison, criterion: float, direction: Direction, words: Wording
) -> str:
    if comparison.kind == "proportion":
        return f"{_number(100.0 * criterion)} percentage points"
    if comparison.kind == "rate":
        return f"{_number(100.0 * criterion)}% change in the rate"
    if comparison.kind == "time_to_event":
        better = "sooner" if direction == "lower" else "later"
        return f"{_number(criterion)}{_unit(words)} {better}"
    return f"{_number(criterion)}{_unit(words)}"


def _caveats(design: Design, selected_on_high_baseline: bool, interim: bool) -> tuple[str, ...]:
    caveats = []
    if design == "before and after":
        caveats.append(
            "A before-and-after comparison cannot show that the change caused the difference: "
            "other things changed over the same period."
        )
    elif design == "comparison group":
        caveats.append(
            "The comparison group was not chosen at random, so differences between the groups "
            "other than the change may explain some of the result."
        )
    if selected_on_high_baseline:
        if design in ("randomised", "cluster randomised"):
            caveats.append(
                "Units were picked for high starting values, so both arms will tend to improve on "
                "their own (regression to the mean): only the difference between arms shows the "
                "effect, not the change over time."
            )
        else:
            caveats.append(
                "Units were picked for high starting values, so part of any improvement would have "
                "happened anyway (regression to the mean)."
            )
    if interim:
        caveats.append(
            "This is an interim look before the planned analysis date; the result may change."
        )
    return tuple(caveats)
