"""The one verdict rule (``stats.judge_interval``): its truth table, with a single figure."""

from __future__ import annotations

import pytest

from whatworks import stats


@pytest.mark.parametrize(
    ("low", "high", "criterion", "direction", "null", "expected"),
    [
        (None, None, 10, "higher", 0, "inconclusive"),  # a single figure
        (12, 20, 10, "higher", 0, "met"),
        (-9, -2, 0, "higher", 0, "not met"),  # harmful, even with a criterion of zero
        (-9, -2, 10, "higher", 0, "not met"),
        (4, 15, 10, "higher", 0, "inconclusive"),
        (50, 55, 16, "lower", 46, "not met"),  # a level worse than its baseline of 46
        (18, 25, 16, "lower", 46, "met"),
        (0.7, 0.89, 0.1, "lower", 1.0, "met"),  # a rate ratio below 0.9
        (0.85, 0.95, 0.1, "lower", 1.0, "inconclusive"),
    ],
)
def test_the_truth_table(low, high, criterion, direction, null, expected) -> None:
    assert (
        stats.judge_interval(low, high, criterion=criterion, direction=direction, null_value=null)
        == expected
    )


def test_it_refuses_nonsense() -> None:
    with pytest.raises(stats.StatsRefusal, match="zero or more"):
        stats.judge_interval(1, 2, criterion=-1, direction="higher")
    with pytest.raises(stats.StatsRefusal, match="lower end first"):
        stats.judge_interval(2, 1, criterion=0, direction="higher")
    with pytest.raises(stats.StatsRefusal, match="higher"):
        stats.judge_interval(1, 2, criterion=0, direction="up")
