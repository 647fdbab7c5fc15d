from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def pounds(value: Decimal | float | None, places: int = 0) -> str:
    """£1,234 or −£1,234 (a true minus sign, read out by screen readers)."""
    if value is None:
        return ""
    amount = Decimal(value)
    text = f"£{abs(amount):,.{int(places)}f}"
    return f"−{text}" if amount < 0 else text


@register.filter
def number(value: float | None) -> str:
    """A measured value without trailing noise: 21, 0.9989, 1,300,000."""
    if value is None:
        return ""
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"


@register.filter
def criterion_words(criterion: dict[str, Any] | None) -> str:
    """A stored criterion (a goal's snapshot) in words: 'at least 40 %'."""
    from whatworks.initiatives.verdicts import criterion_words as words

    return words(criterion) if criterion else ""
