"""Capacity: requests a second and p95 of the main pages with 1, 2 and 4 app processes, and
messages a second with 1 and 2 task consumers, on the database of the run.

One scratch database is seeded with the register's benchmark data (``--n`` records); gunicorn
serves it with 1, 2 and then 4 sync workers and wrk (10 connections) measures each page and
the layout floor in the same round (bench/_harness.py). Then a Redis of the run's own holds
the queue: ``--messages`` messages are queued (each a task on the queue and a row in the
outbox) and 1, then 2, Huey consumers send them through the outbox-only backend; the figure
is messages sent per second, from the first to the last.

stdout: the harness's JSON lines, one per page, statistic and number of app processes (the
metric names say which), and one per consumer count. The machine's cores are printed to
stderr: the figures mean little without them.

    .venv/bin/python bench/capacity.py --n 20000 [--database postgres]
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

from bench import _harness as harness  # noqa: E402
from bench import initiatives as register_bench  # noqa: E402

BENCH = "capacity"
PROCESSES = (1, 2, 4)
CONSUMERS = (1, 2)
PAGES = [harness.FRAMEWORK_FLOOR, harness.LAYOUT_FLOOR, *register_bench.PAGES]
DEFAULT_MESSAGES = 2000


def queue_messages(count: int) -> None:
    """Runs inside Django: queue ``count`` messages, each handed to the queue on commit."""
    from django.db import transaction

    from whatworks.core.messaging import message_queue
    from whatworks.core.models import Channel

    for start in range(0, count, 500):
        with transaction.atomic():
            for i in range(start, min(start + 500, count)):
                message_queue(
                    channel=Channel.EMAIL, recipient=f"reader{i}@capacity.example",
                    template="password_reset", personalisation={"link": "https://x/"},
                )  # fmt: skip


def unsent() -> None:
    """Runs inside Django: prints how many messages are not sent yet."""
    from whatworks.core.models import Message, MessageStatus

    print(Message.objects.exclude(status=MessageStatus.SENT).count())


def _django(env: dict[str, str], call: str) -> str:
    code = f"import django; django.setup(); from bench.capacity import *; {call}"
    return harness._run([harness.PYTHON, "-c", code], env, call.split("(")[0]).strip()


def _page_lines(workers: int, samples: dict[Any, list[Any]], n: int) -> list[dict[str, Any]]:
    lines = harness.result_lines(BENCH, harness.medians(samples), n)
    for line in lines:
        line["metric"] = f"{line['metric']} ({workers} app processes)"
        if line["reference"] != "none":
            line["reference"] = f"{line['reference']} ({workers} app processes)"
    return lines


def _consumers(env: dict[str, str], workdir: Path, count: int, messages: int) -> float:
    """Messages sent a second by ``count`` consumers, queue to last send."""
    port = harness._free_port()
    env = {**env, "REDIS_URL": f"redis://127.0.0.1:{port}/0", "HUEY_NAME": f"capacity-{count}"}
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    consumers: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(50):
            ping = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True)
            if ping.stdout.strip() == b"PONG":
                break
            time.sleep(0.1)
        _django(env, f"queue_messages({messages})")  # queued while no consumer runs
        started = time.monotonic()
        for index in range(count):
            extra = [] if index == 0 else ["--no-periodic"]
            consumers.append(subprocess.Popen(
                [harness.PYTHON, "manage.py", "run_huey", "--workers", "2", "--worker-type",
                 "thread", *extra],
                cwd=harness.REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            ))  # fmt: skip
        deadline = started + 600
        while int(_django(env, "unsent()")) and time.monotonic() < deadline:
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        if int(_django(env, "unsent()")):
            raise harness.BenchError(f"{count} consumer(s) did not send {messages} in 600 s.")
        return messages / elapsed
    finally:
        for process in [*consumers, redis]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def main() -> int:
    argv = sys.argv[1:]
    messages = DEFAULT_MESSAGES
    if "--messages" in argv:
        at = argv.index("--messages")
        messages = int(argv[at + 1])
        del argv[at : at + 2]
    options = harness.parse_options(argv, __doc__.splitlines()[0], 20_000)
    if shutil.which("wrk") is None or shutil.which("redis-server") is None:
        print("bench capacity: needs wrk and redis-server.", file=sys.stderr)
        return 2
    print(f"bench capacity: {os.cpu_count()} cores, {options.database}", file=sys.stderr)
    signal.signal(signal.SIGTERM, harness._raise_exit)
    lines: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="whatworks-bench-capacity-") as tmp:
            workdir = Path(tmp)
            script = workdir / "report.lua"
            script.write_text(harness.WRK_SCRIPT)
            var = workdir / "var"
            var.mkdir()
            env = harness._site_env(var)
            env["MESSAGE_BACKEND"] = "outbox"
            with harness.scratch_database(options, env) as database:
                print(f"bench capacity: {database}, seeding n={options.n}", file=sys.stderr)
                harness.migrate(env)
                harness._seed(env, register_bench.seed, options.n)
                harness._manage(env, "collectstatic", "--no-input", "-v", "0")
                for workers in PROCESSES:
                    with harness.gunicorn(env, workdir, workers=workers) as url:
                        samples = harness.measure(url, PAGES, options, script)
                    lines += _page_lines(workers, samples, options.n)
                    print(
                        harness.summary(BENCH, samples, options, 3.0, workers)[0], file=sys.stderr
                    )
                rates = {c: _consumers(env, workdir, c, messages) for c in CONSUMERS}
    except harness.BenchError as error:
        print(f"bench capacity failed: {error}", file=sys.stderr)
        return 2
    for count, rate in rates.items():
        lines.append({
            "bench": BENCH, "metric": f"messages sent ({count} consumers)",
            "value": round(rate, 1), "unit": "messages/s",
            "reference": f"messages sent ({CONSUMERS[0]} consumers)" if count != CONSUMERS[0]
            else "none",
            "ratio": round(rate / rates[CONSUMERS[0]], 3) if count != CONSUMERS[0] else None,
            "n": messages,
        })  # fmt: skip
    for line in lines:
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
