"""Large outcome files are checked and imported on the task consumers (whatworks.core.jobs),
not inside a web request: the person follows the progress on the job's page.

Two steps, as for a small file: the check (the person then sees the summary and confirms),
and the import, which checks every row again and writes the outcomes with the job's end in
one transaction, so a consumer killed part way leaves nothing behind.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from whatworks.core import jobs
from whatworks.core.models import Job
from whatworks.core.tabular import estimate_rows
from whatworks.organisations.models import User
from whatworks.trials import services
from whatworks.trials.models import OutcomeSet, PendingUpload, Trial, UploadKind
from whatworks.ui.numbers import number

CHECK = "trials.outcomes_check"
IMPORT = "trials.outcomes_import"
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


def _upload(job: Job) -> PendingUpload:
    upload = (
        PendingUpload.objects.select_related("trial__initiative")
        .filter(pk=job.arguments.get("upload"), kind=UploadKind.OUTCOMES)
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


def register() -> None:
    jobs.register(jobs.Kind(CHECK, "Checking the outcome file", _check))
    jobs.register(jobs.Kind(IMPORT, "Importing the outcomes", _import))


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
