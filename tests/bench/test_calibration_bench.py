"""A tiny run of bench/calibration.py: the output's shape, not its figures or its timing.

The figures need the full run (20,000 runs a design, about 5 minutes); 40 runs only show that
every design, rate and claim is printed in the benchmark format (DESIGN.md "Benchmarks").
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.bench.support import HANG_GUARD_S

REPO = Path(__file__).resolve().parents[2]
KEYS = {"bench", "metric", "value", "unit", "reference", "ratio", "n"}
DESIGNS = [
    "individual",
    "cluster equal",
    "cluster unequal",
    "interrupted time series (8 + 8, autocorrelation 0)",
    "interrupted time series (8 + 8, autocorrelation 0.3)",
    "interrupted time series (8 + 8, autocorrelation 0.6)",
    "difference-in-differences (8 + 8, autocorrelation 0)",
    "difference-in-differences (8 + 8, autocorrelation 0.3)",
    "difference-in-differences (8 + 8, autocorrelation 0.6)",
]


@pytest.fixture(scope="module")
def lines() -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
    run = subprocess.run(
        [sys.executable, "bench/calibration.py", "--runs", "40", "--pooling-runs", "12"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
    )
    assert run.returncode == 0, run.stderr
    assert "runs per design" in run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_it_prints_only_json_lines_with_every_key(lines: list[dict[str, Any]]) -> None:
    assert lines
    for line in lines:
        assert set(line) == KEYS, line
        assert line["bench"] == "calibration"
        assert isinstance(line["value"], int | float) and math.isfinite(line["value"])
        assert 0 <= line["value"] <= 1, line  # rates, coverages and their standard errors
        assert isinstance(line["reference"], str)
        assert line["ratio"] is None or isinstance(line["ratio"], int | float)
        assert line["unit"] == "proportion"


def test_it_reports_both_error_rates_with_their_monte_carlo_error_for_every_design(
    lines: list[dict[str, Any]],
) -> None:
    metrics = {line["metric"]: line for line in lines}
    for design in DESIGNS:
        found = [m for m in metrics if m.startswith(design) and "replaced" not in m]
        for rate in ("false worked rate", "two-sided rejection rate"):
            main = [m for m in found if m.endswith(f": {rate}")]
            assert main, (design, rate)
            assert metrics[main[0]]["n"] == 40
            assert metrics[main[0]]["reference"].startswith("nominal")
            assert any(m.endswith(f": {rate}, Monte Carlo SE") for m in found), (design, rate)


def test_it_reports_power_against_the_claim_and_pooled_coverage(
    lines: list[dict[str, Any]],
) -> None:
    metrics = [line["metric"] for line in lines]
    for design in ("individual", "cluster equal", "cluster unequal"):
        for label in ("power (a clear difference)", 'chance of "met"'):
            line = next(x for x in lines if x["metric"].startswith(design) and label in x["metric"])
            assert line["reference"].startswith("claimed ")
            claim = float(line["reference"].split()[1])
            assert line["ratio"] == pytest.approx(line["value"] / claim, rel=1e-3, abs=1e-4)
    for k in (2, 3, 5, 10):
        covered = [m for m in metrics if m.startswith(f"pooling k={k},") and "REML" in m]
        assert len(covered) == 2  # with heterogeneity and without
        for metric in covered:
            assert next(x for x in lines if x["metric"] == metric)["n"] == 12
