"""Read the files councils have (CSV and XLSX) into rows, with errors that name the row.

Every import in the project goes through here, then validates its rows and writes them
in one transaction (all or nothing). Reading never guesses silently: a file that is
empty, too big, not UTF-8 (or Windows-1252, which Excel writes), or has a header problem
is refused with a message a person can act on.

    table = read_table(uploaded_bytes, required=["unit", "arm"], optional=["stratum"])
    for row in table:               # one pass, read as the file is read
        ... row["unit"], row.number  # the line or sheet row the person sees in their file
    table.rows                      # or all rows as a list, for a small file

Reading is bounded whatever the file: rows are decoded and parsed one at a time (never the
whole text in memory at once), and a file is refused, with a message, past MAX_COLUMNS
columns, MAX_ROWS rows or MAX_CELL_CHARS characters in a cell. An XLSX file is a zip
archive: the sizes its members unpack to are checked against MAX_UNPACKED_BYTES (and the
shared strings, which openpyxl keeps in memory, against MAX_SHARED_STRINGS_BYTES) before
anything is unpacked, so a small file that unpacks to gigabytes is refused at once.
bench/uploads.py measures the worst cases.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import IO, Any

# Each bound keeps the worst file within seconds and a few hundred MB (bench/uploads.py).
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 500
MAX_CELL_CHARS = 10_000
MAX_BLANK_LINES = 100_000
# openpyxl reads a sheet at a few MB of XML a second: 10 MB unpacked is about 100,000 rows
# of a few columns. Larger tables come as CSV, which is read about ten times faster.
MAX_UNPACKED_BYTES = 10 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 5 * 1024 * 1024
_SNIFF_CHARS = 4096
_DECODE_CHUNK = 1024 * 1024


class TableError(ValueError):
    """The file as a whole cannot be read; `message` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Row:
    """One row: its cells by (normalised) column name, and its number as the person sees it
    (the header is row 1). The column index is shared by every row of a table."""

    __slots__ = ("cells", "index", "number")

    def __init__(self, number: int, cells: tuple[str, ...], index: Mapping[str, int]) -> None:
        self.number = number
        self.cells = cells  # the named columns' cells, in `Table.columns` order
        self.index = index

    def __getitem__(self, key: str) -> str:
        return self.get(key)

    def get(self, key: str, default: str = "") -> str:
        position = self.index.get(key)
        return self.cells[position] if position is not None else default

    @property
    def values(self) -> dict[str, str]:
        return dict(zip(self.index, self.cells, strict=True))

    def __repr__(self) -> str:
        return f"Row({self.number}, {self.values!r})"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


class Table:
    """The header, and the rows as they are read (see the module docstring)."""

    def __init__(self, columns: list[str], records: Iterator[Record]) -> None:
        self.columns = columns  # the named columns, in the file's order
        self._records = records
        self._list: list[Row] | None = None

    def records(self) -> Iterator[Record]:
        """(row number, cells) as the file is read, the cells in `columns` order: for
        importers that check a million rows, without a Row object for each."""
        records, self._records = self._records, iter(())
        return records

    def __iter__(self) -> Iterator[Row]:
        if self._list is not None:
            return iter(self._list)
        index = {name: i for i, name in enumerate(self.columns)}
        return (Row(number, cells, index) for number, cells in self.records())

    @property
    def rows(self) -> list[Row]:
        """Every row in a list: for small files (see `rows_up_to` for a bounded list)."""
        if self._list is None:
            self._list = list(self)
        return self._list

    def rows_up_to(self, limit: int) -> list[Row]:
        """Every row in a list, refusing the file past `limit` rows (reading stops there)."""
        if self._list is None:
            rows: list[Row] = []
            for row in self:
                if len(rows) == limit:
                    raise TableError(
                        f"The file has more than {limit:,} rows. Split it into smaller files."
                    )
                rows.append(row)
            self._list = rows
        return self._list


def normalise_header(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


# --- CSV --------------------------------------------------------------------------------


def _encoding(raw: bytes) -> str:
    """UTF-8 if the whole file decodes as UTF-8 (checked in chunks, keeping no text), else
    Windows-1252 (Excel's "CSV" on Windows), which must at least look like text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _DECODE_CHUNK):
            decoder.decode(view[start : start + _DECODE_CHUNK], final=False)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw:
        raise TableError("The file looks binary, not CSV. Save it as 'CSV UTF-8' or XLSX.")
    for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D):  # the bytes Windows-1252 leaves undefined
        if bytes([byte]) in raw:
            raise TableError(
                "The file is not in a text encoding we can read. Save it as 'CSV UTF-8'."
            )
    return "cp1252"


def _csv_lines(raw: bytes) -> Iterator[list[str]]:
    encoding = _encoding(raw)
    # Decoded as read (io.BytesIO shares the bytes): never a second copy of the whole file.
    text = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
    sample = text.read(_SNIFF_CHARS)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # The reader refuses a longer cell itself. The limit is process-wide; every CSV read in
    # the project comes through here with the same value.
    csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(text, dialect)
    try:
        yield from reader
    except csv.Error as error:
        message = str(error)
        if "field larger than field limit" in message:
            raise TableError(
                f"Row {reader.line_num} has a cell longer than {MAX_CELL_CHARS:,} characters."
            ) from None
        raise TableError(f"The CSV file is malformed: {message}.") from error


# --- XLSX -------------------------------------------------------------------------------


def _check_zip(raw: bytes) -> None:
    """Refuse an archive that unpacks to too much, from its directory alone.

    The sizes come from the archive's own directory; a member that unpacks to more than it
    declares fails zipfile's own check when read, so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise TableError("The file is not a readable XLSX workbook.") from error
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise TableError(
            f"The workbook unpacks to {total / (1024 * 1024):,.0f} MB, more than the "
            f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB we read from a workbook. Save it as "
            "CSV (which has no such limit below the upload size), or split it."
        )
    shared = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if shared > MAX_SHARED_STRINGS_BYTES:
        raise TableError(
            f"The workbook's text takes {shared / (1024 * 1024):,.0f} MB unpacked, more than "
            f"the {MAX_SHARED_STRINGS_BYTES // (1024 * 1024)} MB we read. Save it as CSV."
        )


def _width(values: tuple[Any, ...]) -> int:
    """Cells up to the last one that holds something."""
    for i in range(len(values) - 1, -1, -1):
        if values[i] is not None:
            return i + 1
    return 0


def _xlsx_lines(raw: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    _check_zip(raw)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a bad file
        raise TableError("The file is not a readable XLSX workbook.") from error
    try:
        sheet = workbook.worksheets[0]
        # The sheet's declared size is ignored: a forged "A1:XFD1048576" would pad every
        # row to 16,384 cells. The header is read up to one column past the limit (enough
        # to refuse it), then each row up to one cell past the header (enough to tell a
        # row is too wide), and no further than the row limit.
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(values_only=True, max_row=1, max_col=MAX_COLUMNS + 1), ())
        width = _width(header)
        yield ["" if v is None else _cell_text(v) for v in header[:width]]
        blank: tuple[Any, ...] | None = None
        for number, values in enumerate(
            sheet.iter_rows(values_only=True, min_row=2, max_col=width + 1, max_row=MAX_ROWS + 2),
            start=2,
        ):
            if values is blank:
                yield []  # openpyxl repeats one empty tuple for skipped rows: no work
                continue
            if not any(v is not None for v in values):
                blank = values
                yield []
                continue
            cells = ["" if v is None else _cell_text(v) for v in values]
            if max(map(len, cells)) > MAX_CELL_CHARS:
                raise TableError(
                    f"Row {number} has a cell longer than {MAX_CELL_CHARS:,} characters."
                )
            yield cells
    except TableError:
        raise
    except Exception as error:
        raise TableError("The file is not a readable XLSX workbook.") from error
    finally:
        workbook.close()


def estimate_rows(raw: bytes) -> int:
    """Data rows in a file, cheaply: enough to choose between the request and a background
    job and to size its progress bar. A CSV's lines; a workbook's declared size (which is
    never trusted for reading it: see _xlsx_lines). 0 when the file cannot be read."""
    if raw[:4] != b"PK\x03\x04":
        return max(raw.count(b"\n") - 1, 0) + (0 if raw.endswith(b"\n") else 1)
    from openpyxl import load_workbook

    try:
        _check_zip(raw)
        workbook = load_workbook(io.BytesIO(raw), read_only=True)
    except Exception:  # openpyxl raises many types for a bad file; the check reports it
        return 0
    try:
        return max((workbook.worksheets[0].max_row or 1) - 1, 0)
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    return str(value).strip()


# --- The table ----------------------------------------------------------------------------


def _check_header(header: list[str] | None) -> list[str]:
    if header is None or not any(cell.strip() for cell in header):
        raise TableError("The first row must name the columns, and it is empty.")
    if len(header) > MAX_COLUMNS:
        raise TableError(
            f"The file has more than {MAX_COLUMNS:,} columns. Keep the columns the import "
            "uses, and remove the rest."
        )
    columns = [normalise_header(c) for c in header]
    too_long = [c for c in columns if len(c) > 200]
    if too_long:
        raise TableError("A column name is longer than 200 characters.")
    # Counted once each: a quadratic check here took 54 s of CPU on 40,000 columns.
    counts = Counter(c for c in columns if c)
    duplicates = sorted(c for c, n in counts.items() if n > 1)
    if duplicates:
        raise TableError(f"These columns appear twice: {', '.join(duplicates)}.")
    return columns


Record = tuple[int, tuple[str, ...]]  # (row number, the named columns' cells)


def _records(lines: Iterator[list[str]], columns: list[str]) -> Iterator[Record]:
    width = len(columns)
    # Unnamed columns (an empty header cell) are dropped.
    positions = [i for i, column in enumerate(columns) if column]
    every_column = len(positions) == width
    strip = str.strip
    count = 0
    # The loop runs once per row of files of up to a million rows: each test is a C-level
    # call on the whole row (join, map), not a Python loop over its cells. Cell lengths are
    # bounded by the readers (csv.field_size_limit, and _xlsx_lines).
    for number, cells in enumerate(lines, start=2):
        joined = "".join(cells)
        if not joined or joined.isspace():
            if number > MAX_ROWS + MAX_BLANK_LINES:  # a file of nothing but line breaks
                raise TableError(f"The file has more than {MAX_ROWS:,} rows. Split it.")
            continue  # blank lines at the end of spreadsheets
        count += 1
        if count > MAX_ROWS:
            raise TableError(f"The file has more than {MAX_ROWS:,} rows. Split it.")
        if len(cells) == width and every_column:
            yield number, tuple(map(strip, cells))
            continue
        if len(cells) > width and "".join(cells[width:]).strip():
            raise TableError(f"Row {number} has more cells than the header has columns.")
        yield number, tuple(cells[i].strip() if i < len(cells) else "" for i in positions)


def read_table(
    upload: IO[bytes] | bytes,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    filename: str = "",
    extra_columns: bool = True,
) -> Table:
    """Read a CSV or XLSX upload; the header row must contain the required columns.

    The header and the first row are checked here; later rows as they are read (a
    TableError can come from iterating the table too).
    """
    raw = upload if isinstance(upload, bytes) else upload.read(MAX_BYTES + 1)
    name = filename or getattr(upload, "name", "") or ""
    if not raw:
        raise TableError("The file is empty.")
    if len(raw) > MAX_BYTES:
        raise TableError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    is_xlsx = raw[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx")
    lines = _xlsx_lines(raw) if is_xlsx else _csv_lines(raw)

    columns = _check_header(next(lines, None))
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

    records = _records(lines, columns)
    first = next(records, None)
    if first is None:
        raise TableError("The file has a header but no rows.")
    return Table([c for c in columns if c], chain((first,), records))
