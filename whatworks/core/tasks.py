"""Background tasks (Huey). Periodic tasks sweep up whatever an immediate task missed."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from whatworks.core.models import Message


@db_task(retries=0)
def dispatch_message(message_id: int) -> str | None:
    from whatworks.core.messaging import message_dispatch

    message = message_dispatch(message_id=message_id)
    return message.status if message else None


@db_periodic_task(crontab(minute="*"))
def dispatch_due_messages() -> int:
    """Retry queued messages whose back-off has passed (and any whose task was lost)."""
    from whatworks.core.messaging import message_dispatch

    ids = list(Message.objects.due().values_list("pk", flat=True)[:500])
    for message_id in ids:
        message_dispatch(message_id=message_id)
    return len(ids)


@db_periodic_task(crontab(minute="40", hour="3"))
def sweep_personal_messages() -> int:
    from whatworks.core.messaging import messages_sweep

    return messages_sweep()


@db_task(retries=0)
def run_job(job_id: int) -> str | None:
    from whatworks.core.jobs import job_run

    job = job_run(job_id)
    return job.status if job else None


@db_periodic_task(crontab(minute="*"))
def restart_stalled_jobs() -> int:
    """Jobs whose consumer died part way, or whose task the queue lost, start again."""
    from whatworks.core.jobs import jobs_restart_stalled

    return jobs_restart_stalled()


@db_task()
def ping() -> str:
    """Used by the consumer test to prove a task round-trips through the queue."""
    return "pong"
