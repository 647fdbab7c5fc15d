"""The verdict on a goal's result against a success criterion, with the reason in words.

One rule for every result: :func:`whatworks.stats.judge_interval`, which knows where "no
effect" lies. For a level recorded by hand "no effect" is the goal's baseline; for an effect
from a trial or a series it is the effect's own null (0 for a difference, 1 for a ratio). So a
harmful result stays "not met" whatever the threshold, an interval that spans both the criterion
and no effect is "inconclusive", and a single figure without an interval is "inconclusive" with
words that say what would settle it.

A criterion is a goal's snapshot (``Goal.snapshot()``: direction, baseline_value,
success_threshold, unit, ...), stored with each result so that the verdict can always be read
against what it was judged under.
"""

from __future__ import annotations

from typing import Any

from whatworks import stats
from whatworks.initiatives.models import Direction, Verdict
from whatworks.ui.numbers import number

VERDICTS = {"met": Verdict.MET, "not met": Verdict.NOT_MET, "inconclusive": Verdict.INCONCLUSIVE}


def criterion_words(criterion: dict[str, Any]) -> str:
    """'at least 40 %', 'at most 30 days'."""
    comparison = "at least" if criterion.get("direction") == Direction.HIGHER else "at most"
    unit = criterion.get("unit") or ""
    return f"{comparison} {number(criterion.get('success_threshold'))} {unit}".strip()


def criterion_effect(
    criterion: dict[str, Any], *, scale: float = 1.0, ratio: bool = False
) -> float:
    """The improvement the criterion asks for, as a size on the effect's scale.

    ``max(0, (threshold - baseline) * (+1 if higher is better else -1)) / scale``, with
    ``scale`` converting the effect to the goal's unit (100 when a proportion is recorded on a
    goal in %). For a ratio (a rate), the relative improvement ``threshold / baseline - 1`` in
    the better direction. Raises ``StatsRefusal`` when the goal has no baseline.
    """
    baseline = criterion.get("baseline_value")
    if baseline is None:
        raise stats.StatsRefusal(
            "Record the goal's baseline first: the success criterion is measured from it."
        )
    sign = 1.0 if criterion.get("direction") == Direction.HIGHER else -1.0
    threshold = float(criterion["success_threshold"])
    if ratio:
        if baseline <= 0:
            raise stats.StatsRefusal("A rate goal needs a baseline above zero.")
        return max(0.0, sign * (threshold / float(baseline) - 1.0))
    return max(0.0, sign * (threshold - float(baseline))) / scale


def judge_level(
    criterion: dict[str, Any], value: float, ci_low: float | None, ci_high: float | None
) -> tuple[str, str]:
    """(verdict, reason) for a level in the goal's unit, recorded by hand."""
    unit = criterion.get("unit") or ""
    needed = criterion_words(criterion)
    figure = f"{number(value)} {unit}".strip()
    if ci_low is None or ci_high is None:
        return Verdict.INCONCLUSIVE, single_figure_reason(figure, needed)
    interval = f"{number(ci_low)} to {number(ci_high)}"
    baseline = criterion.get("baseline_value")
    direction = str(criterion.get("direction"))
    if baseline is None:
        # Without a baseline there is no "no effect" to measure from: read the interval against
        # the threshold alone.
        outcome = stats.judge_interval(
            ci_low,
            ci_high,
            criterion=0.0,
            direction=direction,
            null_value=float(criterion["success_threshold"]),
        )
    else:
        outcome = stats.judge_interval(
            ci_low,
            ci_high,
            criterion=criterion_effect(criterion),
            direction=direction,
            null_value=float(baseline),
        )
    if outcome == "met":
        return Verdict.MET, f"The whole interval ({interval}) reaches the criterion ({needed})."
    if outcome == "not met":
        return Verdict.NOT_MET, (
            f"The whole interval ({interval}) falls short of the criterion ({needed})."
        )
    return Verdict.INCONCLUSIVE, (
        f"The interval ({interval}) includes values on both sides of the criterion ({needed}), "
        "or no change from the baseline: the data cannot tell whether the goal was met."
    )


def single_figure_reason(figure: str, needed: str) -> str:
    return (
        f"A single figure ({figure}) without an interval cannot show whether the goal "
        f"({needed}) was met: chance variation cannot be ruled out. What would settle it: the "
        "result with its 95% interval, from a trial or a before-and-after series with enough "
        "periods, narrow enough to lie wholly on one side of the criterion."
    )


def judge_effect(
    criterion: dict[str, Any],
    *,
    measure: str,
    effect: float | None,
    low: float | None,
    high: float | None,
    null_value: float,
    scale: float,
    unit: str,
) -> tuple[str, str]:
    """(verdict, reason) for an effect (a trial's difference or ratio, a series' change)."""
    ratio = null_value == 1.0
    needed = criterion_words(criterion)
    improvement = criterion_effect(criterion, scale=scale, ratio=ratio)
    size = (
        f"{number(100 * improvement)}% change in the rate"
        if ratio
        else f"{number(improvement * scale)} {unit}".strip()
    )
    if effect is None or low is None or high is None:
        figure = "" if effect is None else f"{number(effect * scale)} {unit}".strip()
        return Verdict.INCONCLUSIVE, single_figure_reason(figure or measure, needed)
    outcome = stats.judge_interval(
        low,
        high,
        criterion=improvement,
        direction=str(criterion.get("direction")),
        null_value=null_value,
    )
    shown = f"{number(low * scale)} to {number(high * scale)}"
    what = f"the {measure} ({number(effect * scale)}, interval {shown})"
    if outcome == "met":
        reason = f"The whole interval of {what} clears the improvement of {size} ({needed})."
    elif outcome == "not met":
        reason = (
            f"The whole interval of {what} falls short of the improvement of {size} ({needed})."
        )
    else:
        reason = (
            f"The interval of {what} spans the improvement of {size} ({needed}) and smaller "
            "effects: the data cannot tell whether the goal was met."
        )
    return VERDICTS[outcome], reason


def judge_result(result: Any, criterion: dict[str, Any]) -> tuple[str, str]:
    """Judge a stored result again against ``criterion`` by its own rule (level or effect)."""
    if result.is_effect:
        return judge_effect(
            criterion,
            measure=result.measure,
            effect=result.effect,
            low=result.effect_low,
            high=result.effect_high,
            null_value=result.null_value,
            scale=result.effect_scale,
            unit=result.effect_unit,
        )
    return judge_level(criterion, result.value, result.ci_low, result.ci_high)
