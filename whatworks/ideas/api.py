"""Read-only API for campaigns and their ideas, through the same selectors as the pages.

An idea's author is given only as the label everyone sees ("Anonymous" for an anonymous
idea): no account, no key. Vote counts follow the campaign's "hidden until the review".
"""

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from whatworks.core.api import Pages, with_problems
from whatworks.ideas import selectors
from whatworks.ideas.models import Campaign, Idea, IdeaStatus, Phase
from whatworks.organisations.models import site_url

router = Router(tags=["Staff ideas"])

CampaignId = Path(..., ge=1, le=2_147_483_647)


class CampaignOut(Schema):
    id: int
    url: str
    title: str
    organisation: str = Field(alias="organisation.slug")
    opens_on: date
    closes_on: date
    phase: Phase

    @staticmethod
    def resolve_url(obj: Campaign) -> str:
        return site_url(obj.get_absolute_url())


class IdeaOut(Schema):
    id: int
    url: str
    title: str
    author: str = Field(description="The name shown on the idea, or 'Anonymous'")
    process: str
    problem: str
    proposal: str
    status: IdeaStatus
    votes: int | None = Field(
        alias="vote_total", description="Null while the campaign hides vote counts"
    )
    initiative_id: int | None
    submitted_on: date = Field(
        description="The day it was put forward (never the time: see docs/anonymity.md)"
    )

    @staticmethod
    def resolve_url(obj: Idea) -> str:
        return site_url(obj.get_absolute_url())

    @staticmethod
    def resolve_author(obj: Idea) -> str:
        return obj.author_label

    @staticmethod
    def resolve_submitted_on(obj: Idea) -> date:
        return timezone.localdate(obj.created_at)


@router.get("/ideas/campaigns", response=with_problems(list[CampaignOut]))
@paginate(Pages)
def ideas_list_campaigns(request: HttpRequest):
    return selectors.campaigns_visible_to(request.user).order_by("-opens_on", "-id")


@router.get("/ideas/campaigns/{id}/ideas", response=with_problems(list[IdeaOut], 404))
@paginate(Pages)
def ideas_list_ideas(request: HttpRequest, id: int = CampaignId):
    visit = selectors.access_campaign(request, id)
    ideas = list(selectors.campaign_ideas(visit.campaign))
    for idea in ideas:
        idea.vote_total = idea.dots if visit.sees_results else None  # type: ignore[attr-defined]
    return ideas
