"""Metric pages: who sees what, defining and changing metrics, charts, and query counts."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

import pytest

from tests.conftest import PERSONAS
from tests.measures.conftest import make_metric
from whatworks.core.models import AuditEvent
from whatworks.measures.models import Metric, Observation

MEMBERS_OF_A = ["admin", "officer", "analyst", "frontline", "volunteer"]
# Who sees a metric of organisation A at each visibility (everyone else gets a 404).
SEEN_BY = {
    "private": set(MEMBERS_OF_A),
    "peers": {*MEMBERS_OF_A, "outsider"},
    "public": set(PERSONAS),
}


def add_figures(metric: Metric, n: int, organisation=None, start: date = date(2015, 1, 1)) -> None:
    Observation.objects.bulk_create(
        Observation(
            metric=metric,
            organisation=organisation or metric.organisation,
            period_start=start + timedelta(days=31 * i),
            value=40 - i * 0.5 if metric.kind != "proportion" else 0.3 + i / (4 * n),
        )
        for i in range(n)
    )


@pytest.fixture
def metrics(world) -> dict[str, Metric]:
    return {
        v: make_metric(world, name=f"A {v} metric", visibility=v)
        for v in ("private", "peers", "public")
    }


@pytest.mark.parametrize("visibility", ["private", "peers", "public"])
def test_it_shows_a_metric_only_to_those_who_may_see_it(
    client_for, world, metrics, visibility
) -> None:
    metric = metrics[visibility]
    add_figures(metric, 3)
    for persona in PERSONAS:
        client = client_for(world[persona])
        seen = persona in SEEN_BY[visibility]
        for url in (
            f"/measures/{metric.pk}/",
            f"/measures/{metric.pk}/figures/",
            f"/measures/{metric.pk}/chart.svg",
            f"/api/metrics/{metric.pk}",
            f"/api/metrics/{metric.pk}/observations",
        ):
            status = client.get(url).status_code
            assert status == (200 if seen else 404), (persona, url, status)
        listed = metric.name in client.get("/measures/").content.decode()
        api_names = [m["name"] for m in client.get("/api/metrics").json()["items"]]
        assert listed == seen == (metric.name in api_names), persona


def test_it_lets_analysts_define_a_metric(client_for, world) -> None:
    client = client_for(world["analyst"])
    response = client.post(
        "/measures/new/",
        {
            "name": "Falls per 1,000 bed days",
            "kind": "count",
            "unit": "falls",
            "direction": "lower",
            "rate_per": "1000",
            "definition": "Falls recorded on the ward.",
            "source": "Datix",
            "visibility": "public",
        },
    )
    metric = Metric.objects.get()
    assert response["Location"] == f"/measures/{metric.pk}/"
    assert (metric.organisation, metric.rate_per, metric.created_by) == (
        world.org_a,
        1000,
        world["analyst"],
    )
    assert AuditEvent.objects.filter(action="metric.created", object_id=str(metric.pk)).exists()


def test_it_shows_errors_in_a_summary_when_defining_a_metric(client_for, world, metric) -> None:
    client = client_for(world["officer"])
    response = client.post(
        "/measures/new/", {"name": metric.name.upper(), "kind": "mean", "rate_per": "1"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in text and "govuk-error-summary" in text
    for message in (
        "Enter the unit, such as days or visits",
        "Select which way is better",
        "Enter a definition: exactly what is counted",
    ):
        assert message in text
    assert Metric.objects.count() == 1


def test_it_refuses_a_duplicate_name_in_the_same_organisation(client_for, world, metric):
    response = client_for(world["officer"]).post(
        "/measures/new/",
        {
            "name": metric.name.upper(),
            "kind": "mean",
            "unit": "days",
            "direction": "lower",
            "rate_per": "1",
            "definition": "x",
            "visibility": "private",
        },
    )
    assert "already has a metric called" in response.content.decode()
    assert Metric.objects.count() == 1


def test_it_fixes_what_figures_mean_once_there_are_some(client_for, world, metric) -> None:
    add_figures(metric, 2)
    client = client_for(world["analyst"])
    data = {
        "name": "Renamed",
        "kind": "proportion",
        "unit": "days",
        "direction": "lower",
        "rate_per": "1",
        "definition": "Changed",
        "source": "Housing system",
        "visibility": "public",
    }
    response = client.post(f"/measures/{metric.pk}/edit/", data)
    assert "cannot change" in response.content.decode()
    metric.refresh_from_db()
    assert (metric.name, metric.kind) != ("Renamed", "proportion")

    data["kind"] = "mean"
    assert client.post(f"/measures/{metric.pk}/edit/", data).status_code == 302
    metric.refresh_from_db()
    assert (metric.name, metric.visibility, metric.definition) == ("Renamed", "public", "Changed")
    assert AuditEvent.objects.get(action="metric.updated").detail["fields"] == [
        "definition",
        "name",
        "visibility",
    ]


def test_it_lets_only_the_owners_analysts_change_a_metric(client_for, world, metric) -> None:
    for persona, status in [
        ("admin", 200),
        ("officer", 200),
        ("analyst", 200),
        ("frontline", 403),
        ("volunteer", 403),
        ("outsider", 403),
    ]:
        assert client_for(world[persona]).get(f"/measures/{metric.pk}/edit/").status_code == status


def _svg(response) -> ElementTree.Element:
    assert response["Content-Type"] == "image/svg+xml"
    # Our own server's output, parsed to prove it is well-formed XML.
    return ElementTree.fromstring(response.content)  # noqa: S314


def test_it_draws_a_chart_that_is_safe_valid_svg(client_for, world, metric) -> None:
    add_figures(metric, 12)
    add_figures(metric, 10, organisation=world.org_b)
    Observation.objects.filter(metric=metric).update(label="<script>alert(1)</script> $\\frac$")
    response = client_for(world["officer"]).get(f"/measures/{metric.pk}/chart.svg")
    root = _svg(response)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.get("role") == "img" and "Line chart of" in root.get("aria-label")
    assert root.find(f"{ns}title").text.startswith("Line chart of")
    elements = list(root.iter())
    assert not [e for e in elements if e.tag.endswith("script")]
    assert not [
        (e.tag, name) for e in elements for name in e.attrib if name.lower().startswith("on")
    ]
    assert b"<script" not in response.content
    assert b"Arial" in response.content
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"London Borough of Lambeth" in response.content  # B's own figures for A's metric


def test_it_draws_only_the_charted_metrics_figures(client_for, world, metric) -> None:
    add_figures(metric, 12)
    add_figures(metric, 10, organisation=world.org_b)
    other = make_metric(world, name="x", organisation=world.org_b, actor=world["outsider"])
    add_figures(other, 5, start=date(2030, 1, 1))  # periods no figure of `metric` has
    root = _svg(client_for(world["officer"]).get(f"/measures/{metric.pk}/chart.svg"))
    label = root.get("aria-label")
    # A's 12 periods (B's 10 fall on the same months); the other metric's 2030s are absent.
    assert "12 periods from 01/01/2015 to " in label
    assert "2030" not in label and "2031" not in label
    assert "Wealden District Council" in label and "London Borough of Lambeth" in label


def test_it_answers_not_modified_until_the_figures_change(client_for, world, metric) -> None:
    add_figures(metric, 3)
    client = client_for(world["officer"])
    url = f"/measures/{metric.pk}/chart.svg"
    first = client.get(url)
    etag = first["ETag"]
    assert first["Last-Modified"] and "private" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    add_figures(metric, 1, start=date(2030, 1, 1))
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_it_draws_an_empty_chart_for_a_metric_with_no_figures(client_for, world, metric):
    root = _svg(client_for(world["officer"]).get(f"/measures/{metric.pk}/chart.svg"))
    assert "no figures yet" in root.get("aria-label")


def test_it_puts_a_data_table_beside_the_chart(client_for, world, proportion) -> None:
    add_figures(proportion, 3)
    html = client_for(None if proportion.visibility == "public" else world["officer"]).get(
        f"/measures/{proportion.pk}/"
    )
    text = html.content.decode()
    assert f'src="/measures/{proportion.pk}/chart.svg"' in text
    assert 'alt="Line chart of Tenants in touch within 21 days' in text
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--s" id="figures-caption">'
        in (text)
    )
    assert "30.0%" in text  # proportions are shown as percentages
    assert '<div class="app-table-scroll">' in text


def test_it_charts_only_the_latest_periods(client_for, world, metric) -> None:
    add_figures(metric, 80)
    text = client_for(world["officer"]).get(f"/measures/{metric.pk}/").content.decode()
    assert "show the latest 60 periods" in text


@pytest.mark.parametrize("n", [1, 30])
def test_it_lists_metrics_in_constant_queries(
    client_for, world, django_assert_max_num_queries, n
) -> None:
    for i in range(n):
        add_figures(make_metric(world, name=f"Metric {i}", visibility="public"), 2)
    client = client_for(world["officer"])
    with django_assert_max_num_queries(8):
        assert client.get("/measures/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/metrics").status_code == 200


@pytest.mark.parametrize("n", [1, 120])
def test_it_lists_figures_in_constant_queries(
    client_for, world, metric, django_assert_max_num_queries, n
) -> None:
    add_figures(metric, n)
    add_figures(metric, n, organisation=world.org_b)
    client = client_for(world["officer"])
    for url in (
        f"/measures/{metric.pk}/figures/",
        f"/measures/{metric.pk}/",
        f"/api/metrics/{metric.pk}/observations",
        f"/api/metrics/{metric.pk}",
    ):
        with django_assert_max_num_queries(9):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/measures/{metric.pk}/chart.svg").status_code == 200


def test_it_previews_an_upload_in_constant_queries(
    client_for, world, metric, upload, django_assert_max_num_queries
) -> None:
    from tests.measures.conftest import csv_file

    rows = "".join(f"{date(2000, 1, 1) + timedelta(days=i)},{i}\n" for i in range(500))
    response = upload(csv_file("period_start,value\n" + rows), metric)
    client = client_for(world["analyst"])
    with django_assert_max_num_queries(10):
        assert client.get(response["Location"]).status_code == 200


def test_the_chart_axis_separates_thousands_and_names_its_unit(client_for, world, metric):
    Observation.objects.bulk_create(
        Observation(
            metric=metric,
            organisation=metric.organisation,
            period_start=date(2015, 1, 1) + timedelta(days=31 * i),
            value=12000 + 500 * i,
        )
        for i in range(6)
    )
    svg = client_for(world["officer"]).get(f"/measures/{metric.pk}/chart.svg").content.decode()
    assert "12,000" in svg or "13,000" in svg
    assert ">12000<" not in svg and ">13000<" not in svg
    assert metric.axis_label in svg
