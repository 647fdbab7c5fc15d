"""The entry point: one outcome of a trial, each non-control arm against control.

Inputs are one row per *allocated* unit (numpy arrays or sequences of equal length): the arm,
the outcome (NaN where no outcome was recorded, which is how attrition is counted), and
optionally a baseline value, a cluster id, an exposure (for counts) or an event flag (for time
to event). Arms are either integer codes ``0..k-1`` with ``arm_labels`` naming them (the fast
path: no string work at all), or labels. The control arm is ``control`` (default: the first
label); every comparison is **arm minus control** (ratios are arm over control).

Multiplicity: Holm across the arms of the primary outcome, Benjamini-Hochberg across every
comparison of the secondary outcomes (:func:`adjust_secondary`).

References:
    Moher D et al. (2010). CONSORT 2010 explanation and elaboration. BMJ 340:c869 (attrition).
    Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. JRSS B 57:289-300.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np
from numpy.typing import ArrayLike

from whatworks import stats
from whatworks.stats import StatsRefusal

from .estimators import compare_linear, compare_rates, compare_survival, with_adjusted_p
from .inputs import (
    Context,
    allocation_check,
    arm_codes,
    attrition,
    attrition_notes,
    bincount,
    check_alpha,
    cluster_codes,
    control_code,
    default_wording,
    float_column,
    outcome_check,
    present_mask,
    strata_codes,
)
from .results import Kind, OutcomeAnalysis
from .wording import Wording, interim, outcome_headline


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
    check withholds the headline; the units (clusters) with outcomes are checked too, and a
    failure there is a warning carried into every verdict (differential attrition). ``strata``
    (unit level, constant within a cluster) restricts the permutations of the randomisation test
    to within strata. ``seed`` drives the permutations and the bootstrap, so the same inputs
    always give the same numbers.

    Raises :class:`StatsRefusal` with a reason for degenerate input: an empty arm, an arm with no
    outcomes, all-censored time to event, a single cluster in an arm, a cluster in two arms.
    """
    alpha = check_alpha(alpha)
    words = default_wording(kind, wording)
    codes, labels = arm_codes(arms, arm_labels)
    k = len(labels)
    control_index = control_code(labels, control)
    y = float_column(outcome, codes.size, "The outcome")
    present = present_mask(y, events, kind, codes.size)
    allocated = bincount(codes, k)
    if np.any(allocated == 0):
        empty = labels[int(np.argmin(allocated))]
        raise StatsRefusal(f"The {empty} arm has no units allocated to it.")
    observed = allocated if present is None else np.bincount(codes[present], minlength=k)
    clustered = None if clusters is None else cluster_codes(clusters, codes, labels)

    counts = attrition(labels, allocated, observed, clustered, codes, present)
    for row in counts:
        if row.with_outcome == 0:
            raise StatsRefusal(f"The {row.arm} arm has no recorded outcomes.")
    check = allocation_check(counts, ratio, clustered=clustered is not None)
    analysed_check = outcome_check(counts, ratio, clustered=clustered is not None)
    notes = list(attrition_notes(counts))
    if analysed_check is not None and analysed_check.failed:
        notes.append(analysed_check.message)

    context = Context(
        codes=codes,
        labels=labels,
        control=control_index,
        y=y,
        present=present,
        observed=observed,
        baseline=None if baseline is None else float_column(baseline, codes.size, "The baseline"),
        clusters=clustered,
        strata=None if strata is None else strata_codes(strata, codes.size),
        alpha=alpha,
        seed=seed,
        permutations=permutations,
        bootstrap=bootstrap,
        words=words,
    )
    if kind in ("proportion", "mean"):
        comparisons = compare_linear(context, kind, notes)
    elif kind == "rate":
        if exposure is None:
            raise StatsRefusal("Counts need an exposure (time or population at risk) per unit.")
        comparisons = compare_rates(context, float_column(exposure, codes.size, "The exposure"))
    elif kind == "time_to_event":
        if events is None:
            raise StatsRefusal("Time to event needs an event flag (1 happened, 0 censored).")
        if clustered is not None:
            raise StatsRefusal(
                "Time-to-event analysis of cluster-randomised trials is not supported yet; "
                "analyse a cluster-level outcome instead."
            )
        flags = float_column(events, codes.size, "The event flags")
        comparisons = compare_survival(context, flags, horizon, within)
    else:
        raise StatsRefusal(
            'The outcome kind must be "proportion", "mean", "rate" or "time_to_event".'
        )

    if primary:
        comparisons = with_adjusted_p(comparisons, "holm")
    early = analysis_date is not None and analysed_on is not None and analysed_on < analysis_date
    withheld = check is not None and check.failed
    headline = outcome_headline(comparisons, labels[control_index], withheld, check, primary)
    if early:
        headline = interim(headline, analysis_date)
        comparisons = [replace(c, headline=interim(c.headline, analysis_date)) for c in comparisons]
    if withheld:
        comparisons = [replace(c, headline=headline) for c in comparisons]
    return OutcomeAnalysis(
        kind=kind,
        arms=labels,
        control=labels[control_index],
        primary=primary,
        attrition=counts,
        allocation_check=check,
        outcome_check=analysed_check,
        comparisons=tuple(comparisons),
        withheld=withheld,
        interim=early,
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
