"""Seeded, reproducible allocation of trial units to arms, the balance table, and the check of
the realised allocation against the designed ratio.

Pure Python on numpy and scipy; no Django imports, so the trials app can wrap it later.

Reproducibility
---------------
Every allocation is driven by ``numpy.random.Generator(PCG64(seed))`` and depends only on the
*set* of units (and their strata / clusters), the arms, the ratio, the method and the seed:
units are sorted by their identifier (as text) before allocation, so re-uploading the same list
in a different row order gives the same arm to every unit. The ``method`` string stored with
the allocation names the algorithm version, so a stored allocation can be re-derived and
audited later.

Methods
-------
* ``"simple"``: complete randomisation of the whole list. The arm labels are laid out in
  permuted blocks of the ratio (one block = ``sum(ratio) * block_multiplier`` labels) and the
  last, partial block is cut short, so arm sizes match the ratio up to one block.
* ``"stratified"``: the same permuted blocks, restarted within each stratum, so every stratum
  is balanced up to one (partial) block.
* ``"cluster"``: clusters (e.g. streets) are allocated as in ``"stratified"`` (with strata given
  at cluster level, or one stratum), and every unit follows its cluster.

References:
    Schulz KF, Grimes DA (2002). Generation of allocation sequences in randomised trials: chance,
    not choice. Lancet 359:515-519 (permuted blocks; stratification).
    Donner A, Klar N (2000). Design and Analysis of Cluster Randomization Trials in Health
    Research. Arnold (allocating clusters).
    Austin PC (2009). Balance diagnostics for comparing the distribution of baseline covariates
    between treatment groups in propensity-score matched samples. Stat Med 28:3083-3107 (the
    standardised mean difference).
"""

from __future__ import annotations

import math
import numbers
import secrets
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.random import PCG64, Generator
from numpy.typing import NDArray
from scipy.special import chdtrc

from whatworks.stats import StatsRefusal

Method = Literal["simple", "stratified", "cluster"]

#: Bumped whenever the algorithm changes, so that a stored allocation names the code that made it.
ALGORITHM_VERSION = "whatworks-randomise-1"

#: Below this p-value the realised allocation is too unlikely under the designed ratio to trust.
ALLOCATION_CHECK_THRESHOLD = 0.001


@dataclass(frozen=True)
class Allocation:
    """The result of :func:`allocate`.

    ``units`` and ``arms`` are in the order the units were given; ``seed`` and ``method`` are
    what must be stored to reproduce the allocation exactly.
    """

    units: tuple[str, ...]
    arms: tuple[str, ...]
    arm_names: tuple[str, ...]
    ratio: tuple[int, ...]
    seed: int
    method: str
    kind: Method
    block_size: int

    def as_dict(self) -> dict[str, str]:
        """Unit identifier to arm name."""
        return dict(zip(self.units, self.arms, strict=True))

    def counts(self) -> dict[str, int]:
        """Units per arm, in the order of ``arm_names``."""
        tally = Counter(self.arms)
        return {name: tally.get(name, 0) for name in self.arm_names}


@dataclass(frozen=True)
class AllocationCheck:
    """Result of :func:`check_allocation`: Pearson chi-square goodness of fit to the ratio."""

    observed: tuple[int, ...]
    expected: tuple[float, ...]
    statistic: float
    df: int
    p_value: float
    failed: bool
    message: str


@dataclass(frozen=True)
class BalanceRow:
    """One line of the balance table.

    For a numeric column ``level`` is ``None`` and each arm has ``(n, mean, sd)``; for a level of a
    categorical column each arm has ``(count, percent)``. ``smd`` holds the standardised mean
    difference of each arm against the first arm (``None`` for the first arm itself and when it
    is undefined because both arms have no spread).
    """

    column: str
    level: str | None
    kind: Literal["numeric", "categorical"]
    n: tuple[int, ...]
    mean: tuple[float | None, ...]
    sd: tuple[float | None, ...]
    count: tuple[int, ...]
    percent: tuple[float | None, ...]
    smd: tuple[float | None, ...]
    missing: tuple[int, ...]


@dataclass(frozen=True)
class BalanceTable:
    """Result of :func:`balance_table`: rows for every baseline column (and categorical level)."""

    arm_names: tuple[str, ...]
    rows: tuple[BalanceRow, ...]


# --------------------------------------------------------------------------------------------
# Allocation
# --------------------------------------------------------------------------------------------


def allocate(
    units: Sequence[Hashable],
    arm_names: Sequence[str],
    *,
    ratio: Sequence[int] | None = None,
    method: Method = "simple",
    strata: Sequence[Hashable] | None = None,
    clusters: Sequence[Hashable] | None = None,
    seed: int | None = None,
    block_multiplier: int = 1,
) -> Allocation:
    """Allocate ``units`` to ``arm_names`` in the given ``ratio`` (default equal).

    ``strata`` (one label per unit) is required for ``"stratified"`` and optional for
    ``"cluster"``, where it must be constant within each cluster. ``clusters`` (one label per
    unit) is required for ``"cluster"``. A ``seed`` of ``None`` draws a fresh one from the
    operating system; either way the seed used is returned, to be stored.

    Method: permuted blocks of size ``sum(ratio) * block_multiplier`` (Schulz & Grimes 2002),
    restarted in each stratum, each block shuffled by ``Generator(PCG64(seed)).permuted``.
    Refuses (:class:`StatsRefusal`) on duplicate or missing units, fewer than two arms, bad
    ratios, missing strata or clusters, or a cluster that spans two strata.
    """
    names = _check_arms(arm_names)
    weights = _check_ratio(ratio, len(names))
    ids = _check_units(units)
    if isinstance(block_multiplier, bool) or not isinstance(block_multiplier, int):
        raise StatsRefusal("The block multiplier must be a whole number.")
    if block_multiplier < 1:
        raise StatsRefusal("The block multiplier must be at least 1.")
    if seed is None:
        seed = secrets.randbits(63)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise StatsRefusal("The seed must be a non-negative whole number.")
    seed = int(seed)
    block = np.repeat(np.arange(len(names)), weights * block_multiplier)
    rng = Generator(PCG64(seed))

    if method == "simple":
        if strata is not None or clusters is not None:
            raise StatsRefusal("Simple allocation takes no strata or clusters; choose another.")
        groups = {"": list(range(len(ids)))}
        codes = _allocate_groups(ids, groups, block, rng)
        described = "complete randomisation in permuted blocks"
    elif method == "stratified":
        if strata is None:
            raise StatsRefusal("Stratified allocation needs a stratum for every unit.")
        if clusters is not None:
            raise StatsRefusal("For clusters choose cluster allocation (with optional strata).")
        labels = _check_labels(strata, len(ids), "stratum")
        codes = _allocate_groups(ids, _group_indices(labels), block, rng)
        described = f"permuted blocks within {len(set(labels))} strata"
    elif method == "cluster":
        codes, described = _allocate_clusters(ids, clusters, strata, block, rng)
    else:
        raise StatsRefusal('The method must be "simple", "stratified" or "cluster".')

    ratio_text = ":".join(str(w) for w in weights)
    method_text = (
        f"{method}: {described}; arms {', '.join(names)}; ratio {ratio_text}; block size "
        f"{block.size}; units sorted by identifier; numpy PCG64 seed {seed}; {ALGORITHM_VERSION}"
    )
    return Allocation(
        units=tuple(ids),
        arms=tuple(names[c] for c in codes),
        arm_names=tuple(names),
        ratio=tuple(int(w) for w in weights),
        seed=seed,
        method=method_text,
        kind=method,
        block_size=int(block.size),
    )


def _allocate_groups(
    ids: Sequence[str],
    groups: Mapping[str, list[int]],
    block: NDArray[np.intp],
    rng: Generator,
) -> NDArray[np.intp]:
    """Fill each group (stratum), in sorted group order, with permuted blocks of arm codes.

    Within a group the units are taken in sorted identifier order, so the result depends on the
    set of units and not on their row order.
    """
    codes = np.empty(len(ids), dtype=np.intp)
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda i: ids[i])
        n_blocks = math.ceil(len(members) / block.size)
        # One row per block, each row shuffled independently: a permuted-block sequence.
        sequence = rng.permuted(np.tile(block, (n_blocks, 1)), axis=1).ravel()[: len(members)]
        codes[members] = sequence
    return codes


def _allocate_clusters(
    ids: Sequence[str],
    clusters: Sequence[Hashable] | None,
    strata: Sequence[Hashable] | None,
    block: NDArray[np.intp],
    rng: Generator,
) -> tuple[NDArray[np.intp], str]:
    """Allocate clusters (optionally stratified at cluster level); units inherit their arm."""
    if clusters is None:
        raise StatsRefusal("Cluster allocation needs a cluster for every unit.")
    cluster_of = _check_labels(clusters, len(ids), "cluster")
    stratum_of_cluster: dict[str, str] = {}
    if strata is not None:
        stratum_labels = _check_labels(strata, len(ids), "stratum")
        for cluster, stratum in zip(cluster_of, stratum_labels, strict=True):
            if stratum_of_cluster.setdefault(cluster, stratum) != stratum:
                raise StatsRefusal(
                    f"Cluster {cluster} has units in more than one stratum; a cluster must lie "
                    "in a single stratum."
                )
    cluster_ids = sorted(set(cluster_of))
    groups: dict[str, list[int]] = {}
    for position, cluster in enumerate(cluster_ids):
        groups.setdefault(stratum_of_cluster.get(cluster, ""), []).append(position)
    cluster_codes = _allocate_groups(cluster_ids, groups, block, rng)
    arm_of_cluster = dict(zip(cluster_ids, cluster_codes, strict=True))
    codes = np.fromiter((arm_of_cluster[c] for c in cluster_of), dtype=np.intp, count=len(ids))
    where = f" within {len(groups)} strata" if strata is not None else ""
    return codes, f"{len(cluster_ids)} clusters allocated in permuted blocks{where}"


def _check_arms(arm_names: Sequence[str]) -> list[str]:
    names = [str(name) for name in arm_names]
    if len(names) < 2:
        raise StatsRefusal("A trial needs at least two arms.")
    if len(set(names)) != len(names):
        raise StatsRefusal("Each arm needs a different name.")
    return names


def _check_ratio(ratio: Sequence[int] | None, k: int) -> NDArray[np.intp]:
    if ratio is None:
        return np.ones(k, dtype=np.intp)
    if len(ratio) != k:
        raise StatsRefusal(f"The allocation ratio needs one number for each of the {k} arms.")
    if any(isinstance(w, bool) or not isinstance(w, numbers.Integral) for w in ratio):
        raise StatsRefusal("The allocation ratio must be whole numbers, e.g. 2:1.")
    if any(w < 1 for w in ratio):
        raise StatsRefusal("Every arm's share of the allocation ratio must be at least 1.")
    return np.asarray([int(w) for w in ratio], dtype=np.intp)


def _check_units(units: Sequence[Hashable]) -> list[str]:
    ids = [_label(u) for u in units]
    if not ids:
        raise StatsRefusal("There are no units to allocate.")
    if any(u == "" for u in ids):
        raise StatsRefusal("Some units have no identifier.")
    seen: set[str] = set()
    for unit in ids:
        if unit in seen:
            raise StatsRefusal(f"Unit {unit} appears more than once; each unit must be unique.")
        seen.add(unit)
    return ids


def _check_labels(labels: Sequence[Hashable], n: int, what: str) -> list[str]:
    values = [_label(v) for v in labels]
    if len(values) != n:
        raise StatsRefusal(f"There are {len(values)} {what} labels but {n} units.")
    if any(v == "" for v in values):
        raise StatsRefusal(f"Some units have no {what}.")
    return values


def _label(value: Any) -> str:
    """Text form of an identifier; missing values (None, NaN, blank) become ``""``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _group_indices(labels: Sequence[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    return groups


# --------------------------------------------------------------------------------------------
# Allocation check
# --------------------------------------------------------------------------------------------


def check_allocation(
    observed: Sequence[int] | Mapping[str, int],
    ratio: Sequence[float],
    *,
    unit: str = "units",
) -> AllocationCheck:
    """Does the realised number per arm fit the designed ratio?

    Method: Pearson chi-square goodness of fit (as ``scipy.stats.chisquare``) of the counts per arm
    against ``total * ratio / sum(ratio)``, on ``k - 1`` degrees of freedom. ``failed`` when
    ``p < 0.001``: a gap that large almost never arises from the allocation procedure itself and
    suggests units were moved, dropped or added after allocation (CONSORT 2010 item 8; Altman DG
    & Doré CJ (1990). Randomisation and baseline comparisons in clinical trials. Lancet
    335:149-153). For cluster trials pass the number of *clusters* per arm.
    """
    counts = list(observed.values()) if isinstance(observed, Mapping) else list(observed)
    if len(counts) != len(ratio):
        raise StatsRefusal("The allocation check needs one designed share for each arm.")
    if len(counts) < 2:
        raise StatsRefusal("The allocation check needs at least two arms.")
    if any(isinstance(c, bool) or not isinstance(c, numbers.Integral) or c < 0 for c in counts):
        raise StatsRefusal("The numbers allocated to each arm must be whole numbers.")
    shares = np.asarray(ratio, dtype=float)
    if not np.all(np.isfinite(shares)) or np.any(shares <= 0):
        raise StatsRefusal("Every arm's designed share must be greater than zero.")
    total = int(sum(counts))
    if total == 0:
        raise StatsRefusal("No units were allocated, so there is nothing to check.")
    expected = total * shares / shares.sum()
    # Pearson's statistic by hand and the chi-square tail from scipy.special: the same numbers
    # as scipy.stats.chisquare (tested), without its ~1 ms of argument handling, which would be
    # a visible share of a 1,000,000-row analysis that otherwise takes a few milliseconds.
    gaps = np.asarray(counts, dtype=float) - expected
    statistic = float(np.sum(gaps * gaps / expected))
    p_value = float(chdtrc(len(counts) - 1, statistic))
    failed = bool(p_value < ALLOCATION_CHECK_THRESHOLD)
    observed_text = ", ".join(str(int(c)) for c in counts)
    expected_text = ", ".join(f"{e:.1f}" for e in expected)
    if failed:
        message = (
            f"Allocation check failed: the {unit} per arm ({observed_text}) are further from the "
            f"designed ratio (expected {expected_text}) than chance allows (p = {p_value:.2g}), "
            "so the headline result is withheld until the allocation is explained."
        )
    else:
        message = (
            f"Allocation check passed: the {unit} per arm ({observed_text}) are consistent with "
            f"the designed ratio (expected {expected_text}; p = {p_value:.2g})."
        )
    return AllocationCheck(
        observed=tuple(int(c) for c in counts),
        expected=tuple(float(e) for e in expected),
        statistic=float(statistic),
        df=len(counts) - 1,
        p_value=float(p_value),
        failed=failed,
        message=message,
    )


# --------------------------------------------------------------------------------------------
# Balance table
# --------------------------------------------------------------------------------------------


def balance_table(
    arms: Sequence[str],
    columns: Mapping[str, Sequence[Any]],
    *,
    arm_names: Sequence[str] | None = None,
    categorical: Sequence[str] = (),
) -> BalanceTable:
    """Baseline characteristics per arm, with the standardised mean difference against the first.

    A column is treated as numeric when every non-missing value is a number, unless named in
    ``categorical``. Missing values (``None``, NaN, blank text) are left out and counted.

    * Numeric: n, mean, SD (n - 1); SMD ``(mean_k - mean_1) / sqrt((sd_k**2 + sd_1**2) / 2)``.
    * Categorical: count and % of each level; SMD per level on the proportions,
      ``(p_k - p_1) / sqrt((p_k(1 - p_k) + p_1(1 - p_1)) / 2)``.

    Reference: Austin PC (2009), Stat Med 28:3083-3107. An |SMD| above 0.1 is the usual flag for
    an imbalance worth adjusting for; significance tests of baseline differences are not shown,
    because after randomisation any difference is by definition due to chance (CONSORT 2010).
    """
    labels = [str(a) for a in arms]
    names = _check_arms(arm_names) if arm_names is not None else _first_seen(labels)
    if len(names) < 2:
        raise StatsRefusal("A balance table needs at least two arms.")
    index = {name: k for k, name in enumerate(names)}
    unknown = sorted({a for a in labels if a not in index})
    if unknown:
        raise StatsRefusal(f"Unknown arm {unknown[0]!r}; expected one of {', '.join(names)}.")
    codes = np.fromiter((index[a] for a in labels), dtype=np.intp, count=len(labels))
    rows: list[BalanceRow] = []
    for column, values in columns.items():
        if len(values) != len(labels):
            raise StatsRefusal(
                f"The column {column!r} has {len(values)} values, not {len(labels)}."
            )
        numeric = _as_numeric(values)
        if numeric is not None and column not in categorical:
            rows.append(_numeric_row(column, numeric, codes, len(names)))
        else:
            rows.extend(_categorical_rows(column, values, codes, len(names)))
    return BalanceTable(arm_names=tuple(names), rows=tuple(rows))


def _first_seen(labels: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(labels))


def _as_numeric(values: Sequence[Any]) -> NDArray[np.float64] | None:
    """Floats with NaN for missing, or ``None`` when any present value is not a number."""
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and not v.strip()):
            out[i] = math.nan
        elif isinstance(v, numbers.Real) and not isinstance(v, bool):
            out[i] = float(v)
        else:
            return None
    return out


def _numeric_row(
    column: str, x: NDArray[np.float64], codes: NDArray[np.intp], k: int
) -> BalanceRow:
    present = ~np.isnan(x)
    ns, means, sds, missing = [], [], [], []
    for arm in range(k):
        values = x[(codes == arm) & present]
        ns.append(int(values.size))
        missing.append(int(np.sum((codes == arm) & ~present)))
        means.append(float(values.mean()) if values.size else None)
        sds.append(float(values.std(ddof=1)) if values.size >= 2 else None)
    smd: list[float | None] = [None]
    for arm in range(1, k):
        smd.append(_smd(means[arm], sds[arm], means[0], sds[0]))
    return BalanceRow(
        column=column,
        level=None,
        kind="numeric",
        n=tuple(ns),
        mean=tuple(means),
        sd=tuple(sds),
        count=tuple(ns),
        percent=tuple(None for _ in range(k)),
        smd=tuple(smd),
        missing=tuple(missing),
    )


def _smd(m1: float | None, s1: float | None, m0: float | None, s0: float | None) -> float | None:
    if None in (m1, s1, m0, s0):
        return None
    pooled = math.sqrt((s1 * s1 + s0 * s0) / 2.0)  # type: ignore[operator]
    if pooled == 0.0:
        return None
    return (m1 - m0) / pooled  # type: ignore[operator]


def _categorical_rows(
    column: str, values: Sequence[Any], codes: NDArray[np.intp], k: int
) -> list[BalanceRow]:
    text = [_label(v) for v in values]
    levels = sorted({t for t in text if t})
    present = np.array([t != "" for t in text], dtype=bool)
    totals = np.bincount(codes[present], minlength=k)
    missing = np.bincount(codes[~present], minlength=k)
    rows = []
    for level in levels:
        hit = np.array([t == level for t in text], dtype=bool)
        count = np.bincount(codes[hit], minlength=k)
        share = [count[a] / totals[a] if totals[a] else None for a in range(k)]
        smd: list[float | None] = [None]
        for arm in range(1, k):
            p1, p0 = share[arm], share[0]
            if p1 is None or p0 is None:
                smd.append(None)
                continue
            spread = math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2.0)
            smd.append((p1 - p0) / spread if spread > 0 else None)
        rows.append(
            BalanceRow(
                column=column,
                level=level,
                kind="categorical",
                n=tuple(int(t) for t in totals),
                mean=tuple(None for _ in range(k)),
                sd=tuple(None for _ in range(k)),
                count=tuple(int(c) for c in count),
                percent=tuple(None if s is None else 100.0 * s for s in share),
                smd=tuple(smd),
                missing=tuple(int(m) for m in missing),
            )
        )
    return rows
