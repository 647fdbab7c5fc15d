"""Benchmark: importing and validating a 1,000,000-row CSV of trial outcomes.

For each database (SQLite, and PostgreSQL when a server is reachable; ``--database`` picks one),
a fresh database is made with the harness (``bench/_harness.py``: ``scratch_database``,
``_site_env``, ``_manage``, ``_run``), migrated, and a worker interpreter then:

1. sets up a trial with ``--n`` allocated units (written directly: allocation is not measured);
2. builds a CSV of ``--n`` outcome rows (unit id and a 0/1 outcome, in shuffled order);
3. times, interleaved round by round, medians of ``--rounds``:
   * **import**: ``trials.services.outcomes_import`` (read with ``core.tabular.read_table``,
     check every row against the allocated units, store the columns, audit) -- the whole
     confirm step;
   * **reference, read_table**: ``core.tabular.read_table`` alone on the same bytes;
   * **reference, csv**: decoding the bytes and ``list(csv.reader(...))`` with the standard
     library alone (the floor for any CSV import in Python).

stdout: one JSON object per line (DESIGN.md "Benchmarks"); ratio = import / reference.
Target (issue 4, "Speed"): under 20 s on SQLite and on PostgreSQL.

    .venv/bin/python bench/trials_import.py [--n 1000000] [--rounds 3] [--database sqlite]
    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/trials_import.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

from bench._harness import (  # noqa: E402
    PYTHON,
    BenchError,
    Options,
    _postgres_server_url,
    _run,
    _site_env,
    migrate,
    scratch_database,
)

BENCH = "trials_import"
TARGET_S = 20.0


def setup_trial(n: int) -> tuple[Any, Any, bytes]:
    """Runs inside Django: a trial with ``n`` allocated units and its plan locked, and a CSV of
    ``n`` outcomes in shuffled order. Returns (trial, user, the CSV's bytes)."""
    import numpy as np

    from whatworks.initiatives import services as register
    from whatworks.organisations.models import Membership, Organisation, Role, User
    from whatworks.trials import columns, services
    from whatworks.trials.models import Allocation, TrialStatus

    organisation = Organisation.objects.create(name="Bench Council", slug="bench-council")
    user = User.objects.create_user(email="bench@example.org", password=None, full_name="Bench")
    Membership.objects.create(organisation=organisation, user=user, role=Role.ANALYST)
    initiative = register.initiative_create(
        organisation=organisation,
        actor=user,
        title="Bench",
        summary="Bench",
        service_area="housing",
        collaborations=["public"],
    )
    goal = register.goal_add(
        initiative=initiative,
        actor=user,
        metric_name="Contact",
        unit="%",
        direction="higher",
        baseline_value=30,
        baseline_period="2016",
        target_value=45,
        success_threshold=40,
    )
    trial = services.trial_create(
        initiative=initiative,
        goal=goal,
        actor=user,
        arms=[("Old", 1), ("New", 1)],
        title="Bench trial",
        outcome_kind="proportion",
        primary_outcome="Contact",
        analysis_date="2017-03-31",
    )
    units = [f"U{i:07d}" for i in range(n)]
    rng = np.random.default_rng(2017)
    arms = rng.integers(0, 2, n)
    Allocation.objects.create(
        trial=trial,
        seed=1,
        method="bench",
        kind="simple",
        block_size=2,
        n_units=n,
        counts=[int((arms == 0).sum()), int((arms == 1).sum())],
        units=columns.pack_text(units),
        arms=columns.pack_codes(arms),
    )
    trial.status = TrialStatus.ALLOCATED
    trial.save(update_fields=["status"])
    services.trial_lock_plan(trial=trial, actor=user)
    trial.refresh_from_db()
    order = rng.permutation(n)
    outcome = (rng.random(n) < 0.3 + 0.05 * arms).astype(int)
    text = "unit_id,outcome\n" + "".join(f"{units[i]},{outcome[i]}\n" for i in order)
    return trial, user, text.encode()


def worker(n: int, rounds: int) -> None:
    """Runs inside Django (a fresh interpreter on the scratch database); prints JSON lines."""
    import csv
    import io

    from whatworks.core.tabular import read_table
    from whatworks.trials import services

    trial, user, raw = setup_trial(n)

    def run_import() -> None:
        services.outcomes_import(trial=trial, actor=user, raw=raw, filename="outcomes.csv")

    def run_read_table() -> None:
        table = read_table(raw, required=["unit_id", "outcome"], filename="outcomes.csv")
        for _ in table.records():  # rows are read as they are taken
            pass

    def run_csv() -> None:
        list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))

    timings: dict[str, list[float]] = {"import": [], "read_table": [], "csv": []}
    for _ in range(rounds):
        for name, fn in (("csv", run_csv), ("read_table", run_read_table), ("import", run_import)):
            start = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - start)
    stored = trial.outcome_sets.count()
    assert stored == rounds, f"expected {rounds} outcome sets, found {stored}"
    print(
        json.dumps(
            {name: statistics.median(v) for name, v in timings.items()}
            | {
                "bytes": len(raw),
                "stored_bytes": len(bytes(trial.outcome_sets.first().outcome)),
            }
        )
    )


def _measure(database: str, n: int, rounds: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-trials-"))
    try:
        var_dir = workdir / "var"
        var_dir.mkdir()
        env = _site_env(var_dir)
        options = Options(
            seconds=0, rounds=rounds, warmup=0, database=database, n=n, check=False, timeout=None
        )
        with scratch_database(options, env) as described:
            print(f"{BENCH}: {described}, n={n:,}, rounds={rounds}", file=sys.stderr)
            migrate(env)
            code = (
                "import django; django.setup(); from bench.trials_import import worker; "
                f"worker({n!r}, {rounds!r})"
            )
            out = _run([PYTHON, "-c", code], env, "the import worker")
        return json.loads(out.strip().splitlines()[-1])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _postgres_available() -> bool:
    from urllib.parse import urlparse

    url = urlparse(_postgres_server_url())
    try:
        done = subprocess.run(
            ["pg_isready", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    missed = False
    for database in databases:
        if database == "postgres" and args.database == "both" and not _postgres_available():
            print(f"{BENCH}: skipped PostgreSQL: no server answers", file=sys.stderr)
            continue
        try:
            figures = _measure(database, args.n, args.rounds)
        except BenchError as error:
            print(f"{BENCH}: {error}", file=sys.stderr)
            return 2
        for reference in ("read_table", "csv"):
            print(
                json.dumps(
                    {
                        "bench": BENCH,
                        "metric": f"import and validate outcomes ({database})",
                        "value": round(figures["import"], 3),
                        "unit": "s",
                        "reference": f"{reference} alone on the same CSV",
                        "ratio": round(figures["import"] / figures[reference], 2),
                        "n": args.n,
                    }
                )
            )
        for reference in ("read_table", "csv"):
            print(
                json.dumps(
                    {
                        "bench": BENCH,
                        "metric": f"{reference} alone ({database})",
                        "value": round(figures[reference], 3),
                        "unit": "s",
                        "reference": "none (a reference itself)",
                        "ratio": None,
                        "n": args.n,
                    }
                )
            )
        print(
            f"{BENCH} ({database}): import {figures['import']:.2f} s (target < {TARGET_S:.0f} s); "
            f"read_table {figures['read_table']:.2f} s; csv {figures['csv']:.2f} s; "
            f"file {figures['bytes'] / 1e6:.1f} MB stored as "
            f"{figures['stored_bytes'] / 1e6:.2f} MB",
            file=sys.stderr,
        )
        missed |= figures["import"] >= TARGET_S
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
