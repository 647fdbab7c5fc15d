"""The pages with a verified session: each renders, and each resident view is audited."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins import services
from whatworks.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_shows_the_coordinator_every_page(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    visit, _ = services.visit_record(
        round_=resident.round,
        worker=world["frontline"],
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=timezone.localdate(),
        outcome="concern",
    )
    escalation = visit.escalation_set.get()
    client = as_verified(world["officer"])
    urls = [
        reverse("checkins-home"),
        reverse("checkins-scheme", kwargs={"pk": scheme.pk}),
        reverse("checkins-residents", kwargs={"pk": scheme.pk}),
        reverse("checkins-rules", kwargs={"pk": scheme.pk}),
        reverse("checkins-rule-new", kwargs={"scheme_pk": scheme.pk}),
        reverse("checkins-round-new", kwargs={"pk": scheme.pk}),
        reverse("checkins-agreement-new", kwargs={"pk": scheme.pk}),
        reverse("checkins-resident", kwargs={"pk": resident.pk}),
        reverse("checkins-resident-print", kwargs={"pk": resident.pk}),
        reverse("checkins-resident-erase", kwargs={"pk": resident.pk}),
        reverse("checkins-resident-pause", kwargs={"pk": resident.pk}),
        reverse("checkins-round-today", kwargs={"pk": resident.round_id}),
        reverse("checkins-escalation", kwargs={"pk": escalation.pk}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    export = client.get(reverse("checkins-resident-export", kwargs={"pk": resident.pk}))
    assert export.json()["name"] == "Edith Marsh"
    views = AuditEvent.objects.filter(action="checkins.resident.viewed", object_id=str(resident.pk))
    assert views.count() == 5  # the record, print, erase and pause pages, and the export
    assert views.filter(personal_data=True, actor=world["officer"]).count() == 5


def test_it_shows_the_worker_only_their_own_round(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    from tests.checkins.conftest import make_resident, make_round

    other_round = make_round(scheme, world["volunteer"], "Bus 52")
    stranger = make_resident(other_round, "Albert", "Cole")
    client = as_verified(world["frontline"])
    own = client.get(reverse("checkins-round-today", kwargs={"pk": resident.round_id}))
    assert own.status_code == 200 and b"Edith Marsh" in own.content
    assert b"Albert Cole" not in own.content
    assert (
        client.get(reverse("checkins-round-today", kwargs={"pk": other_round.pk})).status_code
        == 404
    )
    assert client.get(reverse("checkins-resident", kwargs={"pk": stranger.pk})).status_code == 404
    assert client.get(reverse("checkins-resident", kwargs={"pk": resident.pk})).status_code == 200
    assert client.get(reverse("checkins-scheme", kwargs={"pk": scheme.pk})).status_code == 403


def test_it_keeps_one_coordinator_out_of_another_scheme(
    as_verified: Any, world: Any, resident: Any
) -> None:
    from tests.checkins.conftest import make_scheme

    other = make_scheme(world, "Lambeth Check", coordinator=world["analyst"])
    client = as_verified(world["analyst"])
    assert client.get(reverse("checkins-scheme", kwargs={"pk": other.pk})).status_code == 200
    assert (
        client.get(reverse("checkins-scheme", kwargs={"pk": resident.scheme_id})).status_code == 404
    )
    assert client.get(reverse("checkins-resident", kwargs={"pk": resident.pk})).status_code == 404


def test_it_sends_a_role_holder_to_set_up_two_factor(client: Any, world: Any, scheme: Any) -> None:
    client.force_login(world["officer"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("checkins-scheme", kwargs={"pk": scheme.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("checkins-2fa-setup"))
    setup = client.get(response["Location"])
    assert b"<svg" in setup.content


def test_it_lists_the_round_in_a_fixed_number_of_queries(
    as_verified: Any, world: Any, round_: Any, django_assert_max_num_queries: Any
) -> None:
    from tests.checkins.conftest import make_resident

    for i in range(12):
        make_resident(round_, f"Person{i}", "Smith")
    client = as_verified(world["frontline"])
    url = reverse("checkins-round-today", kwargs={"pk": round_.pk})
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.content.count(b"Record the visit to") == 12


def test_it_shows_a_worker_no_health_details(as_verified: Any, world: Any, resident: Any) -> None:
    resident.nhs_number = "9434765919"
    resident.health_notes = "Takes insulin"
    resident.save()
    worker_page = as_verified(world["frontline"]).get(
        reverse("checkins-resident", kwargs={"pk": resident.pk})
    )
    assert b"Edith Marsh" in worker_page.content
    assert b"9434765919" not in worker_page.content and b"insulin" not in worker_page.content
    coordinator_page = as_verified(world["officer"]).get(
        reverse("checkins-resident", kwargs={"pk": resident.pk})
    )
    assert b"9434765919" in coordinator_page.content and b"insulin" in coordinator_page.content


def test_it_shows_a_new_question_on_the_list_at_once(
    as_verified: Any, world: Any, resident: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from whatworks.checkins.models import Question

    client = as_verified(world["frontline"])
    url = reverse("checkins-round-today", kwargs={"pk": resident.round_id})
    assert b"Have you had a fall?" not in client.get(url).content
    module = resident.scheme.modules.get(name="Every visit")
    with django_capture_on_commit_callbacks(execute=True):  # the cache is bumped on commit
        Question.objects.create(
            module=module, code="fall", text="Have you had a fall?", kind="yes_no"
        )
    assert b"Have you had a fall?" in client.get(url).content  # the cached sets were dropped


def test_it_shows_the_dashboard_in_a_fixed_number_of_queries(
    as_verified: Any, world: Any, scheme: Any, round_: Any, django_assert_max_num_queries: Any
) -> None:
    from tests.checkins.conftest import make_resident, make_round

    for i in range(5):
        resident = make_resident(make_round(scheme, world["volunteer"], f"Bus {i}"), f"P{i}", "S")
        services.visit_record(
            round_=resident.round,
            worker=world["volunteer"],
            client_uuid=uuid.uuid4(),
            resident_id=resident.pk,
            visited_on=timezone.localdate(),
            outcome="concern",
        )
    # Training asked for and done by one worker: the flag's three queries are counted too.
    decline = scheme.training_modules.create(name="Spotting decline")
    decline.records.create(user=world["volunteer"], completed_on=timezone.localdate())
    client = as_verified(world["officer"])
    # 17 before the training flag (the 17th: the dashboard's own audit entry), 3 for it.
    with django_assert_max_num_queries(20):
        response = client.get(reverse("checkins-scheme", kwargs={"pk": scheme.pk}))
    assert response.content.count(b"Seen, with a concern at a visit") == 5
