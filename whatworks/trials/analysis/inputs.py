"""Preparing the columns: arm codes, clusters, strata, who has an outcome, and the checks on
the numbers per arm (allocated, and with outcomes).

One pass each, no pandas: a million units cost a few ``np.bincount`` sweeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from whatworks.stats import StatsRefusal
from whatworks.trials.randomise import AllocationCheck, check_allocation

from .results import ArmCount, Kind
from .wording import Wording


@dataclass(frozen=True)
class Context:
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


def default_wording(kind: Kind, wording: Wording | None) -> Wording:
    """Fill in words the caller left out, suited to the kind of outcome."""
    words = wording or Wording()
    if words.outcome == Wording.outcome and kind in ("mean", "rate"):
        words = replace(words, outcome="outcome" if kind == "mean" else "events")
    if not words.measure_unit and kind == "time_to_event":
        words = replace(words, measure_unit="days")
    return words


def check_alpha(alpha: float) -> float:
    if not isinstance(alpha, int | float) or not 0.0 < float(alpha) < 1.0:
        raise StatsRefusal("The significance level (alpha) must be between 0 and 1, e.g. 0.05.")
    return float(alpha)


def arm_codes(
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
        return array.astype(np.intp, copy=False), distinct_labels(labels)
    text = array.astype(str)
    found, inverse = np.unique(text, return_inverse=True)
    labels = distinct_labels(tuple(arm_labels) if arm_labels is not None else tuple(found))
    lookup = {label: i for i, label in enumerate(labels)}
    unknown = [f for f in found if f not in lookup]
    if unknown:
        raise StatsRefusal(f"Unknown arm {unknown[0]!r}; expected one of {', '.join(labels)}.")
    remap = np.array([lookup[f] for f in found], dtype=np.intp)
    return remap[inverse], labels


def distinct_labels(labels: tuple[str, ...]) -> tuple[str, ...]:
    if len(labels) < 2:
        raise StatsRefusal("A comparison needs at least two arms.")
    if len(set(labels)) != len(labels):
        raise StatsRefusal("Each arm needs a different name.")
    return labels


def control_code(labels: tuple[str, ...], control: str | None) -> int:
    if control is None:
        return 0
    if control not in labels:
        raise StatsRefusal(f"The control arm {control!r} is not one of {', '.join(labels)}.")
    return labels.index(control)


def bincount(codes: NDArray[np.intp], k: int, weights: NDArray[Any] | None = None) -> NDArray[Any]:
    """``np.bincount`` that refuses codes outside ``0..k-1`` (bincount rejects negatives itself)."""
    try:
        counts = np.bincount(codes, weights=weights, minlength=k)
    except ValueError:
        raise StatsRefusal("Some arm codes are negative; codes must be 0 to k - 1.") from None
    if counts.size > k:
        raise StatsRefusal(f"Some arm codes are {counts.size - 1} or more; there are {k} arms.")
    return counts


def float_column(values: ArrayLike, n: int, label: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise StatsRefusal(f"{label} contains something that is not a number.") from None
    if array.shape != (n,):
        raise StatsRefusal(f"{label} has {array.size} values but there are {n} units.")
    return array


def present_mask(
    y: NDArray[np.float64], events: ArrayLike | None, kind: Kind, n: int
) -> NDArray[np.bool_] | None:
    """Mask of units with an outcome, or ``None`` when every unit has one (saves copies)."""
    missing = np.isnan(y)
    if kind == "time_to_event" and events is not None:
        missing |= np.isnan(np.asarray(events, dtype=float))
    if not missing.any():
        return None
    return ~missing


def cluster_codes(
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


def strata_codes(strata: ArrayLike, n: int) -> NDArray[np.intp]:
    raw = np.asarray(strata)
    if raw.shape != (n,):
        raise StatsRefusal(f"There are {raw.size} strata but {n} units.")
    _, inverse = np.unique(raw.astype(str), return_inverse=True)
    return inverse.astype(np.intp, copy=False)


def attrition(
    labels: tuple[str, ...],
    allocated: NDArray[np.intp],
    observed: NDArray[np.intp],
    clusters: NDArray[np.intp] | None,
    codes: NDArray[np.intp],
    present: NDArray[np.bool_] | None = None,
) -> tuple[ArmCount, ...]:
    """Allocated and analysed units per arm, and with clusters allocated and analysed clusters
    (a cluster is analysed when at least one of its units has an outcome)."""
    k = len(labels)
    per_arm_clusters: list[int | None] = [None] * k
    analysed_clusters: list[int | None] = [None] * k
    if clusters is not None:
        g_count = int(clusters.max()) + 1
        arm_of_cluster = np.zeros(g_count, dtype=np.intp)
        arm_of_cluster[clusters] = codes
        per_arm_clusters = [int(c) for c in np.bincount(arm_of_cluster, minlength=k)]
        if present is None:
            analysed_clusters = list(per_arm_clusters)
        else:
            has_outcome = np.bincount(clusters[present], minlength=g_count) > 0
            analysed_clusters = [
                int(c) for c in np.bincount(arm_of_cluster[has_outcome], minlength=k)
            ]
    return tuple(
        ArmCount(
            arm=label,
            allocated=int(allocated[a]),
            with_outcome=int(observed[a]),
            missing=int(allocated[a] - observed[a]),
            percent_missing=100.0 * float(allocated[a] - observed[a]) / float(allocated[a]),
            clusters=per_arm_clusters[a],
            clusters_with_outcome=analysed_clusters[a],
        )
        for a, label in enumerate(labels)
    )


def attrition_notes(attrition: Sequence[ArmCount]) -> list[str]:
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


def allocation_check(
    attrition: Sequence[ArmCount], ratio: Sequence[float] | None, *, clustered: bool
) -> AllocationCheck | None:
    if ratio is None:
        return None
    if clustered:
        counts = [row.clusters or 0 for row in attrition]
        return check_allocation(counts, ratio, unit="clusters")
    return check_allocation([row.allocated for row in attrition], ratio, unit="units")


def outcome_check(
    attrition: Sequence[ArmCount], ratio: Sequence[float] | None, *, clustered: bool
) -> AllocationCheck | None:
    """The allocation check again, on the units (clusters) that have outcomes.

    Differential attrition leaves the allocation intact but tilts the analysed numbers: 3%
    missing in one arm against 7% in the other, at 100,000 an arm, is far beyond chance here
    while the allocated counts pass. A failure does not withhold the result (the allocation
    itself was sound) but warns, in the notes and the verdict, that the arms lost units at
    different rates (CONSORT 2010 item 13; What Works Clearinghouse attrition standard).
    """
    if ratio is None:
        return None
    if clustered:
        counts = [row.clusters_with_outcome or 0 for row in attrition]
        noun = "clusters with outcomes"
    else:
        counts = [row.with_outcome for row in attrition]
        noun = "units with outcomes"
    check = check_allocation(counts, ratio, unit=noun)
    observed = ", ".join(
        f"{row.arm} {count:,}" for row, count in zip(attrition, counts, strict=True)
    )
    if check.failed:
        message = (
            f"The {noun} per arm ({observed}) are further from the designed ratio than chance "
            f"allows (p = {check.p_value:.2g}), although the allocation was sound: the arms lost "
            "units at different rates, so the comparison may be biased if those lost differ "
            "between arms."
        )
    else:
        message = (
            f"The {noun} per arm ({observed}) are consistent with the designed ratio "
            f"(p = {check.p_value:.2g})."
        )
    return replace(check, message=message)


def pair_mask(ctx: Context, a: int) -> NDArray[np.bool_] | None:
    """Units of arm ``a`` and control with an outcome; ``None`` means "all units" (no copy)."""
    if len(ctx.labels) == 2:
        return ctx.present
    mask = (ctx.codes == a) | (ctx.codes == ctx.control)
    return mask if ctx.present is None else mask & ctx.present
