"""Background work: tomorrow's lists, missed visits, overdue tasks, outcomes, retention,
training reminders, contacts' peace-of-mind surveys."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from whatworks.checkins import escalations, peace_of_mind, retention, schedule, training
from whatworks.checkins.models import Scheme


@db_task()
def refresh_outcomes(scheme_id: int) -> int:
    from whatworks.checkins.outcomes import outcomes_refresh

    scheme = Scheme.objects.filter(pk=scheme_id).first()
    return outcomes_refresh(scheme) if scheme else 0


@db_periodic_task(crontab(hour="18", minute="0"))
def generate_tomorrows_lists() -> int:
    return schedule.lists_generate(timezone.localdate() + timedelta(days=1))


@db_periodic_task(crontab(hour="0", minute="1"))
def apply_round_changes() -> int:
    """Moves decided for today take effect as the day starts (before anyone reads a list)."""
    return schedule.round_changes_ensure(timezone.localdate())


@db_periodic_task(crontab(hour="23", minute="55"))
def keep_todays_plan() -> int:
    """The day's plan as it ended (the live schedule, with the day's changes), cached for the
    dashboard's past days."""
    return schedule.lists_generate(timezone.localdate())


@db_periodic_task(crontab(hour="21", minute="0"))
def flag_missed_visits() -> int:
    return escalations.missed_visits_flag(timezone.localdate())


@db_periodic_task(crontab(minute="*/15"))
def chase_overdue_escalations() -> int:
    return escalations.overdue_chase()


@db_periodic_task(crontab(hour="2", minute="30"))
def refresh_all_outcomes() -> int:
    from whatworks.checkins.outcomes import outcomes_refresh

    return sum(outcomes_refresh(scheme) for scheme in Scheme.objects.all())


@db_periodic_task(crontab(hour="3", minute="0"))
def review_retention() -> int:
    return retention.reviews_open(timezone.localdate())


@db_periodic_task(crontab(hour="8", minute="0"))
def remind_training_expiring() -> int:
    return training.remind_expiring()


@db_periodic_task(crontab(hour="10", minute="0"))
def send_peace_of_mind_surveys() -> int:
    return peace_of_mind.surveys_send()
