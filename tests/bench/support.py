"""Running a benchmark script in a test: a tiny run that checks the output's shape.

These tests never check speed (the benchmarks report it, against a reference measured in the
same run). The time bound only stops a run that hangs, and it is far above any plausible
load on a busy machine, so a slow machine cannot fail them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HANG_GUARD_S = 1800


def run_bench(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``bench/<script>`` on a scratch SQLite database with the given options."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
    env.pop("DATABASE_URL", None)  # SQLite: the quick path
    cmd = [sys.executable, f"bench/{script}", *args, "--timeout", str(HANG_GUARD_S)]
    return subprocess.run(
        cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=HANG_GUARD_S + 60
    )


def metrics_of(run: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    assert run.returncode == 0, run.stderr
    return {line["metric"]: line for line in map(json.loads, run.stdout.splitlines())}
