"""The evidence loop at scale (issue 17): the nightly job and the register's results-due page.

Seeds `--n` metrics (10,000 by default) with `--months` monthly observations each (120: ten
years), spread over one council per 20 metrics; `--goals` of them (1,000) are the primary goals
of started pilots whose judge-by date was yesterday, measured before and after the start
(24 months before it, 12 after). The register also holds goals overdue without a metric,
computed results awaiting confirmation, overdue follow-up checks and published pilots, so the
results-due page has every kind of row. Then:

1. The nightly job (`trials.evidence.compute_due_results`), timed in-process: the median of
   three runs, each from no drafts; target under 60 s for 1,000 goals.
2. The results-due page for the whole register, under wrk against the layout floor (see
   bench/_harness.py); target p95 under 150 ms and within 3x the layout floor.

    .venv/bin/python bench/evidence.py [--n 10000] [--months 120] [--goals 1000] [--check]
    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/evidence.py

The sizes are options so that a small run (`--n 1000 --goals 200`) fits a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ first on sys.path, where bench/http.py would shadow
# the standard library's `http` package. Put the repository root there instead.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

from bench import _harness as harness  # noqa: E402
from bench._harness import FRAMEWORK_FLOOR, LAYOUT_FLOOR, BenchError, Page  # noqa: E402

BENCH = "evidence"
DEFAULT_N = 10_000
DEFAULT_MONTHS = 120
DEFAULT_GOALS = 1_000
JOB_TARGET_S = 60.0
PAGE_TARGET_MS = 150.0
TARGET_RATIO = 3.0
PER_ORGANISATION = 20  # metrics per council
SEED = 20170401
BATCH = 20_000


def _options(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="metrics")
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS)
    parser.add_argument("--goals", type=int, default=DEFAULT_GOALS, help="goals due today")
    return parser.parse_known_args(argv)


def _month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


# --- Seeding (runs inside Django) ------------------------------------------------------------


def seed(n: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from whatworks.initiatives.models import (
        Goal,
        Initiative,
        ResultDraft,
        Status,
        SustainabilityCheck,
    )
    from whatworks.measures.models import Metric, Observation
    from whatworks.organisations.models import Organisation

    months = int(os.environ.get("BENCH_EVIDENCE_MONTHS", DEFAULT_MONTHS))
    goals = min(n, int(os.environ.get("BENCH_EVIDENCE_GOALS", DEFAULT_GOALS)))
    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    this_month = today.year * 12 + today.month - 1
    first = this_month - months
    start = _month(this_month - 12)  # the pilots started a year ago: 12 months after
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Council {i:05d}", slug=f"council-{i:05d}", kind="council")
        for i in range(max(1, n // PER_ORGANISATION))
    )
    with transaction.atomic():
        metrics = Metric.objects.bulk_create(
            Metric(
                organisation=organisations[i % len(organisations)],
                name=f"Indicator {i:05d}",
                kind="mean",
                unit="days",
                direction="lower",
                definition="Mean days from a request to its answer.",
                visibility="public",
            )
            for i in range(n)
        )
    rows: list[Any] = []
    for i, metric in enumerate(metrics):
        level = rng.uniform(20, 60)
        step = -rng.uniform(0, 6) if i < goals else 0.0
        noise = 0.0
        for k in range(months):
            period = _month(first + k)
            noise = 0.3 * noise + rng.gauss(0, 1)
            value = level + noise + (step if period >= start else 0.0)
            rows.append(
                Observation(
                    metric=metric,
                    organisation_id=metric.organisation_id,
                    period_start=period,
                    value=value,
                )
            )
        if len(rows) >= BATCH:
            Observation.objects.bulk_create(rows)
            rows = []
    Observation.objects.bulk_create(rows)

    def pilot(i: int, status: str = Status.STARTED, **fields: Any) -> Initiative:
        return Initiative(
            organisation=organisations[i % len(organisations)],
            title=f"Pilot {i:05d}",
            summary="A pilot measured from its council's own figures.",
            service_area="customer",
            visibility="public",
            status=status,
            planned_start=start,
            actual_start=start,
            **fields,
        )

    # The goals due today, each measured from its own metric.
    with transaction.atomic():
        due = Initiative.objects.bulk_create(pilot(i) for i in range(goals))
        Goal.objects.bulk_create(
            Goal(
                initiative=initiative,
                metric=metrics[i],
                is_primary=True,
                metric_name=f"Days to answer ({i})",
                unit="days",
                direction="lower",
                baseline_value=40.0,
                baseline_period="The 12 months before the start",
                baseline_rule="last_periods",
                baseline_periods=12,
                target_value=36.0,
                success_threshold=38.0,
                judge_by=today - timedelta(days=1),
                measured_design="before_after",
                locked_at=now,
            )
            for i, initiative in enumerate(due)
        )
        # The rest of the register's overdue evidence, for the results-due page.
        extra = max(10, goals // 2)
        overdue = Initiative.objects.bulk_create(pilot(goals + i) for i in range(extra))
        plain = Goal.objects.bulk_create(
            Goal(
                initiative=initiative,
                is_primary=True,
                metric_name="Requests answered first time",
                unit="%",
                direction="higher",
                baseline_value=60.0,
                baseline_period="2024",
                target_value=70.0,
                success_threshold=65.0,
                judge_by=today - timedelta(days=1 + i % 200),
                locked_at=now,
            )
            for i, initiative in enumerate(overdue)
        )
        ResultDraft.objects.bulk_create(
            ResultDraft(
                goal=goal,
                fields={"design": "before_after"},
                verdict="inconclusive",
                verdict_reason="Too short.",
                computed_on=today,
            )
            for goal in plain[: extra // 5]
        )
        published = Initiative.objects.bulk_create(
            pilot(goals + extra + i, status=Status.PUBLISHED, result_published_at=now)
            for i in range(extra)
        )
        SustainabilityCheck.objects.bulk_create(
            SustainabilityCheck(
                initiative=initiative, months_after=12, due_on=today - timedelta(days=30)
            )
            for initiative in published[: extra // 2]
        )


def time_job() -> None:
    """Runs inside Django: the median of three runs of the nightly job, each from no drafts."""
    from whatworks.initiatives.models import ResultDraft
    from whatworks.trials import evidence

    runs, computed = [], 0
    for _ in range(3):
        ResultDraft.objects.filter(goal__metric__isnull=False).delete()
        started = time.perf_counter()
        computed = evidence.compute_due_results()
        runs.append(time.perf_counter() - started)
    print(json.dumps({"seconds": statistics.median(runs), "runs": runs, "computed": computed}))


# --- The run -----------------------------------------------------------------------------------


def _line(
    metric: str, value: float, unit: str, reference: str, ratio: float | None, n: int
) -> dict[str, Any]:
    return {
        "bench": BENCH,
        "metric": metric,
        "value": round(value, 3),
        "unit": unit,
        "reference": reference,
        "ratio": None if ratio is None else float(f"{ratio:.3g}"),
        "n": n,
    }


def _django(env: dict[str, str], call: str) -> dict[str, Any]:
    code = f"import django; django.setup(); from bench.evidence import *; {call}"
    out = harness._run([harness.PYTHON, "-c", code], env, call)
    return dict(json.loads(out.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    own, rest = _options(argv)
    n = own.n
    os.environ["BENCH_EVIDENCE_MONTHS"] = str(own.months)
    os.environ["BENCH_EVIDENCE_GOALS"] = str(own.goals)
    pages = [Page("results due", "/initiatives/results-due/")]
    all_pages = [FRAMEWORK_FLOOR, LAYOUT_FLOOR, *pages]
    try:
        options = harness.parse_options(rest + ["--n", str(n)], __doc__ or BENCH, DEFAULT_N)
        harness._check_static_build()
        with tempfile.TemporaryDirectory(prefix="whatworks-bench-evidence-") as tmp:
            workdir = Path(tmp)
            script = workdir / "report.lua"
            script.write_text(harness.WRK_SCRIPT)
            var_dir = workdir / "var"
            var_dir.mkdir()
            env = harness._site_env(var_dir)
            with harness.scratch_database(options, env) as database:
                print(
                    f"preparing {database}: migrate, seed {n} metrics x {own.months} months, "
                    f"{own.goals} goals due",
                    file=sys.stderr,
                )
                harness.migrate(env)
                started = time.perf_counter()
                harness._seed(env, seed, n)
                print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
                job = _django(env, "time_job()")
                print(f"nightly job: {job}", file=sys.stderr)
                harness._manage(env, "collectstatic", "--no-input", "-v", "0")
                with harness.gunicorn(env, workdir) as base_url:
                    samples = harness.measure(base_url, all_pages, options, script)
    except BenchError as error:
        print(f"bench {BENCH} failed: {error}", file=sys.stderr)
        return 2

    figures = harness.medians(samples)
    lines = harness.result_lines(BENCH, figures, n)
    lines.append(
        _line(
            f"nightly job, {job['computed']} goals due",
            job["seconds"],
            "s",
            "target 60 s for 1,000 goals",
            job["seconds"] / JOB_TARGET_S,
            n,
        )
    )
    per_goal = job["seconds"] / max(1, job["computed"])
    lines.append(_line("nightly job per goal", per_goal * 1000, "ms", "none", None, n))
    p95 = figures[pages[0]]["p95_ms"]
    lines.append(
        _line(
            "results due p95 against target",
            p95,
            "ms",
            "target 150 ms",
            p95 / PAGE_TARGET_MS,
            n,
        )
    )
    for line in lines:
        print(json.dumps(line), flush=True)
    text, missed = harness.summary(BENCH, samples, options, TARGET_RATIO)
    print(text, file=sys.stderr)
    ok = per_goal * DEFAULT_GOALS < JOB_TARGET_S and p95 < PAGE_TARGET_MS and not missed
    print(
        f"targets {'met' if ok else 'MISSED'}: nightly job under 60 s for 1,000 goals "
        f"({per_goal * 1000:.1f} ms a goal), results-due p95 < 150 ms and within 3x the floor",
        file=sys.stderr,
    )
    return 1 if options.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
