"""The PostgreSQL pass skips only tests that cannot differ by database (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.conftest import uses_database


@dataclass
class Item:
    fixturenames: list[str]
    markers: list[str] = field(default_factory=list)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


@pytest.mark.parametrize(
    ("fixtures", "markers", "expected"),
    [
        (["tmp_path"], [], False),
        (["tmp_path", "db"], [], True),
        (["live_server"], [], True),
        (["world"], [], True),
        (["client"], ["django_db"], True),
    ],
)
def test_a_test_counts_as_using_the_database_by_its_fixtures_or_marker(
    fixtures: list[str], markers: list[str], expected: bool
) -> None:
    assert uses_database(Item(fixtures, markers)) is expected  # type: ignore[arg-type]
