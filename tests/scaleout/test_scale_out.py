"""Two app servers and two task consumers on PostgreSQL and Redis, under load and faults.

Runs ``bench/scaleout.py`` (which starts the cluster, its own Redis, a stand-in for GOV.UK
Notify and, where it can, a PostgreSQL cluster of its own): while clients vote, record
visits, post replies and read the register across both servers, one at a time a consumer is
killed, Redis is killed and comes back empty, the message provider fails for a while, an
app server is drained and restarted, another is killed with requests in flight, and
PostgreSQL restarts. Afterwards the database must hold exactly what the clients were told
succeeded (requests cut off by a fault may have happened or not), and every message must
have reached the provider exactly once. Needs PostgreSQL (the suite's DATABASE_URL) and
redis-server; CI runs it in the PostgreSQL pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HANG_GUARD_S = 1800  # stops a hung run only; never a speed check

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL: several app servers cannot share a SQLite file",
    ),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def test_two_servers_and_two_consumers_lose_nothing_when_parts_fail() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    run = subprocess.run(
        [sys.executable, "bench/scaleout.py", "--seconds", "20", "--records", "300"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=HANG_GUARD_S,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    figures = {
        line["metric"]: line["value"]
        for line in map(json.loads, run.stdout.splitlines())
        if line["unit"] == "count"
    }
    assert figures["messages"] > 0, "the run queued no messages, so it proves nothing about them"
    assert figures["provider refusals"] > 0, "the message provider's outage did not happen"
    counts = ("messages", "messages retried", "provider refusals", "requests cut off by a fault")
    expected_zero = {name: 0 for name in figures if name not in counts}
    assert {name: figures[name] for name in expected_zero} == expected_zero, run.stderr[-4000:]
    # Work of every kind was done and acknowledged through both servers' faults.
    statuses = run.stderr.split("status: ", 1)[1].splitlines()[0]
    for kind in ("read 200", "vote 302", "visit 201", "reply 302"):
        assert kind in statuses, statuses
