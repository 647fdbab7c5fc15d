"""Finding and comparing in a real browser: filter by two facets, open "What didn't work",
compare two records. Every page is checked with axe-core; browse and compare reflow at 320px.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.initiatives.factories import (
    CouncilFactory,
    GoalFactory,
    GoalResultFactory,
    InitiativeFactory,
    InitiativeTagFactory,
    LedgerLineFactory,
)
from whatworks.initiatives.models import FailureCause, ServiceArea, Status, Verdict

from .browser import assert_accessible, assert_no_console_errors, assert_no_horizontal_scroll


@pytest.fixture
def records(base_url: str) -> dict[str, Any]:
    wealden = CouncilFactory(name="Wealden District Council")
    lambeth = CouncilFactory(
        name="London Borough of Lambeth",
        local_authority__authority_type="LBO",
        local_authority__authority_type_name="London borough",
        local_authority__region="London",
    )
    letters = InitiativeFactory(
        organisation=wealden,
        title="Rent arrears letters",
        service_area=ServiceArea.HOUSING,
        status=Status.PUBLISHED,
        verdict=Verdict.MET,
        evidence_level=2,
    )
    texts = InitiativeFactory(
        organisation=lambeth,
        title="Rent reminder texts",
        service_area=ServiceArea.HOUSING,
        status=Status.STOPPED,
        verdict=Verdict.NOT_MET,
        evidence_level=5,
        failure_cause=FailureCause.IDEA,
    )
    champions = InitiativeFactory(
        organisation=lambeth,
        title="Street Champions incentives",
        service_area=ServiceArea.PARKS_STREETS,
        verdict=Verdict.INCONCLUSIVE,
        evidence_level=5,
    )
    for initiative, value in [(letters, 21.0), (texts, 44.0)]:
        GoalResultFactory(goal=GoalFactory(initiative=initiative), value=value)
        LedgerLineFactory(initiative=initiative, amount=Decimal("4000"))
    InitiativeTagFactory(initiative=letters, value="salience")
    InitiativeTagFactory(initiative=texts, value="timely")
    return {"letters": letters, "texts": texts, "champions": champions}


def test_it_filters_finds_what_did_not_work_and_compares(
    page: Any, base_url: str, records: dict[str, Any]
) -> None:
    page.goto(base_url + "/initiatives/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find initiatives")
    assert_accessible(page)

    # Tick two facets: a service area and a verdict.
    page.locator("summary", has_text="Service area").click()
    page.get_by_label(re.compile(r"^Housing and rent")).check()
    page.locator("summary", has_text="Verdict").click()
    page.get_by_label(re.compile(r"^Did not meet its goal")).check()
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page.get_by_role("status")).to_contain_text("1 record")
    expect(page.get_by_role("link", name="Rent reminder texts")).to_be_visible()
    expect(page.get_by_role("link", name="Rent arrears letters")).to_have_count(0)
    assert_accessible(page)

    # "What didn't work", with the service-area choice kept.
    page.get_by_role("link", name="Remove filter Verdict: Did not meet its goal").click()
    page.get_by_role("link", name="What didn't work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What didn't work")
    expect(page.get_by_role("link", name="Rent reminder texts")).to_be_visible()
    expect(page.get_by_role("link", name="Rent arrears letters")).to_have_count(0)
    assert_accessible(page)

    # Compare two records.
    page.goto(base_url + "/initiatives/")
    page.get_by_label("Add to comparison: Rent arrears letters").check()
    page.get_by_label("Add to comparison: Rent reminder texts").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare initiatives")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Rent arrears letters")
    expect(table).to_contain_text("Rent reminder texts")
    expect(table).to_contain_text("at most 30 days")
    assert_accessible(page)
    assert_no_console_errors(page)


def test_it_reflows_browse_and_compare_at_320_pixels(
    page_factory: Any, base_url: str, records: dict[str, Any]
) -> None:
    phone = page_factory(width=320, height=640)
    phone.goto(base_url + "/initiatives/?service_area=housing&sort=evidence")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
    ids = "&".join(f"id={r.pk}" for r in records.values())
    phone.goto(base_url + f"/initiatives/compare/?{ids}")
    expect(phone.get_by_role("table")).to_be_visible()
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)


def test_it_explains_too_many_records_to_compare(page: Any, base_url: str, db: Any) -> None:
    page.goto(base_url + "/initiatives/compare/?id=1&id=2&id=3&id=4&id=5")
    expect(page.locator(".govuk-error-summary")).to_contain_text("up to 4 records")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
