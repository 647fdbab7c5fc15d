"""Backups of the database, their restore into a fresh database, and the checks a restored
copy must pass. SQLite is copied with its online backup API (consistent while the site
runs, WAL included); PostgreSQL with pg_dump's custom format and pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class BackupError(Exception):
    pass


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _pg_args(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [flag, str(settings[key])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools.")
    # A fixed program and arguments from settings, no shell.
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def backup(target: Path) -> None:
    """Write a backup of the default database to ``target`` (which must not exist)."""
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file for each backup.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite():
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return
    settings = connection.settings_dict
    args, env = _pg_args(settings)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args,
          "--file", str(target), settings["NAME"]], env)  # fmt: skip


def restore(source: Path) -> None:
    """Restore ``source`` into the default database, which must be new and empty."""
    if not source.is_file():
        raise BackupError(f"{source} is not a backup file.")
    if connection.introspection.table_names():
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty: restore into a "
            "fresh one, then point DATABASE_URL at it."
        )
    if _is_sqlite():
        connection.ensure_connection()
        with sqlite3.connect(source) as backup_copy:
            backup_copy.backup(connection.connection)
        backup_copy.close()
        return
    settings = connection.settings_dict
    args, env = _pg_args(settings)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args,
          "--dbname", settings["NAME"], str(source)], env)  # fmt: skip


def problems() -> list[str]:
    """What is wrong with the default database, as sentences; empty when it passes."""
    found = []
    with connection.cursor() as cursor:
        if _is_sqlite():
            cursor.execute("PRAGMA integrity_check")
            result = [row[0] for row in cursor.fetchall()]
            if result != ["ok"]:
                found += [f"SQLite integrity check: {line}" for line in result[:20]]
            cursor.execute("PRAGMA foreign_key_check")
            for table, rowid, parent, _ in cursor.fetchall()[:20]:
                found.append(f"{table} row {rowid} refers to a missing row in {parent}.")
        else:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE NOT convalidated"
            )
            for table, name in cursor.fetchall():
                found.append(f"{table}: constraint {name} is not validated.")
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    for migration, _ in unapplied:
        found.append(f"Migration {migration.app_label}.{migration.name} is not applied.")
    return found


def row_counts() -> dict[str, int]:
    """Rows in each of the project's tables (to compare a restored copy with its source)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts
