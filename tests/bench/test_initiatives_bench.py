"""A tiny run of bench/initiatives.py: the seed is consistent and every page answers 2xx.

The harness fails the run on any non-2xx response, so a seed that breaks a page (or a page
that breaks on realistic data) fails here in seconds rather than in `make bench`.
"""

from __future__ import annotations

import shutil

import pytest

from tests.bench.support import metrics_of, run_bench

PAGES = ["initiative page", "search with two facets", "list with two facets"]


pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


def test_it_seeds_a_small_register_and_measures_every_page() -> None:
    run = run_bench(
        "initiatives.py", "--n", "300", "--seconds", "1", "--rounds", "1", "--warmup", "0"
    )
    metrics = metrics_of(run)
    for page in PAGES:
        line = metrics[f"{page} p95"]
        assert line["n"] == 300
        assert line["reference"] == "layout floor p95"
        assert line["value"] > 0
