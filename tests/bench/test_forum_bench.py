"""A tiny run of bench/forum.py: the seed is consistent, every page answers 2xx, and the
digest step runs and drops the private group's thread for people who left it."""

from __future__ import annotations

import shutil

import pytest

from tests.bench.support import metrics_of, run_bench

PAGES = ["board thread list", "thread page (1,000 posts)"]
PAGES += [f"{page} (signed-in member)" for page in PAGES]

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


def test_it_seeds_a_small_forum_and_measures_every_page_and_the_digest() -> None:
    run = run_bench("forum.py", "--n", "2000", "--seconds", "1", "--rounds", "1", "--warmup", "0")
    metrics = metrics_of(run)
    for page in PAGES:
        line = metrics[f"{page} p95"]
        assert line["n"] == 2000
        assert line["reference"] == "layout floor p95"
        assert line["value"] > 0
    digest = metrics["daily digest for 100 people"]
    assert digest["unit"] == "s" and digest["reference"] == "target 60 s" and digest["n"] == 100
