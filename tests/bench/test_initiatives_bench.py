"""A tiny run of bench/initiatives.py: the seed is consistent and every page answers 2xx.

The harness fails the run on any non-2xx response, so a seed that breaks a page (or a page
that breaks on realistic data) fails here in seconds rather than in `make bench`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

REPO = Path(__file__).resolve().parents[2]
PAGES = ["initiative page", "search with two facets", "list with two facets"]


def _browse_is_wired() -> bool:
    try:
        reverse("initiative-list")
    except NoReverseMatch:
        return False
    return True


pytestmark = [
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed"),
    pytest.mark.skipif(not _browse_is_wired(), reason="the browse page has no URL yet"),
]


def test_it_seeds_a_small_register_and_measures_every_page() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
    env.pop("DATABASE_URL", None)  # SQLite: the quick path
    cmd = [sys.executable, "bench/initiatives.py", "--n", "300", "--seconds", "1",
           "--rounds", "1", "--warmup", "0", "--timeout", "120"]  # fmt: skip
    run = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=150)
    assert run.returncode == 0, run.stderr
    metrics = {line["metric"]: line for line in map(json.loads, run.stdout.splitlines())}
    for page in PAGES:
        line = metrics[f"{page} p95"]
        assert line["n"] == 300
        assert line["reference"] == "layout floor p95"
        assert line["value"] > 0
