"""A tiny run of bench/uploads.py: the output has the shape DESIGN.md gives benchmarks, and
the two quick worst cases are refused with their messages (no timing is checked here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KEYS = {"bench", "metric", "value", "unit", "reference", "ratio", "n"}


def test_it_reports_time_and_memory_for_each_case_against_the_floor() -> None:
    cmd = [sys.executable, "bench/uploads.py", "--rounds", "1",
           "--case", "columns_40k", "--case", "xlsx_bomb"]  # fmt: skip
    run = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert all(set(line) == KEYS and line["bench"] == "uploads" for line in lines)
    metrics = {line["metric"]: line for line in lines}
    assert set(metrics) == {
        f"{case} {what}"
        for case in ("columns_40k", "xlsx_bomb")
        for what in ("cpu seconds", "wall seconds", "peak memory")
    }
    for line in lines:
        assert line["reference"].startswith("floor: the same worker checking a one-row file")
        assert line["value"] >= 0 and line["unit"] in {"s", "MB"}
    assert metrics["xlsx_bomb peak memory"]["n"] < 1_000_000  # the bomb is a small file
    assert "refused: The file has more than 500 columns" in run.stderr
    assert "refused: The workbook unpacks to 129 MB" in run.stderr
