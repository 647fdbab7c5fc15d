"""Large unit lists and outcome files are checked, allocated and imported on the task
consumers (whatworks.core.jobs), not inside a web request: the person follows the progress on
the job's page.

Two steps, as for a small file: the check (the person then sees the summary and confirms),
and the allocation or import, which checks every row again and writes with the job's end in
one transaction, so a consumer killed part way leaves nothing behind.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from whatworks.core import audit, jobs
from whatworks.core.models import Job
from whatworks.core.tabular import estimate_rows
from whatworks.organisations.models import User
from whatworks.trials import services
from whatworks.trials.models import Allocation, OutcomeSet, PendingUpload, Trial, UploadKind
from whatworks.ui.numbers import number

CHECK = "trials.outcomes_check"
IMPORT = "trials.outcomes_import"
UNITS_CHECK = "trials.units_check"
ALLOCATE = "trials.allocate"
GONE = "This file has been replaced by a newer upload or imported already: upload it again."


def in_background(raw: bytes) -> bool:
    return estimate_rows(raw) > settings.IMPORT_IN_BACKGROUND_ROWS


@transaction.atomic
def outcomes_stage_later(*, trial: Trial, actor: User, raw: bytes, filename: str) -> Job:
    """Keep the file and check it on a consumer; the job's page leads to the confirmation."""
    services._outcomes_ready(trial)  # refuses a trial not ready for outcomes
    upload = services._stage(trial, UploadKind.OUTCOMES, raw, filename, 0, actor)
    return jobs.job_start(
        kind=CHECK,
        owner=actor,
        arguments={"upload": upload.pk},
        rows_total=estimate_rows(raw),
        back_url=reverse("trial-outcomes", args=[trial.pk]),
    )


@transaction.atomic
def outcomes_confirm_later(*, trial: Trial, actor: User, upload: PendingUpload) -> Job:
    if upload.trial_id != trial.pk or upload.kind != UploadKind.OUTCOMES:
        raise ValidationError("That upload is not this trial's outcome file.")
    services._outcomes_ready(trial)
    return jobs.job_start(
        kind=IMPORT,
        owner=actor,
        arguments={"upload": upload.pk},
        rows_total=upload.rows,
        back_url=reverse("trial-outcomes", args=[trial.pk]),
    )


def _upload(job: Job, kind: str = UploadKind.OUTCOMES) -> PendingUpload:
    """The job's waiting file of ``kind``: gone if replaced or imported since."""
    upload = (
        PendingUpload.objects.select_related("trial__initiative")
        .filter(pk=job.arguments.get("upload"), kind=kind)
        .first()
    )
    if upload is None:
        raise ValidationError(GONE)
    return upload


def _check(job: Job, progress: jobs.Progress) -> None:
    upload = _upload(job)
    trial = upload.trial
    allocation = services._outcomes_ready(trial)
    checked = services.outcomes_check(
        trial=trial, allocation=allocation, raw=bytes(upload.content),
        filename=upload.filename, progress=lambda rows: progress(checked=rows),
    )  # fmt: skip

    def write() -> tuple[str, str, int]:
        if not PendingUpload.objects.filter(pk=upload.pk).update(rows=checked.rows):
            raise ValidationError(GONE)
        return (
            f"All {number(checked.rows, 0)} rows are correct. Check the summary, then import.",
            reverse("trial-outcomes-confirm", args=[trial.pk, upload.pk]),
            0,
        )

    jobs.finish_with(job, write, checked=checked.rows)


def _import(job: Job, progress: jobs.Progress) -> None:
    upload = _upload(job)
    trial = upload.trial
    raw = bytes(upload.content)
    allocation = services._outcomes_ready(trial)
    checked = services.outcomes_check(
        trial=trial, allocation=allocation, raw=raw, filename=upload.filename,
        progress=lambda rows: progress(checked=rows),
    )  # fmt: skip

    def write() -> tuple[str, str, int]:
        if not PendingUpload.objects.filter(pk=upload.pk).exists():
            raise ValidationError(GONE)
        services._store_outcomes(trial, job.owner, checked, hashlib.sha256(raw).hexdigest())
        return (
            f"{number(checked.rows, 0)} outcomes imported.",
            reverse("trial-results", args=[trial.pk]),
            checked.rows,
        )

    jobs.finish_with(job, write, checked=checked.rows)


@transaction.atomic
def outcomes_import_for_key(
    *, trial: Trial, organisation_id: int, raw: bytes, filename: str
) -> Job:
    """A large outcome file sent with an API key: checked and imported in one job (no person
    confirms it), which the organisation's keys read back through the API. The log names the
    key here, in its request; the import's own entry, on the consumer, names the job."""
    services._outcomes_ready(trial)
    upload = services._stage(trial, UploadKind.OUTCOMES, raw, filename, 0, None)  # type: ignore[arg-type]
    rows = estimate_rows(raw)
    job = jobs.job_start(
        kind=IMPORT,
        owner=None,
        arguments={"upload": upload.pk, "organisation": organisation_id, "trial": trial.pk},
        rows_total=rows,
    )
    audit.record(
        "trial.outcomes_queued",
        obj=trial,
        organisation=trial.initiative.organisation,
        detail={"job": job.pk, "rows": rows},
    )
    return job


# --- Unit lists ------------------------------------------------------------------------------


@transaction.atomic
def units_stage_later(*, trial: Trial, actor: User, raw: bytes, filename: str) -> Job:
    """Keep the list and check it on a consumer; the job's page leads to the confirmation."""
    services._refuse_allocation_locked(trial)
    upload = services._stage(trial, UploadKind.UNITS, raw, filename, 0, actor)
    return jobs.job_start(
        kind=UNITS_CHECK,
        owner=actor,
        arguments={"upload": upload.pk},
        rows_total=estimate_rows(raw),
        back_url=reverse("trial-units", args=[trial.pk]),
    )


@transaction.atomic
def allocate_later(*, trial: Trial, actor: User, upload: PendingUpload, seed: int | None) -> Job:
    if upload.trial_id != trial.pk or upload.kind != UploadKind.UNITS:
        raise ValidationError("That upload is not this trial's unit list.")
    services._refuse_allocation_locked(trial)
    return jobs.job_start(
        kind=ALLOCATE,
        owner=actor,
        arguments={"upload": upload.pk, "seed": seed},
        rows_total=upload.rows,
        back_url=reverse("trial-units", args=[trial.pk]),
    )


def _units_check(job: Job, progress: jobs.Progress) -> None:
    upload = _upload(job, UploadKind.UNITS)
    trial = upload.trial
    services._refuse_allocation_locked(trial)
    units = services.units_check(
        trial=trial, raw=bytes(upload.content), filename=upload.filename,
        progress=lambda rows: progress(checked=rows),
    )  # fmt: skip

    def write() -> tuple[str, str, int]:
        if not PendingUpload.objects.filter(pk=upload.pk).update(rows=units.n):
            raise ValidationError(GONE)
        return (
            f"All {number(units.n, 0)} units are listed correctly. Check them, then allocate.",
            reverse("trial-units-confirm", args=[trial.pk, upload.pk]),
            0,
        )

    jobs.finish_with(job, write, checked=units.n)


def _allocate(job: Job, progress: jobs.Progress) -> None:
    upload = _upload(job, UploadKind.UNITS)
    trial = upload.trial
    owner = job.owner
    if owner is None:
        raise ValidationError("The account that started this allocation has been closed.")

    def write() -> tuple[str, str, int]:
        # The allocation checks the list again and randomises in the job's transaction.
        allocation = services.trial_allocate(
            trial=trial, actor=owner, upload=upload, seed=job.arguments.get("seed")
        )
        return (
            f"{number(allocation.n_units, 0)} units are allocated. Check the balance table.",
            reverse("trial-allocation", args=[trial.pk]),
            allocation.n_units,
        )

    jobs.finish_with(job, write, checked=upload.rows)


def units_receive(*, trial: Trial, actor: User, raw: bytes, filename: str) -> PendingUpload | Job:
    """Stage a unit list: a small one checked now (its PendingUpload), a large one on a
    consumer (its Job, whose page leads to the confirmation)."""
    if in_background(raw):
        return units_stage_later(trial=trial, actor=actor, raw=raw, filename=filename)
    return services.units_stage(trial=trial, actor=actor, raw=raw, filename=filename)


def allocate_or_later(
    *, trial: Trial, actor: User, upload: PendingUpload, seed: int | None
) -> Allocation | Job:
    """Allocate a confirmed list: now (its Allocation), or on a consumer if large (its Job)."""
    if upload.rows > settings.IMPORT_IN_BACKGROUND_ROWS:
        return allocate_later(trial=trial, actor=actor, upload=upload, seed=seed)
    return services.trial_allocate(trial=trial, actor=actor, upload=upload, seed=seed)


def register() -> None:
    jobs.register(jobs.Kind(CHECK, "Checking the outcome file", _check))
    jobs.register(jobs.Kind(IMPORT, "Importing the outcomes", _import))
    jobs.register(jobs.Kind(UNITS_CHECK, "Checking the unit list", _units_check))
    jobs.register(jobs.Kind(ALLOCATE, "Allocating the units", _allocate))


def outcomes_receive(
    *, trial: Trial, actor: User, raw: bytes, filename: str
) -> PendingUpload | Job:
    """Stage an outcome file: a small one checked now (its PendingUpload), a large one on a
    consumer (its Job, whose page leads to the confirmation)."""
    if in_background(raw):
        return outcomes_stage_later(trial=trial, actor=actor, raw=raw, filename=filename)
    return services.outcomes_stage(trial=trial, actor=actor, raw=raw, filename=filename)


def outcomes_confirm_or_later(
    *, trial: Trial, actor: User, upload: PendingUpload
) -> OutcomeSet | Job:
    """Import a confirmed file: now (its OutcomeSet), or on a consumer if large (its Job)."""
    if upload.rows > settings.IMPORT_IN_BACKGROUND_ROWS:
        return outcomes_confirm_later(trial=trial, actor=actor, upload=upload)
    return services.outcomes_confirm(trial=trial, actor=actor, upload=upload)
