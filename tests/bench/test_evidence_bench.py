"""A tiny run of bench/evidence.py: the seed is consistent, the nightly job computes every goal
due, and the results-due page answers 2xx under wrk."""

from __future__ import annotations

import shutil

import pytest

from tests.bench.support import metrics_of, run_bench

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


def test_it_seeds_a_small_register_and_measures_the_job_and_the_page() -> None:
    run = run_bench("evidence.py", "--n", "40", "--months", "48", "--goals", "20",
                    "--seconds", "1", "--rounds", "1", "--warmup", "0")  # fmt: skip
    metrics = metrics_of(run)
    assert metrics["nightly job, 20 goals due"]["unit"] == "s"
    assert metrics["nightly job, 20 goals due"]["value"] > 0
    assert metrics["results due p95"]["reference"] == "layout floor p95"
    assert metrics["results due p95"]["value"] > 0
    assert all(line["n"] == 40 for line in metrics.values())
