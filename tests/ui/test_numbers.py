"""Numbers by one rule: the examples in whatworks/ui/numbers.py, and the filters."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from whatworks.ui import numbers


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12000, "12,000"),
        (18.456, "18.46"),
        (18.5, "18.5"),
        (Decimal("1234567.50"), "1,234,567.5"),
        (-3.25, "−3.25"),
        (-0.001, "0"),
        (0, "0"),
        (None, "not recorded"),
        (float("nan"), "not recorded"),
    ],
)
def test_it_writes_numbers_with_separators_and_no_trailing_zeros(value, text):
    assert numbers.number(value) == text


def test_it_writes_percentages_points_money_and_intervals():
    assert numbers.percent(0.1234) == "12.3%"
    assert numbers.percent(0.12) == "12.0%"  # percentages always to one decimal place
    assert numbers.points(0.031) == "3.1 percentage points"
    assert numbers.points(-0.031) == "−3.1 percentage points"
    assert numbers.money(Decimal("12000")) == "£12,000"
    assert numbers.money(12.5) == "£12.50"
    assert numbers.money(-300000) == "−£300,000"
    assert numbers.money(None) == "not recorded"
    assert numbers.interval(18.5, 24.25) == "18.5 to 24.25"
    assert numbers.interval(None, 2) == "not recorded"


def test_the_template_filters_use_the_same_rule():
    html = Template(
        "{% load govuk %}{{ a|number }} {{ b|percent }} {{ c|money }} {{ d|points }} {{ e|money }}"
    ).render(Context({"a": 1500.0, "b": 0.5, "c": Decimal("6.75"), "d": 0.2, "e": None}))
    assert html == "1,500 50.0% £6.75 20.0 percentage points not recorded"
