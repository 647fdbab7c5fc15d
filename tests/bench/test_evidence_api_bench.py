"""A tiny run of bench/evidence_api.py: the seed gives the key's organisation metrics, every
POST of 1,000 figures answers 2xx (the harness fails the run otherwise), and the output has
the benchmarks' shape. No timing is checked."""

from __future__ import annotations

import shutil

import pytest

from tests.bench.support import metrics_of, run_bench

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
KEYS = {"bench", "metric", "value", "unit", "reference", "ratio", "n"}


def test_it_posts_a_thousand_figures_a_call_and_reports_against_the_floor() -> None:
    run = run_bench(
        "evidence_api.py", "--n", "20", "--seconds", "1", "--rounds", "1", "--warmup", "0"
    )
    metrics = metrics_of(run)
    for line in metrics.values():
        assert set(line) == KEYS and line["bench"] == "evidence_api" and line["n"] == 20
    post = metrics["post 1,000 observations p95"]
    assert post["reference"] == "layout floor p95" and post["value"] > 0
    assert metrics["post 1,000 observations req/s"]["value"] > 0
    assert metrics["post 1,000 observations in process p95"]["unit"] == "ms"
    assert "target < 500 ms" in run.stderr
