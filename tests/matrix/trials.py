"""Permission-matrix entries for the trials app.

The trial belongs to an initiative of organisation A shared with peers: whoever cannot see
the initiative gets a 404. Editors of A (admin, officer, analyst) change the trial and see the
allocation list (personal data); everyone who can see the initiative sees the aggregate results.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix.support import MEMBERS_OF_A, Entry, expect, only

EDITORS_OF_A = ["admin", "officer", "analyst"]
NOT_SEEN = {"moderator": 404, "staff": 404}
SEEN = {p: 200 for p in [*MEMBERS_OF_A, "outsider"]}


def editors(allowed: int) -> dict[str, int]:
    return {**only(EDITORS_OF_A, allowed), **NOT_SEEN}


def viewers() -> dict[str, int]:
    return expect(404, **SEEN)


def _trial(w: World) -> Any:
    """An allocated trial with its plan locked and outcomes uploaded (analysis date passed)."""
    from tests.trials.test_app_fixtures import (
        allocated,
        initiative_for,
        locked,
        outcomes_for,
        trial_for,
    )
    from whatworks.trials import services

    if not hasattr(w, "trial"):
        trial = allocated(w, trial_for(w, initiative_for(w)), 40)
        locked(w, trial)
        services.outcomes_import(trial=trial, actor=w["analyst"], raw=outcomes_for(trial))
        trial.refresh_from_db()
        w.trial = trial
    return w.trial


def _pk(w: World) -> dict[str, Any]:
    return {"pk": _trial(w).pk}


def _series_pk(w: World) -> dict[str, Any]:
    """A before-and-after trial with its plan locked and a series imported."""
    from tests.trials.test_app_fixtures import series_trial

    if not hasattr(w, "series_trial"):
        w.series_trial = series_trial(w)
    return {"pk": w.series_trial.pk}


def _initiative_pk(w: World) -> dict[str, Any]:
    return {"pk": _trial(w).initiative_id}


def _upload(kind: str) -> Any:
    def make(w: World) -> dict[str, Any]:
        from tests.trials.test_app_fixtures import units_file
        from whatworks.trials.models import PendingUpload

        trial = _trial(w)
        upload = PendingUpload.objects.create(
            trial=trial, kind=kind, filename="f.csv", content=units_file(4), rows=4
        )
        return {"pk": trial.pk, "upload_id": upload.pk}

    return make


ENTRIES: dict[str, Entry] = {
    "trial-list": Entry(viewers(), _initiative_pk),
    "trial-new": Entry(editors(200), _initiative_pk),
    # Nothing pooled yet (one council, no replications): the chart does not exist.
    "trial-pooled-forest": Entry(expect(404), _initiative_pk),
    "trial-detail": Entry(viewers(), _pk),
    "trial-edit": Entry(editors(200), _pk),
    "trial-power": Entry(viewers(), _pk),
    "trial-plan": Entry(editors(200), _pk),
    "trial-stop": Entry(editors(200), _pk),
    "trial-units": Entry(editors(200), _pk),
    "trial-units-confirm": Entry(editors(200), _upload("units")),
    "trial-allocation": Entry(editors(200), _pk),
    "trial-allocation-export": Entry(editors(200), lambda w: {**_pk(w), "fmt": "csv"}),
    "trial-outcomes": Entry(editors(200), _pk),
    "trial-outcomes-confirm": Entry(editors(200), _upload("outcomes")),
    "trial-results": Entry(viewers(), _pk),
    "trial-results-chart": Entry(viewers(), _pk),
    "trial-results-export": Entry(viewers(), lambda w: {**_pk(w), "fmt": "json"}),
    "trial-verdict": Entry(editors(302), _pk, method="post"),
    "trial-series": Entry(editors(200), _series_pk),
    "trial-series-results": Entry(viewers(), _series_pk),
    "trial-series-chart": Entry(viewers(), _series_pk),
}
