"""Uploading units, the seeded allocation, the balance table, exports, audit and the lock."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.trials.test_app_fixtures import (
    allocated,
    csv_bytes,
    initiative_for,
    locked,
    outcomes_for,
    trial_for,
    units_file,
)
from whatworks.core.models import AuditEvent
from whatworks.trials import columns, services
from whatworks.trials.models import Allocation, PendingUpload, TrialStatus


@pytest.fixture
def trial(world):
    return trial_for(world, initiative_for(world))


def upload(client, url, data: bytes, name: str = "units.csv"):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_it_names_each_bad_row_and_keeps_nothing(world, client_for, trial):
    data = csv_bytes(
        ["unit_id", "baseline"],
        [["T1", 3], ["", 4], ["T1", 5], ["T2", 6]],
    )
    response = upload(client_for(world["analyst"]), f"/trials/{trial.pk}/units/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The file has 2 problems: nothing was imported." in body
    assert "Enter the unit&#x27;s id: it is empty." in body
    assert "Unit T1 appears more than once (first on row 2)" in body
    assert not PendingUpload.objects.exists() and not Allocation.objects.exists()


def test_it_refuses_a_file_without_the_columns_it_needs(world, client_for):
    trial = trial_for(world, initiative_for(world), stratified=True)
    response = upload(
        client_for(world["analyst"]), f"/trials/{trial.pk}/units/", csv_bytes(["unit_id"], [["A"]])
    )
    assert "The file needs a column named stratum" in response.content.decode()


def test_it_refuses_a_file_in_an_unreadable_encoding(world, client_for, trial):
    data = "unit_id\nT1\n".encode("utf-16")
    response = upload(client_for(world["analyst"]), f"/trials/{trial.pk}/units/", data)
    # UTF-16 puts a NUL byte after every ASCII letter: read as bytes, it is not text.
    assert "The file looks binary, not CSV. Save it as" in response.content.decode()


def test_it_previews_then_allocates_reproducibly_with_the_seed_stored(world, client_for, trial):
    client = client_for(world["analyst"])
    response = upload(client, f"/trials/{trial.pk}/units/", units_file(120))
    pending = PendingUpload.objects.get()
    assert response["Location"] == f"/trials/{trial.pk}/units/{pending.pk}/"
    assert "120 units" in client.get(response["Location"]).content.decode()
    response = client.post(response["Location"], {"seed": "2017"})
    assert response.status_code == 302, response.content.decode()
    allocation = Allocation.objects.get()
    trial.refresh_from_db()
    assert trial.status == TrialStatus.ALLOCATED
    assert allocation.seed == 2017 and "PCG64 seed 2017" in allocation.method
    assert allocation.counts == [60, 60]
    first = list(columns.unpack_codes(allocation.arms))
    # The same list and seed give the same arms (re-allocation allowed before outcomes).
    again = allocated(world, trial, 120, seed=2017)
    assert list(columns.unpack_codes(again.allocation.arms)) == first
    assert not PendingUpload.objects.exists()
    assert AuditEvent.objects.filter(action="trial.reallocated").exists()


def test_it_shows_the_balance_table_and_audits_every_view_and_export(world, client_for, trial):
    allocated(world, trial, 100)
    client = client_for(world["analyst"])
    body = client.get(f"/trials/{trial.pk}/allocation/").content.decode()
    assert "Balance table" in body and "baseline" in body and "ward: North" in body
    assert "T00000" in body
    assert (
        client.get(f"/trials/{trial.pk}/allocation.csv")
        .content.decode()
        .startswith("unit_id,arm\r\n")
    )
    xlsx = client.get(f"/trials/{trial.pk}/allocation.xlsx")
    assert xlsx.content[:2] == b"PK"
    events = AuditEvent.objects.filter(personal_data=True, object_id=str(trial.pk))
    assert sorted(e.action for e in events) == [
        "trial.allocation_exported",
        "trial.allocation_exported",
        "trial.allocation_viewed",
    ]
    assert all(e.actor == world["analyst"] for e in events)


def test_it_keeps_the_allocation_list_from_people_who_may_not_see_units(world, client_for, trial):
    allocated(world, trial, 20)
    for persona, status in [
        ("frontline", 403),
        ("volunteer", 403),
        ("outsider", 403),
        ("anonymous", 302),
        ("officer", 200),
    ]:
        assert (
            client_for(world[persona]).get(f"/trials/{trial.pk}/allocation/").status_code == status
        ), persona
        assert (
            client_for(world[persona]).get(f"/trials/{trial.pk}/allocation.csv").status_code
            == status
        ), persona


def test_it_locks_the_allocation_once_outcomes_exist(world, client_for, trial):
    allocated(world, trial, 60)
    locked(world, trial)
    services.outcomes_import(trial=trial, actor=world["analyst"], raw=outcomes_for(trial))
    before = Allocation.objects.get()
    with pytest.raises(Exception, match="allocation is locked"):
        services.units_stage(
            trial=trial, actor=world["analyst"], raw=units_file(60), filename="u.csv"
        )
    body = upload(client_for(world["analyst"]), f"/trials/{trial.pk}/units/", units_file(60))
    assert "allocation is locked" in body.content.decode()
    after = Allocation.objects.get()
    assert (after.pk, bytes(after.arms)) == (before.pk, bytes(before.arms))


def test_it_allocates_clusters_so_every_unit_follows_its_street(world):
    trial = trial_for(
        world,
        initiative_for(world),
        design="cluster",
        cluster_column="street",
        arms=[("None", 1), ("A", 1), ("B", 1), ("C", 1)],
    )
    trial = allocated(world, trial, 400, clusters=40)
    units = columns.unpack_text(trial.allocation.clusters)
    arms = columns.unpack_codes(trial.allocation.arms)
    arm_of = {}
    for street, arm in zip(units, arms, strict=True):
        assert arm_of.setdefault(street, arm) == arm
    assert trial.allocation.n_clusters == 40 and trial.allocation.kind == "cluster"
