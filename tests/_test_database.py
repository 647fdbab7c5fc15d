"""Each test worker's database starts as a copy of one migrated database, not a fresh migrate.

Migrating from empty takes Django about 25 s of one core (most of it rendering migration
states), and every pytest-xdist worker of every pass did it at the start: four at once when
CI runs SQLite and PostgreSQL side by side, so nearly a minute before the first test. Now
the first worker to need it migrates one database for the current migrations (its name
carries their fingerprint, so a changed migration makes a new one), under a lock the other
workers wait on; each worker then copies it:

* SQLite: the migrated file (bench's ``var/migrated``) copied to a file of the worker's own
  in /dev/shm (memory, as the default in-memory test database was);
* PostgreSQL: ``CREATE DATABASE … TEMPLATE`` from a database migrated once and kept.

Django then finds the database there (``keepdb``), runs migrate as a check (nothing to
apply) and the tests use it as before; the copy is dropped at the end of the session.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import _harness as harness

SHM = Path("/dev/shm")  # noqa: S108 (only a directory for mkstemp)


@contextlib.contextmanager
def _only_one_worker(engine: str) -> Iterator[None]:
    """One lock for each engine, so the SQLite and PostgreSQL passes never wait on each other."""
    harness.MIGRATED_DIR.mkdir(parents=True, exist_ok=True)
    with (harness.MIGRATED_DIR / f".{engine}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(DEBUG="1", **extra)
    return env


def prepare(settings_dict: dict[str, Any]) -> None:
    """Put a migrated copy where Django will look for this worker's test database."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        _sqlite(settings_dict)
    else:
        _postgres(settings_dict)


def _sqlite(settings_dict: dict[str, Any]) -> None:
    memory = SHM if SHM.is_dir() else None  # tmpfs; else the system's temporary directory
    handle, path = tempfile.mkstemp(prefix="whatworks-test-", suffix=".sqlite3", dir=memory)
    os.close(handle)
    name = Path(path)
    with _only_one_worker("sqlite"), tempfile.TemporaryDirectory() as var:
        env = _env(WHATWORKS_VAR_DIR=var)
        env.pop("DATABASE_URL", None)
        harness.migrate(env)  # copies the migrated file, making it first if there is none
        shutil.move(Path(var) / "whatworks.sqlite3", name)
    settings_dict["TEST"]["NAME"] = str(name)


def _postgres(settings_dict: dict[str, Any]) -> None:
    import psycopg

    fingerprint = harness._migrations_fingerprint(dict(os.environ))
    template = f"whatworks_migrated_{fingerprint}"
    test_name = settings_dict["TEST"].get("NAME") or f"test_{settings_dict['NAME']}"
    admin = psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with _only_one_worker("postgresql"), admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        if exists.fetchone() is None:
            for (old,) in admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'whatworks\\_migrated\\_%%'"
            ).fetchall():
                admin.execute(f'DROP DATABASE IF EXISTS "{old}"')
            partial = f"{template}_partial"
            admin.execute(f'DROP DATABASE IF EXISTS "{partial}"')
            admin.execute(f'CREATE DATABASE "{partial}"')
            url = _url(settings_dict, partial)
            harness._manage(_env(DATABASE_URL=url), "migrate", "--no-input", "-v", "0")
            admin.execute(f'ALTER DATABASE "{partial}" RENAME TO "{template}"')
        admin.execute(f'DROP DATABASE IF EXISTS "{test_name}"')
        admin.execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{template}"')
    settings_dict["TEST"]["NAME"] = test_name


def _url(settings_dict: dict[str, Any], name: str) -> str:
    user = settings_dict["USER"] or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    at = f"{user}{password}@" if user else ""
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{at}{host}{port}/{name}"


def remove(settings_dict: dict[str, Any]) -> None:
    """The SQLite copy's file (Django keeps a database it was told to keep)."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(settings_dict["TEST"]["NAME"])
        for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
            path.unlink(missing_ok=True)
