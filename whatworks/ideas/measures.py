"""A campaign's own figures, written to `measures` so the campaign itself can be evaluated.

One metric per thing measured, per organisation (named "Staff ideas: ..."); each campaign
is one period, starting on its opening date. A later run recomputes and replaces the
campaign's figures: they are derived from the records here and in the register.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from whatworks.ideas.models import Campaign, Idea, IdeaStatus
from whatworks.ideas.selectors import participant_count

SUBMITTED = "Staff ideas: ideas submitted"
TAKING_PART = "Staff ideas: share of staff taking part"
PILOTED = "Staff ideas: ideas piloted"
MET_GOAL = "Staff ideas: piloted ideas that met their goal"
SAVINGS = "Staff ideas: realised savings from adopted ideas"

DEFINITIONS: dict[str, dict[str, Any]] = {
    SUBMITTED: {
        "kind": "count",
        "unit": "ideas",
        "direction": "higher",
        "definition": "Ideas put forward in the campaign, including merged duplicates.",
    },
    TAKING_PART: {
        "kind": "proportion",
        "unit": "%",
        "direction": "higher",
        "definition": "People who put forward, commented on or voted for an idea, out of "
        "the staff invited (as the organiser gave it).",
    },
    PILOTED: {
        "kind": "count",
        "unit": "ideas",
        "direction": "higher",
        "definition": "Adopted ideas whose initiative in the register has started or gone "
        "further (started, evaluating, published, continued, scaled up, or stopped after "
        "starting).",
    },
    MET_GOAL: {
        "kind": "proportion",
        "unit": "%",
        "direction": "higher",
        "definition": "Of the piloted ideas with a verdict in the register, the share that "
        "met their primary goal. Inconclusive results count as not meeting it.",
    },
    SAVINGS: {
        "kind": "count",
        "unit": "£",
        "direction": "higher",
        "definition": "Realised (booked) savings in the register's ledgers of the "
        "initiatives adopted from the campaign: one-off plus one year of recurring. "
        "Estimates are left out.",
    },
}


def _metric(campaign: Campaign, name: str) -> Any:
    from whatworks.measures.services import metric_ensure

    return metric_ensure(
        organisation=campaign.organisation,
        name=name,
        defaults={**DEFINITIONS[name], "visibility": "private", "source": "Staff ideas app"},
        actor=campaign.created_by,  # type: ignore[arg-type]
    )


@transaction.atomic
def campaign_measures_record(campaign: Campaign) -> dict[str, float]:
    """Write the campaign's figures; returns them by metric name."""
    from whatworks.initiatives.models import STARTED_OR_LATER, LedgerLine, Verdict
    from whatworks.measures.services import observation_record

    ideas = Idea.objects.filter(campaign=campaign)
    adopted = ideas.filter(status=IdeaStatus.ADOPTED, initiative__isnull=False)
    piloted = adopted.filter(initiative__status__in=STARTED_OR_LATER)
    with_verdict = piloted.exclude(initiative__verdict="")
    savings = LedgerLine.objects.filter(
        initiative__source_idea__in=adopted,
        kind=LedgerLine.Kind.SAVING,
        basis=LedgerLine.Basis.REALISED,
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    label = campaign.title[:50]
    written: dict[str, float] = {}

    def write(
        name: str, value: float, numerator: float | None = None, denominator: float | None = None
    ) -> None:
        observation_record(
            metric=_metric(campaign, name),
            period_start=campaign.opens_on,
            period_end=campaign.closes_on,
            value=value,
            label=label,
            numerator=numerator,
            denominator=denominator,
        )
        written[name] = value

    write(SUBMITTED, ideas.count())
    if campaign.staff_count:
        people = participant_count(campaign)
        write(
            TAKING_PART,
            people / campaign.staff_count,
            numerator=people,
            denominator=campaign.staff_count,
        )
    write(PILOTED, piloted.count())
    judged = with_verdict.count()
    if judged:
        met = with_verdict.filter(initiative__verdict=Verdict.MET).count()
        write(MET_GOAL, met / judged, numerator=met, denominator=judged)
    write(SAVINGS, float(savings))
    return written


def campaign_metrics_ensure(campaign: Campaign) -> list[Any]:
    """The campaign's metrics, made if they do not exist yet (before its first figures)."""
    return [_metric(campaign, name) for name in DEFINITIONS]


#: The phrase in a goal's name that links it to each figure. Each campaign is one period, so
#: a before-and-after series needs several campaigns: the goals are linked for their figures
#: and judged by hand (or by a trial) until there are enough.
GOAL_PHRASES = {
    SUBMITTED: "ideas submitted",
    TAKING_PART: "taking part",
    PILOTED: "piloted",
    MET_GOAL: "met their goal",
    SAVINGS: "savings",
}


def goal_offers(initiative: Any) -> list[Any]:
    """The staff ideas metrics offered to the goals of an initiative that evaluates campaigns."""
    from whatworks.initiatives.hooks import MetricOffer
    from whatworks.measures.models import Metric

    organisations = set(
        Campaign.objects.filter(initiative=initiative).values_list("organisation_id", flat=True)
    )
    return [
        MetricOffer(phrase=GOAL_PHRASES[metric.name], metric=metric, design="", baseline_rule="")
        for metric in Metric.objects.filter(
            organisation_id__in=organisations, name__in=list(GOAL_PHRASES)
        )
    ]
