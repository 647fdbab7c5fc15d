"""A real Huey consumer on Redis: a queued message leaves the outbox, and a task round-trips.

Everything runs in subprocesses against a throw-away SQLite file, so the test is about
the queue (not the database) and works the same whatever DATABASE_URL the suite uses.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bench import _harness as harness

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:
        return False


pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not _redis_answers(REDIS_URL), reason=f"Redis does not answer PING at {REDIS_URL}"
    ),
]


def _env(var_dir: Path, queue_name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DATABASE_URL"}}
    env.update(
        WHATWORKS_VAR_DIR=str(var_dir),
        DEBUG="1",
        REDIS_URL=REDIS_URL,
        HUEY_NAME=queue_name,
        HUEY_IMMEDIATE="0",
        MESSAGE_BACKEND="outbox",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    for name in ("NOTIFY_API_KEY", "EMAIL_HOST"):
        env.pop(name, None)
    return env


def _manage(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _message_status(db: Path) -> list[tuple[str, int, str]]:
    connection = sqlite3.connect(db, timeout=5)
    try:
        return connection.execute(
            "SELECT status, attempts, last_error FROM core_message ORDER BY id"
        ).fetchall()
    finally:
        connection.close()


def _forget_queue(queue_name: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = [key for key in client.scan_iter(match=f"huey.*{queue_name}*")]
    if keys:
        client.delete(*keys)


SHELL_SCRIPT = """
from django.db import transaction
from whatworks.core.messaging import message_queue
from whatworks.core.tasks import ping

with transaction.atomic():
    message = message_queue(
        channel="email",
        recipient="ada@wealden.gov.uk",
        template="invitation",
        personalisation={"organisation": "Wealden", "invited_by": "Bo", "role": "Officer",
                         "link": "http://x/", "expires": "tomorrow"},
    )
print("queued", message.pk)
print("ping", ping().get(blocking=True, timeout=180))  # a hang guard: the consumer may be starting
"""


def test_it_delivers_messages_and_round_trips_tasks_through_a_real_consumer(tmp_path):
    # Huey strips non-alphanumerics from the name; keep it plain so the cleanup finds the keys.
    queue_name = f"whatworkstest{uuid.uuid4().hex[:12]}"
    env = _env(tmp_path, queue_name)
    harness.migrate(env)
    db = tmp_path / "whatworks.sqlite3"
    assert db.exists()

    log = (tmp_path / "consumer.log").open("w+")
    consumer = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "2", "--worker-type", "thread"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        shell = _manage(env, "shell", "-v", "0", "-c", SHELL_SCRIPT, timeout=300)
        assert shell.returncode == 0, shell.stderr
        assert "ping pong" in shell.stdout, shell.stdout + shell.stderr

        # Hang guards, not speed checks: a busy machine may take long to start the consumer.
        deadline = time.monotonic() + 180
        rows = _message_status(db)
        while time.monotonic() < deadline and not (rows and rows[0][0] == "sent"):
            time.sleep(0.2)
            rows = _message_status(db)
        log.seek(0)
        assert rows == [("sent", 1, "")], log.read()[-3000:]
        assert consumer.poll() is None, "the consumer died"
    finally:
        if consumer.poll() is None:
            os.killpg(consumer.pid, signal.SIGINT)
            try:
                consumer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(consumer.pid, signal.SIGKILL)
                consumer.wait(timeout=5)
        log.close()
        _forget_queue(queue_name)
