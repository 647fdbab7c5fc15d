"""A tiny run of bench/ideas.py: a few people submit and vote for a few seconds, and every
response, idea and vote checks out (the benchmark exits 2 on an error, a lost vote or a
double-counted one)."""

from __future__ import annotations

import shutil

import pytest

from tests.bench.support import metrics_of, run_bench

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


def test_it_drives_people_submitting_and_voting_and_checks_every_vote() -> None:
    run = run_bench("ideas.py", "--n", "10", "--people", "5", "--seconds", "2",
                    "--floor-seconds", "1", "--warmup", "0")  # fmt: skip
    metrics = metrics_of(run)
    p95 = metrics["submit and vote, 5 people p95"]
    assert p95["reference"] == "layout floor, 5 connections p95" and p95["value"] > 0
    assert metrics["errors"]["value"] == 0
    assert metrics["lost votes"]["value"] == 0
    assert metrics["double-counted votes"]["value"] == 0
    assert metrics["votes accepted"]["value"] > 0
    assert metrics["repeat votes refused"]["value"] > 0
