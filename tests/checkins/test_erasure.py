"""Erasure reaches every copy: a unique marker is planted in every personal field of a
resident (through the public referral pages, the coordinator's and worker's pages and the
services), the record is erased, and the marker is then searched for in every text column of
every table (SQLite or PostgreSQL, whichever the suite runs on), in the cache and in every
file under the var directory. Each reproduction of issue 12's "erasure is incomplete" is
here: the audit log's name and concern text, the GP email and the family SMS in the outbox,
and a task's closing note."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import (
    agree_at_first_contact,
    confirm_device,
    date_boxes,
    make_round,
    make_scheme,
)
from whatworks.checkins import services
from whatworks.checkins.models import (
    Escalation,
    PracticeAddress,
    Question,
    Referral,
    Resident,
)
from whatworks.core import audit
from whatworks.core.models import AuditEvent, Message

pytestmark = pytest.mark.django_db

# Valid for their checks yet found nowhere else in a fresh database.
NHS_NUMBER = "4010232137"
PHONE = "+447912345461"
CONTACT_PHONE = "+447912345462"
REFERRER_PHONE = "+447912345463"
POSTCODE = "ZX9 9QW"
BIRTH = "1929-11-17"


def _marker() -> str:
    return "mk" + uuid.uuid4().hex[:12]


def _refer(client: Any, scheme: Any, m: str) -> Referral:
    token = scheme.referral_token
    steps = {
        "referrer": {
            "referrer_kind": "gp",
            "referrer_name": f"Dr {m}referrer",
            "referrer_organisation": f"{m}surgery",
            "referrer_email": f"{m}ref@example.org",
            "referrer_phone": REFERRER_PHONE,
            "reason": f"Lives alone {m}reason",
        },
        "person": {
            "given_name": f"{m}given",
            "family_name": f"{m}family",
            **date_boxes("date_of_birth", BIRTH),
            "address_line_1": f"1 {m}street",
            "address_line_2": f"{m}flat",
            "town": f"{m}town",
            "postcode": POSTCODE,
            "phone": PHONE,
            "nhs_number": NHS_NUMBER,
        },
        "consent": {
            "consent": "on",
            **date_boxes("consent_given_on", "2026-01-05"),
            "consent_method": "verbal",
        },
        "contact": {
            "contact_name": f"{m}contact",
            "contact_relationship": f"{m}relation",
            "contact_phone": CONTACT_PHONE,
            "contact_email": f"{m}contact@example.org",
            "contact_lives_locally": "on",
        },
        "health": {
            "gp_practice_ods": "G81001",
            "gp_practice_name": f"{m}practice",
            "gp_practice_email": f"{m}gp@example.org",
            "health_notes": f"insulin {m}health",
            **date_boxes("appointment_on", timezone.localdate().isoformat()),
            "appointment_what": f"{m}clinic",
        },
    }
    for step, data in steps.items():
        url = reverse("checkins-refer-step", kwargs={"token": token, "step": step})
        assert client.post(url, data).status_code == 302, step
    assert client.post(reverse("checkins-refer-check", kwargs={"token": token})).status_code == 302
    return Referral.objects.get(scheme=scheme)


def _verified(client: Any, user: Any) -> Any:
    from whatworks.checkins import twofactor

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[twofactor.SESSION_KEY] = user.pk
    session.save()
    return client


def _plant(world: Any, client: Any, m: str) -> Resident:
    """A resident with the marker in every personal field, seen on every page."""
    scheme = make_scheme(world)
    round_ = make_round(scheme, world["frontline"])
    PracticeAddress.objects.create(
        scheme=scheme, ods_code="G81001", name="Beacon Surgery", email="beacon@nhs.net"
    )
    referral = _refer(client, scheme, m)
    coordinator = world["officer"]
    resident = services.referral_accept(
        referral=referral, actor=coordinator, round_=round_, visit_days=[0, 1, 2, 3, 4, 5],
        visit_order=1,
    )  # fmt: skip
    resident = agree_at_first_contact(resident, coordinator)
    Referral.objects.filter(pk=referral.pk).update(decision_note=f"{m}decision")
    services.pause_add(
        resident=resident,
        start_date=timezone.localdate() + timedelta(days=30),
        end_date=None,
        reason=f"hospital {m}pause",
        actor=coordinator,
    )
    kept = services.appointment_add(
        resident=resident, on=timezone.localdate(), what=f"{m}eyes", where=f"{m}hospital",
        actor=coordinator,
    )  # fmt: skip
    services.appointment_attendance_record(appointment=kept, attended=False, actor=coordinator)
    need = Question.objects.get(module__scheme=scheme, code="need_anything")
    visit, _ = services.visit_record(
        round_=round_,
        worker=world["frontline"],
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=timezone.localdate(),
        outcome="concern",
        note=f"Fell last night, bruised hip {m}note",
        answers={str(need.pk): f"shopping {m}answer"},
    )
    escalation = Escalation.objects.get(resident=resident)
    services.escalation_close(
        escalation=escalation, actor=coordinator, note=f"insulin and dementia {m}closing"
    )
    # An entry as the log wrote them before it held references only.
    audit.record(
        "checkins.escalation.closed",
        obj=escalation,
        organisation=scheme.organisation,
        detail={"note": f"{m}legacy"},
        personal_data=True,
    )
    # Every page that shows the person: the record, its print and export, the task, the
    # dashboard, the list of everyone, the worker's list and visit form.
    confirm_device(coordinator)
    confirm_device(world["frontline"])
    staff = _verified(client, coordinator)
    for name in ("checkins-resident", "checkins-resident-print", "checkins-resident-export"):
        assert staff.get(reverse(name, kwargs={"pk": resident.pk})).status_code == 200
    assert (
        staff.get(reverse("checkins-escalation", kwargs={"pk": escalation.pk})).status_code == 200
    )
    assert staff.get(reverse("checkins-scheme", kwargs={"pk": scheme.pk})).status_code == 200
    assert staff.get(reverse("checkins-residents", kwargs={"pk": scheme.pk})).status_code == 200
    worker = _verified(client, world["frontline"])
    assert worker.get(reverse("checkins-round-today", kwargs={"pk": round_.pk})).status_code == 200
    visit_url = reverse("checkins-visit-new", kwargs={"pk": round_.pk, "resident_id": resident.pk})
    worker.get(visit_url)  # 404 once today's visit is recorded; the list page above is audited
    return Resident.objects.get(pk=resident.pk)


def _dump_rows() -> list[tuple[str, str]]:
    """(table, row as text) for every row of every table: text, JSON and binary columns."""
    rows: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
            tables = [t for (t,) in cursor.fetchall()]
            for table in tables:
                cursor.execute(f'SELECT t::text FROM "{table}" AS t')
                rows += [(table, text) for (text,) in cursor.fetchall()]
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = [t for (t,) in cursor.fetchall()]
            for table in tables:
                cursor.execute(f'SELECT * FROM "{table}"')
                for row in cursor.fetchall():
                    rows.append((table, " | ".join(_text(v) for v in row)))
    assert len(tables) > 50, "the dump missed the tables"
    return rows


def _text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        data = bytes(value)
        return data.decode("utf-8", "replace") + " " + data.hex()
    return str(value)


def _found(needles: list[str], var_dir: Path) -> list[str]:
    hits = []
    for table, text in _dump_rows():
        for needle in needles:
            if needle in text or needle.encode().hex() in text:
                hits.append(f"table {table}: {needle} in {text[:300]}")
    for key, value in cache._cache.items():  # local memory in tests: pickled values
        for needle in needles:
            if needle.encode() in value or needle in str(key):
                hits.append(f"cache {key}: {needle}")
    for path in var_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"file {path}: {n}" for n in needles if n.encode() in data]
    return hits


@pytest.fixture
def var_dir(settings: Any, tmp_path: Path) -> Any:
    """The var directory for this test, with every log line written to a file in it."""
    settings.VAR_DIR = tmp_path
    settings.FORUM_ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.MEDIA_ROOT = tmp_path / "media"
    handler = logging.FileHandler(tmp_path / "whatworks.log")
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield tmp_path
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


def test_it_erases_the_marker_from_every_table_the_cache_and_every_file(
    world: Any, client: Any, var_dir: Path
) -> None:
    m = _marker()
    resident = _plant(world, client, m)
    needles = [m, NHS_NUMBER, PHONE, CONTACT_PHONE, REFERRER_PHONE, POSTCODE]
    before = _found(needles, var_dir)
    # The test must be able to fail: before erasure the marker is all over the place.
    tables_before = {hit.split(":")[0] for hit in before}
    assert {
        "table checkins_resident",
        "table checkins_nominatedcontact",
        "table checkins_referral",
        "table checkins_visit",
        "table checkins_answer",
        "table checkins_appointment",
        "table checkins_pause",
        "table checkins_escalationstatuschange",
        "table core_message",
        "table core_auditevent",
    } <= tables_before, tables_before

    staff = _verified(client, world["officer"])
    url = reverse("checkins-resident-erase", kwargs={"pk": resident.pk})
    assert staff.post(url, {"reason": "requested"}).status_code == 302

    assert _found(needles, var_dir) == []
    erased = Resident.objects.get(pk=resident.pk)
    assert erased.status == "erased" and erased.date_of_birth is None
    assert str(resident.date_of_birth) == BIRTH
    # The counts survive: one visit, its outcome, the missed appointment.
    assert erased.visits.exclude(outcome="first_contact").get().outcome == "concern"
    assert erased.appointments.get().attended is False
    # Who erased it, when and why is on the log, by reference.
    event = AuditEvent.objects.get(action="checkins.resident.erased")
    assert (event.object_repr, event.detail) == (f"resident {resident.pk}", {"reason": "requested"})
    # Unsent messages about the person are cancelled rather than sent later.
    assert not Message.objects.filter(status="queued", template__startswith="checkins_").exists()


def test_it_leaves_other_residents_alone(world: Any, client: Any, var_dir: Path) -> None:
    from tests.checkins.conftest import make_resident

    m = _marker()
    resident = _plant(world, client, m)
    other = make_resident(resident.round, given=f"{m}other", family="Kept")
    staff = _verified(client, world["officer"])
    staff.post(
        reverse("checkins-resident-erase", kwargs={"pk": resident.pk}), {"reason": "requested"}
    )
    other.refresh_from_db()
    assert other.given_name == f"{m}other" and other.contacts.count() == 1


def _sqlite_file_keeps(tmp_path: Path, init_command: str, *, truncate: bool = True) -> bool:
    """Write a marker to a SQLite file with these pragmas, blank it as erasure does (an
    UPDATE), checkpoint as erasure does, and say whether the database file or its
    write-ahead log still holds it."""
    import sqlite3

    marker = _marker()
    path = tmp_path / f"{uuid.uuid4().hex}.sqlite3"
    db = sqlite3.connect(path)
    for pragma in init_command.split(";"):
        if pragma.strip():
            db.execute(pragma)
    db.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, note TEXT)")
    db.executemany("INSERT INTO person (note) VALUES (?)", [(f"other {i}",) for i in range(500)])
    db.execute(
        "INSERT INTO person (note) VALUES (?)",
        (f"Fell last night, bruised hip {marker}: taken to the GP in the morning",),
    )
    db.commit()
    db.execute("UPDATE person SET note = '' WHERE note LIKE ?", (f"%{marker}%",))
    db.commit()
    if truncate:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = [p for p in tmp_path.iterdir() if p.name.startswith(path.name)]
    kept = any(marker.encode() in p.read_bytes() for p in files)
    db.close()
    return kept


@pytest.mark.django_db(databases=[])
def test_it_leaves_no_erased_value_in_the_sqlite_files(settings: Any, tmp_path: Path) -> None:
    init_command = settings.SQLITE_OPTIONS["init_command"]
    assert "PRAGMA secure_delete=ON" in init_command
    assert not _sqlite_file_keeps(tmp_path, init_command)
    # Each half matters. With secure_delete off (some builds' default; Debian's is on) the
    # old value stays in the file's free space; without the truncating checkpoint erasure
    # runs after commit, it stays in the write-ahead log.
    plain = init_command.replace("PRAGMA secure_delete=ON", "PRAGMA secure_delete=OFF")
    assert _sqlite_file_keeps(tmp_path, plain)
    assert _sqlite_file_keeps(tmp_path, init_command, truncate=False)
