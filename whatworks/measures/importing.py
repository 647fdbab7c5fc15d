"""Check an uploaded file of observations: every row, every column, before anything is written.

The file is read with `whatworks.core.tabular.read_table` (CSV or XLSX). Its columns:

    metric        optional: the metric's number; blank means the metric chosen on the form
    period_start  required: 2017-01-31 or 31/01/2017 (UK order, never US)
    period_end    optional, same formats
    label         optional: how you name the period, such as "2016/17 Q1"
    value         the figure; for a proportion 0.42 or 42%
    numerator     optional, with denominator: successes / total, events / exposure...
    denominator

`check_upload` returns every row as it will be stored and every error as "Row 14, column
'value': enter a number". Nothing here writes to the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from whatworks.core.tabular import Row, RowError, Table, TableError, read_table
from whatworks.measures.figures import check_figures
from whatworks.measures.models import DuplicatePolicy, Metric, Observation

# A council's performance return is a few thousand rows; this leaves room for daily data
# across many services while keeping one request's work bounded.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
PREVIEW_ROWS = 20
# Every error is counted; this many are listed, so a wholly wrong file still gives a page.
MAX_LISTED_ERRORS = 1000

REQUIRED = ["period_start"]
OPTIONAL = ["metric", "period_end", "label", "value", "numerator", "denominator"]
LABEL_MAX = Observation._meta.get_field("label").max_length or 50

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")  # 1,234,567.5
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Spreadsheets run a cell that starts with these as a formula when the data is exported.
_FORMULA_START = ("=", "+", "@")


class CellError(ValueError):
    pass


def _parsers() -> tuple[tuple[str, Callable[[str], object]], ...]:
    return (
        ("period_start", parse_date),
        ("period_end", parse_date),
        ("label", parse_label),
        ("numerator", parse_number),
        ("denominator", parse_number),
    )


def parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    # The common case first, without a regex: most files (and every XLSX date) are ISO.
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.replace("-", "").isdigit():
        try:
            return date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            raise CellError(f"{text} is not a real date") from None
    match = _ISO_DATE.match(text) or _UK_DATE.match(text)
    if match is None:
        raise CellError("enter a date in the format 2017-01-31 or 31/01/2017")
    parts = [int(p) for p in match.groups()]
    year, month, day = parts if match.re is _ISO_DATE else parts[::-1]
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"{text} is not a real date") from None


def parse_number(text: str, *, percent: bool = False) -> float | None:
    """A plain number ("1234.5", "1,234.5", "-2e3"); "42%" when `percent` (-> 0.42)."""
    text = text.strip()
    if not text:
        return None
    scale = 1.0
    if percent and text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise CellError("enter a number" + (", such as 0.42 or 42%" if percent else ""))
    return float(text) * scale


def parse_label(text: str) -> str:
    if _CONTROL.search(text):
        raise CellError("remove the control characters (such as tabs or line breaks)")
    if len(text) > LABEL_MAX:
        raise CellError(f"use {LABEL_MAX} characters or fewer")
    if text.startswith(_FORMULA_START):
        raise CellError("must not start with =, + or @ (spreadsheet formulas are not allowed)")
    return text


_PARSERS = _parsers()


@dataclass(slots=True)
class ParsedRow:
    """One row as it will be stored."""

    number: int
    metric: Metric
    period_start: date
    period_end: date | None
    label: str
    value: float
    numerator: float | None
    denominator: float | None
    replaces: str = ""  # "" (new), "existing" or "row N"

    @property
    def key(self) -> tuple[int, date]:
        return (self.metric.pk, self.period_start)

    @property
    def display_value(self) -> str:
        return self.metric.display_value(self.value)

    @property
    def metric_name(self) -> str:
        return self.metric.name


@dataclass
class ImportCheck:
    file_error: str = ""
    total_rows: int = 0
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    replaces_existing: int = 0
    replaces_in_file: int = 0

    @property
    def ok(self) -> bool:
        return not self.file_error and self.error_count == 0

    @property
    def preview(self) -> list[ParsedRow]:
        return self.rows[:PREVIEW_ROWS]

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def new_rows(self) -> int:
        return len(self.rows) - self.replaces_existing

    @property
    def metrics(self) -> list[Metric]:
        return list({row.metric.pk: row.metric for row in self.rows}.values())

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(RowError(row=row, column=column, message=message))


PREVIEWED = ("number", "metric_name", "period_start", "period_end", "label", "display_value",
             "numerator", "denominator", "replaces")  # fmt: skip


@dataclass
class CheckedFile:
    """What the preview page shows of a check, kept with the staged import when a task
    consumer checked it (a large file), so the page reads it instead of checking again.
    It answers the template as an ImportCheck does."""

    file_error: str
    total_rows: int
    row_count: int
    errors: list[str]
    error_count: int
    replaces_existing: int
    replaces_in_file: int
    preview: list[dict[str, object]]

    @property
    def ok(self) -> bool:
        return not self.file_error and self.error_count == 0

    @property
    def new_rows(self) -> int:
        return self.row_count - self.replaces_existing

    @classmethod
    def of(cls, check: ImportCheck) -> CheckedFile:
        return cls(
            file_error=check.file_error,
            total_rows=check.total_rows,
            row_count=check.row_count,
            errors=[str(error) for error in check.errors],
            error_count=check.error_count,
            replaces_existing=check.replaces_existing,
            replaces_in_file=check.replaces_in_file,
            preview=[{name: getattr(row, name) for name in PREVIEWED} for row in check.preview],
        )

    def as_json(self) -> dict[str, object]:
        data = dict(vars(self))
        data["preview"] = [
            {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
            for row in self.preview
        ]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckedFile:
        checked = cls(**data)
        for row in checked.preview:
            for name in ("period_start", "period_end"):
                row[name] = date.fromisoformat(str(row[name])) if row[name] else None
        return checked


def read_upload(raw: bytes, filename: str = "") -> Table:
    """Read the file and check its shape; raises TableError with a message to show."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise TableError(file_too_big_message())
    table = read_table(raw, required=REQUIRED, optional=OPTIONAL, filename=filename)
    if "value" not in table.columns and not {"numerator", "denominator"} <= set(table.columns):
        raise TableError(
            "The file needs a column named value, or columns named numerator and denominator."
        )
    table.rows_up_to(MAX_ROWS)  # read and held (the preview and the checks go over it twice)
    return table


def file_too_big_message() -> str:
    return f"The file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."


def _metric_ids(table: Table) -> set[int]:
    if "metric" not in table.columns:
        return set()
    return {int(t) for row in table.rows if (t := row["metric"]).isdigit() and len(t) < 10}


def _row_metric(
    check: ImportCheck,
    row: Row,
    metrics: dict[int, Metric],
    default: Metric | None,
    organisation_name: str,
) -> Metric | None:
    """The row's metric: its own column, else the one chosen on the form."""
    text = row["metric"]
    if not text:
        if default is None:
            check.add_error(row.number, "metric", "enter the metric's number")
        return default
    metric = metrics.get(int(text)) if text.isdigit() and len(text) < 10 else None
    if metric is None:
        check.add_error(
            row.number,
            "metric",
            f"there is no metric {text[:20]} that {organisation_name} can record figures for",
        )
    return metric


def _row_cells(check: ImportCheck, row: Row, metric: Metric | None) -> dict[str, object]:
    """Each cell parsed, every problem recorded against its column."""
    parsed: dict[str, object] = {}
    for column, parse in _PARSERS:
        try:
            parsed[column] = parse(row[column])
        except CellError as error:
            check.add_error(row.number, column, str(error))
    try:
        parsed["value"] = parse_number(
            row["value"], percent=metric is not None and metric.is_proportion
        )
    except CellError as error:
        check.add_error(row.number, "value", str(error))
    start, end = parsed.get("period_start"), parsed.get("period_end")
    if "period_start" in parsed and start is None:
        check.add_error(row.number, "period_start", "enter the date the period starts")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        check.add_error(row.number, "period_end", "must be the same as or after period_start")
    return parsed


def _replaces(
    check: ImportCheck,
    number: int,
    key: tuple[int, date],
    seen: dict[tuple[int, date], int],
    existing: set[tuple[int, date]],
    replace: bool,
    organisation_name: str,
) -> str | None:
    """What the row replaces ("", "row N" or "existing"), or None when it may not."""
    start = key[1]
    if key in seen:
        earlier = check.rows[seen[key]]
        if replace:
            return f"row {earlier.number}"
        check.add_error(
            number,
            "period_start",
            f"{start:%d/%m/%Y} for this metric is already in row {earlier.number}",
        )
        return None
    if key in existing:
        if replace:
            return "existing"
        check.add_error(
            number,
            "period_start",
            f"{organisation_name} already has a figure for {start:%d/%m/%Y}; "
            "choose to replace it, or remove this row",
        )
        return None
    return ""


def check_upload(
    raw: bytes,
    *,
    filename: str,
    organisation_id: int,
    organisation_name: str,
    default_metric: Metric | None,
    find_metrics: Callable[[set[int]], dict[int, Metric]],
    on_duplicate: str,
    progress: Callable[[int], None] | None = None,
) -> ImportCheck:
    """Check every row of an upload. `find_metrics(ids)` gives those of the metrics named
    in the file that the organisation may record figures for (the others are row errors).
    `progress(rows checked)` is called as it goes (a background job's progress bar)."""
    check = ImportCheck()
    try:
        table = read_upload(raw, filename)
    except TableError as error:
        check.file_error = error.message
        return check
    check.total_rows = len(table.rows)
    has_metric_column = "metric" in table.columns
    if default_metric is None and not has_metric_column:
        check.file_error = "Choose the metric, or add a column named metric to the file."
        return check

    metrics = find_metrics(_metric_ids(table))
    if default_metric is not None:
        metrics[default_metric.pk] = default_metric

    existing = set(
        Observation.objects.filter(organisation_id=organisation_id, metric_id__in=list(metrics))
        .values_list("metric_id", "period_start")
        .iterator(chunk_size=10_000)
    )
    replace = on_duplicate == DuplicatePolicy.REPLACE
    seen: dict[tuple[int, date], int] = {}  # key -> index into check.rows
    for checked, row in enumerate(table.rows, start=1):
        if progress is not None:
            progress(checked)
        errors_before = check.error_count
        metric = _row_metric(check, row, metrics, default_metric, organisation_name)
        parsed = _row_cells(check, row, metric)
        if metric is None or check.error_count > errors_before:
            continue
        figures = check_figures(
            metric,
            parsed.get("value"),  # type: ignore[arg-type]
            parsed.get("numerator"),  # type: ignore[arg-type]
            parsed.get("denominator"),  # type: ignore[arg-type]
        )
        for column, message in figures.errors:
            check.add_error(row.number, column, message)
        if figures.value is None:
            continue
        start = parsed["period_start"]
        assert isinstance(start, date)
        key = (metric.pk, start)
        replaces = _replaces(check, row.number, key, seen, existing, replace, organisation_name)
        if replaces is None:
            continue
        parsed_row = ParsedRow(
            number=row.number,
            metric=metric,
            period_start=start,
            period_end=parsed.get("period_end"),  # type: ignore[arg-type]
            label=parsed.get("label") or "",  # type: ignore[arg-type]
            value=figures.value,
            numerator=parsed.get("numerator"),  # type: ignore[arg-type]
            denominator=parsed.get("denominator"),  # type: ignore[arg-type]
            replaces=replaces,
        )
        if key in seen:
            # The later row wins; the earlier one is dropped (it would be overwritten).
            index = seen[key]
            earlier = check.rows[index]
            if earlier.replaces == "existing":
                parsed_row.replaces = "existing"
            check.rows[index] = parsed_row
            check.replaces_in_file += 1
        else:
            seen[key] = len(check.rows)
            check.rows.append(parsed_row)
    check.replaces_existing = sum(1 for r in check.rows if r.replaces == "existing")
    return check
