"""Exports (CSV, XLSX, JSON) and the open-data feed: what each persona gets, that the files
parse, that a pseudonymous owner is never named, and that formulas are neutralised."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from tests.conftest import PERSONAS
from tests.initiatives.factories import InitiativeFactory, Register
from whatworks.initiatives import exports


@pytest.fixture
def register(world):
    return Register(world)


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _parse(fmt: str, body: bytes) -> list[dict]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    if fmt == "json":
        return json.loads(body)["initiatives"]
    sheet = load_workbook(io.BytesIO(body), read_only=True)["Initiatives"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _all_text(fmt: str, body: bytes) -> str:
    if fmt != "xlsx":
        return body.decode("utf-8")
    book = load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_exports_only_what_each_persona_may_see(client_for, world, register, persona, fmt):
    response = client_for(world[persona]).get(f"/initiatives/export.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.FORMATS[fmt].content_type
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Row-Limit"] == "10000"
    body = _content(response)
    rows = _parse(fmt, body)
    want = {Register.TITLES[k] for k in Register.visible_keys(persona)}
    assert {row["title"] for row in rows} == want
    pseudonymous = next(r for r in rows if r["title"] == Register.TITLES["pseudonymous"])
    assert pseudonymous["owner"] == Register.PSEUDONYM
    assert pseudonymous["owner_region"] == "East of England"
    assert "Breckland" not in _all_text(fmt, body)


def test_it_names_the_owner_to_its_own_members(client_for, world, register):
    body = _content(client_for(register.insider).get("/initiatives/export.json"))
    assert Register.HIDDEN_NAME in body.decode()


def test_it_exports_the_current_filters(client, register):
    response = client.get("/initiatives/export.json", {"outcome": "did-not-work"})
    data = json.loads(_content(response))
    assert [row["title"] for row in data["initiatives"]] == [Register.TITLES["pseudonymous"]]
    assert data["limit"] == 10_000 and data["total_matching"] == 1 and not data["truncated"]


def test_it_exports_goal_result_and_ledger_columns(client, register):
    data = json.loads(_content(client.get("/initiatives/export.json")))
    row = next(r for r in data["initiatives"] if r["title"] == Register.TITLES["pseudonymous"])
    assert list(row) == exports.COLUMNS
    assert row["baseline_value"] == 46.0
    assert row["result_value"] == 40.0
    assert row["realised_upfront_cost"] == 25000.0
    assert row["verdict"] == "Did not meet its goal"
    assert row["why_it_did_not_work"] == "Implementation failed"
    assert row["partner_kinds"] == "NHS body"


def test_it_stops_at_the_row_limit(client, db, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 3)
    for _ in range(5):
        InitiativeFactory()
    response = client.get("/initiatives/export.csv")
    assert len(_parse("csv", _content(response))) == 3
    assert response["X-Total-Matching"] == "5"
    data = json.loads(_content(client.get("/initiatives/export.json")))
    assert data["truncated"] is True and len(data["initiatives"]) == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_neutralises_formulas_in_spreadsheets(client, db, fmt):
    InitiativeFactory(title='=HYPERLINK("http://evil","click")', summary="@SUM(A1)\x07")
    rows = _parse(fmt, _content(client.get(f"/initiatives/export.{fmt}")))
    assert rows[0]["title"].startswith("'=")
    assert rows[0]["summary"].startswith("'@")
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(_content(client.get("/initiatives/export.xlsx"))))
        assert book["Initiatives"]["C2"].data_type == "s"


def test_it_refuses_unknown_formats(client, db):
    assert client.get("/initiatives/export.pdf").status_code == 404
    assert client.get("/open-data/initiatives.xlsx").status_code == 404


def test_it_exports_in_a_fixed_number_of_queries(client, register, django_assert_max_num_queries):
    for _ in range(10):
        InitiativeFactory()
    # count, records, goals, their primary results, amendments, ledger, tags, partners
    with django_assert_max_num_queries(8):
        _content(client.get("/initiatives/export.csv"))


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("persona", ["anonymous", "admin", "outsider"])
def test_it_feeds_public_records_only_to_everyone(client_for, world, register, persona, fmt):
    response = client_for(world[persona]).get(f"/open-data/initiatives.{fmt}")
    assert response.status_code == 200
    body = _content(response)
    rows = _parse(fmt, body)
    assert {r["title"] for r in rows} == {
        Register.TITLES["public"],
        Register.TITLES["pseudonymous"],
    }
    assert "Breckland" not in body.decode()
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert 'rel="license"' in response["Link"]


def test_it_states_the_licence_in_the_json_feed(client, register):
    data = json.loads(_content(client.get("/open-data/initiatives.json")))
    assert data["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "attribution" in data


def test_it_exports_a_search_in_a_fixed_number_of_queries(
    client, register, django_assert_max_num_queries
):
    for _ in range(10):
        InitiativeFactory(summary="Kerbside recycling, again")
    # search, records, tags, partners, ledger totals (for the facets), then goals, their
    # primary results, amendments, ledger, tags, partners for the rows
    with django_assert_max_num_queries(11):
        rows = _parse("csv", _content(client.get("/initiatives/export.csv", {"q": "kerbside"})))
    assert len(rows) == 11
