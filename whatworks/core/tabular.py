"""Read the files councils have (CSV and XLSX) into rows, with errors that name the row.

Every import in the project goes through here, then validates its rows and writes them
in one transaction (all or nothing). Reading never guesses silently: a file that is
empty, too big, not UTF-8 (or Windows-1252, which Excel writes), or has a header problem
is refused with a message a person can act on.

    table = read_table(uploaded_file, required=["unit", "arm"], optional=["stratum"])
    for row in table.rows:          # dicts keyed by the (normalised) header
        ... row.number ...          # the line or sheet row the person sees in their file
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 2_000_000


class TableError(ValueError):
    """The file as a whole cannot be read; `message` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Row:
    number: int  # as the person sees it: the header is row 1
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


@dataclass
class Table:
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


def normalise_header(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV" on Windows; it decodes almost anything, so check it looks like text.
        text = raw.decode("cp1252")
    except UnicodeDecodeError as error:
        raise TableError(
            "The file is not in a text encoding we can read. Save it as 'CSV UTF-8'."
        ) from error
    if "\x00" in text:
        raise TableError("The file looks binary, not CSV. Save it as 'CSV UTF-8' or XLSX.")
    return text


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
    text = _decode(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error as error:
        raise TableError(f"The CSV file is malformed: {error}.") from error


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a bad file
        raise TableError("The file is not a readable XLSX workbook.") from error
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield ["" if v is None else _cell_text(v) for v in values]
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    return str(value).strip()


def read_table(
    upload: IO[bytes] | bytes,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    filename: str = "",
    extra_columns: bool = True,
) -> Table:
    """Read a CSV or XLSX upload; the header row must contain the required columns."""
    raw = upload if isinstance(upload, bytes) else upload.read(MAX_BYTES + 1)
    name = filename or getattr(upload, "name", "") or ""
    if not raw:
        raise TableError("The file is empty.")
    if len(raw) > MAX_BYTES:
        raise TableError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    is_xlsx = raw[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx")
    lines = _xlsx_rows(raw) if is_xlsx else _csv_rows(raw)

    header = next(lines, None)
    if header is None or not any(cell.strip() for cell in header):
        raise TableError("The first row must name the columns, and it is empty.")
    columns = [normalise_header(c) for c in header]
    duplicates = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicates:
        raise TableError(f"These columns appear twice: {', '.join(duplicates)}.")
    required = [normalise_header(c) for c in required]
    missing = [c for c in required if c not in columns]
    if missing:
        raise TableError(
            f"The file needs a column named {', '.join(missing)}. Its columns are: "
            f"{', '.join(c for c in columns if c) or 'none'}."
        )
    known = set(required) | {normalise_header(c) for c in optional}
    if not extra_columns:
        unknown = [c for c in columns if c and c not in known]
        if unknown:
            raise TableError(f"Unexpected columns: {', '.join(unknown)}.")

    table = Table(columns=[c for c in columns if c])
    for number, cells in enumerate(lines, start=2):
        if not any(str(cell).strip() for cell in cells):
            continue  # blank lines at the end of spreadsheets
        if len(table.rows) >= MAX_ROWS:
            raise TableError(f"The file has more than {MAX_ROWS:,} rows.")
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            raise TableError(f"Row {number} has more cells than the header has columns.")
        values = {
            column: cells[i].strip() if i < len(cells) else ""
            for i, column in enumerate(columns)
            if column
        }
        table.rows.append(Row(number=number, values=values))
    if not table.rows:
        raise TableError("The file has a header but no rows.")
    return table
