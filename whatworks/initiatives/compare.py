"""Records side by side: up to four, with their goals, results, money and replications."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from whatworks.initiatives.ledger import LedgerSummary, summarise
from whatworks.initiatives.models import Direction, Goal, GoalResult, Initiative, owner_label
from whatworks.initiatives.selectors import initiatives_visible_to, primary_results
from whatworks.ui.numbers import NOT_RECORDED, money, number

MAX_COMPARE = 4


@dataclass(frozen=True)
class Column:
    """One record in the side-by-side comparison."""

    initiative: Initiative
    owner: str
    goal: Goal | None
    result: GoalResult | None
    criterion: str
    ledger: LedgerSummary
    replications: list[tuple[Initiative, str]]
    replication_verdicts: list[tuple[str, int]]
    figures: dict[str, str] = field(default_factory=dict)  # the goal's numbers, for reading


@dataclass(frozen=True)
class Comparison:
    columns: list[Column]
    errors: list[str]
    asked: int


def parse_ids(raw: Sequence[str]) -> tuple[list[int], list[str]]:
    """Record numbers from ?id=..., in order, without repeats; messages for the bad ones."""
    ids: list[int] = []
    errors: list[str] = []
    for value in raw:
        value = value.strip()
        if not value.isdigit() or len(value) > 12:
            errors.append(f"“{value[:20]}” is not a record number")
            continue
        if int(value) not in ids:
            ids.append(int(value))
    return ids, errors


def show_number(value: float | None) -> str:
    return "" if value is None else number(value)


def show_net(value: Decimal) -> str:
    if value < 0:
        return f"{money(value)} (a net cost)"
    return money(value)


def _figures(goal: Goal | None, result: GoalResult | None, ledger: LedgerSummary) -> dict[str, str]:
    money = {
        "net_realised": show_net(ledger.realised.first_year_net)
        if ledger.has_realised
        else NOT_RECORDED,
        "net_with_estimates": show_net(ledger.with_estimates.first_year_net),
    }
    if goal is None:
        return money
    figures = {
        **money,
        "baseline": show_number(goal.baseline_value),
        "target": show_number(goal.target_value),
    }
    if result is not None:
        figures["result"] = result.summary
        if not result.is_effect and result.ci_low is not None and result.ci_high is not None:
            figures["interval"] = f"{show_number(result.ci_low)} to {show_number(result.ci_high)}"
    return figures


def criterion_text(goal: Goal) -> str:
    comparison = "at least" if goal.direction == Direction.HIGHER else "at most"
    return f"{comparison} {show_number(goal.success_threshold)} {goal.unit}".strip()


def _replication_verdicts(replications: list[Initiative]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for replication in replications:
        label = replication.get_verdict_display() if replication.verdict else "No result yet"
        counts[label] = counts.get(label, 0) + 1
    return sorted(counts.items())


def comparison(user: Any, raw_ids: Sequence[str]) -> Comparison:
    ids, errors = parse_ids(raw_ids)
    if len(ids) > MAX_COMPARE:
        errors.append(
            f"You can compare up to {MAX_COMPARE} records at a time. You chose {len(ids)}: "
            "untick some and try again."
        )
        return Comparison(columns=[], errors=errors, asked=len(ids))
    if not ids:
        return Comparison(columns=[], errors=errors, asked=0)
    replications = initiatives_visible_to(user).order_by("created_at", "pk")
    found = {
        initiative.pk: initiative
        for initiative in initiatives_visible_to(user)
        .filter(pk__in=ids)
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.prefetch_related(primary_results())),
            "ledger",
            Prefetch("replications", queryset=replications),
        )
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        # The same words whether a record does not exist or the reader may not see it.
        numbers = ", ".join(str(pk) for pk in missing)
        errors.append(
            f"We could not find record{'s' if len(missing) > 1 else ''} {numbers}, or you "
            "do not have access to "
            f"{'them' if len(missing) > 1 else 'it'}"
        )
    columns = []
    for pk in ids:
        initiative = found.get(pk)
        if initiative is None:
            continue
        goal = initiative.primary_goal()
        result = goal.primary_result() if goal else None
        copies = list(initiative.replications.all())
        ledger = summarise(initiative.ledger.all())
        columns.append(
            Column(
                initiative=initiative,
                owner=owner_label(initiative, user),
                goal=goal,
                result=result,
                criterion=criterion_text(goal) if goal else "",
                ledger=ledger,
                replications=[(copy, owner_label(copy, user)) for copy in copies],
                replication_verdicts=_replication_verdicts(copies),
                figures=_figures(goal, result, ledger),
            )
        )
    return Comparison(columns=columns, errors=errors, asked=len(ids))
