"""The page a list is asked for: one parse for every paginated list."""

from __future__ import annotations

from typing import Any

# A bound, so that a cached list cannot be made to keep a page for every number asked.
LAST_PAGE = 100_000


def page_number(raw: Any) -> int:
    """`?page=` as a page number: 1 for anything that is not a positive whole number."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), LAST_PAGE)
