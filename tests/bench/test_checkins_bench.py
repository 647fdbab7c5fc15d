"""A tiny run of bench/checkins.py: the seed is consistent, the signed-in list page answers
2xx under wrk, and every visit sent is stored once and whole."""

from __future__ import annotations

import shutil

import pytest

from tests.bench.support import metrics_of, run_bench

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


def test_it_seeds_a_small_scheme_and_measures_everything() -> None:
    run = run_bench("checkins.py", "--n", "1000", "--seconds", "1", "--rounds", "1",
                    "--warmup", "0", "--visit-seconds", "3", "--visit-rate", "10")  # fmt: skip
    metrics = metrics_of(run)
    assert metrics["worker's list p95"]["reference"] == "layout floor p95"
    assert metrics["worker's list p95"]["value"] > 0
    assert metrics["generate tomorrow's lists"]["unit"] == "s"
    assert metrics["planned visits tomorrow"]["value"] > 0
    assert metrics["visit recordings sent"]["value"] > 0
    for what in ("lost", "duplicated", "half-written", "wrong"):
        assert metrics[f"visits {what}"]["value"] == 0
    assert metrics["visit request errors"]["value"] == 0
    assert all(line["n"] == 1000 for line in metrics.values())
