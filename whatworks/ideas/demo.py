"""Demo data for the ideas app (DEBUG only; idempotent).

Wealden's waste and recycling big idea day, in its "discuss and vote" phase: a data pack
(monthly spend over the year and missed collections), two ideas (one anonymous), votes,
a join code for the depot, and Lambeth's officer as the independent facilitator.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

TITLE = "Waste and recycling big idea day"


def load_demo() -> str:
    """Create the demo records; returns a one-line summary for load_demo_data."""
    from whatworks.core.demo import refuse_unless_debug
    from whatworks.ideas import identity, services
    from whatworks.ideas.models import Campaign
    from whatworks.measures import services as measures
    from whatworks.organisations.models import Organisation, User

    refuse_unless_debug()
    wealden = Organisation.objects.filter(name="Wealden District Council").first()
    admin = User.objects.filter(email="admin@wealden.demo").first()
    if wealden is None or admin is None or Campaign.objects.filter(title=TITLE).exists():
        return ""
    officer = User.objects.get(email="officer@wealden.demo")
    frontline = User.objects.get(email="frontline@wealden.demo")
    volunteer = User.objects.get(email="volunteer@wealden.demo")
    today = timezone.localdate()
    with transaction.atomic():
        campaign = services.campaign_create(
            organisation=wealden,
            actor=admin,
            title=TITLE,
            brief="Collections cost more each winter and missed bins drive most complaints. "
            "Bring ideas that start from the numbers below: what would you change?",
            problem_areas="Missed collections\nRound planning in winter\nBulky waste orders",
            opens_on=today - timedelta(days=3),
            closes_on=today + timedelta(days=25),
            staff_count=120,
        )
        spend = measures.metric_ensure(
            organisation=wealden,
            name="Waste collection spend by month",
            defaults={
                "kind": "count",
                "unit": "£",
                "direction": "lower",
                "definition": "Spend on refuse and recycling collection, booked by month.",
                "source": "Finance ledger (synthetic demo figures)",
                "visibility": "private",
            },
            actor=admin,
        )
        monthly = [81, 79, 80, 78, 77, 79, 84, 92, 97, 95, 88, 83]  # £000: the winter peak
        for month, thousands in enumerate(monthly):
            start = date(2016 + (month + 3) // 12, (month + 3) % 12 + 1, 1)
            measures.observation_record(
                metric=spend, period_start=start, value=thousands * 1000, label=f"{start:%b %Y}"
            )
        services.pack_add(
            campaign=campaign,
            metric=spend,
            note="Spending over the year: note the winter peak.",
            actor=admin,
        )
        services.campaign_advance(campaign=campaign, actor=admin)  # discuss and vote
        named = services.idea_submit(
            campaign=campaign,
            who=identity.for_user(campaign.pk, officer),
            anonymous=False,
            title="Plan winter rounds around the gritting routes",
            process="Round planning",
            problem="Crews lose an hour a day on ungritted side roads in January.",
            proposal="Share the gritting schedule with round planners each evening.",
            benefit_time="About an hour per crew per day in cold spells",
        )
        anonymous = services.idea_submit(
            campaign=campaign,
            who=identity.for_user(campaign.pk, frontline),
            anonymous=True,
            title="Photograph bins that were not put out",
            process="Reporting a missed collection",
            problem="We cannot show a bin was not out, so we go back for it.",
            proposal="A photo from the cab camera, attached to the round sheet.",
            benefit_money="Fewer return trips",
        )
        for person in (frontline, volunteer, admin):
            services.vote_cast(idea=anonymous, who=identity.for_user(campaign.pk, person))
        services.vote_cast(idea=named, who=identity.for_user(campaign.pk, volunteer))
        services.join_code_create(campaign=campaign, label="Depot notice board", actor=admin)
        facilitator = User.objects.filter(email="officer@lambeth.demo").first()
        if facilitator is not None:
            services.panel_add(
                campaign=campaign, email=facilitator.email, role="facilitator", actor=admin
            )
    return f"Staff ideas: '{TITLE}' with a data pack, 2 ideas and a join code."
