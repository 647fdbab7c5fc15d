"""Results pages with the demo trials: each chart sits beside its data table without
overlapping it at 1280 px, and the results and record pages reflow at 320 px (WCAG 1.4.10)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command

from .browser import assert_accessible, assert_no_horizontal_scroll

BOXES = """() => {
  const img = document.querySelector('img.app-chart');
  const table = img && img.closest('.govuk-grid-row')?.querySelector('table');
  return img && table ? [img.getBoundingClientRect().right, table.getBoundingClientRect().left,
                         table.getBoundingClientRect().right] : null;
}"""


def test_results_pages_keep_charts_and_tables_apart_and_reflow(
    page_factory: Any, base_url: str, transactional_db: Any, settings: Any
) -> None:
    from whatworks.core.demo import load_all
    from whatworks.trials.models import Trial

    settings.DEBUG = True
    call_command("load_local_authorities", verbosity=0)
    load_all()
    desktop = page_factory(width=1280, height=900)
    phone = page_factory(width=320, height=640)
    for trial in Trial.objects.select_related("initiative"):
        name = "series/results" if trial.design == "before_after" else "results"
        results = f"{base_url}/trials/{trial.pk}/{name}/"
        desktop.goto(results)
        boxes = desktop.evaluate(BOXES)
        if boxes is not None:
            chart_right, table_left, table_right = boxes
            assert chart_right <= table_left, trial.title  # side by side, not on top
            assert table_right <= 1280 - 160 + 1, trial.title  # inside the page's width
        for path in (results, base_url + trial.initiative.get_absolute_url()):
            phone.goto(path)
            assert_no_horizontal_scroll(phone, 320)
        assert_accessible(phone)
