"""A tiny run of bench/checkins.py: the seed is consistent, the signed-in list page answers
2xx under wrk, and every visit sent is stored once and whole."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


def test_it_seeds_a_small_scheme_and_measures_everything() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
    env.pop("DATABASE_URL", None)  # SQLite: the quick path
    cmd = [
        sys.executable,
        "bench/checkins.py",
        "--n",
        "1000",
        "--seconds",
        "1",
        "--rounds",
        "1",
        "--warmup",
        "0",
        "--timeout",
        "100",
        "--visit-seconds",
        "3",
        "--visit-rate",
        "10",
    ]
    run = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=150)
    assert run.returncode == 0, run.stderr
    metrics = {line["metric"]: line for line in map(json.loads, run.stdout.splitlines())}
    assert metrics["worker's list p95"]["reference"] == "layout floor p95"
    assert metrics["worker's list p95"]["value"] > 0
    assert metrics["generate tomorrow's lists"]["unit"] == "s"
    assert metrics["planned visits tomorrow"]["value"] > 0
    assert metrics["visit recordings sent"]["value"] > 0
    for what in ("lost", "duplicated", "half-written", "wrong"):
        assert metrics[f"visits {what}"]["value"] == 0
    assert metrics["visit request errors"]["value"] == 0
    assert all(line["n"] == 1000 for line in metrics.values())
