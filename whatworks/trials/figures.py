"""What was observed in each arm (or group, or period), as the register shows beside a verdict.

The register shows a trial's result as these figures and the effect with its interval; never
as a "result" made of the baseline plus the difference, which nobody observed.
"""

from __future__ import annotations

from typing import Any

from whatworks import stats
from whatworks.trials import analysis, quasi
from whatworks.ui.numbers import number


def _unit(words: analysis.Wording) -> str:
    return f" {words.measure_unit}" if words.measure_unit else ""


def arm_figures(
    result: analysis.OutcomeAnalysis, comparison: analysis.Comparison, words: analysis.Wording
) -> list[dict[str, Any]]:
    """The judged arm and control: the observed figure, units analysed, units allocated."""
    counts = {row.arm: row for row in result.attrition}
    details = comparison.details
    texts: dict[str, str] = {}
    if isinstance(details, stats.ProportionComparison):
        texts = {
            comparison.arm: f"{100 * details.rate_t:.1f}% {words.outcome}",
            comparison.control: f"{100 * details.rate_c:.1f}% {words.outcome}",
        }
    elif isinstance(details, stats.MeanComparison):
        texts = {
            comparison.arm: f"average {number(details.mean_t)}{_unit(words)}",
            comparison.control: f"average {number(details.mean_c)}{_unit(words)}",
        }
    elif isinstance(details, stats.RateComparison):
        texts = {
            comparison.arm: f"{number(details.rate_t)} {words.outcome} per unit of exposure",
            comparison.control: f"{number(details.rate_c)} {words.outcome} per unit of exposure",
        }
    elif isinstance(details, analysis.SurvivalComparison):
        for label, arm in ((comparison.arm, details.arm_t), (comparison.control, details.arm_c)):
            median = (
                f"median {number(arm.median)}{_unit(words)}"
                if arm.median is not None
                else "median not reached"
            )
            texts[label] = f"{median} ({arm.events:,} had the event)"
    rows = []
    for label in (comparison.control, comparison.arm):
        row = counts[label]
        rows.append(
            {
                "label": label,
                "text": texts.get(label, ""),
                "n": row.with_outcome,
                "n_label": "units with an outcome",
                "allocated": row.allocated,
            }
        )
    return rows


def series_figures(
    result: quasi.TimeSeriesResult | quasi.DiDResult, words: analysis.Wording
) -> list[dict[str, Any]]:
    """Before and after the start: the observed average (and per group for a comparison)."""
    unit = _unit(words)
    if isinstance(result, quasi.TimeSeriesResult):
        before = result.values[: result.n_before]
        after = result.values[result.n_before :]
        return [
            {
                "label": "Before the start",
                "text": f"average {number(sum(before) / len(before))}{unit}",
                "n": len(before),
                "n_label": "periods",
                "allocated": None,
            },
            {
                "label": "After the start",
                "text": f"average {number(sum(after) / len(after))}{unit}",
                "n": len(after),
                "n_label": "periods",
                "allocated": None,
            },
        ]
    rows = []
    for name, values in (
        ("Treated group", result.treated),
        ("Comparison group", result.comparison),
    ):
        before = values[: result.n_before]
        after = values[result.n_before :]
        rows.append(
            {
                "label": name,
                "text": (
                    f"average {number(sum(before) / len(before))}{unit} before, "
                    f"{number(sum(after) / len(after))}{unit} after"
                ),
                "n": len(values),
                "n_label": "periods",
                "allocated": None,
            }
        )
    return rows
