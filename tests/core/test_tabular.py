import io

import pytest
from openpyxl import Workbook

from whatworks.core.tabular import TableError, read_table


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_reads_csv_with_a_bom_and_normalised_headers():
    table = read_table(
        "\ufeffUnit ID,Arm\nA1,control\n\nA2,letter\n".encode(), required=["unit id", "arm"]
    )
    assert table.columns == ["unit_id", "arm"]
    assert [(r.number, r["unit_id"], r["arm"]) for r in table.rows] == [
        (2, "A1", "control"),
        (4, "A2", "letter"),
    ]


def test_it_reads_windows_1252_and_semicolons():
    table = read_table("name;value\nCaf\xe9;1\n".encode("cp1252"), required=["name"])
    assert table.rows[0]["name"] == "Café"


def test_it_reads_xlsx_with_numbers_and_dates():
    import datetime

    table = read_table(
        xlsx([["Unit", "When", "Score"], ["u1", datetime.date(2017, 4, 1), 3.0]]), required=["unit"]
    )
    assert table.rows[0].values == {"unit": "u1", "when": "2017-04-01", "score": "3"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"\n\n", "first row must name the columns"),
        (b"arm\ncontrol\n", "needs a column named unit"),
        (b"unit,unit\n1,2\n", "appear twice: unit"),
        (b"unit\n", "no rows"),
        (b"unit\n1,extra\n", "Row 2 has more cells"),
        (b"PK\x03\x04garbage", "not a readable XLSX"),
        (b"unit\x00\xff\xfe\n", "looks binary"),
    ],
)
def test_it_refuses_files_it_cannot_read_with_a_clear_message(raw, message):
    with pytest.raises(TableError, match=message):
        read_table(raw, required=["unit"])


def test_it_refuses_unexpected_columns_when_asked():
    with pytest.raises(TableError, match="Unexpected columns: colour"):
        read_table(b"unit,colour\n1,red\n", required=["unit"], extra_columns=False)
