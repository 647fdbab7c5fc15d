"""The audit log: append-only, captures the request, and its pages filter and export safely."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import PERSONAS
from whatworks.core import audit
from whatworks.core.middleware import RequestContextMiddleware, current_request
from whatworks.core.models import AppendOnlyError, AuditEvent, Message
from whatworks.core.selectors import AUDIT_CSV_COLUMNS
from whatworks.organisations.models import ApiKey

pytestmark = pytest.mark.django_db

ORG_AUDIT = "/organisations/wealden/manage/audit/"


def event(organisation=None, **fields) -> AuditEvent:
    defaults = {"actor_label": "system", "action": "test.event", "organisation": organisation}
    defaults.update(fields)
    return AuditEvent.objects.create(**defaults)


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


# --- append-only


def test_it_refuses_to_change_an_event(world):
    e = event(world.org_a)
    e.action = "something.else"
    with pytest.raises(AppendOnlyError):
        e.save()
    assert AuditEvent.objects.get(pk=e.pk).action == "test.event"


def test_it_refuses_to_delete_an_event(world):
    e = event(world.org_a)
    with pytest.raises(AppendOnlyError):
        e.delete()
    assert AuditEvent.objects.filter(pk=e.pk).exists()


def test_it_refuses_bulk_updates_and_deletes(world):
    event(world.org_a)
    event(world.org_b)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(organisation=world.org_a).update(action="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(actor_label="nobody")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(organisation=world.org_a).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.event"] * 2


@pytest.mark.parametrize("model", [AuditEvent, Message])
def test_it_offers_no_add_change_or_delete_in_the_admin(world, rf, model):
    request = rf.get("/admin/")
    request.user = world["staff"]
    assert request.user.is_superuser
    model_admin = admin.site._registry[model]
    obj = (
        event(world.org_a)
        if model is AuditEvent
        else Message.objects.create(
            channel="email", recipient="a@example.org", template="invitation"
        )
    )
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_change_permission(request, obj) is False
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_delete_permission(request, obj) is False
    assert model_admin.has_view_permission(request, obj) is True


def test_it_lets_staff_read_but_not_add_in_the_admin(world, client_for):
    event(world.org_a, action="visible.in.admin")
    client = client_for(world["staff"])
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403


# --- what `record` captures


def test_it_records_the_actor_and_request_from_the_current_request(world):
    request = RequestFactory().post(
        "/organisations/wealden/manage/members/1/role/",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 (test)",
    )
    request.user = world["admin"]
    request.request_id = "a" * 32
    token = current_request.set(request)
    try:
        e = audit.record(
            "membership.role_changed",
            obj=world.org_b,
            organisation=world.org_a,
            detail={"from": "officer", "to": "analyst"},
        )
    finally:
        current_request.reset(token)

    e.refresh_from_db()
    assert e.actor == world["admin"]
    assert e.actor_label == f"{world['admin'].full_name} <{world['admin'].email}>"
    assert e.ip_address == "203.0.113.7"
    assert e.user_agent == "Mozilla/5.0 (test)"
    assert e.request_id == "a" * 32
    assert e.path == "/organisations/wealden/manage/members/1/role/"
    assert e.organisation == world.org_a
    assert (e.object_type, e.object_id, e.object_repr) == (
        "organisations.organisation",
        str(world.org_b.pk),
        "London Borough of Lambeth",
    )
    assert e.detail == {"from": "officer", "to": "analyst"}


def test_it_records_through_the_request_middleware(world):
    """The middleware gives each request an id and makes it the current request."""
    recorded: list[AuditEvent] = []

    def view(request):
        recorded.append(audit.record("resident.viewed", personal_data=True))
        return HttpResponse("ok")

    request = RequestFactory().get("/residents/42/", REMOTE_ADDR="198.51.100.9")
    request.user = world["frontline"]
    response = RequestContextMiddleware(view)(request)

    [e] = recorded
    assert len(e.request_id) == 32
    assert response["X-Request-Id"] == e.request_id
    assert e.actor == world["frontline"]
    assert e.personal_data is True
    assert e.path == "/residents/42/"
    assert e.ip_address == "198.51.100.9"
    # The request is forgotten afterwards: a later record is the system's.
    assert current_request.get() is None
    assert audit.record("nightly.job").actor_label == "system"


def test_it_records_an_anonymous_request_without_an_actor(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/sign-in/", REMOTE_ADDR="192.0.2.1")
    request.user = AnonymousUser()
    e = audit.record("sign_in.failed", request=request, detail={"email": "x@example.org"})
    assert e.actor is None
    assert e.actor_label == "system"
    assert e.ip_address == "192.0.2.1"


def test_it_records_the_api_key_and_its_organisation(world):
    key = ApiKey.objects.create(
        organisation=world.org_b, name="Reporting", lookup="lk12345678", secret_hash="0" * 64
    )
    request = RequestFactory().get("/api/organisations/")
    request.api_key = key
    e = audit.record("api.read", request=request)
    assert e.organisation == world.org_b
    assert e.actor_label == "API key"
    assert e.api_key_label == str(key)[:200]


def test_it_keeps_the_actor_label_when_the_person_is_deleted(world):
    person = world["volunteer"]
    e = audit.record("checkin.done", actor=person, organisation=world.org_a)
    label = e.actor_label
    person.delete()
    e.refresh_from_db()
    assert e.actor is None
    assert e.actor_label == label


# --- the organisation's audit page


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_organisation_log_only_to_its_admins_and_staff(world, client_for, persona):
    event(world.org_a)
    response = client_for(world[persona]).get(ORG_AUDIT)
    expected = {"anonymous": 302, "admin": 200, "staff": 200}.get(persona, 403)
    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith("/sign-in/")


def test_it_lists_only_the_organisations_events(world, client_for):
    event(world.org_a, action="membership.role_changed", object_repr="Alice in Wealden")
    event(world.org_b, action="membership.removed", object_repr="Bob in Lambeth")
    event(None, action="site.settings_changed", object_repr="Site-wide thing")
    response = client_for(world["admin"]).get(ORG_AUDIT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice in Wealden" in html
    assert "Bob in Lambeth" not in html
    assert "Site-wide thing" not in html
    assert "1 entry" in html


def test_it_filters_the_log(world, client_for):
    now = timezone.now()
    event(
        world.org_a,
        action="membership.role_changed",
        actor_label="Ada <ada@x>",
        object_repr="R1",
        at=now - timedelta(days=10),
    )
    event(
        world.org_a, action="membership.removed", actor_label="Bo <bo@x>", object_repr="R2", at=now
    )
    event(
        world.org_a,
        action="resident.viewed",
        actor_label="Bo <bo@x>",
        object_repr="R3",
        personal_data=True,
        at=now,
    )
    client = client_for(world["admin"])

    def shown(query: str) -> set[str]:
        html = client.get(ORG_AUDIT + query).content.decode()
        return {r for r in ("R1", "R2", "R3") if f">{r}<" in html}

    assert shown("") == {"R1", "R2", "R3"}
    assert shown("?action=membership.") == {"R1", "R2"}
    assert shown("?actor=ada") == {"R1"}
    assert shown("?personal_data_only=on") == {"R3"}
    today = timezone.localdate(now)
    assert shown(f"?date_from={today - timedelta(days=2)}&date_to={today}") == {"R2", "R3"}
    assert shown(f"?date_to={today - timedelta(days=5)}") == {"R1"}


def test_it_exports_the_organisations_events_as_csv(world, client_for):
    event(
        world.org_a,
        action="membership.role_changed",
        object_repr="Alice in Wealden",
        detail={"to": "analyst"},
    )
    event(world.org_b, action="membership.removed", object_repr="Bob in Lambeth")
    response = client_for(world["admin"]).get(ORG_AUDIT + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    rows = csv_rows(response)
    assert rows[0] == AUDIT_CSV_COLUMNS
    assert len(rows) == 2
    row = dict(zip(AUDIT_CSV_COLUMNS, rows[1], strict=True))
    assert row["organisation"] == "Wealden District Council"
    assert row["action"] == "membership.role_changed"
    assert row["object"] == "Alice in Wealden"
    assert row["personal_data"] == "no"
    assert "analyst" in row["detail"]


def test_it_applies_the_filters_to_the_csv(world, client_for):
    event(world.org_a, action="membership.role_changed", object_repr="R1")
    event(world.org_a, action="resident.viewed", object_repr="R2", personal_data=True)
    rows = csv_rows(client_for(world["admin"]).get(ORG_AUDIT + "?personal_data_only=on&format=csv"))
    assert [r[AUDIT_CSV_COLUMNS.index("object")] for r in rows[1:]] == ["R2"]


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR"],
)
def test_it_neutralises_formula_cells_in_the_csv(world, client_for, value):
    event(world.org_a, action="x.y", actor_label=value, object_repr=value, object_id=value)
    rows = csv_rows(client_for(world["admin"]).get(ORG_AUDIT + "?format=csv"))
    row = dict(zip(AUDIT_CSV_COLUMNS, rows[1], strict=True))
    for column in ("actor", "object", "object_id"):
        assert row[column] == "'" + value
    # Ordinary values are left alone.
    assert row["action"] == "x.y"


def test_it_shows_an_error_summary_for_an_impossible_date_range(world, client_for):
    event(world.org_a, object_repr="R1")
    client = client_for(world["admin"])
    response = client.get(ORG_AUDIT + "?date_from=2025-03-10&date_to=2025-03-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The end date must be the same as or after the start date." in html
    # The CSV is not offered, and asking for it anyway gets the page with the error.
    response = client.get(ORG_AUDIT + "?date_from=2025-03-10&date_to=2025-03-01&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "There is a problem" in response.content.decode()


def test_it_shows_an_error_summary_for_a_date_that_is_not_a_date(world, client_for):
    response = client_for(world["admin"]).get(ORG_AUDIT + "?date_from=31/02/2025")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


# --- the site-wide log


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_site_log_only_to_staff(world, client_for, persona):
    response = client_for(world[persona]).get("/audit/")
    expected = {"anonymous": 302, "staff": 200}.get(persona, 403)
    assert response.status_code == expected


def test_it_lists_every_organisations_events_in_the_site_log(world, client_for):
    event(world.org_a, object_repr="Alice in Wealden")
    event(world.org_b, object_repr="Bob in Lambeth")
    event(None, object_repr="Site-wide thing")
    html = client_for(world["staff"]).get("/audit/").content.decode()
    for text in (
        "Alice in Wealden",
        "Bob in Lambeth",
        "Site-wide thing",
        "London Borough of Lambeth",
    ):
        assert text in html
    rows = csv_rows(client_for(world["staff"]).get("/audit/?format=csv"))
    assert len(rows) == 4


# --- query counts do not grow with the rows


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # the rows are read while streaming
    assert response.status_code == 200
    return len(captured)


def _events(organisations, count: int, start: int = 0) -> None:
    at = timezone.make_aware(datetime(2025, 1, 1, 9, 0))
    for i in range(start, start + count):
        org = organisations[i % len(organisations)]
        event(
            org,
            action=f"test.event{i}",
            actor_label=f"Person {i}",
            object_repr=f"Thing {i}",
            at=at + timedelta(minutes=i),
        )


@pytest.mark.parametrize("url", [ORG_AUDIT, "/audit/", ORG_AUDIT + "?format=csv"])
def test_it_lists_audit_events_in_a_constant_number_of_queries(
    world, client_for, django_assert_num_queries, url
):
    client = client_for(world["staff"] if url.startswith("/audit/") else world["admin"])
    orgs = [world.org_a] if url.startswith(ORG_AUDIT) else [world.org_a, world.org_b]
    _events(orgs, 5)
    with_five = _queries(client, url)
    _events(orgs, 25, start=5)
    with django_assert_num_queries(with_five):
        response = client.get(url)
        if response.streaming:
            assert len(csv_rows(response)) == 31
        else:
            assert "30 entries" in response.content.decode()


def test_it_lists_the_outbox_in_a_constant_number_of_queries(
    world, client_for, settings, django_assert_num_queries
):
    settings.DEBUG = True
    client = client_for(world["staff"])

    def messages(count: int) -> None:
        for i in range(count):
            Message.objects.create(
                channel="email", recipient=f"p{i}@example.org", template="invitation"
            )

    messages(5)
    with_five = _queries(client, "/outbox/")
    messages(25)
    with django_assert_num_queries(with_five):
        response = client.get("/outbox/")
    assert response.content.decode().count("p1@example.org") >= 1
    assert response.content.decode().count('href="/outbox/') >= 30
