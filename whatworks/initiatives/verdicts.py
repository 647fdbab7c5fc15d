"""The verdict on a goal, judged against its locked success criterion, with the reason in words.

Honest evidence: when an interval straddles the criterion the data cannot tell, so the
verdict is "inconclusive", never "did not work".
"""

from __future__ import annotations

from whatworks.initiatives.models import Direction, Goal, Verdict


def _fmt(value: float) -> str:
    return f"{value:,.4g}"


def judge(
    goal: Goal, value: float, ci_low: float | None, ci_high: float | None
) -> tuple[Verdict, str]:
    criterion = (
        f"{'at least' if goal.direction == Direction.HIGHER else 'at most'} "
        f"{_fmt(goal.success_threshold)} {goal.unit}".strip()
    )
    if ci_low is not None and ci_high is not None:
        low_ok, high_ok = goal.meets(ci_low), goal.meets(ci_high)
        interval = f"{_fmt(ci_low)} to {_fmt(ci_high)}"
        if low_ok and high_ok:
            return Verdict.MET, (
                f"The whole interval ({interval}) reaches the criterion ({criterion})."
            )
        if not low_ok and not high_ok:
            return Verdict.NOT_MET, (
                f"The whole interval ({interval}) falls short of the criterion ({criterion})."
            )
        return Verdict.INCONCLUSIVE, (
            f"The interval ({interval}) includes values on both sides of the criterion "
            f"({criterion}): the data cannot tell whether the goal was met."
        )
    if goal.meets(value):
        return Verdict.MET, (
            f"The result ({_fmt(value)}) reaches the criterion ({criterion}). It is a single "
            "figure without an interval, so chance variation cannot be ruled out."
        )
    return Verdict.NOT_MET, (
        f"The result ({_fmt(value)}) falls short of the criterion ({criterion}). It is a single "
        "figure without an interval."
    )
