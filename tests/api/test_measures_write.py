"""POST /api/metrics/{id}/observations: a key with measures:write sends many periods' figures
for its own organisation's metric, all or nothing, with row-by-row problems."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.api.support import bearer, key_for
from whatworks.core.models import AuditEvent
from whatworks.measures import services
from whatworks.measures.models import Observation

URL = "/api/metrics/{}/observations"


@pytest.fixture
def metric(world):
    return services.metric_create(
        organisation=world.org_a,
        actor=world["analyst"],
        name="Missed bin collections",
        kind="count",
        unit="collections",
        direction="lower",
        definition="Reported missed collections per 1,000 collections",
        rate_per=1000,
        visibility="public",
    )


@pytest.fixture
def writer(world):
    return key_for(world.org_a, "read", "measures:write", name="Waste round system")


def months(n: int, start: date = date(2025, 1, 1)) -> list[date]:
    out, year, month = [], start.year, start.month
    for _ in range(n):
        out.append(date(year, month, 1))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def post(client, metric, raw, body, **headers):
    return client.post(
        URL.format(metric.pk),
        data=json.dumps(body),
        content_type="application/json",
        **bearer(raw),
        **headers,
    )


def rows(values, start=date(2025, 1, 1)):
    return [
        {"period_start": d.isoformat(), "value": v}
        for d, v in zip(months(len(values), start), values, strict=True)
    ]


def test_it_writes_every_row_and_says_how_many(client, metric, writer):
    response = post(client, metric, writer, {"observations": rows([3.5, 4.0, 2.25])})
    assert response.status_code == 200, response.content
    assert response.json() == {"metric": metric.pk, "created": 3, "replaced": 0, "unchanged": 0}
    stored = list(metric.observations.order_by("period_start").values_list("value", flat=True))
    assert stored == [3.5, 4.0, 2.25]
    assert all(o.organisation_id == metric.organisation_id for o in metric.observations.all())


def test_a_ratio_gives_the_value(client, metric, writer):
    body = {"observations": [{"period_start": "2025-01-01", "numerator": 7, "denominator": 2000}]}
    assert post(client, metric, writer, body).status_code == 200
    assert metric.observations.get().value == pytest.approx(3.5)  # per 1,000


def test_the_write_is_audited_with_the_keys_name(client, metric, writer):
    post(client, metric, writer, {"observations": rows([1, 2])})
    event = AuditEvent.objects.get(action="observations.posted")
    assert "Waste round system" in event.api_key_label
    assert event.actor is None
    assert event.detail["created"] == 2
    assert event.organisation_id == metric.organisation_id


def test_row_problems_name_row_and_field_and_nothing_is_written(client, metric, writer):
    future = (timezone.localdate() + timedelta(days=40)).replace(day=1)
    body = {
        "observations": [
            {"period_start": "2025-01-01", "value": 3},
            {"period_start": "2025-02-01", "value": -1},
            {"period_start": future.isoformat(), "value": 2},
            {"period_start": "2025-03-01", "value": 2, "unit": "tonnes"},
        ]
    }
    response = post(client, metric, writer, body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["type"] and problem["title"]
    where = {(e["row"], e["field"]) for e in problem["errors"]}
    assert where == {(1, "value"), (2, "period_start"), (3, "unit")}
    assert "future" in next(e for e in problem["errors"] if e["row"] == 2)["message"]
    assert "collections" in next(e for e in problem["errors"] if e["row"] == 3)["message"]
    assert not Observation.objects.exists()


def test_a_badly_typed_row_is_named_by_row_and_field(client, metric, writer):
    body = {"observations": [{"period_start": "2025-01-01", "value": 1}, {"period_start": "soon"}]}
    response = post(client, metric, writer, body)
    assert response.status_code == 422
    assert {"row": 1, "field": "period_start"}.items() <= response.json()["errors"][0].items()


def test_a_period_twice_with_different_figures_is_refused(client, metric, writer):
    body = {
        "observations": [
            {"period_start": "2025-01-01", "value": 3},
            {"period_start": "2025-01-01", "value": 4},
        ]
    }
    response = post(client, metric, writer, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 1
    assert not Observation.objects.exists()


def test_a_different_figure_for_a_recorded_period_needs_replace(client, metric, writer):
    assert post(client, metric, writer, {"observations": rows([3, 4])}).status_code == 200
    again = post(client, metric, writer, {"observations": rows([3, 5])})
    assert again.status_code == 422
    assert again.json()["errors"][0]["row"] == 1
    assert "replace" in again.json()["errors"][0]["message"]
    assert sorted(metric.observations.values_list("value", flat=True)) == [3, 4]

    replaced = post(client, metric, writer, {"observations": rows([3, 5]), "replace": True})
    assert replaced.json() == {"metric": metric.pk, "created": 0, "replaced": 1, "unchanged": 1}
    assert sorted(metric.observations.values_list("value", flat=True)) == [3, 5]
    event = AuditEvent.objects.filter(action="observations.posted").latest("pk")
    assert event.detail["replace"] is True
    assert event.detail["replaced_periods"] == ["2025-02-01"]


def test_the_same_figures_again_change_nothing(client, metric, writer):
    post(client, metric, writer, {"observations": rows([3, 4])})
    again = post(client, metric, writer, {"observations": rows([3, 4])})
    assert again.json() == {"metric": metric.pk, "created": 0, "replaced": 0, "unchanged": 2}


def test_an_idempotency_key_gives_the_first_answer_again(client, metric, writer):
    body = {"observations": rows([3, 4])}
    first = post(client, metric, writer, body, HTTP_IDEMPOTENCY_KEY="nightly-2025-02")
    # Someone else's figure arrives in between: a retry must not see or change it.
    Observation.objects.filter(period_start="2025-01-01").update(value=9)
    retry = post(client, metric, writer, body, HTTP_IDEMPOTENCY_KEY="nightly-2025-02")
    assert retry.status_code == first.status_code == 200
    assert (
        retry.json()
        == first.json()
        == {
            "metric": metric.pk,
            "created": 2,
            "replaced": 0,
            "unchanged": 0,
        }
    )
    assert retry["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.filter(action="observations.posted").count() == 1


def test_an_idempotency_key_with_a_different_body_is_refused(client, metric, writer):
    post(client, metric, writer, {"observations": rows([3])}, HTTP_IDEMPOTENCY_KEY="k1")
    other = post(client, metric, writer, {"observations": rows([4])}, HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert list(metric.observations.values_list("value", flat=True)) == [3]


def test_another_organisations_metric_is_not_found_even_when_public(client, world, metric):
    raw = key_for(world.org_b, "read", "measures:write")
    seen = client.get(f"/api/metrics/{metric.pk}", **bearer(raw))
    assert seen.status_code == 200  # public: B may read it...
    response = post(client, metric, raw, {"observations": rows([1])})
    assert response.status_code == 404  # ...but not write to it
    missing = client.post(
        URL.format(metric.pk + 1000),
        data=json.dumps({"observations": rows([1])}),
        content_type="application/json",
        **bearer(raw),
    )
    assert missing.status_code == 404
    assert missing.json()["detail"] == response.json()["detail"]  # no existence leak
    assert not Observation.objects.exists()


def test_a_read_only_key_is_refused_with_a_problem_naming_the_scope(client, world, metric):
    raw = key_for(world.org_a, "read")
    response = post(client, metric, raw, {"observations": rows([1])})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "measures:write" in response.json()["title"]
    assert not Observation.objects.exists()


def test_a_signed_in_person_cannot_write_through_the_api(client_for, world, metric):
    client = client_for(world["analyst"])
    response = client.post(
        URL.format(metric.pk),
        data=json.dumps({"observations": rows([1])}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Observation.objects.exists()
