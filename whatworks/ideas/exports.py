"""CSV and XLSX exports of a campaign's ideas, votes and decisions, for its organisers and
panel. They never carry a person behind an anonymous idea: no key, no account, only the
label everyone sees ("Anonymous"). Votes are counted per idea, never per person."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils import timezone

from whatworks.core import exports as core_exports
from whatworks.ideas.models import Campaign, Comment, Decision, Idea, Vote

KINDS = ("ideas", "votes", "decisions")
FORMATS = core_exports.CONTENT_TYPES


def ideas_rows(campaign: Campaign) -> tuple[list[str], Iterable[list[Any]]]:
    columns = [
        "id", "title", "author", "process", "problem", "proposal", "benefit_time",
        "benefit_money", "benefit_quality", "cost", "tags", "status", "duplicate_of",
        "initiative_id", "votes", "comments", "submitted_on",
    ]  # fmt: skip
    ideas = (
        Idea.objects.filter(campaign=campaign)
        .select_related("author")
        .annotate(dot_total=Sum("votes__dots", default=0))
        # A subquery, not a second join: joining comments too would multiply the dot total.
        .annotate(
            comment_total=Coalesce(
                Subquery(
                    Comment.objects.filter(idea=OuterRef("pk"))
                    .values("idea")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        )
        .order_by("id")
    )
    rows = (
        [
            i.pk,
            i.title,
            i.author_label,
            i.process,
            i.problem,
            i.proposal,
            i.benefit_time,
            i.benefit_money,
            i.benefit_quality,
            i.cost,
            i.tags,
            i.get_status_display(),
            i.duplicate_of_id or "",
            i.initiative_id or "",
            i.dot_total if campaign.results_visible else "hidden until the review",
            i.comment_total,
            timezone.localdate(i.created_at).isoformat(),  # the day only, as stored
        ]  # fmt: skip
        for i in ideas
    )
    return columns, rows


def votes_rows(campaign: Campaign) -> tuple[list[str], Iterable[list[Any]]]:
    columns = ["idea_id", "idea_title", "voters", "dots"]
    if not campaign.results_visible:
        return columns, iter(())  # hidden from everyone until the review
    tallies = (
        Vote.objects.filter(campaign=campaign)
        .values("idea_id", "idea__title")
        .annotate(voters=Count("pk"), dots=Sum("dots"))
        .order_by("idea_id")
    )
    return columns, ([t["idea_id"], t["idea__title"], t["voters"], t["dots"]] for t in tallies)


def decisions_rows(campaign: Campaign) -> tuple[list[str], Iterable[list[Any]]]:
    columns = ["idea_id", "idea_title", "outcome", "reason", "decided_by", "decided_at"]
    decisions = (
        Decision.objects.filter(idea__campaign=campaign)
        .select_related("idea", "decided_by")
        .order_by("decided_at", "id")
    )
    return columns, (
        [
            d.idea_id,
            d.idea.title,
            d.get_outcome_display(),
            d.reason,
            d.decided_by.full_name if d.decided_by else "",
            d.decided_at.isoformat(timespec="seconds"),
        ]
        for d in decisions
    )


BUILDERS = {"ideas": ideas_rows, "votes": votes_rows, "decisions": decisions_rows}


def response(campaign: Campaign, kind: str, fmt: str) -> HttpResponse:
    columns, rows = BUILDERS[kind](campaign)
    return core_exports.response(
        fmt, f"campaign-{campaign.pk}-{kind}", columns, rows, sheet=kind.capitalize()
    )
