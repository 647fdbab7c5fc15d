"""Fixtures for measures: metrics of organisation A at each visibility, and upload helpers."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import World
from whatworks.measures import services
from whatworks.measures.models import Metric


def make_metric(world: World, **overrides: Any) -> Metric:
    fields: dict[str, Any] = {
        "name": "Days from arrears letter to first contact",
        "kind": "mean",
        "unit": "days",
        "direction": "lower",
        "definition": "Mean days from the first arrears letter to the tenant's first contact.",
        "source": "Housing system",
        "visibility": "peers",
    }
    fields.update(overrides)
    organisation = fields.pop("organisation", world.org_a)
    actor = fields.pop("actor", world["analyst"])
    return services.metric_create(organisation=organisation, actor=actor, **fields)


@pytest.fixture
def metric(world: World) -> Metric:
    return make_metric(world)


@pytest.fixture
def proportion(world: World) -> Metric:
    return make_metric(
        world,
        name="Tenants in touch within 21 days",
        kind="proportion",
        unit="% of tenants",
        direction="higher",
    )


def csv_file(text: str, name: str = "figures.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def upload(client_for: Callable[..., Any], world: World) -> Callable[..., Any]:
    """upload(file, metric=..., on_duplicate=..., as_=persona) -> the response to the upload."""

    def post(
        file: Any, metric: Metric | None = None, on_duplicate: str = "refuse", as_: str = "analyst"
    ) -> Any:
        client = client_for(world[as_])
        data: dict[str, Any] = {
            "organisation": world.org_a.pk,
            "file": file,
            "on_duplicate": on_duplicate,
        }
        if metric is not None:
            data["metric"] = metric.pk
        return client.post("/measures/upload/", data)

    return post
