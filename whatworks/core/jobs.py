"""Long work on the task consumers, with progress the person can follow (issue 18).

A large import is checked and written by a consumer, not inside a web request. The request
records a `Job` (in its own transaction) and hands it to the queue after commit; the page
`/jobs/<id>/` shows rows checked and written and the time left, and the person can leave
and come back. An app registers each kind of job with `register(Kind(...))`.

All or nothing: a job's write, and the job being marked finished, are one transaction
(`finish_with`). A consumer killed part way has written nothing; the periodic sweep starts
the job again once its heartbeat is older than JOB_LEASE_SECONDS, at most MAX_ATTEMPTS
times, and a job finished by one attempt is never written again by another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from whatworks.core.models import Job, JobStatus
from whatworks.core.queue import after_commit

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
SHOWN_ERRORS = 50
PROGRESS_EVERY_S = 0.5  # at most two progress writes a second, whatever the rows


@dataclass(frozen=True)
class Kind:
    name: str
    title: str  # what the page says is happening, e.g. "Checking the outcome file"
    run: Callable[[Job, Progress], None]  # checks, then calls finish_with; raises to fail


kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    kinds[kind.name] = kind
    return kind


def title_of(job: Job) -> str:
    kind = kinds.get(job.kind)
    return kind.title if kind else "Work in the background"


def lease() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def job_start(
    *,
    kind: str,
    owner: Any,
    arguments: dict[str, Any],
    rows_total: int = 0,
    back_url: str = "",
) -> Job:
    """Record a job and queue it once the current transaction commits."""
    if kind not in kinds:
        raise ValueError(f"No job kind {kind!r} is registered.")
    job = Job.objects.create(
        kind=kind, owner=owner, arguments=arguments, rows_total=rows_total, back_url=back_url
    )
    from whatworks.core.tasks import run_job

    after_commit(run_job, job.pk)
    return job


class Progress:
    """Tells the job's page how far the work has got: called often, it writes at most every
    PROGRESS_EVERY_S, outside the work's own transaction, and doubles as the heartbeat."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last = 0.0

    def __call__(self, checked: int | None = None, written: int | None = None) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        changes: dict[str, Any] = {"heartbeat_at": timezone.now()}
        if checked is not None:
            changes["rows_checked"] = checked
        if written is not None:
            changes["rows_written"] = written
        Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(**changes)


def finish_with(job: Job, write: Callable[[], tuple[str, str, int]], *, checked: int) -> bool:
    """Do the job's write and mark it done (``checked`` rows) in one transaction.

    ``write`` returns (message, next URL, rows written). Returns False, writing nothing,
    when another attempt has finished the job already."""
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if current.finished:
            return False
        message, next_url, written = write()
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, message=message[:500], next_url=next_url[:300],
            rows_written=written, rows_checked=checked,
            finished_at=timezone.now(), heartbeat_at=timezone.now(), errors=[],
        )  # fmt: skip
    return True


def _fail(job: Job, message: str, errors: list[dict[str, Any]]) -> None:
    Job.objects.filter(pk=job.pk).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, message=message[:500], errors=errors[:SHOWN_ERRORS],
        finished_at=timezone.now(),
    )  # fmt: skip


def _row_errors(error: ValidationError) -> list[dict[str, Any]]:
    return [
        {"row": e.row, "column": e.column, "message": e.message}
        for e in getattr(error, "row_errors", [])
    ]


def job_run(job_id: int) -> Job | None:
    """Run one job if it is waiting, or stalled (its consumer died). Returns it, or None
    when there is nothing to do (finished, or another consumer is running it)."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        if (
            job.status == JobStatus.RUNNING
            and job.heartbeat_at
            and job.heartbeat_at > now - lease()
        ):
            return None
        if job.attempts >= MAX_ATTEMPTS:
            _fail(job, "The work stopped several times part way. Nothing was saved: try again.", [])
            return Job.objects.get(pk=job.pk)
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = now  # this attempt's start: the time left is from its rate
        job.heartbeat_at = now
        job.rows_checked = job.rows_written = 0
        job.save()
    kind = kinds.get(job.kind)
    try:
        if kind is None:
            raise ValidationError("This kind of work is no longer done here.")
        kind.run(job, Progress(job))
    except ValidationError as error:
        summary = getattr(error, "summary", None) or error.messages[0]
        _fail(job, summary, _row_errors(error))
    except Exception:
        log.exception("Job %s (%s) failed", job.pk, job.kind)
        _fail(job, "Something went wrong on our side. Nothing was saved: try again later.", [])
    return Job.objects.get(pk=job.pk)


def jobs_restart_stalled(now: Any = None) -> int:
    """Queue again the jobs whose consumer died or whose task the queue lost."""
    from whatworks.core.tasks import run_job

    ids = list(Job.objects.stalled(now or timezone.now(), lease()).values_list("pk", flat=True))
    for job_id in ids:
        after_commit(run_job, job_id)
    return len(ids)


def time_left(job: Job, now: Any = None) -> timedelta | None:
    """From the rate so far; None until there is a rate to go on."""
    if job.status != JobStatus.RUNNING or not job.rows_total or not job.rows_checked:
        return None
    if not job.started_at:
        return None
    elapsed = ((now or timezone.now()) - job.started_at).total_seconds()
    if elapsed <= 0:
        return None
    remaining = max(job.rows_total - job.rows_checked, 0)
    return timedelta(seconds=round(remaining * elapsed / job.rows_checked))


def time_left_words(left: timedelta | None) -> str:
    if left is None:
        return "Working it out"
    seconds = left.total_seconds()
    if seconds < 60:
        return "Less than a minute"
    minutes = round(seconds / 60)
    return f"About {minutes} minute{'s' if minutes != 1 else ''}"


def status_of(job: Job) -> dict[str, Any]:
    """What the job's page shows, for its JSON (the page's script updates in place)."""
    percent = min(100, round(100 * job.rows_checked / job.rows_total)) if job.rows_total else None
    return {
        "status": job.status,
        "status_text": job.get_status_display(),
        "finished": job.finished,
        "rows_total": job.rows_total,
        "rows_checked": job.rows_checked,
        "rows_written": job.rows_written,
        "percent": 100 if job.status == JobStatus.DONE else percent,
        "time_left": time_left_words(time_left(job)),
    }
