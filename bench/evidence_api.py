"""Benchmark: posting 1,000 observations in one API call, on a store of many metrics.

A fresh site (``bench/_harness.py``: scratch database, production settings, gunicorn with two
sync workers) is seeded with ``--n`` metrics spread over ten organisations, each with ten years
of monthly figures (120 a metric: 1,200,000 rows at the issue's 10,000 metrics). One of the
organisations has an API key with ``measures:write``. wrk then posts, for as long as each run
lasts, bodies of 1,000 daily observations to that organisation's metrics, round robin: every
request writes 1,000 new rows (periods no earlier request used, so none is "unchanged"), and
is checked, written in one transaction and audited exactly as a council's job would be.

Measured, interleaved round by round as the page benchmarks are: the framework and layout
floors (GET, the harness's references) and the POST. The POST uses as many connections as
there are gunicorn workers (``POST_CONNECTIONS``), so its latency is the time to serve one
call, not the time spent queueing behind others; the floors use the harness's usual ten.

Target (issue 17, "Speed"): p95 under 500 ms for one call of 1,000 observations.

    .venv/bin/python bench/evidence_api.py --n 500 --seconds 5 --rounds 3
    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/evidence_api.py

stdout: JSON lines in the harness's format (DESIGN.md "Benchmarks"); a table on stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

from bench._harness import (  # noqa: E402
    FRAMEWORK_FLOOR,
    LAYOUT_FLOOR,
    REQUEST_TIMEOUT_S,
    WORKERS,
    WRK_SCRIPT,
    BenchError,
    Page,
    Sample,
    _drain,
    _parse_wrk,
    _raise_exit,
    _raise_timeout,
    _run,
    medians,
    parse_options,
    result_lines,
    run_budget,
    site,
    wrk,
)

BENCH = "evidence_api"
TARGET_P95_MS = 500.0
ROWS_PER_CALL = 1000
POST_CONNECTIONS = WORKERS
ORGANISATIONS = 10
SEED_FILE = "evidence_api.json"
IN_PROCESS_CALLS = 30
POST = Page(f"post {ROWS_PER_CALL:,} observations", "/api/metrics/{id}/observations")


def seed(n: int) -> None:
    """Runs inside Django: `n` metrics over ten organisations, 120 monthly figures each, and
    a measures:write key for the first organisation; writes the key and its metrics' ids to
    WHATWORKS_VAR_DIR/evidence_api.json for the load generator."""
    from datetime import date

    from django.db import transaction

    from whatworks.measures.models import Metric, Observation
    from whatworks.organisations import services
    from whatworks.organisations.models import Membership, Organisation, Role, User

    months = [date(2015 + i // 12, i % 12 + 1, 1) for i in range(120)]
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"Bench Council {i}", slug=f"bench-council-{i}")
            for i in range(ORGANISATIONS)
        )
        admin = User.objects.create_user(
            email="bench@example.org", password=None, full_name="Bench Admin"
        )
        Membership.objects.create(organisation=organisations[0], user=admin, role=Role.ADMIN)
        metrics = Metric.objects.bulk_create(
            Metric(
                organisation=organisations[i % ORGANISATIONS],
                name=f"Metric {i}",
                kind="count",
                unit="visits",
                direction="higher",
                definition="Seeded for the benchmark",
                visibility="public",
            )
            for i in range(n)
        )
    batch: list[Observation] = []
    for metric in metrics:
        for k, month in enumerate(months):
            batch.append(
                Observation(
                    metric=metric,
                    organisation_id=metric.organisation_id,
                    period_start=month,
                    value=float(100 + (metric.pk * 7 + k) % 50),
                )
            )
        if len(batch) >= 20_000:
            Observation.objects.bulk_create(batch)
            batch.clear()
    Observation.objects.bulk_create(batch)
    _, raw = services.api_key_create(
        organisation=organisations[0], name="Bench job", scope="measures:write", actor=admin
    )
    own = [m.pk for m in metrics if m.organisation_id == organisations[0].pk]
    timings = _in_process(organisations[0], raw)
    out = Path(os.environ["WHATWORKS_VAR_DIR"]) / SEED_FILE
    out.write_text(json.dumps({"key": raw, "metrics": own, "in_process_ms": timings}))


def _in_process(organisation: Any, raw: str, calls: int = IN_PROCESS_CALLS) -> list[float]:
    """Milliseconds for each of `calls` posts of 1,000 new figures through the whole Django
    stack in this process (Django's test client: middleware, authentication, validation,
    the write and its audit), without gunicorn, sockets or a load generator: the server's
    own share of a call, which the wrk figures add queueing and a busy machine to."""
    import time
    from datetime import date, timedelta

    from django.test import Client

    from whatworks.measures.models import Metric

    metric = Metric.objects.create(
        organisation=organisation,
        name="In-process timing",
        kind="count",
        unit="visits",
        direction="higher",
        definition="Seeded for the benchmark",
        visibility="public",
    )
    client = Client(SERVER_NAME="127.0.0.1")
    url = f"/api/metrics/{metric.pk}/observations"
    times = []
    for call in range(calls + 1):
        first = date(2014, 12, 31) - timedelta(days=(call + 1) * ROWS_PER_CALL)
        body = json.dumps(
            {
                "observations": [
                    {"period_start": (first + timedelta(days=i)).isoformat(), "value": i % 97}
                    for i in range(ROWS_PER_CALL)
                ]
            }
        )
        started = time.perf_counter()
        response = client.post(
            url, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"in-process post answered {response.status_code}")
        if call:  # the first call warms the process
            times.append(elapsed)
    return times


# Each request: the next metric, and 1,000 consecutive days in a window of that metric that
# no earlier request used. Windows count back from 2014 (the seeded months start in 2015);
# `first` is where this wrk run's counter starts, after every request of the runs before it.
POST_SCRIPT = r"""
local metrics = {METRICS}
local counter = FIRST
local rows = ROWS
local day = 86400
local last_day = os.time({year = 2014, month = 12, day = 31, hour = 12})

function request()
  local m = metrics[counter % #metrics + 1]
  local window = math.floor(counter / #metrics) + 1
  counter = counter + 1
  local first = last_day - window * rows * day
  local parts = {}
  for i = 0, rows - 1 do
    parts[#parts + 1] = string.format(
      '{"period_start":"%s","value":%d}', os.date("!%Y-%m-%d", first + i * day), (i * 7) % 97)
  end
  local body = '{"observations":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", "/api/metrics/" .. m .. "/observations", nil, body)
end
"""


def _post_script(workdir: Path, metrics: list[int], first: int) -> Path:
    script = workdir / f"post-{first}.lua"
    body = (
        POST_SCRIPT.replace("{METRICS}", "{" + ",".join(map(str, metrics)) + "}")
        .replace("FIRST", str(first))
        .replace("ROWS", str(ROWS_PER_CALL))
    )
    script.write_text(body + WRK_SCRIPT)
    return script


def _post(base_url: str, key: str, seconds: float, script: Path) -> Sample:
    cmd = [
        "wrk",
        "-H",
        f"Authorization: Bearer {key}",
        "-H",
        "Content-Type: application/json",
        "-t1",
        f"-c{POST_CONNECTIONS}",
        f"-d{seconds:g}s",
        "--latency",
        f"--timeout={REQUEST_TIMEOUT_S}s",
        "-s",
        str(script),
        base_url + "/api/metrics/",
    ]
    return _parse_wrk(_run(cmd, dict(os.environ), "wrk POST observations"), "POST observations")


def _summary(samples: dict[Page, list[Sample]], n: int, database: str) -> tuple[str, bool]:
    figures = medians(samples)
    post = figures[POST]
    p95s = [s.p95_ms for s in samples[POST]]
    ok = post["p95_ms"] < TARGET_P95_MS
    lines = [
        f"bench {BENCH}: n={n} metrics ({n * 120:,} stored figures), {database}, "
        f"{len(p95s)} round(s); POST with {POST_CONNECTIONS} connections, floors with the "
        "harness's",
        f"{'page':<36}{'p50 ms':>9}{'p95 ms':>9}{'p95 range':>16}{'req/s':>9}",
    ]
    for page, values in figures.items():
        spread = [s.p95_ms for s in samples[page]]
        lines.append(
            f"{page.name:<36}{values['p50_ms']:>9.2f}{values['p95_ms']:>9.2f}"
            f"{f'{min(spread):.1f}-{max(spread):.1f}':>16}{values['rps']:>9.1f}"
        )
    lines.append(
        f"{'pass' if ok else 'FAIL'}: p95 of one call of {ROWS_PER_CALL:,} observations "
        f"{post['p95_ms']:.1f} ms (target < {TARGET_P95_MS:.0f} ms)"
    )
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    # Every POST is a call with the one key: lift its per-minute limit for the run.
    os.environ["API_KEY_REQUESTS_PER_MINUTE"] = "100000000"
    try:
        options = parse_options(argv, __doc__.splitlines()[0], default_n=10_000)
        if shutil.which("wrk") is None:
            raise BenchError("wrk is not installed (Debian: apt-get install wrk).")
        budget = options.timeout or run_budget(options, 3) + options.n * 0.05
        signal.signal(signal.SIGALRM, _raise_timeout)
        signal.signal(signal.SIGTERM, _raise_exit)
        signal.alarm(max(1, int(budget)))
        samples: dict[Page, list[Sample]] = {FRAMEWORK_FLOOR: [], LAYOUT_FLOOR: [], POST: []}
        seeded: dict[str, Any] = {}
        try:
            with tempfile.TemporaryDirectory(prefix=f"whatworks-bench-{BENCH}-") as tmp:
                workdir = Path(tmp)
                report = workdir / "report.lua"
                report.write_text(WRK_SCRIPT)
                with site(options, seed, workdir) as base_url:
                    seeded.update(json.loads((workdir / "var" / SEED_FILE).read_text()))
                    if not seeded["metrics"]:
                        raise BenchError("--n is too small: the key's organisation has no metric.")
                    sent = 0

                    def post(seconds: float) -> Sample:
                        nonlocal sent
                        script = _post_script(workdir, seeded["metrics"], sent)
                        sample = _post(base_url, seeded["key"], seconds, script)
                        # Requests started but not finished also took their windows.
                        sent += sample.requests + POST_CONNECTIONS * 2
                        _drain(base_url)
                        return sample

                    if options.warmup > 0:
                        for page in (FRAMEWORK_FLOOR, LAYOUT_FLOOR):
                            wrk(base_url + page.path, options.warmup, report)
                        post(options.warmup)
                    for round_no in range(options.rounds):
                        for page in (FRAMEWORK_FLOOR, LAYOUT_FLOOR):
                            samples[page].append(wrk(base_url + page.path, options.seconds, report))
                            _drain(base_url)
                        samples[POST].append(post(options.seconds))
                        print(f"round {round_no + 1}/{options.rounds} done", file=sys.stderr)
        finally:
            signal.alarm(0)
    except (BenchError, subprocess.SubprocessError) as error:
        print(f"bench {BENCH} failed: {error}", file=sys.stderr)
        return 2
    for line in result_lines(BENCH, medians(samples), options.n):
        print(json.dumps(line), flush=True)
    in_process = sorted(seeded["in_process_ms"])
    quantiles = statistics.quantiles(in_process, n=20, method="inclusive")
    for suffix, value in (("p50", statistics.median(in_process)), ("p95", quantiles[18])):
        line = {
            "bench": BENCH,
            "metric": f"{POST.name} in process {suffix}",
            "value": round(value, 3),
            "unit": "ms",
            "reference": "none",
            "ratio": None,
            "n": options.n,
        }
        print(json.dumps(line), flush=True)
    text, ok = _summary(samples, options.n, options.database)
    print(text, file=sys.stderr)
    print(
        f"in process ({len(in_process)} calls, Django's test client, no server): "
        f"p50 {statistics.median(in_process):.1f} ms, p95 {quantiles[18]:.1f} ms",
        file=sys.stderr,
    )
    return 1 if options.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
