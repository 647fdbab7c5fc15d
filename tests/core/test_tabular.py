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


# --- Bounds: whatever the file, reading takes bounded time and memory (bench/uploads.py
# measures the worst cases; these tests check each bound refuses with a clear message).


def test_it_refuses_too_many_columns_at_once():
    """The reproduction: 40,000 columns in 340 KB (the duplicate check was quadratic)."""
    header = ",".join(f"c{i}" for i in range(40_000)).encode()
    with pytest.raises(TableError, match="more than 500 columns"):
        read_table(header + b"\n" + b"1," * 39_999 + b"1\n", required=[])


def test_it_names_every_duplicated_column_once():
    header = ",".join(["unit", "a", "b", "a", "c", "b", "a"]).encode()
    with pytest.raises(TableError, match=r"These columns appear twice: a, b\.$"):
        read_table(header + b"\n1,2,3,4,5,6,7\n", required=["unit"])


def test_it_refuses_a_cell_that_is_too_long_naming_its_row():
    raw = b"unit,note\n1,short\n2," + b"x" * 10_001 + b"\n"
    table = read_table(raw, required=["unit"])
    with pytest.raises(TableError, match="Row 3 has a cell longer than 10,000 characters"):
        list(table)
    huge = b"unit,note\n1," + b"x" * 200_000 + b"\n"  # past the csv module's own field limit
    with pytest.raises(TableError, match="longer than 10,000 characters"):
        read_table(huge, required=["unit"])


def test_it_refuses_too_many_rows_as_it_reads(monkeypatch):
    from whatworks.core import tabular

    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    table = read_table(b"unit\n1\n2\n3\n4\n", required=["unit"])
    with pytest.raises(TableError, match="more than 3 rows"):
        list(table)
    monkeypatch.setattr(tabular, "MAX_BLANK_LINES", 10)
    with pytest.raises(TableError, match="more than 3 rows"):
        list(read_table(b"unit\n1\n" + b"\n" * 50 + b"2\n", required=["unit"]))


def test_it_reads_rows_one_at_a_time():
    table = read_table(b"unit\n1\n2\n3\n", required=["unit"])
    rows = iter(table)
    assert next(rows)["unit"] == "1"
    assert [r["unit"] for r in rows] == ["2", "3"]
    assert list(table) == []  # one pass: nothing was kept


def test_it_keeps_a_bounded_list_when_asked():
    table = read_table(b"unit\n1\n2\n3\n", required=["unit"])
    with pytest.raises(TableError, match="more than 2 rows"):
        table.rows_up_to(2)
    assert [r["unit"] for r in read_table(b"unit\n1\n2\n", required=["unit"]).rows_up_to(2)] == [
        "1",
        "2",
    ]


def test_it_skips_unnamed_columns_without_shifting_the_others():
    table = read_table(b"unit,,arm\n1,x,control\n", required=["unit", "arm"])
    assert table.columns == ["unit", "arm"]
    assert table.rows[0].values == {"unit": "1", "arm": "control"}


def _zip_with(members: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_it_refuses_an_xlsx_whose_shared_strings_unpack_too_far():
    """The reproduction: 412 KB whose shared strings unpacked to 135 MB (34 s, 480 MB)."""
    strings = b'<sst xmlns="x"><si><t>' + b"A" * (25 * 1024 * 1024) + b"</t></si></sst>"
    raw = _zip_with({"[Content_Types].xml": b"<Types/>", "xl/sharedStrings.xml": strings})
    assert len(raw) < 100_000
    with pytest.raises(TableError, match="unpacks to 25 MB"):
        read_table(raw, required=["unit"], filename="bomb.xlsx")
    # Shared strings are held in memory whole: they have a smaller bound of their own.
    strings = b'<sst xmlns="x"><si><t>' + b"A" * (6 * 1024 * 1024) + b"</t></si></sst>"
    raw = _zip_with({"[Content_Types].xml": b"<Types/>", "xl/sharedStrings.xml": strings})
    with pytest.raises(TableError, match="text takes 6 MB unpacked"):
        read_table(raw, required=["unit"], filename="bomb.xlsx")


def test_it_refuses_an_xlsx_that_unpacks_past_the_limit():
    from whatworks.core import tabular

    raw = _zip_with({"xl/worksheets/sheet1.xml": b" " * (tabular.MAX_UNPACKED_BYTES + 1)})
    with pytest.raises(TableError, match="unpacks to 10 MB, more than the 10 MB"):
        read_table(raw, required=["unit"], filename="big.xlsx")


def test_it_ignores_a_forged_sheet_size():
    """A sheet claiming A1:XFD1048576 must not pad each row to 16,384 cells."""
    import re
    import zipfile

    raw = xlsx([["Unit", "Arm"], ["u1", "control"], ["u2", "letter"]])
    source = zipfile.ZipFile(io.BytesIO(raw))
    members = {i.filename: source.read(i.filename) for i in source.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = re.sub(
        r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', sheet
    ).encode()
    table = read_table(_zip_with(members), required=["unit"], filename="forged.xlsx")
    assert [r.values for r in table] == [
        {"unit": "u1", "arm": "control"},
        {"unit": "u2", "arm": "letter"},
    ]


def test_it_refuses_an_xlsx_row_wider_than_its_header():
    with pytest.raises(TableError, match="Row 3 has more cells"):
        list(read_table(xlsx([["unit"], ["u1"], ["u2", "extra"]]), required=["unit"]))
