"""Writes for campaigns and ideas. Each is atomic and raises ValidationError on bad input.

Organisers' and the panel's actions go in the audit log. Taking part (an idea, a comment,
a vote) does not: an audit entry carries the person, their address and browser, which is
exactly what an anonymous contribution must not leave behind. Contributions keep the day
they were made, not the time; when taking part ends the campaign's key is destroyed
(keys.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from whatworks.core import audit, ratelimit
from whatworks.core.queue import after_commit
from whatworks.ideas import keys
from whatworks.ideas.identity import Identity
from whatworks.ideas.models import (
    Action,
    Ballot,
    Campaign,
    Comment,
    DataPackItem,
    Decision,
    Idea,
    IdeaStatus,
    JoinCode,
    PanelMember,
    Participation,
    Phase,
    PhaseChange,
    Score,
    Vote,
    VoteMode,
)
from whatworks.organisations.models import Organisation, User

CAMPAIGN_FIELDS = (
    "title",
    "brief",
    "problem_areas",
    "opens_on",
    "closes_on",
    "vote_mode",
    "dot_budget",
    "hide_results",
    "staff_count",
    "initiative",
)
IDEA_FIELDS = (
    "title",
    "process",
    "problem",
    "proposal",
    "benefit_time",
    "benefit_money",
    "benefit_quality",
    "cost",
    "tags",
)
DECIDED_OUTCOMES = (IdeaStatus.ADOPTED, IdeaStatus.NOT_ADOPTED)


class AlreadyVoted(ValidationError):
    pass


def _check_dates(opens_on: date, closes_on: date) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError(
            {"closes_on": "The closing date must be on or after the opening date."}
        )


def _changed(campaign: Campaign) -> None:
    """Anything the live view, the pages or the register's panel show has changed."""
    from whatworks.initiatives.signals import touched

    if Idea.objects.filter(campaign=campaign, initiative__isnull=False).exists():
        touched()


# --- Campaigns -------------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, organisation: Organisation, actor: User, **fields: Any) -> Campaign:
    fields = {k: v for k, v in fields.items() if k in CAMPAIGN_FIELDS}
    _check_dates(fields.get("opens_on"), fields.get("closes_on"))  # type: ignore[arg-type]
    _check_initiative(organisation, fields.get("initiative"))
    campaign = Campaign(organisation=organisation, created_by=actor, **fields)
    campaign.full_clean()
    campaign.save()
    _link_goals(campaign, actor)
    keys.key_create(campaign)
    PhaseChange.objects.create(campaign=campaign, to_phase=campaign.phase, changed_by=actor)
    audit.record("ideas.campaign_created", actor=actor, obj=campaign, organisation=organisation)
    return campaign


def _check_initiative(organisation: Organisation, initiative: Any) -> None:
    if initiative is not None and initiative.organisation_id != organisation.pk:
        raise ValidationError({"initiative": "Choose an initiative of your own organisation"})


def _link_goals(campaign: Campaign, actor: User) -> None:
    """The evaluating record's goals are linked to the campaign's figures (issue 17)."""
    if campaign.initiative is None:
        return
    from whatworks.ideas.measures import campaign_metrics_ensure
    from whatworks.initiatives.services import goals_link_to_metrics

    campaign_metrics_ensure(campaign)  # so a goal can link before the first figures are in
    goals_link_to_metrics(initiative=campaign.initiative, actor=actor)


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: User, **fields: Any) -> Campaign:
    fields = {k: v for k, v in fields.items() if k in CAMPAIGN_FIELDS}
    stored = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changed = sorted(k for k, v in fields.items() if getattr(stored, k) != v)
    if stored.keys_destroyed_at is not None and {"opens_on", "closes_on"} & set(changed):
        raise ValidationError(
            {"closes_on": "Taking part has closed for good: new dates cannot reopen it."}
        )
    if "vote_mode" in changed and stored.votes.exists():
        raise ValidationError(
            {"vote_mode": "People have voted already: the way of voting is fixed."}
        )
    _check_dates(fields.get("opens_on", stored.opens_on), fields.get("closes_on", stored.closes_on))
    _check_initiative(stored.organisation, fields.get("initiative"))
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    if "initiative" in changed:
        _link_goals(campaign, actor)
    audit.record(
        "ideas.campaign_updated",
        actor=actor,
        obj=campaign,
        organisation=campaign.organisation,
        detail={"fields": changed},
    )
    return campaign


@transaction.atomic
def campaign_advance(*, campaign: Campaign, actor: User, expected: str | None = None) -> Campaign:
    """Move the campaign to its next phase (submit -> discuss and vote -> review -> decided).

    `expected` is the phase the organiser confirmed moving on from: if someone else moved
    the campaign on meanwhile (or the confirmation was sent twice), nothing changes.
    """
    stored = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if expected is not None and stored.phase != expected:
        raise ValidationError(
            f"The campaign has already moved on: it is in '{stored.get_phase_display()}'."
        )
    following = stored.next_phase
    if following is None:
        raise ValidationError("The campaign is decided: there is no later phase.")
    if following == Phase.DECIDED:
        undecided = stored.ideas.filter(status__in=[IdeaStatus.OPEN, IdeaStatus.SHORTLISTED])
        if undecided.exists():
            raise ValidationError(
                f"Decide every idea first: {undecided.count()} still have no outcome."
            )
    PhaseChange.objects.create(
        campaign=stored, from_phase=stored.phase, to_phase=following, changed_by=actor
    )
    stored.phase = following
    stored.save(update_fields=["phase"])
    campaign.phase = following
    if not stored.allows(Action.SUBMIT) and not stored.allows(Action.VOTE):
        # Taking part has ended: nobody can link an idea or a vote to a person any more.
        keys.keys_destroy(campaign=stored, actor=actor)
        campaign.keys_destroyed_at = stored.keys_destroyed_at
    audit.record(
        "ideas.phase_changed",
        actor=actor,
        obj=campaign,
        organisation=campaign.organisation,
        detail={"to": following},
    )
    _record_measures_after_commit(campaign)
    return campaign


def _record_measures_after_commit(campaign: Campaign) -> None:
    from whatworks.ideas.tasks import campaign_measures_task

    campaign_id = campaign.pk
    after_commit(campaign_measures_task, campaign_id)


# --- Data pack -------------------------------------------------------------------------


@transaction.atomic
def pack_add(*, campaign: Campaign, metric: Any, note: str, actor: User) -> DataPackItem:
    from whatworks.measures.models import Metric

    if not Metric.objects.visible_to(actor).filter(pk=metric.pk).exists():
        raise ValidationError({"metric": "Choose a metric you can see."})
    if campaign.pack_items.filter(metric=metric).exists():
        raise ValidationError({"metric": f"{metric.name} is in the data pack already."})
    item = DataPackItem.objects.create(campaign=campaign, metric=metric, note=note)
    audit.record(
        "ideas.pack_added",
        actor=actor,
        obj=campaign,
        organisation=campaign.organisation,
        detail={"metric": metric.pk},
    )
    return item


@transaction.atomic
def pack_remove(*, item: DataPackItem, actor: User) -> None:
    audit.record(
        "ideas.pack_removed",
        actor=actor,
        obj=item.campaign,
        organisation=item.campaign.organisation,
        detail={"metric": item.metric_id},
    )
    item.delete()


# --- Panel -----------------------------------------------------------------------------


@transaction.atomic
def panel_add(*, campaign: Campaign, email: str, role: str, actor: User) -> PanelMember:
    """Give a person (who has an account) a seat on this campaign's panel, and nothing more."""
    person = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if person is None:
        raise ValidationError(
            {"email": "No one with that email address has an account. Invite them first."}
        )
    if campaign.panel.filter(user=person).exists():
        raise ValidationError({"email": f"{person} is on the panel already."})
    member = PanelMember.objects.create(campaign=campaign, user=person, role=role)
    audit.record(
        "ideas.panel_added",
        actor=actor,
        obj=campaign,
        organisation=campaign.organisation,
        detail={"person": person.pk, "role": role},
    )
    return member


@transaction.atomic
def panel_remove(*, member: PanelMember, actor: User) -> None:
    audit.record(
        "ideas.panel_removed",
        actor=actor,
        obj=member.campaign,
        organisation=member.campaign.organisation,
        detail={"person": member.user_id},
    )
    member.delete()


# --- Join codes ------------------------------------------------------------------------


@transaction.atomic
def join_code_create(
    *, campaign: Campaign, label: str, actor: User, personal: bool = True
) -> JoinCode:
    """One code: a personal code (one person, who may vote) or a poster code (anyone who
    reads it: ideas and comments only)."""
    return join_codes_create(
        campaign=campaign, label=label, actor=actor, personal=personal, count=1
    )[0]


MAX_CODES_AT_ONCE = 200


@transaction.atomic
def join_codes_create(
    *, campaign: Campaign, label: str, actor: User, personal: bool = True, count: int = 1
) -> list[JoinCode]:
    """`count` personal codes to hand out (from a shuffled pile, never against a list of
    names), or one poster code."""
    if campaign.closes_on < timezone.localdate():
        raise ValidationError({"label": "The campaign has closed: a new code would not work."})
    if not personal:
        count = 1
    if not 1 <= count <= MAX_CODES_AT_ONCE:
        raise ValidationError({"count": f"Enter a number from 1 to {MAX_CODES_AT_ONCE}"})
    codes = [
        JoinCode.objects.create(campaign=campaign, label=label, personal=personal, created_by=actor)
        for _ in range(count)
    ]
    audit.record(
        "ideas.join_code_created",
        actor=actor,
        obj=campaign,
        organisation=campaign.organisation,
        detail={"personal": personal, "count": count},
    )
    return codes


@transaction.atomic
def join_code_withdraw(*, code: JoinCode, actor: User) -> JoinCode:
    if code.withdrawn_at is not None:
        raise ValidationError("This code was withdrawn already.")
    code.withdrawn_at = timezone.now()
    code.save(update_fields=["withdrawn_at"])
    audit.record(
        "ideas.join_code_withdrawn",
        actor=actor,
        obj=code.campaign,
        organisation=code.campaign.organisation,
    )
    return code


# Join-code tries (right or wrong) per client address, so guessing a code is hopeless.
JOIN_LIMIT = ratelimit.Limit(
    "ideas-join", count=lambda: settings.IDEAS_JOIN_ATTEMPTS, seconds=10 * 60
)


def join_code_redeem(*, code: str, address: str) -> JoinCode:
    """The valid code typed (any case, with or without the dash), or ValidationError.

    Every attempt counts against the address, right or wrong, so guessing is slow.
    """
    if ratelimit.hit(JOIN_LIMIT, address):
        message = "Too many tries from this connection. Wait 10 minutes, then try again."
        raise ValidationError({"code": ValidationError(message, code="rate_limited")})
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if not cleaned:
        raise ValidationError({"code": "Enter the join code from the poster or card"})
    found = JoinCode.objects.select_related("campaign").filter(code=cleaned).first()
    if found is None:
        raise ValidationError({"code": "That code is not right. Check it and try again."})
    refusal = found.refusal()
    if refusal:
        raise ValidationError({"code": refusal})
    return found


# --- Taking part -----------------------------------------------------------------------


def _refusal(message: str, code: str, field: str | None) -> ValidationError:
    """A refusal naming its field (for the error summary) and keeping its code."""
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def _today() -> datetime:
    """When a contribution is stored as made: the day only. A time to the second would let
    an organiser match an anonymous idea with the named comment written just before it."""
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def _require(campaign: Campaign, action: str, field: str | None = None) -> None:
    if not campaign.allows(action):
        message = (
            f"You cannot {Action(action).label} now: the campaign is in its "
            f"'{campaign.get_phase_display()}' phase."
        )
        raise _refusal(message, "wrong_phase", field)
    if not campaign.is_running_on():
        raise _refusal("The campaign is not running today.", "not_running", field)
    if campaign.keys_destroyed_at is not None:
        raise _refusal("Taking part in this campaign has closed.", "closed", field)


def _took_part(campaign: Campaign, who: Identity) -> None:
    Participation.objects.bulk_create(
        [Participation(campaign=campaign, person_key=who.person_key)], ignore_conflicts=True
    )


def _authorship(who: Identity, anonymous: bool) -> dict[str, Any]:
    """The author columns: a person, or a name typed by a participant, or a key only."""
    if who.user is not None and not anonymous:
        return {"author": who.user, "author_name": "", "author_key": ""}
    if anonymous or not who.name:
        return {"author": None, "author_name": "", "author_key": who.author_key}
    return {"author": None, "author_name": who.name, "author_key": who.named_author_key}


@transaction.atomic
def idea_submit(*, campaign: Campaign, who: Identity, anonymous: bool, **fields: Any) -> Idea:
    _require(campaign, Action.SUBMIT)
    fields = {k: v for k, v in fields.items() if k in IDEA_FIELDS}
    idea = Idea(
        campaign=campaign,
        **fields,
        **_authorship(who, anonymous),
        created_at=_today(),
        updated_at=_today(),
    )
    idea.full_clean(exclude=["author", "duplicate_of", "initiative"])
    idea.save()
    _took_part(campaign, who)
    return idea


@transaction.atomic
def idea_update(*, idea: Idea, who: Identity, **fields: Any) -> Idea:
    _require(idea.campaign, Action.EDIT)
    if idea.status not in (IdeaStatus.OPEN, IdeaStatus.SHORTLISTED):
        raise ValidationError("This idea has an outcome: it can no longer be changed.")
    for name, value in fields.items():
        if name in IDEA_FIELDS:
            setattr(idea, name, value)
    idea.updated_at = _today()
    idea.full_clean(exclude=["author", "duplicate_of", "initiative"])
    idea.save()
    return idea


@transaction.atomic
def comment_add(*, idea: Idea, who: Identity, anonymous: bool, body: str) -> Comment:
    _require(idea.campaign, Action.COMMENT, "body")
    if not body.strip():
        raise ValidationError({"body": "Enter your comment"})
    comment = Comment(
        idea=idea, body=body.strip(), **_authorship(who, anonymous), created_at=_today()
    )
    comment.full_clean(exclude=["author"])
    comment.save()
    _took_part(idea.campaign, who)
    return comment


def vote_cast(*, idea: Idea, who: Identity, dots: int = 1) -> Vote:
    """One vote per idea per person; with dot voting, up to the budget across ideas.

    The unique constraint on (idea, voter_key) and a conditional UPDATE on the ballot
    decide, inside one transaction, so two requests at once cannot both count.
    """
    campaign = idea.campaign
    _require(campaign, Action.VOTE, "dots")
    if not who.may_vote:
        message = "To vote, join with your personal code or sign in: a poster code cannot vote."
        raise _refusal(message, "poster_code", "dots")
    if idea.status in (IdeaStatus.MERGED, IdeaStatus.NOT_ADOPTED, IdeaStatus.ADOPTED):
        raise ValidationError({"dots": "This idea has an outcome: it takes no more votes."})
    if campaign.vote_mode == VoteMode.ONE_EACH:
        dots = 1
    elif not 1 <= dots <= campaign.dot_budget:
        raise ValidationError({"dots": f"Place from 1 to {campaign.dot_budget} dots."})
    key = who.voter_key
    try:
        with transaction.atomic():
            if campaign.vote_mode == VoteMode.DOTS:
                Ballot.objects.bulk_create(
                    [Ballot(campaign=campaign, voter_key=key)], ignore_conflicts=True
                )
                spent = Ballot.objects.filter(
                    campaign=campaign, voter_key=key, dots_used__lte=campaign.dot_budget - dots
                ).update(dots_used=F("dots_used") + dots)
                if not spent:
                    raise _refusal("You do not have that many dots left.", "no_dots", "dots")
            vote = Vote.objects.create(
                campaign=campaign, idea=idea, voter_key=key, dots=dots, created_at=_today()
            )
            _took_part(campaign, who)
    except IntegrityError:
        message = "You have already voted for this idea."
        raise AlreadyVoted({"dots": ValidationError(message, code="already_voted")}) from None
    return vote


# --- Review ----------------------------------------------------------------------------


def _require_review_phase(campaign: Campaign) -> None:
    if campaign.phase == Phase.SUBMIT:
        raise ValidationError("The panel reviews ideas once discussion and voting have started.")
    if campaign.phase == Phase.DECIDED:
        raise ValidationError("The campaign is decided: outcomes can no longer change.")


@transaction.atomic
def score_record(*, idea: Idea, reviewer: User, **scores: Any) -> Score:
    _require_review_phase(idea.campaign)
    values = {k: scores[k] for k in ("impact", "effort", "cost", "risk")}
    for name, value in values.items():
        if value is None or not 1 <= int(value) <= 5:
            raise ValidationError({name: "Choose a score from 1 to 5"})
    score, _ = Score.objects.update_or_create(
        idea=idea,
        reviewer=reviewer,
        defaults={**values, "note": scores.get("note", ""), "scored_at": timezone.now()},
    )
    audit.record(
        "ideas.idea_scored", actor=reviewer, obj=idea, organisation=idea.campaign.organisation
    )
    return score


@transaction.atomic
def idea_shortlist(*, idea: Idea, actor: User, shortlisted: bool) -> Idea:
    _require_review_phase(idea.campaign)
    if idea.status not in (IdeaStatus.OPEN, IdeaStatus.SHORTLISTED):
        raise ValidationError("This idea already has an outcome.")
    idea.status = IdeaStatus.SHORTLISTED if shortlisted else IdeaStatus.OPEN
    idea.save(update_fields=["status"])
    audit.record(
        "ideas.idea_shortlisted" if shortlisted else "ideas.idea_unshortlisted",
        actor=actor,
        obj=idea,
        organisation=idea.campaign.organisation,
    )
    return idea


@transaction.atomic
def idea_merge(*, idea: Idea, into: Idea, actor: User, reason: str) -> Idea:
    """Mark `idea` a duplicate of `into`: its votes move across (a person who voted for
    both keeps one vote), and the merge is published with its reason."""
    _require_review_phase(idea.campaign)
    if idea.status not in (IdeaStatus.OPEN, IdeaStatus.SHORTLISTED):
        raise ValidationError({"into": "This idea already has an outcome."})
    if into.campaign_id != idea.campaign_id or into.pk == idea.pk:
        raise ValidationError({"into": "Choose another idea in this campaign."})
    if into.status == IdeaStatus.MERGED:
        raise ValidationError({"into": "That idea was itself merged: choose the one it went into."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why these are the same idea"})
    both = set(into.votes.values_list("voter_key", flat=True))
    moving = idea.votes.exclude(voter_key__in=both)
    moving.update(idea=into)
    # Dots of people who voted for both go back to them.
    for vote in idea.votes.all():
        Ballot.objects.filter(campaign=idea.campaign, voter_key=vote.voter_key).update(
            dots_used=F("dots_used") - vote.dots
        )
    idea.votes.all().delete()
    idea.status = IdeaStatus.MERGED
    idea.duplicate_of = into
    idea.save(update_fields=["status", "duplicate_of"])
    Decision.objects.create(
        idea=idea, outcome=IdeaStatus.MERGED, reason=reason.strip(), decided_by=actor
    )
    audit.record(
        "ideas.idea_merged",
        actor=actor,
        obj=idea,
        organisation=idea.campaign.organisation,
        detail={"into": into.pk},
    )
    return idea


@transaction.atomic
def idea_decide(
    *, idea: Idea, actor: User, outcome: str, reason: str, service_area: str = ""
) -> Decision:
    """Publish an outcome with its reason. Adopting creates the initiative in the register,
    prefilled from the idea and linked both ways."""
    from whatworks.initiatives.services import initiative_create

    _require_review_phase(idea.campaign)
    if outcome not in DECIDED_OUTCOMES:
        raise ValidationError({"outcome": "Choose whether the idea is taken forward"})
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the decision: everyone will see it"})
    if idea.status == IdeaStatus.MERGED:
        raise ValidationError("This idea was merged into another: decide that one.")
    if outcome == IdeaStatus.ADOPTED and idea.initiative_id is None:
        if not service_area:
            raise ValidationError({"service_area": "Choose the service area for the initiative"})
        campaign = idea.campaign
        idea.initiative = initiative_create(
            organisation=campaign.organisation,
            actor=actor,
            collaborations=["workforce"],
            title=idea.title[:200],
            summary=_summary(idea)[:1000],
            service_area=service_area,
            problem=idea.problem,
            what_was_done=idea.proposal,
            visibility="private",
        )
    idea.status = outcome
    idea.save(update_fields=["status", "initiative"])
    decision = Decision.objects.create(
        idea=idea, outcome=outcome, reason=reason.strip(), decided_by=actor
    )
    audit.record(
        "ideas.idea_decided",
        actor=actor,
        obj=idea,
        organisation=idea.campaign.organisation,
        detail={"outcome": outcome},
    )
    _changed(idea.campaign)
    return decision


def _summary(idea: Idea) -> str:
    benefits = "; ".join(
        f"{label}: {value}"
        for label, value in (
            ("time", idea.benefit_time),
            ("money", idea.benefit_money),
            ("quality", idea.benefit_quality),
        )
        if value
    )
    text = f"A staff idea from '{idea.campaign.title}': it changes {idea.process}."
    if benefits:
        text += f" Expected benefit ({benefits})."
    if idea.cost:
        text += f" Expected cost: {idea.cost}."
    return text
