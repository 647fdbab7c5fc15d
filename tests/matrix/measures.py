"""Permission-matrix entries for measures: metrics follow their visibility; the owner's
admins, officers and analysts define them; anyone who records figures may upload."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix.support import MEMBERS_OF_A, Entry, expect, signed_in

RECORDERS = {"admin": 200, "officer": 200, "analyst": 200}
# A metric of organisation A shared with peers: members of any organisation see it.
SEEN = {p: 200 for p in [*MEMBERS_OF_A, "outsider"]}


def _metric(w: World) -> Any:
    from whatworks.measures import services

    if not hasattr(w, "metric"):
        w.metric = services.metric_create(
            organisation=w.org_a,
            actor=w["analyst"],
            name="Days to first contact",
            kind="mean",
            unit="days",
            direction="lower",
            definition="Days from letter to contact",
            visibility="peers",
        )
    return w.metric


def _metric_pk(w: World) -> dict[str, Any]:
    return {"pk": _metric(w).pk}


def _metric_id(w: World) -> dict[str, Any]:
    return {"id": _metric(w).pk}


def _staged(w: World) -> dict[str, Any]:
    from whatworks.measures import services

    staged = services.import_stage(
        organisation=w.org_a,
        actor=w["analyst"],
        content=b"period_start,value\n2017-01-01,40\n",
        filename="figures.csv",
        metric=_metric(w),
        on_duplicate="replace",  # so that each fresh upload can be confirmed again
    )
    return {"token": staged.pk}


ENTRIES: dict[str, Entry] = {
    "metric-list": Entry(expect(200)),
    "metric-detail": Entry(expect(404, **SEEN), _metric_pk),
    "metric-chart": Entry(expect(404, **SEEN), _metric_pk),
    "metric-observations": Entry(expect(404, **SEEN), _metric_pk),
    # Outsider: an admin of organisation B, defining metrics and uploading for B.
    "metric-new": Entry(signed_in(403, **RECORDERS, outsider=200)),
    "metric-edit": Entry(signed_in(403, **RECORDERS, moderator=404, staff=404), _metric_pk),
    "observation-import": Entry(signed_in(403, **RECORDERS, outsider=200)),
    # A staged upload is seen only by the person who made it (here, the analyst).
    "observation-import-preview": Entry(signed_in(404, analyst=200), _staged),
    "observation-import-confirm": Entry(
        signed_in(404, analyst=302), _staged, method="post", fresh_state_per_persona=True
    ),
    "api:list_metrics": Entry(expect(200)),
    "api:get_metric": Entry(expect(404, **SEEN), _metric_id),
    "api:list_metric_observations": Entry(expect(404, **SEEN), _metric_id),
}
