"""Trials: a design attached to an initiative's goal, its allocation, its outcomes, its verdict.

Storage of unit-level data
--------------------------
A trial can have a million units. Rows of (unit, arm) and (unit, outcome) would be written and
read a million at a time and never queried one by one, so each is stored *columnar*: one row per
allocation and per outcome upload, holding whole columns as compressed binary (``columns.py``):
unit ids as UTF-8 text joined by newlines, arms as int8, numbers as float64, each zlib-compressed.
Outcome columns are aligned to the allocation's unit order (NaN where a unit has no outcome), so
the analysis reads two rows and hands numpy arrays to ``analysis.analyse_outcome`` with no join.
Writing 1,000,000 outcomes is one INSERT of about 10 MB instead of 1,000,000 rows; see
``bench/trials_import.py`` for the figures. The cost: no SQL over single units (which nothing
needs: the pages show aggregates, and the allocation list is exported whole).

Uploaded files wait in ``PendingUpload`` between preview and confirm (app servers keep nothing
on local disk).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from whatworks.core.models import AppendOnlyError, AppendOnlyModel
from whatworks.initiatives.models import Verdict


class Design(models.TextChoices):
    RANDOMISED = "randomised", "Randomised: individual units"
    CLUSTER = "cluster", "Randomised: clusters (for example streets)"
    COMPARISON = "comparison", "Comparison group (not randomised)"
    BEFORE_AFTER = "before_after", "Before and after"


RANDOMISED_DESIGNS = {Design.RANDOMISED, Design.CLUSTER}


class OutcomeKind(models.TextChoices):
    PROPORTION = "proportion", "Proportion (yes or no for each unit)"
    MEAN = "mean", "Average of a number"
    RATE = "rate", "Count of events with exposure (a rate)"
    TIME_TO_EVENT = "time_to_event", "Time until an event"


class Sided(models.TextChoices):
    TWO = "two", "Two-sided: better or worse"
    ONE = "one", "One-sided: better only"


class TrialStatus(models.TextChoices):
    DESIGNING = "designing", "Designing"
    ALLOCATED = "allocated", "Units allocated"
    OUTCOMES = "outcomes", "Outcomes uploaded"
    ANALYSED = "analysed", "Analysed: verdict recorded"
    STOPPED = "stopped", "Stopped"


NEXT_STATUSES: dict[str, set[str]] = {
    # A before-and-after or comparison-group trial has no allocation: its series goes straight in.
    TrialStatus.DESIGNING: {TrialStatus.ALLOCATED, TrialStatus.OUTCOMES, TrialStatus.STOPPED},
    # Re-allocation (allowed until outcomes exist) keeps the status.
    TrialStatus.ALLOCATED: {TrialStatus.ALLOCATED, TrialStatus.OUTCOMES, TrialStatus.STOPPED},
    TrialStatus.OUTCOMES: {TrialStatus.OUTCOMES, TrialStatus.ANALYSED, TrialStatus.STOPPED},
    TrialStatus.ANALYSED: {TrialStatus.ANALYSED, TrialStatus.STOPPED},
    TrialStatus.STOPPED: set(),
}

#: What a person sets on a trial's design (besides its goal and arms): the form's fields and
#: what the services accept.
TRIAL_FIELDS = [
    "title",
    "design",
    "outcome_kind",
    "stratified",
    "cluster_column",
    "units_noun",
    "cluster_noun",
    "outcome_phrase",
    "measure_unit",
    "primary_outcome",
    "analysis_date",
    "alpha",
    "sided",
    "judged_arm",
    "within_days",
]
#: Fields fixed by the analysis plan lock.
PLAN_FIELDS = ("primary_outcome", "analysis_date", "alpha", "sided", "judged_arm")
#: Fixed once units are allocated: the allocation was made for them.
DESIGN_FIELDS = ("design", "outcome_kind", "stratified", "cluster_column")


class TrialQuerySet(models.QuerySet["Trial"]):
    def for_initiative(self, initiative: Any) -> TrialQuerySet:
        return self.filter(initiative=initiative)


class Trial(models.Model):
    """A trial of an initiative against one of its goals.

    Visibility follows the initiative (``selectors.access_trial``). ``status`` is derived from the
    append-only ``TrialStatusChange`` rows and kept here for lists.
    """

    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.CASCADE, related_name="trials"
    )
    goal = models.ForeignKey("initiatives.Goal", on_delete=models.PROTECT, related_name="trials")
    title = models.CharField(max_length=200)
    design = models.CharField(max_length=20, choices=Design.choices, default=Design.RANDOMISED)
    outcome_kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    stratified = models.BooleanField("allocate within strata", default=False)
    cluster_column = models.CharField(
        max_length=60,
        blank=True,
        help_text="The column of the unit list that names each unit's cluster, e.g. street.",
    )
    units_noun = models.CharField(
        "what a unit is (plural)", max_length=60, default="people", help_text="e.g. tenants"
    )
    cluster_noun = models.CharField(
        "what a cluster is (plural)", max_length=60, blank=True, help_text="e.g. streets"
    )
    outcome_phrase = models.CharField(
        "the outcome in words",
        max_length=120,
        default="had the outcome",
        help_text="For a yes/no outcome or time to an event, a verb phrase (made contact); "
        "for a number, a noun (rent arrears).",
    )
    measure_unit = models.CharField(
        max_length=30, blank=True, help_text="After numbers: days, pounds. Leave empty for yes/no."
    )
    # The analysis plan.
    primary_outcome = models.CharField(
        max_length=200, help_text="What is measured for each unit, and when."
    )
    analysis_date = models.DateField(
        help_text="Results before this date are marked interim and cannot give the verdict."
    )
    alpha = models.FloatField(
        "significance level", default=0.05, help_text="0.05 gives 95% intervals."
    )
    sided = models.CharField(max_length=5, choices=Sided.choices, default=Sided.TWO)
    judged_arm = models.CharField(
        "arm whose result decides the goal",
        max_length=60,
        blank=True,
        help_text="With more than two arms, name the arm the verdict is for. "
        "Empty: the first arm after control.",
    )
    within_days = models.PositiveIntegerField(
        "report the share with the event within this many days",
        null=True,
        blank=True,
    )
    plan_locked_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(
        max_length=20,
        choices=TrialStatus.choices,
        default=TrialStatus.DESIGNING,
        editable=False,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(alpha__gt=0) & models.Q(alpha__lt=0.5), name="trial_alpha_range"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("trial-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.design == Design.CLUSTER and not self.cluster_column.strip():
            raise ValidationError(
                {"cluster_column": "Name the column of the unit list that gives each cluster."}
            )
        if self.design != Design.CLUSTER:
            self.cluster_column = ""
        if self.goal_id and self.initiative_id and self.goal.initiative_id != self.initiative_id:
            raise ValidationError({"goal": "Choose one of this initiative's goals."})

    # Derived state --------------------------------------------------------------------

    @property
    def is_randomised(self) -> bool:
        return self.design in RANDOMISED_DESIGNS

    @property
    def plan_locked(self) -> bool:
        return self.plan_locked_at is not None

    @property
    def analysis_alpha(self) -> float:
        """The two-sided level the analysis uses: a one-sided test at alpha is the (1 - 2 alpha)
        two-sided interval's lower (or upper) end."""
        return 2 * self.alpha if self.sided == Sided.ONE else self.alpha

    def is_interim(self, today: Any = None) -> bool:
        return (today or timezone.localdate()) < self.analysis_date

    def method_name(self) -> str:
        if self.design == Design.CLUSTER:
            return "cluster"
        return "stratified" if self.stratified else "simple"

    def goal_scale(self) -> float:
        """Multiply a difference in proportions by this to get the goal's unit (100 for %)."""
        unit = (self.goal.unit or "").lower()
        if self.outcome_kind == OutcomeKind.PROPORTION and ("%" in unit or "percent" in unit):
            return 100.0
        return 1.0


class TrialArm(models.Model):
    """An arm: position 0 is control. ``ratio`` is its share of the allocation (2:1:1...)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="arms")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)
    ratio = models.PositiveSmallIntegerField(default=1)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "position"], name="one_arm_per_position"),
            models.UniqueConstraint(fields=["trial", "name"], name="arm_names_differ"),
            models.CheckConstraint(condition=models.Q(ratio__gte=1), name="arm_ratio_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_control(self) -> bool:
        return self.position == 0


class TrialStatusChange(AppendOnlyModel):
    """Append-only history of a trial's status."""

    append_only_message = "The status history is append-only."

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=TrialStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TrialStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.trial_id}: {self.from_status} -> {self.to_status}"

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(self.append_only_message)


class UploadKind(models.TextChoices):
    UNITS = "units", "List of units"
    OUTCOMES = "outcomes", "Outcomes"


class PendingUpload(models.Model):
    """A file checked and waiting for the person to confirm it (kept in the database, not on
    an app server's disk). Removed when confirmed; old ones are harmless and replaced."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="pending_uploads")
    kind = models.CharField(max_length=10, choices=UploadKind.choices)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    rows = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"


class Allocation(models.Model):
    """The allocation of a trial's units to arms: seed and method stored to reproduce it.

    Columns (compressed binary, see ``columns.py``): ``units`` (ids in upload order), ``arms``
    (int8 arm positions), ``strata`` and ``clusters`` (text, may be empty), ``baseline`` (a
    dict of column name to values, numbers as float64 or text). Locked once outcomes exist.
    """

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="allocation")
    seed = models.BigIntegerField()
    method = models.TextField()
    kind = models.CharField(max_length=20)
    block_size = models.PositiveIntegerField()
    n_units = models.PositiveIntegerField()
    n_clusters = models.PositiveIntegerField(null=True, blank=True)
    counts = models.JSONField(help_text="Units per arm, in arm order.")
    filename = models.CharField(max_length=255, blank=True)
    units = models.BinaryField()
    arms = models.BinaryField()
    strata = models.BinaryField(null=True, blank=True)
    clusters = models.BinaryField(null=True, blank=True)
    baseline = models.BinaryField(null=True, blank=True)
    baseline_columns = models.JSONField(default=list, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    allocated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Allocation of {self.trial}"


class OutcomeSet(AppendOnlyModel):
    """One confirmed upload of outcomes, aligned to the allocation's unit order.

    Append-only: a corrected file adds a new set and the newest is the one analysed.
    ``outcome`` is the measured value (for time to event, the duration); ``exposure`` (rates)
    and ``events`` (time to event: 1 happened, 0 censored) when the kind needs them.
    """

    append_only_message = "Outcome uploads are append-only: upload a corrected file instead."

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="outcome_sets")
    filename = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField()
    outcome = models.BinaryField()
    exposure = models.BinaryField(null=True, blank=True)
    events = models.BinaryField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["trial", "-uploaded_at"])]

    def __str__(self) -> str:
        return f"Outcomes for {self.trial} ({self.rows} rows)"


class TrialResult(models.Model):
    """The estimate that went to the register with the verdict, kept for pooling across councils.

    ``estimate``/``ci_low``/``ci_high`` are the trial's own measure (arm minus control, the rate
    ratio, or for a series the change in level or the difference-in-differences), not the goal's
    level. ``std_error`` and ``df`` are the estimate's own (on the log scale for the rate ratio;
    ``df`` empty for a normal reference), stored so that pooling never reads them back from the
    interval. ``goal_result`` is the register's row, which holds the frozen verdict, criterion,
    method and caveats. ``goal_value`` etc. are kept for results recorded before figures per arm
    were (they were the baseline plus the difference, which the pages no longer show).
    """

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="result")
    goal_result = models.OneToOneField(
        "initiatives.GoalResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trial_result",
    )
    arm = models.CharField(max_length=60)
    measure = models.CharField(max_length=80)
    design = models.CharField(max_length=20, choices=Design.choices, default=Design.RANDOMISED)
    estimate = models.FloatField()
    ci_low = models.FloatField()
    ci_high = models.FloatField()
    std_error = models.FloatField(null=True, blank=True)
    df = models.FloatField(null=True, blank=True)
    alpha = models.FloatField()
    p_value = models.FloatField()
    n_units = models.PositiveIntegerField(help_text="Units analysed: those with an outcome.")
    goal_value = models.FloatField(null=True, blank=True)
    goal_ci_low = models.FloatField(null=True, blank=True)
    goal_ci_high = models.FloatField(null=True, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    verdict_text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Result of {self.trial}"


class SeriesSet(AppendOnlyModel):
    """One confirmed upload of a time series for a before-and-after or comparison-group trial.

    ``data`` holds the rows as ``{"periods": [ISO dates], "values": [...], "groups": [...]}``
    (``groups`` empty for before and after); ``start`` is the first period the initiative was in
    place. Append-only: a corrected file adds a new set and the newest is the one analysed.
    """

    append_only_message = "Series uploads are append-only: upload a corrected file instead."

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="series_sets")
    filename = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField()
    start = models.DateField()
    data = models.JSONField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"Series for {self.trial} ({self.rows} rows)"
