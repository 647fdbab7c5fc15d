"""Has anyone seen outcomes for a goal yet?

Once outcomes exist, a change to the goal's criterion is post hoc: it is recorded as an
amendment shown beside the verdicts judged under the criterion fixed in advance, never in their
place. The register knows its own results; apps that hold outcomes of their own (a trial's
uploaded outcomes or series) register a check in their AppConfig.ready(), so the register needs
no import of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]
_checks: list[Check] = []


def register(check: Check) -> Check:
    if check not in _checks:
        _checks.append(check)
    return check


def outcomes_seen(goal: Any) -> bool:
    """True when the goal has a recorded result or any registered app has outcomes for it."""
    if goal.results.exists():
        return True
    return any(check(goal) for check in _checks)
