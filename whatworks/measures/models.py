"""Metrics (shared definitions), their time series of observations, and staged imports.

A metric belongs to the organisation that defined it and follows its visibility. Any
organisation that can see a metric may record its own observations of it (that is how
councils compare like with like); those observations are shown to whoever can see the
metric. The register's goals point at a metric (a nullable foreign key on `Goal`).

How values are stored, by kind (see `figures.check_figures` for the rules):

- proportion: a fraction from 0 to 1 (0.42, shown as 42%). Numerator = successes,
  denominator = total; when both are given the value is numerator / denominator.
- mean: any number. Numerator = sum of the values, denominator = number of units.
- count or rate: events per `rate_per` units of exposure. Numerator = events,
  denominator = exposure; value = numerator / denominator x rate_per.
- time to event: the median time in the metric's unit (days). Numerator = events
  observed, denominator = units followed; the rest were censored.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from whatworks.core.visibility import Shareable, VisibleQuerySet

STAGED_IMPORT_LIFETIME = timedelta(days=1)


class MetricKind(models.TextChoices):
    PROPORTION = "proportion", "Proportion (a share of a total, such as % of letters answered)"
    MEAN = "mean", "Mean (an average, such as average days to reply)"
    COUNT = (
        "count",
        "Count or rate (events per amount of exposure, such as falls per 1,000 bed days)",
    )
    TIME_TO_EVENT = "time_to_event", "Time to event (days until something happens, with censoring)"

    @property
    def short(self) -> str:
        return self.label.split(" (")[0]


class Direction(models.TextChoices):
    # The same values as initiatives.Direction, so a goal can take its metric's direction.
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class MetricQuerySet(VisibleQuerySet):
    pass


# What a person sets on a metric: the form's fields and what the services accept.
METRIC_FIELDS = (
    "name",
    "kind",
    "unit",
    "direction",
    "rate_per",
    "definition",
    "source",
    "visibility",
)


class Metric(Shareable):
    """A definition of something measured: what it counts, in what unit, which way is good."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="metrics"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MetricKind.choices)
    unit = models.CharField(max_length=50, help_text="For example: days, %, visits, £")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    rate_per = models.PositiveIntegerField(
        "rate per",
        default=1,
        help_text="For counts and rates only: events per this much exposure, such as 1000.",
    )
    definition = models.TextField(help_text="Exactly what is counted, and what is left out.")
    source = models.CharField(
        max_length=300, blank=True, help_text="Where the figures come from, such as a system."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = MetricQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="one_metric_name_per_organisation"
            ),
            models.CheckConstraint(condition=Q(rate_per__gte=1), name="metric_rate_per_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def get_absolute_url(self) -> str:
        return reverse("metric-detail", kwargs={"pk": self.pk})

    def owner_organisation_ids(self) -> frozenset[int]:
        return frozenset({self.organisation_id})

    @property
    def kind_short(self) -> str:
        return MetricKind(self.kind).short

    @property
    def is_proportion(self) -> bool:
        return self.kind == MetricKind.PROPORTION

    def display_value(self, value: float | None) -> str:
        """A stored value as people read it: proportions as percentages."""
        if value is None:
            return ""
        if self.is_proportion:
            return f"{value * 100:.1f}%"
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"

    @property
    def axis_label(self) -> str:
        unit = "%" if self.is_proportion else self.unit
        if self.kind == MetricKind.COUNT and self.rate_per > 1:
            unit = f"{unit} per {self.rate_per:,}"
        return f"{unit} ({self.get_direction_display().lower()})"


class Observation(models.Model):
    """One organisation's figure for one metric and one period.

    A period starts on `period_start`; it ends on `period_end` if given, and `label` is how
    the organisation names it ("2016/17 Q1"). A series has one figure per start date.
    """

    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="observations")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="observations"
    )
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True)
    label = models.CharField(max_length=50, blank=True)
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["metric", "organisation", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "organisation", "period_start"],
                name="one_observation_per_period",
            ),
            # Both parts of a ratio, or neither.
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__gt=0),
                name="observation_ratio_complete",
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="observation_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["metric", "-period_start"], name="obs_metric_recent")]

    def __str__(self) -> str:
        return f"{self.metric.name}, {self.period_name}: {self.value}"

    @property
    def period_name(self) -> str:
        if self.label:
            return self.label
        if self.period_end and self.period_end != self.period_start:
            return f"{self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"
        return f"{self.period_start:%d/%m/%Y}"

    @property
    def display_value(self) -> str:
        # Lists come from `metric.observations`, which fills in `self.metric` without a query.
        return self.metric.display_value(self.value)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from whatworks.measures.figures import check_figures

        if self.metric_id is None:
            return  # the form reports the missing metric
        result = check_figures(self.metric, self.value, self.numerator, self.denominator)
        if result.errors:
            raise ValidationError(dict(result.errors))
        self.value = result.value  # type: ignore[assignment]


class DuplicatePolicy(models.TextChoices):
    REFUSE = "refuse", "Refuse the file: list the periods that are already there"
    REPLACE = "replace", "Replace the figures already there with the ones in this file"


class StagedImportQuerySet(models.QuerySet["StagedImport"]):
    def expired(self) -> StagedImportQuerySet:
        return self.filter(expires_at__lte=timezone.now())

    def live(self) -> StagedImportQuerySet:
        return self.filter(expires_at__gt=timezone.now())


def _staged_expiry() -> datetime:
    return timezone.now() + STAGED_IMPORT_LIFETIME


class StagedImport(models.Model):
    """An uploaded file between its preview and its confirmation.

    Kept in the database, not on local disk, because the app servers are stateless: the
    confirming request may reach another server. A periodic task deletes expired ones.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Rows with no `metric` column (or a blank one) are figures for this metric.
    metric = models.ForeignKey(Metric, null=True, blank=True, on_delete=models.CASCADE)
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    on_duplicate = models.CharField(
        max_length=10, choices=DuplicatePolicy.choices, default=DuplicatePolicy.REFUSE
    )
    # A large file's check, done on a task consumer for the current policy
    # (importing.CheckedFile); None until then, and again when the policy changes.
    checked = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_staged_expiry)

    objects = StagedImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"], name="staged_import_expiry")]

    def __str__(self) -> str:
        return f"Upload {self.filename or self.pk} by {self.uploaded_by_id}"

    def get_absolute_url(self) -> str:
        return reverse("observation-import-preview", kwargs={"token": self.pk})

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
