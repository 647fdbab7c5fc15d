"""Numbers as the pages show them, the same everywhere."""

from __future__ import annotations


def show_number(value: float | None) -> str:
    """12,000 or 18.5: thousands separated, no trailing zeros, at most two decimals."""
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
