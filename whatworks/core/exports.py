"""Every CSV and XLSX file the project writes goes through here.

Spreadsheet programs run a cell that starts with =, +, -, @, a tab or a carriage return
as a formula ("formula injection": =HYPERLINK(...) sends the reader's data elsewhere). Any
text cell starting with one of those gets a leading apostrophe, which spreadsheets show as
text. A plain number ("-12.5", "3e-4") is left alone: it is not a formula, and a negative
figure must stay readable as a number. In XLSX files numbers are numeric cells and text is
text: a cell is never a formula, and characters the file format forbids are dropped.

    return exports.response("csv", "audit-log", columns, rows)        # or "xlsx"
    return exports.csv_streaming_response("audit-log", columns, rows)  # large, row by row

tests/core/test_exports.py walks every export in the project and checks each cell.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(text: str) -> str:
    """The text, made safe to open in a spreadsheet."""
    if text[:1] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def is_neutral(text: str) -> bool:
    """What a safe cell looks like (the tests use this to check every export)."""
    return text[:1] not in FORMULA_START or bool(_PLAIN_NUMBER.fullmatch(text))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def csv_cell(value: Any) -> str:
    return neutralise(_text(value))


def xlsx_cell(value: Any) -> Any:
    """A numeric cell for a number, otherwise neutralised text (dates in ISO form, as in the
    CSV files: spreadsheets have no time zones, and the text keeps the offset visible)."""
    if value is None:
        return None
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", _text(value)))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The file line by line: for streaming responses of any length."""
    writer = csv.writer(_Echo())
    yield writer.writerow([csv_cell(c) for c in columns])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    return "".join(csv_lines(columns, rows))


Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of (title, columns, rows) sheets, written row by row (write-only mode)."""
    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        if columns:
            sheet.append([xlsx_cell(c) for c in columns])
        for row in rows:
            sheet.append([xlsx_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _attach(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'


def response(
    fmt: str,
    filename: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Data",
    extra_sheets: Sequence[Sheet] = (),
) -> HttpResponse:
    """A CSV or XLSX download (`filename` without its extension)."""
    if fmt == "csv":
        content: str | bytes = csv_text(columns, rows)
    elif fmt == "xlsx":
        content = xlsx_bytes([(sheet, columns, rows), *extra_sheets])
    else:
        raise ValueError(f"Unknown export format {fmt!r}")
    result = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    _attach(result, f"{filename}.{fmt}")
    return result


def csv_streaming_response(
    filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    result = StreamingHttpResponse(csv_lines(columns, rows), content_type=CONTENT_TYPES["csv"])
    _attach(result, f"{filename}.csv")
    return result
