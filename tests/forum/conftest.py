"""Fixtures for the forum tests: a public board, a failed initiative of organisation A,
a private group with organisation A's officer and organisation B's admin (outsider), and
attachments stored in a temporary directory."""

from __future__ import annotations

from typing import Any

import pytest

from tests.forum.helpers import failed_initiative, make_group, public_board


@pytest.fixture(autouse=True)
def _attachments_dir(settings: Any, tmp_path: Any) -> Any:
    settings.FORUM_ATTACHMENTS_DIR = tmp_path / "attachments"
    # Generous in tests; the rate-limit test sets its own.
    settings.FORUM_POST_RATE = (1000, 300)
    return settings.FORUM_ATTACHMENTS_DIR


@pytest.fixture
def board(world: Any) -> Any:
    return public_board(world)


@pytest.fixture
def initiative(world: Any) -> Any:
    return failed_initiative(world)


@pytest.fixture
def group(world: Any) -> Any:
    return make_group(world)
