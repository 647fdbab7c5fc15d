"""The honest verdict on a comparison against the locked success criterion, in words.

The rule itself is :func:`whatworks.stats.judge_interval`, the one the register uses too; this
module adds the sentence and the caveats that must always stand beside it: the design's
limits, attrition and the check on the numbers with outcomes, regression to the mean, and an
interim look.
"""

from __future__ import annotations

from typing import Literal

from whatworks import stats
from whatworks.stats import StatsRefusal

from .results import Comparison, Design, Direction, OutcomeAnalysis, Verdict
from .wording import Wording, number, unit_suffix


def judge(
    ci_low: float | None,
    ci_high: float | None,
    *,
    criterion: float,
    direction: Direction,
    null_value: float = 0.0,
) -> Literal["met", "not met", "inconclusive"]:
    """The verdict's truth table (:func:`whatworks.stats.judge_interval`)."""
    return stats.judge_interval(
        ci_low, ci_high, criterion=criterion, direction=direction, null_value=null_value
    )


def verdict(
    comparison: Comparison,
    *,
    criterion: float,
    direction: Direction,
    design: Design,
    selected_on_high_baseline: bool = False,
    interim: bool = False,
    words: Wording | None = None,
    warnings: tuple[str, ...] = (),
) -> Verdict:
    """The honest verdict for one comparison against the locked criterion (see :func:`judge`).

    Always adds the caveats that apply: a before-and-after design cannot show cause; units picked
    for high baseline values regress to the mean; an interim look may change; and ``warnings``
    (attrition, a failed check on the numbers with outcomes) are carried into the caveats. A
    comparison without an interval is "inconclusive". Use :func:`verdict_for` to start from an
    :class:`OutcomeAnalysis` (it refuses when the allocation check failed).
    """
    words = words or Wording()
    outcome = judge(
        comparison.ci_low,
        comparison.ci_high,
        criterion=criterion,
        direction=direction,
        null_value=comparison.null_value,
    )
    needed = criterion_phrase(comparison, criterion, direction, words)
    subject = words.subject(comparison.arm)
    result = f"{comparison.effect_phrase} {comparison.interval_phrase}"
    sign = 1.0 if direction == "higher" else -1.0
    if comparison.ci_low is None or comparison.ci_high is None:
        headline = (
            f"The trial cannot tell whether {subject} did better by the {needed} set as the "
            f"success criterion: the estimate is {comparison.effect_phrase}, but no interval "
            "could be estimated, so chance cannot be ruled out."
        )
    elif outcome == "met":
        headline = (
            f"The goal was met: the estimate for {subject} is {result}, and even the least "
            f"favourable end of the interval clears the {needed} set as the success criterion."
        )
    elif outcome == "not met":
        worse = (
            sign * (comparison.ci_high - comparison.null_value) < 0
            and sign * (comparison.ci_low - comparison.null_value) < 0
        )
        tail = (
            ", and the whole interval is on the side of doing worse"
            if worse
            else (
                ", and even the most favourable end of the interval falls short of the "
                f"{needed} set as the success criterion"
            )
        )
        headline = f"The goal was not met: the estimate for {subject} is {result}{tail}."
    else:
        low = min(
            sign * (comparison.ci_low - comparison.null_value),
            sign * (comparison.ci_high - comparison.null_value),
        )
        if low > 0:
            headline = (
                f"The trial cannot tell whether the improvement reaches the {needed} set as the "
                f"success criterion: the estimate for {subject} is {result}."
            )
        else:
            headline = (
                f"The trial cannot tell whether {subject} did better by the {needed} set as the "
                f"success criterion, or at all: the estimate is {result}."
            )
    caveats = caveats_for(design, selected_on_high_baseline, interim) + tuple(warnings)
    return Verdict(outcome=outcome, headline=headline, caveats=caveats)


def verdict_for(
    analysis: OutcomeAnalysis,
    *,
    criterion: float,
    direction: Direction,
    design: Design,
    arm: str | None = None,
    selected_on_high_baseline: bool = False,
    words: Wording | None = None,
) -> Verdict:
    """The verdict for ``arm`` (default: the only non-control arm) of an analysed outcome, with
    the analysis's attrition warnings in its caveats."""
    if analysis.withheld:
        raise StatsRefusal(
            "The allocation check failed, so no verdict is given until the allocation is explained."
        )
    chosen = [c for c in analysis.comparisons if arm is None or c.arm == arm]
    if len(chosen) != 1:
        raise StatsRefusal("Name the arm to judge: the trial has several arms.")
    return verdict(
        chosen[0],
        criterion=criterion,
        direction=direction,
        design=design,
        selected_on_high_baseline=selected_on_high_baseline,
        interim=analysis.interim,
        words=words,
        warnings=attrition_warnings(analysis),
    )


def attrition_warnings(analysis: OutcomeAnalysis) -> tuple[str, ...]:
    """The attrition notes and a failed check on the numbers with outcomes, for the caveats."""
    warnings = [note for note in analysis.notes if _is_attrition_note(note)]
    check = analysis.outcome_check
    if check is not None and check.failed and check.message not in warnings:
        warnings.append(check.message)
    return tuple(warnings)


def _is_attrition_note(note: str) -> bool:
    return note.startswith("Outcomes are missing") or "have no outcome recorded" in note


def criterion_phrase(
    comparison: Comparison, criterion: float, direction: Direction, words: Wording
) -> str:
    if comparison.kind == "proportion":
        return f"{number(100.0 * criterion)} percentage points"
    if comparison.kind == "rate":
        return f"{number(100.0 * criterion)}% change in the rate"
    if comparison.kind == "time_to_event":
        better = "sooner" if direction == "lower" else "later"
        return f"{number(criterion)}{unit_suffix(words)} {better}"
    return f"{number(criterion)}{unit_suffix(words)}"


def caveats_for(design: Design, selected_on_high_baseline: bool, interim: bool) -> tuple[str, ...]:
    caveats = []
    if design == "before and after":
        caveats.append(
            "A before-and-after comparison cannot show that the change caused the difference: "
            "other things changed over the same period."
        )
    elif design == "comparison group":
        caveats.append(
            "The comparison group was not chosen at random, so differences between the groups "
            "other than the change may explain some of the result."
        )
    if selected_on_high_baseline:
        if design in ("randomised", "cluster randomised"):
            caveats.append(
                "Units were picked for high starting values, so both arms will tend to improve on "
                "their own (regression to the mean): only the difference between arms shows the "
                "effect, not the change over time."
            )
        else:
            caveats.append(
                "Units were picked for high starting values, so part of any improvement would have "
                "happened anyway (regression to the mean)."
            )
    if interim:
        caveats.append(
            "This is an interim look before the planned analysis date; the result may change."
        )
    return tuple(caveats)
