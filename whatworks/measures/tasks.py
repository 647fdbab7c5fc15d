"""Background tasks for measures (Huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="23"))
def purge_staged_imports() -> int:
    """Hourly: delete uploads left in preview for more than a day (they are people's files)."""
    from whatworks.measures.services import staged_imports_purge

    return staged_imports_purge()
