"""Helpers shared by the trials app tests (no tests here): a started initiative with a goal,
a trial designed through the service, and CSV files of units and outcomes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from whatworks.initiatives import services as register
from whatworks.initiatives.models import Initiative, Status
from whatworks.trials import services
from whatworks.trials.models import Trial

PAST = date(2017, 3, 31)


def initiative_for(
    world: Any, *, started: bool = True, visibility: str = "peers", **goal: Any
) -> Initiative:
    initiative = register.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Rent arrears letters",
        summary="Rewrote the letters",
        service_area="housing",
        visibility=visibility,
        collaborations=["public"],
    )
    fields = {
        "metric_name": "Tenants who get in touch within 21 days",
        "unit": "%",
        "direction": "higher",
        "baseline_value": 30,
        "baseline_period": "2015-16",
        "target_value": 45,
        "success_threshold": 40,
    }
    fields.update(goal)
    register.goal_add(initiative=initiative, actor=world["officer"], **fields)
    if started:
        for status in (Status.PLANNED, Status.STARTED):
            register.initiative_change_status(
                initiative=initiative, to_status=status, actor=world["officer"]
            )
        initiative.refresh_from_db()
    return initiative


def trial_for(
    world: Any,
    initiative: Initiative,
    *,
    arms: list[tuple[str, int]] | None = None,
    analysis_date: date = PAST,
    **fields: Any,
) -> Trial:
    values = {
        "title": "Letters trial",
        "design": "randomised",
        "outcome_kind": "proportion",
        "units_noun": "tenants",
        "outcome_phrase": "got in touch within 21 days",
        "primary_outcome": "Contact within 21 days of the letter",
        "analysis_date": analysis_date,
        "alpha": 0.05,
        "sided": "two",
    }
    values.update(fields)
    return services.trial_create(
        initiative=initiative,
        goal=initiative.goals.get(is_primary=True),
        actor=world["analyst"],
        arms=arms or [("Old letter", 1), ("New letter", 1)],
        **values,
    )


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def units_file(n: int = 200, *, baseline: bool = True, clusters: int = 0) -> bytes:
    rng = np.random.default_rng(7)
    header = (
        ["unit_id"] + (["street"] if clusters else []) + (["baseline", "ward"] if baseline else [])
    )
    rows = []
    for i in range(n):
        row: list[Any] = [f"T{i:05d}"]
        if clusters:
            row.append(f"S{i % clusters:03d}")
        if baseline:
            row += [round(float(rng.normal(50, 10)), 1), "North" if i % 2 else "South"]
        rows.append(row)
    return csv_bytes(header, rows)


def allocated(world: Any, trial: Trial, n: int = 200, seed: int = 42, **kw: Any) -> Trial:
    upload = services.units_stage(
        trial=trial, actor=world["analyst"], raw=units_file(n, **kw), filename="units.csv"
    )
    services.trial_allocate(trial=trial, actor=world["analyst"], upload=upload, seed=seed)
    trial.refresh_from_db()
    return trial


def outcomes_for(trial: Trial, effect: float = 0.3, base: float = 0.3) -> bytes:
    """0/1 outcomes: control near `base`, others near base + effect (deterministic)."""
    from whatworks.trials import columns

    allocation = trial.allocation
    units = columns.unpack_text(allocation.units)
    arms = columns.unpack_codes(allocation.arms)
    rng = np.random.default_rng(11)
    rows = []
    for unit, arm in zip(units, arms, strict=True):
        p = base + (effect if arm > 0 else 0.0)
        rows.append([unit, int(rng.random() < p)])
    return csv_bytes(["unit_id", "outcome"], rows)


def locked(world: Any, trial: Trial) -> Trial:
    return services.trial_lock_plan(trial=trial, actor=world["analyst"])


def today() -> date:
    return timezone.localdate()


def future() -> date:
    return timezone.localdate() + timedelta(days=60)


def months(n: int, first: date = date(2015, 1, 1)) -> list[date]:
    out = []
    for i in range(n):
        year, month = divmod(first.month - 1 + i, 12)
        out.append(date(first.year + year, month + 1, 1))
    return out


def series_file(
    n_before: int = 12, n_after: int = 12, *, step: float = 12.0, comparison: bool = False
) -> bytes:
    """A monthly series from 2015-01 with a step of `step` at month n_before (deterministic)."""
    rng = np.random.default_rng(3)
    periods = months(n_before + n_after)
    rows: list[list[Any]] = []
    for group in ("treated", "comparison") if comparison else ("",):
        for i, p in enumerate(periods):
            after = i >= n_before
            value = 30 + 0.2 * i + (step if after and group != "comparison" else 0.0)
            value += float(rng.normal(0, 1))
            rows.append([p.isoformat(), round(value, 2)] + ([group] if group else []))
    return csv_bytes(["period", "value"] + (["group"] if comparison else []), rows)


def series_trial(world: Any, design: str = "before_after", **fields: Any) -> Trial:
    """A locked non-randomised trial (analysis date passed) with a series imported."""
    trial = trial_for(
        world,
        initiative_for(world),
        design=design,
        outcome_kind="mean",
        outcome_phrase="the share in touch",
        **fields,
    )
    locked(world, trial)
    services.series_import(
        trial=trial,
        actor=world["analyst"],
        raw=series_file(comparison=design == "comparison"),
        start=months(24)[12],
        filename="series.csv",
    )
    trial.refresh_from_db()
    return trial
