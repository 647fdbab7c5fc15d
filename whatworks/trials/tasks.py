"""The nightly job that computes the results of goals measured from their metrics."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from whatworks.trials import evidence


@db_periodic_task(crontab(hour="5", minute="30"))
def compute_due_goal_results() -> int:
    """Every goal whose judge-by date has come gets its computed result as a draft (once)."""
    return evidence.compute_due_results()
