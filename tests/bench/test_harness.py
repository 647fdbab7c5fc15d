"""The benchmark harness end to end: a tiny run of bench/http.py, checked for well-formed output.

Runs as a subprocess (the harness builds its own database and server), so it needs neither
the pytest-django database nor much time: one 1-second round over 20 organisations.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.bench.support import run_bench

REPO = Path(__file__).resolve().parents[2]
KEYS = {"bench", "metric", "value", "unit", "reference", "ratio", "n"}
PAGES = ["framework floor", "layout floor", "home", "organisation list",
         "organisation list (councils)"]  # fmt: skip
STATS = {"p50": "ms", "p95": "ms", "p99": "ms", "req/s": "req/s"}

pytestmark = [
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed"),
    # One run of the benchmark (the module fixture) serves every test: keep them on one worker.
    pytest.mark.xdist_group("bench-harness"),
]


@pytest.fixture(scope="module")
def run() -> subprocess.CompletedProcess[str]:
    return run_bench("http.py", "--seconds", "1", "--rounds", "1", "--warmup", "0", "--n", "20")


@pytest.fixture(scope="module")
def lines(run: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    if run.returncode != 0:
        pytest.fail(f"bench/http.py exited {run.returncode}:\n{run.stderr}", pytrace=False)
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_it_prints_only_json_lines_with_every_key(lines: list[dict[str, Any]]) -> None:
    assert lines
    for line in lines:
        assert set(line) == KEYS, line
        assert line["bench"] == "http"
        assert line["n"] == 20
        assert isinstance(line["value"], int | float) and math.isfinite(line["value"])
        assert line["value"] > 0, line
        assert isinstance(line["reference"], str)
        assert line["ratio"] is None or isinstance(line["ratio"], int | float)


def test_it_reports_every_page_and_statistic(lines: list[dict[str, Any]]) -> None:
    metrics = {line["metric"]: line for line in lines}
    for page in PAGES:
        for stat, unit in STATS.items():
            assert metrics[f"{page} {stat}"]["unit"] == unit


def test_it_compares_pages_with_the_layout_floor(lines: list[dict[str, Any]]) -> None:
    metrics = {line["metric"]: line for line in lines}
    for line in lines:
        page, _, stat = line["metric"].rpartition(" ")
        if page == "framework floor":
            assert line["reference"] == "none" and line["ratio"] is None
            continue
        expected = "framework floor" if page == "layout floor" else "layout floor"
        assert line["reference"] == f"{expected} {stat}"
        reference = metrics[line["reference"]]
        assert line["ratio"] == pytest.approx(line["value"] / reference["value"], rel=0.01)


def test_it_summarises_the_target_on_stderr(
    run: subprocess.CompletedProcess[str], lines: list[dict[str, Any]]
) -> None:
    assert "p95 <= 3x layout floor" in run.stderr
    assert "organisation list (councils)" in run.stderr
