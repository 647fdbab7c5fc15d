"""Permission-matrix entries for the API's writes and the jobs they start. They take only an
organisation's API key with the operation's scope (tests/api covers keys, scopes and
organisations): a browser session, signed in or not, is refused with 401 whatever the
person's role."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix.support import Entry, expect

KEYS_ONLY = expect(401)


def _ids(w: World) -> dict[str, Any]:
    from tests.trials.test_app_fixtures import initiative_for, trial_for
    from whatworks.measures import services as measures

    if not hasattr(w, "api_ids"):
        initiative = initiative_for(w)
        trial = trial_for(w, initiative)
        metric = measures.metric_create(
            organisation=w.org_a,
            actor=w["analyst"],
            name="Missed collections",
            kind="count",
            unit="collections",
            direction="lower",
            definition="Reported missed collections",
            visibility="peers",
        )
        w.api_ids = {
            "initiative": initiative.pk,
            "goal": initiative.goals.get().pk,
            "trial": trial.pk,
            "metric": metric.pk,
        }
    return w.api_ids


ENTRIES: dict[str, Entry] = {
    "api:create_initiative": Entry(KEYS_ONLY, method="post"),
    "api:update_initiative": Entry(
        KEYS_ONLY, lambda w: {"id": _ids(w)["initiative"]}, method="patch"
    ),
    "api:add_goal": Entry(KEYS_ONLY, lambda w: {"id": _ids(w)["initiative"]}, method="post"),
    "api:update_goal": Entry(
        KEYS_ONLY,
        lambda w: {"id": _ids(w)["initiative"], "goal_id": _ids(w)["goal"]},
        method="patch",
    ),
    "api:record_result": Entry(
        KEYS_ONLY,
        lambda w: {"id": _ids(w)["initiative"], "goal_id": _ids(w)["goal"]},
        method="post",
    ),
    "api:post_metric_observations": Entry(
        KEYS_ONLY, lambda w: {"id": _ids(w)["metric"]}, method="post"
    ),
    "api:post_trial_outcomes": Entry(KEYS_ONLY, lambda w: {"id": _ids(w)["trial"]}, method="post"),
    # Reading a job an API key started takes a key too: sessions never see it.
    "api:get_outcomes_job": Entry(KEYS_ONLY, lambda w: {"id": _ids(w)["trial"], "job_id": 1}),
}
