"""The register: initiatives with their goals, baselines, ledger, results, verdicts and lessons.

Invariants live here; writes that touch several rows are in services.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from whatworks.core.models import AppendOnlyModel
from whatworks.core.visibility import Shareable, VisibleQuerySet, member_organisation_ids
from whatworks.ui.numbers import number


class ServiceArea(models.TextChoices):
    WASTE = "waste", "Waste and recycling"
    HOUSING = "housing", "Housing and rent"
    ADULT_CARE = "adult_care", "Adult social care"
    CHILDREN = "children", "Children's services"
    PUBLIC_HEALTH = "public_health", "Public health"
    HEALTH_INTEGRATION = "health_integration", "Health and care integration"
    LIBRARIES = "libraries", "Libraries, culture and leisure"
    PARKS_STREETS = "parks_streets", "Parks and streets"
    COMMUNITY_SAFETY = "community_safety", "Community safety"
    REVENUES = "revenues", "Revenues and benefits"
    BACK_OFFICE = "back_office", "Back office and shared services"
    CUSTOMER = "customer", "Customer services and digital"
    PLANNING = "planning", "Planning and building control"
    TRANSPORT = "transport", "Highways and transport"
    ENVIRONMENTAL_HEALTH = "environmental_health", "Environmental health and licensing"
    EDUCATION = "education", "Education and skills"
    ECONOMY = "economy", "Economic development"
    OTHER = "other", "Other"


class Collaboration(models.TextChoices):
    WORKFORCE = "workforce", "Within the workforce"
    SECTORS = "sectors", "With other sectors"
    PUBLIC = "public", "With the public"


class Mechanism(models.TextChoices):
    # EAST (Behavioural Insights Team)
    EASY = "easy", "Easy"
    ATTRACTIVE = "attractive", "Attractive"
    SOCIAL = "social", "Social"
    TIMELY = "timely", "Timely"
    # MINDSPACE (Institute for Government)
    MESSENGER = "messenger", "Messenger"
    INCENTIVES = "incentives", "Incentives"
    NORMS = "norms", "Norms"
    DEFAULTS = "defaults", "Defaults"
    SALIENCE = "salience", "Salience"
    PRIMING = "priming", "Priming"
    AFFECT = "affect", "Affect"
    COMMITMENTS = "commitments", "Commitments"
    EGO = "ego", "Ego"


EAST = [Mechanism.EASY, Mechanism.ATTRACTIVE, Mechanism.SOCIAL, Mechanism.TIMELY]
MINDSPACE = [m for m in Mechanism if m not in EAST]


class Status(models.TextChoices):
    IDEA = "idea", "Idea"
    PLANNED = "planned", "Planned"
    STARTED = "started", "Started"
    EVALUATING = "evaluating", "Evaluating"
    PUBLISHED = "published", "Result published"
    CONTINUED = "continued", "Continued"
    SCALED_UP = "scaled_up", "Scaled up"
    STOPPED = "stopped", "Stopped"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Which status may follow which. Withdrawal is possible from anywhere but itself.
NEXT_STATUSES: dict[str, list[str]] = {
    Status.IDEA: [Status.PLANNED, Status.STOPPED],
    Status.PLANNED: [Status.STARTED, Status.STOPPED],
    Status.STARTED: [Status.EVALUATING, Status.STOPPED],
    Status.EVALUATING: [Status.PUBLISHED, Status.STOPPED],
    Status.PUBLISHED: [Status.CONTINUED, Status.SCALED_UP, Status.STOPPED],
    Status.CONTINUED: [Status.SCALED_UP, Status.STOPPED],
    Status.SCALED_UP: [Status.STOPPED],
    Status.STOPPED: [],
    Status.WITHDRAWN: [],
}
NOT_STARTED = {Status.IDEA, Status.PLANNED}
PUBLISHED_OR_LATER = {Status.PUBLISHED, Status.CONTINUED, Status.SCALED_UP}
STARTED_OR_LATER = {
    Status.STARTED,
    Status.EVALUATING,
    Status.PUBLISHED,
    Status.CONTINUED,
    Status.SCALED_UP,
    Status.STOPPED,
}


class Verdict(models.TextChoices):
    MET = "met", "Met its goal"
    NOT_MET = "not_met", "Did not meet its goal"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


class EvaluationDesign(models.TextChoices):
    """Designs and the Maryland Scientific Methods Scale level each gives."""

    CROSS_SECTIONAL = "cross_sectional", "Correlation at one point in time"
    BEFORE_AFTER = "before_after", "Before and after, no comparison group"
    COMPARISON = "comparison", "Before and after with a comparison group"
    MATCHED = "matched", "Comparison group matched or adjusted for other factors"
    RANDOMISED = "randomised", "Randomised"


MARYLAND_LEVEL = {
    EvaluationDesign.CROSS_SECTIONAL: 1,
    EvaluationDesign.BEFORE_AFTER: 2,
    EvaluationDesign.COMPARISON: 3,
    EvaluationDesign.MATCHED: 4,
    EvaluationDesign.RANDOMISED: 5,
}


class FailureCause(models.TextChoices):
    IDEA = "idea", "The idea did not work"
    IMPLEMENTATION = "implementation", "Implementation failed"
    CONTEXT = "context", "Wrong context"
    DATA = "data", "Data or measurement problem"
    TOO_SMALL = "too_small", "Too small to tell"
    STOPPED_EXTERNAL = "stopped_external", "Stopped for political, financial or supplier reasons"
    OTHER = "other", "Other"


class InitiativeQuerySet(VisibleQuerySet):
    def visible_to(self, user: Any) -> InitiativeQuerySet:
        # An embargoed record is seen only by its own organisation until the embargo ends.
        not_embargoed = Q(embargo_until__isnull=True) | Q(embargo_until__lte=timezone.localdate())
        return self.filter(self.visible_condition(member_organisation_ids(user), not_embargoed))

    def what_did_not_work(self) -> InitiativeQuerySet:
        return self.filter(
            Q(verdict__in=[Verdict.NOT_MET, Verdict.INCONCLUSIVE]) | Q(status=Status.STOPPED)
        )


#: What a record says was done, for whom and when: set on its form, shown by the API.
DESCRIPTION_FIELDS = [
    "problem",
    "what_was_done",
    "who_it_reached",
    "people_reached",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
]
#: What a person sets on an initiative: its form's fields and what its services accept.
INITIATIVE_FIELDS = [
    "title",
    "summary",
    "service_area",
    *DESCRIPTION_FIELDS,
    "visibility",
    "pseudonymous",
    "embargo_until",
]


class Initiative(Shareable):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="initiatives"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=1000)
    service_area = models.CharField(max_length=30, choices=ServiceArea.choices, db_index=True)
    problem = models.TextField("the problem", blank=True)
    what_was_done = models.TextField(blank=True)
    who_it_reached = models.CharField(max_length=300, blank=True)
    people_reached = models.PositiveIntegerField(null=True, blank=True)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)

    # Derived from the status history and the primary goal's result; kept here so
    # browsing 100,000 records can filter and facet without joins.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.IDEA, db_index=True
    )
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True, db_index=True)
    evidence_level = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)

    failure_cause = models.CharField(
        "why it didn't work",
        max_length=30,
        choices=FailureCause.choices,
        blank=True,
        db_index=True,
    )
    lessons = models.TextField(blank=True)
    do_differently = models.TextField("what we would do differently", blank=True)

    # Lowering the cost of honesty.
    pseudonymous = models.BooleanField(
        default=False,
        help_text="Shown to others as, for example, 'a district council in the South East'.",
    )
    embargo_until = models.DateField(null=True, blank=True)

    replicated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replications"
    )
    withdrawn_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    result_published_at = models.DateTimeField(null=True, blank=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["visibility", "service_area", "-updated_at"]),
            models.Index(fields=["organisation", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("initiative-detail", kwargs={"pk": self.pk})

    def owner_organisation_ids(self) -> frozenset[int]:
        return frozenset({self.organisation_id})

    def is_visible_to(self, user: Any) -> bool:
        if not super().is_visible_to(user):
            return False
        if self.embargo_until and self.embargo_until > timezone.localdate():
            return self.organisation_id in member_organisation_ids(user)
        return True

    @property
    def is_locked(self) -> bool:
        """Goals lock when the initiative starts."""
        return self.status in STARTED_OR_LATER

    @property
    def is_published(self) -> bool:
        """Its result is out: goals are no longer amended nor results recorded on the page."""
        return self.status in PUBLISHED_OR_LATER

    @property
    def fell_short(self) -> bool:
        """It did not meet its goal (or could not show it did), or it was stopped: the
        records that "why it didn't work" is for. Never one that met its goal."""
        return self.verdict in (Verdict.NOT_MET, Verdict.INCONCLUSIVE) or (
            self.status == Status.STOPPED
        )

    @property
    def is_overdue(self) -> bool:
        """A goal's result is due and not recorded (the rule in GoalQuerySet.result_due)."""
        if self.status not in {Status.STARTED, Status.EVALUATING}:
            return False
        return Goal.objects.filter(initiative=self).result_due(timezone.localdate()).exists()

    def primary_goal(self) -> Goal | None:
        goals = getattr(self, "_prefetched_objects_cache", {}).get("goals")
        if goals is not None:
            return next((g for g in goals if g.is_primary), None)
        return self.goals.filter(is_primary=True).first()


def owner_label(initiative: Initiative, viewer: Any) -> str:
    """The owner's name, or its pseudonym for anyone outside the owning organisation."""
    organisation = initiative.organisation
    if not initiative.pseudonymous or organisation.pk in member_organisation_ids(viewer):
        return organisation.name
    la = organisation.local_authority
    if la is not None:
        kind = la.authority_type_name.lower() or "council"
        where = la.region or la.nation
        article = "an" if kind[:1] in "aeiou" else "a"
        return f"{article.capitalize()} {kind} in {where}"
    return f"A {organisation.get_kind_display().lower()}"


class InitiativeTag(models.Model):
    """Collaboration and mechanism tags: a row per tag, so facets are one GROUP BY."""

    class Kind(models.TextChoices):
        COLLABORATION = "collaboration", "Collaboration"
        MECHANISM = "mechanism", "Mechanism"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "kind", "value"], name="one_tag_each")
        ]
        indexes = [models.Index(fields=["kind", "value", "initiative"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class StatusChange(AppendOnlyModel):
    """Append-only history of an initiative's status."""

    append_only_message = "The status history is append-only."

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.initiative_id}: {self.from_status} -> {self.to_status}"


class Partner(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="partnerships"
    )
    part = models.CharField("their part", max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "organisation"], name="one_partner_row")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.initiative}"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class BaselineRule(models.TextChoices):
    """How a goal linked to a metric takes its baseline from the metric's figures."""

    TYPED = "", "Type the baseline in"
    LAST_PERIODS = "last_periods", "The mean of the last periods before the start"
    SAME_MONTHS = "same_months", "The mean of the same months a year before the pilot"


class SeriesDesign(models.TextChoices):
    """How a goal linked to a metric is judged from its figures on the judge-by date."""

    NONE = "", "Not computed from the metric (record the result by hand or from a trial)"
    BEFORE_AFTER = "before_after", "Before and after the start (interrupted time series)"
    COMPARISON = "comparison", "Against a comparison series (difference-in-differences)"


#: What a goal states (its criterion and how it is measured), in the form's order: the form,
#: services and API use it.
GOAL_FIELDS = [
    "metric",
    "metric_name",
    "unit",
    "definition",
    "data_source",
    "direction",
    "baseline_rule",
    "baseline_periods",
    "baseline_value",
    "baseline_period",
    "baseline_source",
    "target_value",
    "success_threshold",
    "judge_by",
    "measured_design",
    "comparison_metric",
    "comparison_organisation",
]


#: How the goal's fields are named on the form and wherever a change to them is shown.
GOAL_LABELS = {
    "metric": "Shared metric (optional)",
    "baseline_rule": "How is the baseline taken from the metric?",
    "baseline_periods": "Number of periods for the baseline",
    "measured_design": "How is the result computed from the metric?",
    "comparison_metric": "Comparison metric (for a comparison series)",
    "comparison_organisation": "Comparison organisation (for a comparison series)",
    "metric_name": "What will you measure?",
    "baseline_value": "Baseline value",
    "baseline_period": "Baseline period",
    "success_threshold": "Success criterion",
    "judge_by": "Judge by",
}


#: A goal without a judge-by date has its result due this long after the planned end.
RESULT_GRACE_AFTER_END = timedelta(days=91)


class GoalQuerySet(models.QuerySet):
    def result_due(self, today: date) -> GoalQuerySet:
        """Goals of running initiatives whose result is due and not recorded: due on the
        judge-by date, or, for a goal without one, three months after the planned end. The one
        rule behind the record's "Result overdue" tag, the results-due pages, the signed-in
        home and the reminders."""
        return self.filter(
            Q(judge_by__lt=today)
            | Q(judge_by__isnull=True, initiative__planned_end__lt=today - RESULT_GRACE_AFTER_END),
            initiative__status__in=[Status.STARTED, Status.EVALUATING],
        ).filter(~Exists(GoalResult.objects.filter(goal=OuterRef("pk"))))


class Goal(models.Model):
    """A measurable goal with its baseline and a numeric success criterion.

    Success means the result is at or beyond `success_threshold` in the goal's direction.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="goals")
    # The shared definition in measures, when the goal uses one (its figures feed the evidence).
    metric = models.ForeignKey(
        "measures.Metric", null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    is_primary = models.BooleanField(default=False)
    metric_name = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, help_text="For example: days, %, £, visits")
    definition = models.TextField(blank=True)
    data_source = models.CharField(max_length=300, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    # A replication starts with the original's metric but must measure its own baseline
    # before it starts, so these may be empty until then.
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_period = models.CharField(max_length=100, blank=True)
    baseline_source = models.CharField(max_length=300, blank=True)
    target_value = models.FloatField()
    success_threshold = models.FloatField(
        help_text="The result must reach this value (in the better direction) for success."
    )
    judge_by = models.DateField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    # Measured from the metric (issue 17): the baseline's rule and the design the result is
    # computed with on the judge-by date, locked with the goal.
    baseline_rule = models.CharField(
        max_length=20, choices=BaselineRule.choices, blank=True, default=BaselineRule.TYPED
    )
    baseline_periods = models.PositiveSmallIntegerField(null=True, blank=True)
    measured_design = models.CharField(
        max_length=20, choices=SeriesDesign.choices, blank=True, default=SeriesDesign.NONE
    )
    comparison_metric = models.ForeignKey(
        "measures.Metric", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comparison_organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Reminders that the result is due: first the owner, later the organisation's admins.
    due_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    due_escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"], condition=Q(is_primary=True), name="one_primary_goal"
            )
        ]

    def __str__(self) -> str:
        return self.metric_name

    def snapshot(self) -> dict[str, Any]:
        """The goal's fields as JSON values (related records by their ids)."""
        values = {
            name: getattr(self, cast(models.Field, Goal._meta.get_field(name)).attname)
            for name in GOAL_FIELDS
        }
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        if self.baseline_rule and self.metric_id is None:
            errors["baseline_rule"] = "Choose the metric the baseline is taken from"
        if self.baseline_rule == BaselineRule.LAST_PERIODS and not self.baseline_periods:
            errors["baseline_periods"] = "Enter how many periods the baseline is the mean of"
        if self.measured_design and self.metric_id is None:
            errors["measured_design"] = "Choose the metric the result is computed from"
        if self.measured_design and self.judge_by is None:
            errors["judge_by"] = "Enter the date the result is computed on"
        if self.measured_design == SeriesDesign.COMPARISON and not (
            self.comparison_metric_id or self.comparison_organisation_id
        ):
            errors["comparison_metric"] = (
                "Choose a comparison metric or a comparison organisation for a comparison series"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def result_due_on(self) -> date | None:
        """When its result is due (see GoalQuerySet.result_due)."""
        if self.judge_by is not None:
            return self.judge_by
        end = self.initiative.planned_end
        return end + RESULT_GRACE_AFTER_END if end is not None else None

    @property
    def is_measured(self) -> bool:
        """Its result is computed from its metric on the judge-by date."""
        return bool(self.metric_id and self.measured_design and self.judge_by)

    def meets(self, value: float) -> bool:
        if self.direction == Direction.HIGHER:
            return value >= self.success_threshold
        return value <= self.success_threshold

    def primary_result(self) -> GoalResult | None:
        """The result marked primary (from prefetched ``results`` when they are there)."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("results")
        if cached is not None:
            return next((r for r in cached if r.is_primary), None)
        return self.results.filter(is_primary=True).first()

    def registered_criterion(self) -> dict[str, Any]:
        """The goal as it stood before the first amendment made after outcomes were seen (the
        criterion fixed in advance), or as it stands when there is none."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("amendments")
        amendments = list(cached) if cached is not None else list(self.amendments.all())
        post_hoc = [a for a in amendments if a.post_hoc]
        if post_hoc:
            return dict(min(post_hoc, key=lambda a: (a.amended_at, a.id)).before)
        return self.snapshot()

    def post_hoc_amendments(self) -> list[GoalAmendment]:
        return [a for a in self.amendments.all() if a.post_hoc]


class GoalAmendment(models.Model):
    """A change to a locked goal: both versions and the reason stay on the record.

    ``post_hoc`` is true when the change was made after outcomes had been seen (a trial's
    outcomes or series uploaded, or a result recorded): it is then shown as post hoc beside the
    verdicts judged under the criterion fixed in advance, and never replaces them.
    """

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="amendments")
    before = models.JSONField()
    after = models.JSONField()
    reason = models.TextField()
    post_hoc = models.BooleanField(default=False)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["amended_at", "id"]

    def __str__(self) -> str:
        return f"Amendment to {self.goal}"

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field label, before, after) for each field that changed, labelled as the form is."""
        return [
            (
                GOAL_LABELS.get(name)
                or str(getattr(Goal._meta.get_field(name), "verbose_name", name)).capitalize(),
                self.before.get(name),
                self.after.get(name),
            )
            for name in GOAL_FIELDS
            if self.before.get(name) != self.after.get(name)
        ]


class GoalResult(models.Model):
    """One measured result for a goal, frozen with what it was judged under.

    A goal can hold several (several trials, a before-and-after series, a figure recorded by
    hand); one is primary, with the reason it was chosen, and gives the initiative its verdict.
    The verdict, its reason, the criterion (``criterion``: the goal's fields when it was judged),
    the design, the method and the caveats are stored when the result is recorded and never
    change: judging it again against an amended criterion adds a dated ``ResultJudgement``
    beside it.

    Two shapes:

    * a *level* recorded by hand: ``value`` in the goal's unit, with ``ci_low``/``ci_high`` when
      there is an interval;
    * an *effect* from a trial or a series: ``measure`` names it ("difference in proportions",
      "change in level", ...), ``effect``/``effect_low``/``effect_high`` are on the analysis
      scale (``effect_scale`` times that is in the goal's unit), ``null_value`` is "no effect",
      and ``figures`` holds what was observed per arm or group: ``[{"label", "text", "n",
      "allocated"}]``. ``sample_size`` is the number of units analysed (with an outcome).
    """

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="results")
    is_primary = models.BooleanField(default=False)
    primary_reason = models.TextField(blank=True)
    value = models.FloatField(null=True, blank=True)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    measure = models.CharField(max_length=80, blank=True)
    effect = models.FloatField(null=True, blank=True)
    effect_low = models.FloatField(null=True, blank=True)
    effect_high = models.FloatField(null=True, blank=True)
    effect_scale = models.FloatField(default=1.0)
    effect_unit = models.CharField(max_length=60, blank=True)
    null_value = models.FloatField(default=0.0)
    interval_level = models.FloatField(default=95.0, help_text="Of the interval, in percent.")
    figures = models.JSONField(default=list, blank=True)
    design = models.CharField(max_length=20, choices=EvaluationDesign.choices)
    sample_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Units analysed: those with an outcome."
    )
    allocated = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)
    criterion = models.JSONField(default=dict, blank=True)
    method = models.TextField(blank=True)
    caveats = models.JSONField(default=list, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    verdict_reason = models.TextField()
    # The owner's explanation of a computed result (its figures cannot be typed over).
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_primary", "recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal"], condition=Q(is_primary=True), name="one_primary_result"
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.summary}"

    @property
    def evidence_level(self) -> int:
        return MARYLAND_LEVEL[EvaluationDesign(self.design)]

    @property
    def is_effect(self) -> bool:
        return bool(self.measure)

    @property
    def effect_text(self) -> str:
        """'12.4 percentage points (95% interval 6.8 to 19.1)': the effect in the goal's unit."""
        if self.effect is None:
            return ""
        scale = self.effect_scale
        unit = f" {self.effect_unit}" if self.effect_unit else ""
        text = f"{number(self.effect * scale)}{unit}"
        if self.effect_low is not None and self.effect_high is not None:
            low, high = sorted((self.effect_low * scale, self.effect_high * scale))
            text += f" ({self.interval_level:g}% interval {number(low)} to {number(high)})"
        return text

    @property
    def value_text(self) -> str:
        """'21 days (95% interval 18.5 to 24.25)': a level recorded by hand."""
        if self.value is None:
            return ""
        unit = f" {self.goal.unit}" if self.goal_id and self.goal.unit else ""
        text = f"{number(self.value)}{unit}"
        if self.ci_low is not None and self.ci_high is not None:
            text += f" ({self.interval_level:g}% interval {number(self.ci_low)} to "
            text += f"{number(self.ci_high)})"
        return text

    @property
    def summary(self) -> str:
        """The result in a few words, for lists and comparisons."""
        if self.is_effect:
            return f"{self.measure}: {self.effect_text}"
        return self.value_text


class DraftState(models.TextChoices):
    AWAITING = "awaiting", "Awaiting the owner's confirmation"
    CONFIRMED = "confirmed", "Confirmed"


class ResultDraft(models.Model):
    """A result computed from the goal's metric on its judge-by date, before the owner confirms
    it. ``fields`` are the result's fields as computed (what :func:`services.result_add` takes);
    confirming adds them to the goal as a result with the owner's note, unchanged: the owner
    explains a computed figure and never types over it."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="drafts")
    state = models.CharField(max_length=20, choices=DraftState.choices, default=DraftState.AWAITING)
    fields = models.JSONField()
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    verdict_reason = models.TextField()
    headline = models.TextField(blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    computed_on = models.DateField(help_text="The day the figures were read.")
    result = models.OneToOneField(
        GoalResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )
    note = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["computed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal"],
                condition=Q(state="awaiting"),
                name="one_awaiting_draft_per_goal",
            )
        ]
        indexes = [models.Index(fields=["state", "goal"], name="draft_state_goal")]

    def __str__(self) -> str:
        return f"Computed result for {self.goal_id} ({self.state})"

    @property
    def is_awaiting(self) -> bool:
        return self.state == DraftState.AWAITING

    @property
    def design_label(self) -> str:
        return EvaluationDesign(self.fields.get("design", "before_after")).label

    @property
    def figures(self) -> list[dict[str, Any]]:
        return list(self.fields.get("figures") or [])

    @property
    def caveats(self) -> list[str]:
        return list(self.fields.get("caveats") or [])


class ResultJudgement(AppendOnlyModel):
    """A later judgement of a recorded result against an amended criterion: dated, shown beside
    the original verdict, never replacing it."""

    append_only_message = "Judgements are append-only: the record of each stays."

    result = models.ForeignKey(GoalResult, on_delete=models.CASCADE, related_name="judgements")
    amendment = models.ForeignKey(
        GoalAmendment, null=True, blank=True, on_delete=models.SET_NULL, related_name="judgements"
    )
    criterion = models.JSONField()
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    reason = models.TextField()
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    judged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["judged_at", "id"]

    def __str__(self) -> str:
        return f"Judgement of {self.result_id}: {self.verdict}"


class PrimaryResultChange(AppendOnlyModel):
    """Which result of a goal is primary, and why, each time it changes."""

    append_only_message = "The history of the primary result is append-only."

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="primary_changes")
    from_result = models.ForeignKey(
        GoalResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_result = models.ForeignKey(GoalResult, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.goal_id}: primary {self.from_result_id} -> {self.to_result_id}"


class LedgerLine(models.Model):
    class Kind(models.TextChoices):
        COST = "cost", "Cost"
        SAVING = "saving", "Saving"

    class Timing(models.TextChoices):
        UPFRONT = "upfront", "Upfront (one-off)"
        RECURRING = "recurring", "Recurring (a year)"

    class Basis(models.TextChoices):
        ESTIMATED = "estimated", "Estimated"
        REALISED = "realised", "Realised (booked)"

    class Beneficiary(models.TextChoices):
        COUNCIL = "council", "Council"
        NHS = "nhs", "NHS"
        POLICE = "police", "Police"
        FIRE = "fire", "Fire and rescue"
        PARTNER = "partner", "Another partner"
        RESIDENTS = "residents", "Residents"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="ledger")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    timing = models.CharField(max_length=10, choices=Timing.choices)
    basis = models.CharField(max_length=10, choices=Basis.choices)
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    # Savings only:
    is_net = models.BooleanField("net of costs", default=False)
    cashable = models.BooleanField(default=False)
    beneficiary = models.CharField(
        "who benefits", max_length=20, choices=Beneficiary.choices, blank=True
    )

    class Meta:
        ordering = ["kind", "timing", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="ledger_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description} £{self.amount}"


class SustainabilityCheck(models.Model):
    """At 12, 24 and 36 months after the result: still running? savings still there?"""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="sustainability_checks"
    )
    months_after = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    asked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    still_running = models.BooleanField(null=True)
    savings_persist = models.BooleanField(null=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["months_after"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "months_after"], name="one_check_each")
        ]

    def __str__(self) -> str:
        return f"{self.initiative} at {self.months_after} months"


class Decision(models.Model):
    """An organisation's decision to adopt something or not, and which records informed it."""

    class Choice(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        NOT_ADOPT = "not_adopt", "Not adopt"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="decisions"
    )
    subject = models.CharField("what was decided on", max_length=200)
    choice = models.CharField(max_length=10, choices=Choice.choices)
    reason = models.TextField()
    informed_by = models.ManyToManyField(Initiative, blank=True, related_name="decisions")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_choice_display()} {self.subject}"
