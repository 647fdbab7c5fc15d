"""Net position, cost per person reached and payback, from the costs and savings ledger.

Estimated and realised figures are never added together silently: every total is given
for realised figures alone, and separately for realised plus estimated, labelled as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from whatworks.initiatives.models import LedgerLine

ZERO = Decimal("0")


@dataclass(frozen=True)
class LedgerTotals:
    upfront_cost: Decimal
    recurring_cost: Decimal  # a year
    one_off_savings: Decimal
    recurring_savings: Decimal  # a year
    cashable_savings: Decimal  # a year, recurring cashable

    @property
    def first_year_net(self) -> Decimal:
        """Savings minus costs over the first year (positive means money saved)."""
        return (self.one_off_savings + self.recurring_savings) - (
            self.upfront_cost + self.recurring_cost
        )

    @property
    def yearly_net(self) -> Decimal:
        return self.recurring_savings - self.recurring_cost

    @property
    def payback_months(self) -> Decimal | None:
        """Months for the yearly net saving to repay the upfront cost (None: never pays back)."""
        remaining = self.upfront_cost - self.one_off_savings
        if remaining <= 0:
            return ZERO
        if self.yearly_net <= 0:
            return None
        return (remaining / self.yearly_net * 12).quantize(Decimal("0.1"))

    def cost_per_person(self, people: int | None) -> Decimal | None:
        if not people:
            return None
        return ((self.upfront_cost + self.recurring_cost) / people).quantize(Decimal("0.01"))


def _totals(lines: list[LedgerLine]) -> LedgerTotals:
    def total(kind: str, timing: str, cashable_only: bool = False) -> Decimal:
        return sum(
            (
                line.amount
                for line in lines
                if line.kind == kind
                and line.timing == timing
                and (line.cashable or not cashable_only)
            ),
            ZERO,
        )

    cost, saving = LedgerLine.Kind.COST, LedgerLine.Kind.SAVING
    upfront, recurring = LedgerLine.Timing.UPFRONT, LedgerLine.Timing.RECURRING
    return LedgerTotals(
        upfront_cost=total(cost, upfront),
        recurring_cost=total(cost, recurring),
        one_off_savings=total(saving, upfront),
        recurring_savings=total(saving, recurring),
        cashable_savings=total(saving, recurring, cashable_only=True),
    )


@dataclass(frozen=True)
class LedgerSummary:
    realised: LedgerTotals
    with_estimates: LedgerTotals
    has_estimates: bool
    has_net_lines: bool
    has_realised: bool = True  # any realised line: without one, realised totals are "not recorded"
    # The realised totals some line went into ("upfront_cost", ...): the others are "not
    # recorded", never "£0".
    realised_recorded: frozenset[str] = frozenset()


def summarise(lines: Iterable[LedgerLine]) -> LedgerSummary:
    lines = list(lines)
    realised = [line for line in lines if line.basis == LedgerLine.Basis.REALISED]
    return LedgerSummary(
        realised=_totals(realised),
        with_estimates=_totals(lines),
        has_estimates=len(realised) < len(lines),
        has_net_lines=any(line.is_net for line in lines if line.kind == LedgerLine.Kind.SAVING),
        has_realised=bool(realised),
        realised_recorded=frozenset(_recorded(realised)),
    )


def _recorded(lines: list[LedgerLine]) -> set[str]:
    names: dict[tuple[str, str], str] = {
        (LedgerLine.Kind.COST, LedgerLine.Timing.UPFRONT): "upfront_cost",
        (LedgerLine.Kind.COST, LedgerLine.Timing.RECURRING): "recurring_cost",
        (LedgerLine.Kind.SAVING, LedgerLine.Timing.UPFRONT): "one_off_savings",
        (LedgerLine.Kind.SAVING, LedgerLine.Timing.RECURRING): "recurring_savings",
    }
    return {names[(line.kind, line.timing)] for line in lines if (line.kind, line.timing) in names}
