"""A backup restores into a fresh database that passes the integrity checks and holds the
same rows, on the database the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import MembershipFactory
from whatworks.core import backups

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only


def _manage(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env,
        capture_output=True, text=True, timeout=600,  # a hang guard, not a speed check
    )  # fmt: skip


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database of the suite's kind."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"restore_{uuid.uuid4().hex[:12]}"
    settings = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    try:
        yield f"postgres://{user}{password}@{host}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_with_every_row(
    tmp_path: Path, fresh_database: str
) -> None:
    MembershipFactory.create_batch(3)
    expected = backups.row_counts()
    assert expected["organisations_membership"] == 3
    target = tmp_path / "backup.dump"
    call_command("backup_database", str(target))
    assert target.stat().st_size > 0

    restored = _manage(fresh_database, "restore_database", str(target))
    assert restored.returncode == 0, restored.stderr
    assert "passes its checks" in restored.stdout
    verified = _manage(fresh_database, "verify_database", "--counts")
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout) == expected


def test_it_refuses_to_restore_over_a_database_with_data(tmp_path: Path) -> None:
    target = tmp_path / "backup.dump"
    call_command("backup_database", str(target))
    with pytest.raises(CommandError, match="is not empty: restore into a fresh one"):
        call_command("restore_database", str(target))


def test_it_refuses_to_overwrite_an_earlier_backup(tmp_path: Path) -> None:
    target = tmp_path / "backup.dump"
    target.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup_database", str(target))
    assert target.read_bytes() == b"yesterday's backup"


def _verify_damaged_copy(tmp_path: Path, database: str, *statements: str) -> Any:
    """Back up, restore into ``database``, run ``statements`` on the copy, verify it."""
    target = tmp_path / "backup.dump"
    call_command("backup_database", str(target))
    assert _manage(database, "restore_database", str(target)).returncode == 0
    damage = "from django.db import connection; c = connection.cursor(); " + "; ".join(
        f"c.execute({sql!r})" for sql in statements
    )
    assert _manage(database, "shell", "-c", damage).returncode == 0
    return _manage(database, "verify_database")


def test_the_checks_find_a_migration_missing_from_a_copy(tmp_path: Path, fresh_database: str):
    # Forget that one migration ran.
    verified = _verify_damaged_copy(
        tmp_path,
        fresh_database,
        "DELETE FROM django_migrations WHERE app = 'initiatives' AND name = "
        "(SELECT MAX(name) FROM django_migrations WHERE app = 'initiatives')",
    )
    assert verified.returncode != 0
    assert "Migration initiatives." in verified.stderr and "is not applied" in verified.stderr


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own integrity check")
def test_the_checks_find_a_row_that_refers_to_a_missing_row(
    tmp_path: Path, fresh_database: str
) -> None:
    MembershipFactory()
    verified = _verify_damaged_copy(
        tmp_path, fresh_database, "PRAGMA foreign_keys = OFF", "DELETE FROM organisations_user"
    )
    assert verified.returncode != 0
    assert "refers to a missing row in organisations_user" in verified.stderr
