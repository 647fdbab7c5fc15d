"""Periodic jobs: digests (daily at 07:00, weekly on Monday at 07:00) and the champions'
weekly summary (Monday at 07:30). Immediate emails are queued when the notification is made."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from whatworks.forum.models import Frequency


@db_periodic_task(crontab(hour="7", minute="0"))
def send_daily_digests() -> int:
    from whatworks.forum.notifications import digests_send

    return digests_send(Frequency.DAILY)


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="0"))
def send_weekly_digests() -> int:
    from whatworks.forum.notifications import digests_send

    return digests_send(Frequency.WEEKLY)


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="30"))
def send_champion_summaries() -> int:
    from whatworks.forum.notifications import champion_summaries_send

    return champion_summaries_send()
