"""Building blocks for permission-matrix entries (see tests/test_permission_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import PERSONAS, World

MEMBERS_OF_A = ["admin", "officer", "analyst", "frontline", "volunteer"]
SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
LOGIN = 302  # login_required sends anonymous people to the sign-in page


def expect(default: int, **overrides: int) -> dict[str, int]:
    table = {persona: default for persona in PERSONAS}
    table.update(overrides)
    return table


def signed_in(default: int, **overrides: int) -> dict[str, int]:
    return expect(default, anonymous=LOGIN, **overrides)


def only(personas: list[str], allowed: int, others: int = 403) -> dict[str, int]:
    table = signed_in(others)
    for persona in personas:
        table[persona] = allowed
    return table


@dataclass
class Entry:
    expected: dict[str, int]
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    # Some requests change state (revoking a key); rebuild the state for each persona.
    fresh_state_per_persona: bool = False
