"""Reads for campaigns and ideas, shared by the pages, exports and the API.

`access_campaign` fetches and checks in one call: a signed-in member or panel member by the
rules, a join-code participant by their signed cookie (and only while their code is valid).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest

from whatworks.core.visibility import member_organisation_ids
from whatworks.ideas import identity as ids
from whatworks.ideas import keys
from whatworks.ideas.models import (
    Action,
    Campaign,
    Decision,
    Idea,
    IdeaStatus,
    JoinCode,
    Participation,
    Vote,
)
from whatworks.ideas.rules import allowed, panel_campaign_ids

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Visit:
    """A campaign as one reader sees it, and what they may do there."""

    campaign: Campaign
    identity: ids.Identity | None  # None: sees, but does not take part (a panel member)
    is_organiser: bool = False
    is_panel: bool = False
    key_missing: bool = False  # the campaign's key file is gone: nobody can take part

    @property
    def known(self) -> ids.Identity | None:
        """The reader as their ideas and votes know them: nobody, once the campaign's key
        is destroyed (no "your ideas", no "you voted for this")."""
        return None if self.campaign.keys_destroyed_at else self.identity

    @property
    def can_review(self) -> bool:
        return self.is_organiser or self.is_panel

    def may(self, action: str) -> bool:
        return self.identity is not None and self.campaign.allows(action)

    @property
    def poster_only(self) -> bool:
        """Came in with a poster code: takes part, but may not vote."""
        return self.identity is not None and not self.identity.may_vote

    @property
    def may_submit(self) -> bool:
        return self.may(Action.SUBMIT)

    @property
    def may_vote(self) -> bool:
        return self.may(Action.VOTE) and not self.poster_only

    @property
    def may_comment(self) -> bool:
        return self.may(Action.COMMENT)

    @property
    def sees_results(self) -> bool:
        # Everyone alike, organisers and the panel too: counts seen early sway the rest.
        return self.campaign.results_visible


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(
            Q(organisation_id__in=member_organisation_ids(user))
            | Q(pk__in=panel_campaign_ids(user))
        )
        .select_related("organisation")
        .annotate(idea_count=Count("ideas"))
    )


MAX_JOINED = 10  # bounds the work a request full of cookies can cause


def joined_campaigns(request: HttpRequest) -> list[Campaign]:
    """Campaigns this browser joined with a code that still works."""
    prefix = ids.cookie_name(0)[:-1]
    numbers = [
        int(number)
        for name in request.COOKIES
        if name.startswith(prefix)
        and (number := name.removeprefix(prefix)).isdigit()
        and len(number) < 10
    ][:MAX_JOINED]
    joined = []
    for campaign_id in numbers:
        who = ids.participant_from_cookie(request, campaign_id)  # the signature first: no query
        if who is None:
            continue
        campaign = Campaign.objects.select_related("organisation").filter(pk=campaign_id).first()
        if campaign and participant_code_valid(who, campaign):
            joined.append(campaign)
    return joined


def access_campaign(request: HttpRequest, pk: int, perm: str | None = None) -> Visit:
    """The campaign as this reader may see it: 404 if they may not, 403 without `perm`."""
    campaign = Campaign.objects.select_related("organisation").filter(pk=pk).first()
    if campaign is None:
        raise Http404("No such campaign.")
    user = request.user
    if allowed("ideas.view_campaign", user, campaign):
        if perm is not None and not allowed(perm, user, campaign):
            raise PermissionDenied
        takes_part = allowed("ideas.take_part", user, campaign)
        key, missing = _key(campaign) if takes_part else (None, False)
        return Visit(
            campaign=campaign,
            identity=ids.for_user(campaign.pk, user, key) if takes_part and not missing else None,
            is_organiser=allowed("ideas.manage_campaign", user, campaign),
            is_panel=campaign.pk in panel_campaign_ids(user),
            key_missing=missing,
        )
    participant = ids.participant_from_cookie(request, campaign.pk)
    code = participant_code(participant, campaign) if participant is not None else None
    if participant is not None and code is not None:
        if perm is not None:
            raise PermissionDenied
        key, missing = _key(campaign)
        identity = None if missing else replace(participant, key=key, may_vote=code.personal)
        return Visit(campaign=campaign, identity=identity, key_missing=missing)
    raise Http404("No such campaign.")


def _key(campaign: Campaign) -> tuple[bytes | None, bool]:
    """The campaign's key for this request: (key, missing). Destroyed: no key, nothing
    missing. A missing file takes nobody's contribution (a new key would let everyone vote
    again): the campaign is shown read-only, and the operators are told in the log."""
    try:
        return keys.key_of(campaign), False
    except keys.TakingPartClosed:
        return None, False
    except keys.KeyMissing:
        log.exception("Campaign %s cannot take part: its key is missing", campaign.pk)
        return None, True


def participant_code(participant: ids.Identity, campaign: Campaign) -> JoinCode | None:
    """The code the participant joined with, if it still works (not withdrawn, campaign
    running) and is the kind their cookie says (a personal code's identity is the code)."""
    if participant.code_id is None:
        return None
    code = JoinCode.objects.filter(pk=participant.code_id, campaign_id=campaign.pk).first()
    if code is None:
        return None
    code.campaign = campaign  # already loaded: the dates come from it
    if code.personal != participant.subject.startswith("code:"):
        return None
    return code if code.refusal() is None else None


def participant_code_valid(participant: ids.Identity, campaign: Campaign) -> bool:
    return participant_code(participant, campaign) is not None


def access_idea(visit: Visit, idea_pk: int) -> Idea:
    idea = (
        Idea.objects.select_related("author", "duplicate_of", "initiative")
        .filter(pk=idea_pk, campaign=visit.campaign)
        .first()
    )
    if idea is None:
        raise Http404("No such idea.")
    idea.campaign = visit.campaign  # already fetched: services read it without a query
    return idea


def campaign_ideas(campaign: Campaign, *, order: str = "new") -> QuerySet[Idea]:
    qs = Idea.objects.filter(campaign=campaign).select_related("author", "initiative")
    qs = qs.annotate(
        dots=Coalesce(Sum("votes__dots"), 0),
    )
    if order == "votes":
        return qs.order_by("-dots", "-created_at", "-id")
    return qs.order_by("-created_at", "-id")


def is_author(visit: Visit, idea: Idea) -> bool:
    who = visit.known
    if who is None:
        return False
    if who.user is not None and idea.author_id == who.user.pk:
        return True
    return bool(idea.author_key) and idea.author_key in who.author_keys


def my_ideas(visit: Visit) -> QuerySet[Idea]:
    who = visit.known
    if who is None:
        return Idea.objects.none()
    mine = Q(author_key__in=who.author_keys)
    if who.user is not None:
        mine |= Q(author=who.user)
    return Idea.objects.filter(mine, campaign=visit.campaign).order_by("-created_at")


def my_votes(visit: Visit) -> dict[int, int]:
    """Idea id -> dots this reader placed."""
    if visit.known is None:
        return {}
    return dict(
        Vote.objects.filter(campaign=visit.campaign, voter_key=visit.known.voter_key).values_list(
            "idea_id", "dots"
        )
    )


def dots_left(visit: Visit) -> int | None:
    from whatworks.ideas.models import Ballot, VoteMode

    if visit.known is None or visit.campaign.vote_mode != VoteMode.DOTS:
        return None
    used = (
        Ballot.objects.filter(campaign=visit.campaign, voter_key=visit.known.voter_key)
        .values_list("dots_used", flat=True)
        .first()
    )
    return visit.campaign.dot_budget - (used or 0)


def outcomes(campaign: Campaign) -> list[Idea]:
    """Every idea with its latest decision (as `decision`) and initiative: "you said, we did"."""
    ideas = list(
        Idea.objects.filter(campaign=campaign)
        .select_related("initiative", "duplicate_of")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("-decided_at", "-id"))
        )
        .order_by("title", "id")
    )
    for idea in ideas:
        decisions = list(idea.decisions.all())
        idea.decision = decisions[0] if decisions else None  # type: ignore[attr-defined]
    return ideas


MAX_CAMPAIGNS_ACROSS = 50  # the newest; older campaigns keep their own page


def outcomes_across(user: Any) -> list[tuple[Campaign, list[Idea]]]:
    """ "You said, we did" for every campaign this person's organisations ran, newest first."""
    campaigns = list(campaigns_visible_to(user).order_by("-opens_on", "-id")[:MAX_CAMPAIGNS_ACROSS])
    ideas = (
        Idea.objects.filter(campaign__in=campaigns)
        .select_related("initiative", "duplicate_of")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("-decided_at", "-id"))
        )
        .order_by("title", "id")
    )
    by_campaign: dict[int, list[Idea]] = {}
    for idea in ideas:
        decisions = list(idea.decisions.all())
        idea.decision = decisions[0] if decisions else None  # type: ignore[attr-defined]
        by_campaign.setdefault(idea.campaign_id, []).append(idea)
    return [(c, by_campaign[c.pk]) for c in campaigns if c.pk in by_campaign]


def initiative_status_text(idea: Idea) -> str:
    """The adopted idea's place in the register, in words: "now being piloted"."""
    from whatworks.initiatives.models import Status, StatusChange

    initiative = idea.initiative
    if initiative is None:
        return ""
    words = {
        Status.IDEA: "registered as an initiative, not started yet",
        Status.PLANNED: "planned",
        Status.STARTED: "now being piloted",
        Status.EVALUATING: "piloted: the results are being evaluated",
        Status.PUBLISHED: "piloted: the result is published",
        Status.CONTINUED: "piloted and continued",
        Status.SCALED_UP: "piloted and scaled up",
        Status.WITHDRAWN: "withdrawn from the register",
    }
    if initiative.status == Status.STOPPED:
        change = (
            StatusChange.objects.filter(initiative=initiative, to_status=Status.STOPPED)
            .order_by("-changed_at")
            .first()
        )
        why = change.reason if change and change.reason else "no reason given"
        return f"stopped: {why}"
    return words.get(Status(initiative.status), initiative.get_status_display())


LIVE_BATCH = 5


def batched(count: int) -> str:
    """A live count that moves only in steps of LIVE_BATCH: one that ticks with each
    contribution lets someone watching match an anonymous idea to the person who was seen
    (or heard, or named in a comment) contributing at that moment."""
    if count < LIVE_BATCH:
        return f"fewer than {LIVE_BATCH}"
    return f"{count - count % LIVE_BATCH} or more"


def live_summary(campaign: Campaign) -> dict[str, Any]:
    """What the facilitator's live view shows; also its JSON. While counts are hidden they
    are hidden here too (the facilitator and organisers alike): the newest ideas, no votes."""
    shown = campaign.results_visible
    top = campaign_ideas(campaign, order="votes" if shown else "new")[:50]
    people = participant_count(campaign)
    votes = Vote.objects.filter(campaign=campaign).aggregate(n=Coalesce(Sum("dots"), 0))["n"]
    comments = Idea.objects.filter(campaign=campaign).aggregate(n=Count("comments"))["n"]
    return {
        "phase": campaign.get_phase_display(),
        "results_visible": shown,
        "ideas": Idea.objects.filter(campaign=campaign).count(),
        "votes": batched(votes),
        "comments": batched(comments),
        "people": batched(people),
        "top": [
            {
                "id": idea.pk,
                "title": idea.title,
                "dots": idea.dots if shown else "Hidden",  # type: ignore[attr-defined]
                "status": IdeaStatus(idea.status).label,
            }
            for idea in top
        ],
    }


def participant_count(campaign: Campaign) -> int:
    """Distinct people who put forward, commented on or voted for an idea (by key)."""
    return Participation.objects.filter(campaign=campaign).count()
