"""A real consumer killed (SIGKILL) in the middle of a 1,000,000-row outcome import: nothing
is half-written, the job is started again once its lease has passed, and the outcomes are
stored exactly once (issue 18). Runs in subprocesses on a throw-away SQLite file with Redis,
like tests/core/test_consumer.py."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import IO, Any

import pytest

from bench import _harness as harness
from tests.core.test_consumer import REDIS_URL, _env, _forget_queue, _manage, _redis_answers

BASE_DIR = Path(__file__).resolve().parents[2]
ROWS = 1_000_000
HANG_GUARD_S = 600  # stops a hung run only; never a speed check

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not _redis_answers(REDIS_URL), reason=f"Redis does not answer PING at {REDIS_URL}"
    ),
]

START_IMPORT = f"""
from django.db import transaction
from bench.trials_import import setup_trial
from whatworks.trials import jobs, services
from whatworks.trials.models import UploadKind

trial, user, raw = setup_trial({ROWS})
with transaction.atomic():
    upload = services._stage(trial, UploadKind.OUTCOMES, raw, "outcomes.csv", {ROWS}, user)
    job = jobs.outcomes_confirm_later(trial=trial, actor=user, upload=upload)
print(job.pk)
"""
RESTART_STALLED = (
    "from whatworks.core.jobs import jobs_restart_stalled; print(jobs_restart_stalled())"
)


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(db, timeout=30)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _job(db: Path, pk: int) -> tuple[str, int, int, int]:
    rows = _query(
        db, f"SELECT status, rows_checked, rows_written, attempts FROM core_job WHERE id={pk}"
    )
    return rows[0]


def _consumer(env: dict[str, str], log: IO[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1", "--worker-type", "thread",
         "--no-periodic"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _wait(what: str, done: Any, log: IO[str]) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not done():
        if time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"{what} did not happen within {HANG_GUARD_S} s\n{log.read()[-3000:]}")
        time.sleep(0.1)


def test_a_consumer_killed_mid_import_leaves_nothing_and_the_job_finishes_once(tmp_path):
    queue_name = f"whatworksjob{uuid.uuid4().hex[:12]}"
    env = _env(tmp_path, queue_name) | {"JOB_LEASE_SECONDS": "5"}
    harness.migrate(env)
    db = tmp_path / "whatworks.sqlite3"
    started = _manage(env, "shell", "-v", "0", "-c", START_IMPORT, timeout=HANG_GUARD_S)
    assert started.returncode == 0, started.stderr
    job = int(started.stdout.strip().splitlines()[-1])
    log = (tmp_path / "consumer.log").open("w+")
    consumers: list[subprocess.Popen[str]] = []
    try:
        consumers.append(_consumer(env, log))
        # Killed part way through checking the rows, before anything could be written.
        _wait("the check reaching 100,000 rows", lambda: _job(db, job)[1] >= 100_000, log)
        os.killpg(consumers[0].pid, signal.SIGKILL)
        consumers[0].wait(timeout=60)
        status, checked, written, attempts = _job(db, job)
        assert (status, written, attempts) == ("running", 0, 1)
        assert checked < ROWS
        assert _query(db, "SELECT COUNT(*) FROM trials_outcomeset") == [(0,)]

        # The sweep (run here directly, as the scheduler does each minute) starts it again
        # once the dead consumer's lease has passed; a new consumer finishes it.
        consumers.append(_consumer(env, log))
        time.sleep(6)
        swept = _manage(env, "shell", "-v", "0", "-c", RESTART_STALLED)
        assert swept.stdout.strip() == "1", swept.stderr
        _wait("the job finishing", lambda: _job(db, job)[0] in ("done", "failed"), log)
        assert _job(db, job) == ("done", ROWS, ROWS, 2)
        assert _query(db, "SELECT rows FROM trials_outcomeset") == [(ROWS,)]
        assert _query(db, "SELECT COUNT(*) FROM trials_pendingupload") == [(0,)]
        # Another sweep finds nothing to start: the job is not written twice.
        assert _manage(env, "shell", "-v", "0", "-c", RESTART_STALLED).stdout.strip() == "0"
    finally:
        for consumer in consumers:
            if consumer.poll() is None:
                os.killpg(consumer.pid, signal.SIGKILL)
                consumer.wait(timeout=60)
        _forget_queue(queue_name)
