"""A tiny run of bench/uploads.py: the output has the shape DESIGN.md gives benchmarks, and
the two quick worst cases are refused with their messages (no timing is checked here)."""

from __future__ import annotations

from tests.bench.support import metrics_of, run_bench

KEYS = {"bench", "metric", "value", "unit", "reference", "ratio", "n"}
CASES = ("columns_40k", "xlsx_bomb")


def test_it_reports_time_and_memory_for_each_case_against_the_floor() -> None:
    run = run_bench("uploads.py", "--rounds", "1", "--case", CASES[0], "--case", CASES[1])
    metrics = metrics_of(run)
    assert set(metrics) == {
        f"{case} {what}"
        for case in CASES
        for what in ("cpu seconds", "wall seconds", "peak memory")
    }
    for line in metrics.values():
        assert set(line) == KEYS and line["bench"] == "uploads"
        assert line["reference"].startswith("floor: the same worker checking a one-row file")
        assert line["value"] >= 0 and line["unit"] in {"s", "MB"}
    assert metrics["xlsx_bomb peak memory"]["n"] < 1_000_000  # the bomb is a small file
    assert "refused: The file has more than 500 columns" in run.stderr
    assert "refused: The workbook unpacks to 129 MB" in run.stderr
