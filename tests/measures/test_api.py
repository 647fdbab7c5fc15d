"""The measures API: the same visibility as the pages, paginated, problems as JSON."""

from __future__ import annotations

from datetime import date

from tests.measures.conftest import make_metric
from tests.measures.test_pages import add_figures


def test_it_gives_a_metric_with_its_figures_a_page_at_a_time(client_for, world, proportion):
    add_figures(proportion, 120)
    client = client_for(world["outsider"])
    body = client.get(f"/api/metrics/{proportion.pk}").json()
    assert body["name"] == "Tenants in touch within 21 days"
    assert (body["kind"], body["direction"], body["organisation"]) == (
        "proportion",
        "higher",
        "wealden",
    )
    assert body["figure_count"] == 120
    assert body["observations_url"].endswith(f"/api/metrics/{proportion.pk}/observations")

    page = client.get(f"/api/metrics/{proportion.pk}/observations?page_size=50&page=3").json()
    assert page["count"] == 120 and len(page["items"]) == 20
    newest = client.get(f"/api/metrics/{proportion.pk}/observations").json()["items"][0]
    assert newest["period_start"] > "2024-01-01" and 0 <= newest["value"] <= 1
    assert newest["organisation"] == "wealden"


def test_it_filters_metrics_by_kind_and_words(client_for, world, metric, proportion) -> None:
    client = client_for(world["officer"])
    names = [m["name"] for m in client.get("/api/metrics?kind=proportion").json()["items"]]
    assert names == [proportion.name]
    names = [m["name"] for m in client.get("/api/metrics?q=from+arrears").json()["items"]]
    assert names == [metric.name]


def test_it_answers_problems_as_json(client_for, world) -> None:
    private = make_metric(world, visibility="private")
    client = client_for(world["outsider"])
    response = client.get(f"/api/metrics/{private.pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    bad = client.get("/api/metrics?kind=nonsense")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.kind"
    assert client.get("/api/metrics/0").status_code == 422


def test_it_reads_figures_with_a_machine_key(client, world, metric) -> None:
    from whatworks.organisations import services

    add_figures(metric, 2, start=date(2020, 1, 1))
    private = make_metric(world, name="Private one", visibility="private")
    _, raw = services.api_key_create(
        organisation=world.org_b, name="Import", scope="read", actor=world["outsider"]
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"/api/metrics/{metric.pk}/observations", **headers).status_code == 200
    assert client.get(f"/api/metrics/{private.pk}", **headers).status_code == 404
