"""The nightly-job examples in docs/api.md, run as written against a live server: the
Python `push_month` function and the `curl` script push a month of figures with a
measures:write key, and a read-only key is refused."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from tests.api.support import key_for
from whatworks.measures import services
from whatworks.measures.models import Observation

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _block(language: str, containing: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)
    (block,) = [b for b in blocks if containing in b]
    return block


@pytest.fixture
def metric(world):
    return services.metric_create(
        organisation=world.org_a,
        actor=world["analyst"],
        name="Missed bin collections",
        kind="count",
        unit="collections",
        direction="lower",
        definition="Missed collections reported each day",
        visibility="public",
    )


def _month_so_far() -> dict[date, float]:
    today = timezone.localdate()
    return {date(today.year, today.month, d): float(30 + d) for d in range(1, today.day + 1)}


@pytest.fixture
def api(live_server, transactional_db) -> str:
    return f"{live_server.url}/api"


def test_the_python_example_pushes_a_month_and_a_read_only_key_is_refused(
    api, world, metric, tmp_path
):
    # The block, saved as the council would save it, imported as a module.
    module_file = tmp_path / "nightly_figures.py"
    module_file.write_text(_block("python", "def push_month"))
    spec = importlib.util.spec_from_file_location("nightly_figures", module_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    push_month = module.push_month
    figures = _month_so_far()
    writer = key_for(world.org_a, "measures:write", name="Waste round system")

    answer = push_month(api, writer, metric.pk, figures, unit="collections")
    assert answer == {"metric": metric.pk, "created": len(figures), "replaced": 0, "unchanged": 0}
    stored = dict(Observation.objects.filter(metric=metric).values_list("period_start", "value"))
    assert stored == figures

    # The next night: the same month again changes nothing.
    again = push_month(api, writer, metric.pk, figures, unit="collections")
    assert again["unchanged"] == len(figures) and again["created"] == 0

    reader = key_for(world.org_a, "read", name="Dashboard")
    with pytest.raises(RuntimeError, match="measures:write"):
        push_month(api, reader, metric.pk, figures)


def test_the_curl_example_pushes_a_month_and_a_read_only_key_is_refused(
    api, world, metric, tmp_path
):
    script = tmp_path / "nightly.sh"
    script.write_text(_block("sh", "curl"))
    figures = _month_so_far()
    (tmp_path / "figures.json").write_text(
        json.dumps(
            {
                "observations": [
                    {"period_start": d.isoformat(), "value": v, "unit": "collections"}
                    for d, v in figures.items()
                ]
            }
        )
    )

    def run(key: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "WW_API": api, "WW_KEY": key, "METRIC_ID": str(metric.pk)}
        return subprocess.run(
            ["sh", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )

    done = run(key_for(world.org_a, "measures:write", name="Waste round system"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["created"] == len(figures)
    assert Observation.objects.filter(metric=metric).count() == len(figures)

    refused = run(key_for(world.org_a, "read", name="Dashboard"))
    assert refused.returncode != 0
    assert "measures:write" in json.loads(refused.stdout)["title"]
