"""Workforce ideas campaigns (big idea and hack days): campaigns, their phases, ideas,
comments, votes, the review panel's scores and decisions, and join codes.

Anonymity is structural: an anonymous idea, comment or vote has no reference to a person,
only `author_key`/`voter_key`, a keyed hash (see identity.py) under the campaign's own key,
which lives outside the database and is destroyed when the campaign closes (keys.py).
Contributions are stored with the day, not the time (services.py).
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from whatworks.core.models import AppendOnlyModel


class Phase(models.TextChoices):
    SUBMIT = "submit", "Submit ideas"
    DISCUSS = "discuss", "Discuss and vote"
    REVIEW = "review", "Review"
    DECIDED = "decided", "Decided"


PHASE_ORDER = [Phase.SUBMIT, Phase.DISCUSS, Phase.REVIEW, Phase.DECIDED]


class Action(models.TextChoices):
    SUBMIT = "submit", "put forward ideas"
    COMMENT = "comment", "comment on ideas"
    VOTE = "vote", "vote"
    EDIT = "edit", "change your own ideas"


# What people may do in each phase. The review panel scores and decides in any phase
# after submission opens; decisions are published once the campaign is decided.
PHASE_ACTIONS: dict[str, frozenset[str]] = {
    Phase.SUBMIT: frozenset({Action.SUBMIT, Action.COMMENT, Action.EDIT}),
    # A hack day keeps taking ideas while people discuss and vote.
    Phase.DISCUSS: frozenset({Action.SUBMIT, Action.COMMENT, Action.VOTE, Action.EDIT}),
    Phase.REVIEW: frozenset(),
    Phase.DECIDED: frozenset(),
}


class VoteMode(models.TextChoices):
    ONE_EACH = "one_each", "One vote per idea per person"
    DOTS = "dots", "A budget of dots per person, to spread or stack"


class Campaign(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="idea_campaigns"
    )
    title = models.CharField(max_length=200)
    brief = models.TextField(help_text="What the campaign is for and what makes a good idea.")
    problem_areas = models.TextField(
        blank=True, help_text="One a line, such as 'Missed bin collections'."
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.SUBMIT)
    vote_mode = models.CharField(max_length=10, choices=VoteMode.choices, default=VoteMode.ONE_EACH)
    dot_budget = models.PositiveSmallIntegerField(
        default=5, help_text="For dot voting: the dots each person may place."
    )
    hide_results = models.BooleanField("hide vote counts until the review", default=True)
    staff_count = models.PositiveIntegerField(
        "staff invited",
        null=True,
        blank=True,
        help_text="How many staff were invited: used for the share taking part.",
    )
    metrics = models.ManyToManyField(
        "measures.Metric", through="DataPackItem", related_name="idea_campaigns", blank=True
    )
    # The register record that evaluates the staff ideas scheme: its goals are linked to the
    # campaign's own figures (ideas/measures.py), as a Call & Check scheme's are.
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluated_campaigns",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The campaign's own key lives outside the database (keys.py); this only identifies it.
    # Blank: a campaign from before per-campaign keys.
    key_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # When taking part ended for good: the key destroyed and the stored hashes unlinked.
    keys_destroyed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="campaign_dates_in_order"
            ),
            models.CheckConstraint(condition=Q(dot_budget__gte=1), name="campaign_dots_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas-campaign", kwargs={"pk": self.pk})

    def allows(self, action: str) -> bool:
        return action in PHASE_ACTIONS[self.phase]

    def is_running_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on

    @property
    def results_visible(self) -> bool:
        return not self.hide_results or self.phase in (Phase.REVIEW, Phase.DECIDED)

    @property
    def next_phase(self) -> str | None:
        index = PHASE_ORDER.index(Phase(self.phase))
        return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None

    def problem_area_list(self) -> list[str]:
        return [line.strip() for line in self.problem_areas.splitlines() if line.strip()]


class PhaseChange(AppendOnlyModel):
    """Append-only history of a campaign's phase."""

    append_only_message = "The phase history is append-only."

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=10, choices=Phase.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.from_phase} -> {self.to_phase}"


class DataPackItem(models.Model):
    """A metric the organiser attached so ideas start from the numbers."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="pack_items")
    metric = models.ForeignKey("measures.Metric", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True, help_text="Why it matters here.")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "metric"], name="one_pack_item_per_metric")
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} in {self.campaign_id}"


class PanelRole(models.TextChoices):
    FACILITATOR = "facilitator", "Independent facilitator"
    REVIEWER = "reviewer", "Reviewer"


class PanelMember(models.Model):
    """A person on one campaign's review panel: access to this campaign only.

    An external facilitator needs no role in the organisation: this row is their access.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_panels"
    )
    role = models.CharField(max_length=12, choices=PanelRole.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "added_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="one_panel_seat_each")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.campaign}"


def _new_code() -> str:
    # 10 characters from an alphabet without look-alikes (0/O, 1/I/L): easy to type from a
    # poster, and about 49 bits, so guessing is hopeless under the rate limit.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class JoinCode(models.Model):
    """Lets staff without an account take part in one campaign, while it runs.

    A *personal* code stands for one person: whoever joins with it, in any browser and as
    often as they like, is the same participant, so joining again gives no second vote. A
    *poster* code is shared by everyone who reads it: it lets people put forward ideas and
    comment, but not vote, since nothing tells one reader from another (or from the same
    reader in a fresh browser).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="join_codes")
    code = models.CharField(max_length=20, unique=True, default=_new_code)
    personal = models.BooleanField(
        "one person's code", default=True, help_text="Personal codes can vote; poster codes not."
    )
    label = models.CharField(max_length=100, blank=True, help_text="Such as 'Depot notice board'.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or f"Join code for {self.campaign}"

    @property
    def kind_label(self) -> str:
        return "Personal code" if self.personal else "Poster code"

    @property
    def formatted(self) -> str:
        return f"{self.code[:5]}-{self.code[5:]}"

    def refusal(self, day: date | None = None) -> str | None:
        """Why the code cannot be used today, or None."""
        if self.withdrawn_at is not None:
            return "This code has been withdrawn."
        day = day or timezone.localdate()
        if day < self.campaign.opens_on:
            return f"This code works from {self.campaign.opens_on:%-d %B %Y}."
        if day > self.campaign.closes_on:
            return "This code has expired: the campaign has closed."
        return None


class IdeaStatus(models.TextChoices):
    OPEN = "open", "Open"
    SHORTLISTED = "shortlisted", "Shortlisted"
    ADOPTED = "adopted", "Adopted"
    NOT_ADOPTED = "not_adopted", "Not taken forward"
    MERGED = "merged", "Merged into another idea"


class Idea(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(max_length=200)
    process = models.CharField("the process it changes", max_length=300)
    problem = models.TextField("the problem")
    proposal = models.TextField("what you propose")
    benefit_time = models.CharField("time it would save", max_length=300, blank=True)
    benefit_money = models.CharField("money it would save", max_length=300, blank=True)
    benefit_quality = models.CharField(
        "how it would improve the service", max_length=300, blank=True
    )
    cost = models.CharField("what it would cost", max_length=300, blank=True)
    tags = models.CharField(max_length=300, blank=True, help_text="Separate tags with commas.")
    # A named idea from a signed-in person has `author`; an anonymous one has neither
    # author nor name; a join-code participant may give a name. Only ideas without an
    # `author` carry `author_key`, so no key is ever stored next to a person.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=100, blank=True)
    author_key = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.OPEN, db_index=True
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    initiative = models.OneToOneField(
        "initiatives.Initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_idea",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "-created_at"], name="idea_campaign_recent")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas-idea", kwargs={"pk": self.campaign_id, "idea_pk": self.pk})

    @property
    def is_anonymous(self) -> bool:
        return self.author_id is None and not self.author_name

    @property
    def author_label(self) -> str:
        """What anyone, of any role, is shown as the author."""
        if self.author_id is not None:
            return self.author.full_name if self.author else "A former member of staff"
        return self.author_name or "Anonymous"

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=100, blank=True)
    author_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.idea_id}"

    @property
    def author_label(self) -> str:
        if self.author_id is not None:
            return self.author.full_name if self.author else "A former member of staff"
        return self.author_name or "Anonymous"


class Vote(models.Model):
    """A person's dots on one idea. Never a reference to the person: only `voter_key`."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="votes")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(max_length=64)
    dots = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The database, not a check before the insert, stops a second vote: two
            # requests at once cannot both get in.
            models.UniqueConstraint(fields=["idea", "voter_key"], name="one_vote_per_idea_each"),
            models.CheckConstraint(condition=Q(dots__gte=1), name="vote_dots_positive"),
        ]
        indexes = [models.Index(fields=["campaign", "voter_key"], name="vote_campaign_voter")]

    def __str__(self) -> str:
        return f"{self.dots} on {self.idea_id}"


class Participation(models.Model):
    """Someone took part (wrote, commented or voted): one row per person per campaign, by
    a key of its own, so the share of staff taking part can be counted without linking
    anyone's ideas to their votes."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    person_key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person_key"], name="one_participation")
        ]

    def __str__(self) -> str:
        return f"Participation in {self.campaign_id}"


class Ballot(models.Model):
    """Dots a voter has used in a dot-voting campaign: one row, updated conditionally."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ballots")
    voter_key = models.CharField(max_length=64)
    dots_used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "voter_key"], name="one_ballot_each")
        ]

    def __str__(self) -> str:
        return f"Ballot in {self.campaign_id}"


class Score(models.Model):
    """A panel member's private scores for an idea (1 low to 5 high)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    impact = models.PositiveSmallIntegerField()
    effort = models.PositiveSmallIntegerField()
    cost = models.PositiveSmallIntegerField()
    risk = models.PositiveSmallIntegerField()
    note = models.TextField("private note", blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "reviewer"], name="one_score_per_reviewer"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"score_{name}_1_to_5",
                )
                for name in ("impact", "effort", "cost", "risk")
            ],
        ]

    def __str__(self) -> str:
        return f"Score for {self.idea_id}"


class Decision(AppendOnlyModel):
    """An outcome for an idea with its published reason. Append-only: a later decision
    supersedes an earlier one, and both stay."""

    append_only_message = "Decisions are append-only."

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=12, choices=IdeaStatus.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.outcome}"
