"""Checking uploaded unit lists and outcome files, row by row, before anything is written.

Files are read with ``whatworks.core.tabular.read_table`` (CSV or XLSX, encoding checks); this
module checks each row and returns whole columns, or raises :class:`UploadRejected` listing the
rows at fault. Nothing is written here: the services write only a file that passed every check
(all or nothing).
"""

from __future__ import annotations

import contextlib
import gc
import math
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from numpy.typing import NDArray

from whatworks.core.tabular import RowError, TableError, normalise_header, read_table

#: Row errors shown to the person; the count of the rest is given.
SHOWN_ERRORS = 50
UNIT = "unit_id"


class UploadRejected(ValidationError):
    """The file cannot be imported. ``row_errors`` name the rows (the first SHOWN_ERRORS)."""

    def __init__(self, message: str, row_errors: list[RowError] | None = None, total: int = 0):
        super().__init__(message)
        self.summary = message
        self.row_errors = (row_errors or [])[:SHOWN_ERRORS]
        self.total = total or len(row_errors or [])


@contextlib.contextmanager
def bulk_objects() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large file is read and checked.

    A million-row file makes millions of small objects (rows, dicts, strings) and no reference
    cycles, yet every collection pass walks all of them: on 1,000,000 rows those passes cost a
    noticeable share of the import (bench/trials_import.py). Reference counting still frees
    everything as usual; the collector is restored on the way out.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read(raw: bytes, filename: str, required: list[str], optional: list[str]) -> Any:
    try:
        return read_table(raw, required=required, optional=optional, filename=filename)
    except TableError as error:
        raise UploadRejected(error.message) from None


@contextlib.contextmanager
def _reading() -> Iterator[None]:
    """Rows are checked as the file is read (one pass: a million rows are never all held
    at once); a problem met on the way refuses the file like a problem in its header."""
    try:
        yield
    except TableError as error:
        raise UploadRejected(error.message) from None


class Errors:
    """Row errors as a file is checked: the first SHOWN_ERRORS are kept to be shown, the
    rest only counted (a million bad rows must not become a million objects in memory)."""

    def __init__(self) -> None:
        self.shown: list[RowError] = []
        self.total = 0

    def append(self, error: RowError) -> None:
        self.total += 1
        if len(self.shown) < SHOWN_ERRORS:
            self.shown.append(error)

    def __bool__(self) -> bool:
        return self.total > 0


def _reject(errors: Errors) -> None:
    if errors:
        count = errors.total
        raise UploadRejected(
            f"The file has {count:,} problem{'s' if count != 1 else ''}: nothing was imported. "
            "Correct the rows below and upload the file again.",
            errors.shown,
            count,
        )


def _number(text: str) -> float | None:
    """A number as people type it: 1,234.5 and £12 are read; '' is None; else ValueError."""
    try:
        return float(text)
    except ValueError:
        cleaned = text.replace(",", "").replace("£", "").strip()
        value = float(cleaned)  # raises ValueError: the caller names the row
        return value


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------


@dataclass
class UnitList:
    units: list[str]
    strata: list[str] | None
    clusters: list[str] | None
    baseline: dict[str, list[Any]] = field(default_factory=dict)
    filename: str = ""

    @property
    def n(self) -> int:
        return len(self.units)


PROGRESS_ROWS = 10_000


def check_units(
    raw: bytes,
    *,
    filename: str = "",
    stratified: bool = False,
    cluster_column: str = "",
    progress: Callable[[int], None] | None = None,
) -> UnitList:
    """The unit list: a ``unit_id`` column, ``stratum`` when stratified, the cluster column for
    a cluster design; every other column is a baseline characteristic for the balance table.
    ``progress`` is told the rows read so far every PROGRESS_ROWS rows (a job's page)."""
    cluster = normalise_header(cluster_column) if cluster_column else ""
    required = [UNIT] + (["stratum"] if stratified else []) + ([cluster] if cluster else [])
    table = _read(raw, filename, required, [])
    skip = {UNIT, "stratum", cluster, "arm"}
    baseline_names = [c for c in table.columns if c not in skip]
    shared_strata: dict[str, str] = {}
    shared_clusters: dict[str, str] = {}
    errors = Errors()
    seen: set[str] = set()
    units: list[str] = []
    strata: list[str] = []
    clusters: list[str] = []
    # Compact per row: a million units must fit in a few hundred MB (bench/uploads.py).
    numbers = array("l")
    baseline_texts: dict[str, list[str]] = {name: [] for name in baseline_names}
    shared: dict[str, dict[str, str]] = {name: {} for name in baseline_names}
    at = {name: i for i, name in enumerate(table.columns)}
    unit_at = at[UNIT]
    collect = [(at[name], baseline_texts[name], shared[name]) for name in baseline_names]
    with _reading():
        for rows, (number, cells) in enumerate(table.records(), start=1):
            if progress is not None and not rows % PROGRESS_ROWS:
                progress(rows)
            unit = cells[unit_at]
            if not unit:
                errors.append(RowError(number, UNIT, "Enter the unit's id: it is empty."))
            elif unit in seen:
                first = (
                    f" (first on row {numbers[units.index(unit)]})"  # found for the shown only
                    if len(errors.shown) < SHOWN_ERRORS
                    else ""
                )
                errors.append(
                    RowError(
                        number,
                        UNIT,
                        f"Unit {unit} appears more than once{first}; "
                        "each unit must be listed once.",
                    )
                )
            else:
                seen.add(unit)
            if stratified and not cells[at["stratum"]]:
                errors.append(RowError(number, "stratum", "Enter the unit's stratum."))
            if cluster and not cells[at[cluster]]:
                errors.append(RowError(number, cluster, "Enter the unit's cluster."))
            units.append(unit)
            numbers.append(number)
            if stratified:
                strata.append(_shared(shared_strata, cells[at["stratum"]]))
            if cluster:
                clusters.append(_shared(shared_clusters, cells[at[cluster]]))
            for position, texts, known in collect:
                text = cells[position]
                texts.append(known.get(text) or _shared(known, text))
    del seen
    baseline: dict[str, list[Any]] = {}
    for name in baseline_names:
        baseline[name] = _baseline_column(name, baseline_texts.pop(name), numbers, errors)
    _reject(errors)
    # A cluster must lie in one stratum: randomise checks it too, but here the rows are named.
    if cluster and stratified:
        first_in: dict[str, tuple[str, int]] = {}
        for number, c, s in zip(numbers, clusters, strata, strict=True):
            earlier = first_in.setdefault(c, (s, number))
            if earlier[0] != s:
                errors.append(
                    RowError(
                        number,
                        "stratum",
                        f"Cluster {c} is in stratum {earlier[0]} on row {earlier[1]} but "
                        f"{s} here: a cluster must lie in one stratum.",
                    )
                )
        _reject(errors)
    return UnitList(
        units=units,
        strata=strata if stratified else None,
        clusters=clusters if cluster else None,
        baseline=baseline,
        filename=filename,
    )


SHARED_VALUES = 10_000


def _shared(known: dict[str, str], text: str) -> str:
    """One string object for each repeated value ("North", "71"), up to SHARED_VALUES of
    them: a column of a million cells then costs a pointer a cell, not a string a cell."""
    found = known.get(text)
    if found is not None:
        return found
    if len(known) < SHARED_VALUES:
        known[text] = text
    return text


def _baseline_column(
    name: str, texts: list[str], numbers: Sequence[int], errors: Errors
) -> list[Any]:
    """Numbers when every non-empty value is a number, else text; missing is None.

    A numeric column must hold finite numbers: "NaN" or "inf" in it is an error naming
    the row (kept as None it would silently drop the unit from the balance table)."""
    values: list[float | None] = []
    parsed: dict[str, float] = {}
    not_finite: list[int] = []
    for i, text in enumerate(texts):
        if not text:
            values.append(None)
            continue
        value = parsed.get(text)
        if value is None:
            try:
                value = _number(text)
            except ValueError:
                return [t or None for t in texts]
            if value is None:
                values.append(None)
                continue
            if len(parsed) < SHARED_VALUES:
                parsed[text] = value
        if not math.isfinite(value):
            not_finite.append(i)
            values.append(None)
            continue
        values.append(value)
    for i in not_finite:
        errors.append(RowError(numbers[i], name, f"'{texts[i]}' is not a finite number."))
    return values


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------


@dataclass
class OutcomeColumns:
    """Outcome columns aligned to the allocation's units (NaN where a unit has no outcome)."""

    outcome: NDArray[np.float64]
    exposure: NDArray[np.float64] | None
    events: NDArray[np.float64] | None
    rows: int
    filename: str = ""


def columns_for(kind: str) -> tuple[list[str], list[str]]:
    """(required, optional) columns of an outcome file for an outcome kind."""
    if kind == "rate":
        return [UNIT, "outcome", "exposure"], []
    if kind == "time_to_event":
        return [UNIT, "event"], ["duration", "start_date", "end_date"]
    return [UNIT, "outcome"], []


def _date(text: str) -> date:
    """ISO (2017-03-31) or UK (31/03/2017) dates; anything else is a ValueError."""
    if "/" in text:
        day, month, year = (int(p) for p in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)


def _unit_problem(number: int, unit: str, first: int) -> RowError:
    if not unit:
        return RowError(number, UNIT, "Enter the unit's id: it is empty.")
    if first:
        return RowError(number, UNIT, f"Unit {unit} appears more than once (first on row {first}).")
    return RowError(number, UNIT, f"Unit {unit} is not one of the allocated units.")


def _duration(start_text: str, end_text: str, number: int) -> tuple[float, RowError | None]:
    """Days from start to end, or the error naming the date that is not one."""
    try:
        return float((_date(end_text) - _date(start_text)).days), None
    except ValueError:
        bad, text = "start_date", start_text
        try:
            _date(start_text)
            bad, text = "end_date", end_text
        except ValueError:
            pass
        return 0.0, RowError(number, bad, f"'{text}' is not a date: use 2017-03-31 or 31/03/2017.")


def _outcome_value(
    text: str, number: int, column: str, proportion: bool
) -> tuple[float, RowError | None]:
    """An outcome that is not simply 0 or 1 (the hot loop's quick case)."""
    if not text:
        return 0.0, RowError(number, column, "Enter the outcome: it is empty.")
    try:
        value = float(text)
    except ValueError:
        try:
            value = _number(text) or 0.0
        except ValueError:
            return 0.0, RowError(number, column, f"'{text}' is not a number.")
    if not math.isfinite(value):
        return 0.0, RowError(number, column, f"'{text}' is not a number.")
    if proportion:
        return 0.0, RowError(number, "outcome", f"{value:g} is outside the range: enter 0 or 1.")
    return value, None


def _exposure(text: str, number: int) -> tuple[float, RowError | None]:
    try:
        exposure = _number(text) if text else None
    except ValueError:
        return 0.0, RowError(number, "exposure", f"'{text}' is not a number.")
    if exposure is None or not math.isfinite(exposure) or exposure <= 0:
        return 0.0, RowError(number, "exposure", "The exposure must be a number above zero.")
    return exposure, None


NEGATIVE = {
    "rate": "A count cannot be negative.",
    "time_to_event": "The time to the event cannot be negative.",
}
NO_EVENT_FLAG = "Enter 1 if the event happened or 0 if follow-up ended first."


def check_outcomes(
    raw: bytes,
    *,
    kind: str,
    units: list[str],
    filename: str = "",
    progress: Callable[[int], None] | None = None,
) -> OutcomeColumns:
    """Check every row of an outcome file against the allocated ``units``.

    Errors named per row: empty, unknown or duplicate unit; a number that is not a number; an
    outcome out of range (a proportion not 0 or 1, a negative count, exposure not above zero, a
    negative duration, an event flag not 0 or 1); a date not in a date format.
    ``progress`` is told the rows read so far every PROGRESS_ROWS rows (a job's page).
    """
    required, optional = columns_for(kind)
    table = _read(raw, filename, required, optional)
    by_dates = kind == "time_to_event" and "duration" not in table.columns
    if by_dates and not {"start_date", "end_date"} <= set(table.columns):
        raise UploadRejected(
            "The file needs a column named duration (days until the event or the end of "
            "follow-up), or two columns named start_date and end_date."
        )
    index = {unit: i for i, unit in enumerate(units)}
    n = len(units)
    # The hot loop (a million rows) works on plain lists: indexing numpy arrays one element at
    # a time costs several times more. Columns become arrays once, at the end. Rare cases
    # (dates, text to parse, errors) are in the helpers above.
    first_row = array("l", [0]) * n  # row numbers without an int object each
    positions: list[int] = []
    values_out: list[float] = []
    exposures: list[float] = []
    flags: list[float] = []
    rate, survival, proportion = kind == "rate", kind == "time_to_event", kind == "proportion"
    errors = Errors()
    add = errors.append
    value_column = "duration" if survival else "outcome"
    quick = {"0": 0.0, "1": 1.0}
    # Cells by position in the hot loop: a name lookup per cell costs more than the check.
    at = {name: i for i, name in enumerate(table.columns)}
    unit_at, value_at = at[UNIT], at.get(value_column, 0)
    start_at, end_at = at.get("start_date", 0), at.get("end_date", 0)
    exposure_at, event_at = at.get("exposure", 0), at.get("event", 0)
    rows = 0
    with _reading():
        for number, values in table.records():
            rows += 1
            if progress is not None and not rows % PROGRESS_ROWS:
                progress(rows)
            unit = values[unit_at]
            position = index.get(unit)
            if position is None or first_row[position]:
                add(_unit_problem(number, unit, first_row[position] if position is not None else 0))
                continue
            first_row[position] = number
            problem = None
            if by_dates:
                value, problem = _duration(values[start_at], values[end_at], number)
            else:
                value = quick.get(values[value_at])  # type: ignore[assignment]
                if value is None:
                    value, problem = _outcome_value(
                        values[value_at], number, value_column, proportion
                    )
            if problem is None and value < 0 and kind in NEGATIVE:
                problem = RowError(number, value_column, NEGATIVE[kind])
            # Exposures and flags may take a value for a row that fails: any problem refuses
            # the whole file, so they are only used when every row passed.
            if problem is None and rate:
                exposure, problem = _exposure(values[exposure_at], number)
                exposures.append(exposure)
            if problem is None and survival:
                flag = quick.get(values[event_at])
                problem = RowError(number, "event", NO_EVENT_FLAG) if flag is None else None
                flags.append(flag or 0.0)
            if problem is not None:
                add(problem)
                continue
            positions.append(position)
            values_out.append(value)
    _reject(errors)
    where = np.fromiter(positions, dtype=np.intp, count=len(positions))
    outcome = np.full(n, np.nan)
    outcome[where] = values_out
    exposure_column = events = None
    if rate:
        exposure_column = np.full(n, np.nan)
        exposure_column[where] = exposures
    if survival:
        events = np.full(n, np.nan)
        events[where] = flags
    return OutcomeColumns(
        outcome=outcome,
        exposure=exposure_column,
        events=events,
        rows=rows,
        filename=filename,
    )


# --- Time series (before and after, comparison group) -------------------------------------

SERIES_GROUPS = ("treated", "comparison")


@dataclass
class SeriesRows:
    """A checked time series: ``groups`` is empty for a before-and-after series."""

    periods: list[date]
    values: list[float]
    groups: list[str]


def check_series(raw: bytes, *, with_groups: bool, filename: str = "") -> SeriesRows:
    """Check a time-series file: columns ``period`` (a date) and ``value``, and ``group``
    ("treated" or "comparison") for a comparison-group design.

    Errors named per row: a date not in a date format, a value that is not a finite number, an
    unknown group, a period given twice (for the same group).
    """
    required = ["period", "value"] + (["group"] if with_groups else [])
    table = _read(raw, filename, required, [])
    errors = Errors()
    out = SeriesRows(periods=[], values=[], groups=[])
    seen: dict[tuple[str, date], int] = {}
    with _reading():
        for row in table:
            text = row["period"]
            try:
                period = _date(text)
            except ValueError:
                errors.append(
                    RowError(
                        row.number,
                        "period",
                        f"'{text}' is not a date: use 2017-03-31 or 31/03/2017.",
                    )
                )
                continue
            try:
                value = float(row["value"].replace(",", ""))
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                errors.append(RowError(row.number, "value", f"'{row['value']}' is not a number."))
                continue
            group = row["group"].strip().lower() if with_groups else ""
            if with_groups and group not in SERIES_GROUPS:
                errors.append(
                    RowError(
                        row.number, "group", f"'{row['group']}' must be treated or comparison."
                    )
                )
                continue
            key = (group, period)
            if key in seen:
                where = f" for the {group} group" if group else ""
                errors.append(
                    RowError(
                        row.number,
                        "period",
                        f"{period.isoformat()} appears more than once{where} "
                        f"(first on row {seen[key]}).",
                    )
                )
                continue
            seen[key] = row.number
            out.periods.append(period)
            out.values.append(value)
            if with_groups:
                out.groups.append(group)
    _reject(errors)
    return out
