"""An analyst defines a metric, uploads figures with a mistake, fixes it, and sees the chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from whatworks.measures.models import Metric, Observation

from .browser import assert_accessible, assert_no_console_errors, assert_no_horizontal_scroll

ROWS = [
    ("2016-04-01", "2016/17 Q1", "46"),
    ("2016-07-01", "2016/17 Q2", "44"),
    ("2016-10-01", "2016/17 Q3", "forty"),  # the mistake: text in a number column
    ("2017-01-01", "2016/17 Q4", "30"),
    ("2017-04-01", "2017/18 Q1", "21"),
]


def _csv(tmp_path: Path, name: str, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / name
    lines = ["period_start,label,value", *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_it_defines_a_metric_uploads_figures_and_charts_them(
    page: Any, page_factory: Any, base_url: str, world: Any, tmp_path: Path
) -> None:
    page.goto(base_url + "/sign-in/")
    page.get_by_label("Email address").fill(world["analyst"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(base_url + "/measures/")
    assert_accessible(page)
    page.get_by_role("link", name="Define a metric").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()  # empty: the error summary first
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the metric")
    assert_accessible(page)
    page.get_by_label("Name").fill("Days from arrears letter to contact")
    page.get_by_label("Mean (an average").check()
    page.get_by_label("Unit").fill("days")
    page.get_by_label("Lower is better").check()
    page.get_by_label("Definition").fill("Mean days from the first letter to first contact.")
    page.get_by_label("Shared with peers").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The metric is saved")
    assert_accessible(page)

    page.get_by_role("link", name="Upload figures").click()
    assert_accessible(page)
    page.get_by_label("Upload a file").set_input_files(_csv(tmp_path, "wrong.csv", ROWS))
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Row 4, column 'value': enter a number")
    expect(page).to_have_title("Error: Check the figures – What Works")
    assert_accessible(page)
    assert Observation.objects.count() == 0

    page.get_by_role("link", name="Upload a corrected file").click()
    assert_accessible(page)
    fixed = [row if row[2] != "forty" else (row[0], row[1], "40") for row in ROWS]
    page.get_by_label("Upload a file").set_input_files(_csv(tmp_path, "fixed.csv", fixed))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("5 figures will be added")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save 5 figures").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("5 figures imported")
    chart = page.get_by_role("img", name="Line chart of Days from arrears letter to contact")
    expect(chart).to_be_visible()
    # decode() waits for the image; it rejects if the SVG could not be loaded or drawn.
    assert (
        page.evaluate(
            "(async () => { const img = document.querySelector('img.app-chart');"
            " await img.decode(); return img.naturalWidth; })()"
        )
        > 0
    )
    expect(page.get_by_role("table").filter(has_text="2017/18 Q1")).to_contain_text("21")
    assert_accessible(page)
    assert_no_console_errors(page)  # no CSP violations from the chart
    metric = Metric.objects.get()
    assert Observation.objects.filter(metric=metric).count() == 5

    phone = page_factory(width=320, height=640)
    phone.goto(base_url + f"/measures/{metric.pk}/")  # shared with peers: signed out is 404
    expect(phone.get_by_role("heading", name="Page not found")).to_be_visible()
    phone.goto(base_url + "/sign-in/")
    phone.get_by_label("Email address").fill(world["outsider"].email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.goto(base_url + f"/measures/{metric.pk}/")
    expect(phone.get_by_role("img", name="Line chart of")).to_be_visible()
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone, 320)
