"""Keep each campaign's figures in `measures` current: after a phase change, and daily
(an adopted idea's initiative moves on in the register without telling this app)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from whatworks.ideas.measures import campaign_measures_record
from whatworks.ideas.models import Campaign

# Adopted ideas take a year or two to pilot and judge; keep their campaigns' figures fresh.
FOLLOW_FOR = timedelta(days=3 * 365)


@db_task()
def campaign_measures_task(campaign_id: int) -> None:
    campaign = (
        Campaign.objects.select_related("organisation", "created_by").filter(pk=campaign_id).first()
    )
    if campaign is not None:
        campaign_measures_record(campaign)


@db_periodic_task(crontab(hour="4", minute="20"))
def campaign_measures_refresh() -> int:
    since = timezone.localdate() - FOLLOW_FOR
    campaigns = Campaign.objects.select_related("organisation", "created_by").filter(
        closes_on__gte=since
    )
    count = 0
    for campaign in campaigns:
        campaign_measures_record(campaign)
        count += 1
    return count


@db_periodic_task(crontab(hour="0", minute="45"))
def campaign_keys_destroy_due() -> int:
    """Campaigns whose closing date passed without anyone moving them to the review: their
    keys go too (and any key file a failed removal left behind)."""
    from whatworks.ideas.keys import keys_destroy_due

    return keys_destroy_due()
