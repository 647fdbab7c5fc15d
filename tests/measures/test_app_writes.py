"""Figures other apps write: one named series per organisation, one figure per period."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import World
from whatworks.measures import services
from whatworks.measures.models import Metric, Observation

DEFAULTS = {
    "kind": "count",
    "unit": "visits",
    "direction": "higher",
    "definition": "Welfare visits made.",
    "source": "Welfare checks",
    "visibility": "peers",
}


def test_it_creates_the_metric_once(world: World) -> None:
    first = services.metric_ensure(
        organisation=world.org_a, name="Visits", defaults=DEFAULTS, actor=world["analyst"]
    )
    again = services.metric_ensure(
        organisation=world.org_a,
        name="Visits",
        defaults={**DEFAULTS, "unit": "calls"},
        actor=world["analyst"],
    )
    assert first.pk == again.pk
    assert again.unit == "visits"
    assert Metric.objects.filter(organisation=world.org_a, name="Visits").count() == 1


def test_it_replaces_a_periods_figure(world: World) -> None:
    metric = services.metric_ensure(
        organisation=world.org_a, name="Visits", defaults=DEFAULTS, actor=world["analyst"]
    )
    services.observation_record(metric=metric, period_start=date(2026, 1, 1), value=10)
    services.observation_record(metric=metric, period_start=date(2026, 1, 1), value=12)
    assert list(Observation.objects.filter(metric=metric).values_list("value", flat=True)) == [12]


def test_it_refuses_an_incomplete_ratio(world: World) -> None:
    metric = services.metric_ensure(
        organisation=world.org_a,
        name="Share seen",
        defaults={**DEFAULTS, "kind": "proportion", "unit": "%"},
        actor=world["analyst"],
    )
    with pytest.raises(ValidationError):
        services.observation_record(
            metric=metric, period_start=date(2026, 1, 1), value=0.5, numerator=1, denominator=0
        )
    assert not Observation.objects.filter(metric=metric).exists()
