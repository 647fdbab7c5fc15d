"""An admin makes a key that may send figures, and the council's script posts a month of
figures with it, while a read-only key is refused (issue 17, "Done when")."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import requests
from django.utils import timezone
from playwright.sync_api import expect

from whatworks.measures import services
from whatworks.measures.models import Observation
from whatworks.organisations.models import ApiKey

from .browser import assert_accessible, assert_no_horizontal_scroll
from .test_journeys import sign_in

SHOTS = Path("/work/notes/shots/i17b")


def _shoot(page: Any, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _make_key(page: Any, base_url: str, slug: str, name: str, scopes: list[str]) -> str:
    page.goto(base_url + f"/organisations/{slug}/manage/api-keys/new/")
    page.get_by_label("Name").fill(name)
    for label in scopes:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Make key").click()
    expect(page.get_by_role("heading", name="Your new API key")).to_be_visible()
    return str(page.locator("#api-key").input_value())


def test_an_admin_makes_a_figures_key_and_a_script_sends_a_month(
    page_factory: Any, base_url: str, world: Any
) -> None:
    metric = services.metric_create(
        organisation=world.org_a,
        actor=world["analyst"],
        name="Missed bin collections",
        kind="count",
        unit="collections",
        direction="lower",
        definition="Missed collections reported each day",
        visibility="public",
    )
    slug = world.org_a.slug
    page = page_factory(width=1280, height=900)
    sign_in(page, base_url, world["admin"].email)

    page.goto(base_url + f"/organisations/{slug}/manage/api-keys/new/")
    assert_accessible(page)
    page.get_by_role("button", name="Make key").click()  # nothing ticked, no name
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what the key can do")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the key")
    assert_accessible(page)
    _shoot(page, "api-key-new-errors-1280")

    writer = _make_key(
        page, base_url, slug, "Waste round system", ["Send figures for the organisation's own"]
    )
    expect(page.get_by_text("Send figures for the organisation's own metrics")).to_be_visible()
    assert_accessible(page)
    reader = _make_key(page, base_url, slug, "Dashboard", ["Read: see what the organisation"])
    assert ApiKey.objects.get(name="Waste round system").scopes == ["measures:write"]

    page.goto(base_url + f"/organisations/{slug}/manage/#api-keys")
    expect(page.get_by_role("cell", name="Read: see what the organisation can see")).to_be_visible()
    assert_accessible(page)
    _shoot(page, "api-keys-list-1280")

    phone = page_factory(width=390, height=844)
    sign_in(phone, base_url, world["admin"].email)
    phone.goto(base_url + f"/organisations/{slug}/manage/api-keys/new/")
    assert_no_horizontal_scroll(phone, 390)
    _shoot(phone, "api-key-new-390")
    phone.goto(base_url + f"/organisations/{slug}/manage/#api-keys")
    _shoot(phone, "api-keys-list-390")

    # The council's script: this month's days so far, with each key.
    today = timezone.localdate()
    body = {
        "observations": [
            {"period_start": date(today.year, today.month, d).isoformat(), "value": 40 + d}
            for d in range(1, today.day + 1)
        ]
    }
    url = f"{base_url}/api/metrics/{metric.pk}/observations"
    sent = requests.post(url, json=body, headers={"Authorization": f"Bearer {writer}"}, timeout=30)
    assert sent.status_code == 200, sent.text
    assert sent.json()["created"] == today.day
    refused = requests.post(
        url, json=body, headers={"Authorization": f"Bearer {reader}"}, timeout=30
    )
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert "measures:write" in refused.json()["title"]
    assert Observation.objects.filter(metric=metric).count() == today.day
