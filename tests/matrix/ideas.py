"""Permission-matrix entries for staff ideas.

The campaign belongs to organisation A and is in its "discuss and vote" phase: members of A
(any role) see it and take part; its admins, officers and analysts organise it and, with the
panel, review it. Nobody else sees it (404): not organisation B, not moderators, not site
staff. Join-code participants are tested in tests/ideas (they are not a persona here).
"""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix.support import LOGIN, MEMBERS_OF_A, Entry, expect, only, signed_in

ORGANISERS = ["admin", "officer", "analyst"]
HIDDEN = {"outsider": 404, "moderator": 404, "staff": 404}
MEMBERS = {p: 200 for p in MEMBERS_OF_A}


def members(status: int = 200) -> dict[str, int]:
    return expect(404, **{p: status for p in MEMBERS_OF_A})


def organisers(status: int = 200) -> dict[str, int]:
    return {**only(ORGANISERS, status), **HIDDEN}


def _campaign(w: World) -> Any:
    from tests.ideas.support import campaign_for

    if not hasattr(w, "campaign"):
        w.campaign = campaign_for(w)
    return w.campaign


def _pk(w: World) -> dict[str, Any]:
    return {"pk": _campaign(w).pk}


def _id(w: World) -> dict[str, Any]:
    return {"id": _campaign(w).pk}


def _idea(w: World) -> dict[str, Any]:
    from tests.ideas.support import idea_by

    if not hasattr(w, "idea"):
        w.idea = idea_by(w, "officer", _campaign(w))
    return {"pk": _campaign(w).pk, "idea_pk": w.idea.pk}


def _metric(w: World, name: str) -> Any:
    from whatworks.measures import services

    return services.metric_create(
        organisation=w.org_a,
        actor=w["analyst"],
        name=name,
        kind="count",
        unit="£",
        direction="lower",
        definition="Spending on collections by month",
        visibility="private",
    )


def _pack_item(w: World) -> dict[str, Any]:
    from whatworks.ideas import services
    from whatworks.measures.models import Metric

    campaign = _campaign(w)
    metric = _metric(w, f"Spend {Metric.objects.count()}")
    item = services.pack_add(campaign=campaign, metric=metric, note="", actor=w["analyst"])
    return {"pk": campaign.pk, "item_id": item.pk}


def _staged(w: World) -> dict[str, Any]:
    """An upload of figures for a pack metric by the analyst (only they may see it)."""
    from whatworks.measures import services

    item = _pack_item(w)
    metric_id = w.campaign.pack_items.get(pk=item["item_id"]).metric_id
    from whatworks.measures.models import Metric

    staged = services.import_stage(
        organisation=w.org_a,
        actor=w["analyst"],
        content=b"period_start,value\n2017-01-01,40\n",
        filename="spend.csv",
        metric=Metric.objects.get(pk=metric_id),
        on_duplicate="replace",
    )
    return {"pk": item["pk"], "token": staged.pk}


UPLOADER = {**organisers(404), "analyst": 200, "frontline": 403, "volunteer": 403}


def _panel_member(w: World) -> dict[str, Any]:
    from tests.factories import UserFactory
    from whatworks.ideas import services

    campaign = _campaign(w)
    person = UserFactory()
    member = services.panel_add(
        campaign=campaign, email=person.email, role="facilitator", actor=w["admin"]
    )
    return {"pk": campaign.pk, "member_id": member.pk}


def _code(w: World) -> dict[str, Any]:
    from whatworks.ideas import services

    campaign = _campaign(w)
    code = services.join_code_create(campaign=campaign, label="Depot", actor=w["admin"])
    return {"pk": campaign.pk, "code_id": code.pk}


def _export(w: World) -> dict[str, Any]:
    return {**_pk(w), "kind": "ideas", "fmt": "csv"}


ENTRIES: dict[str, Entry] = {
    "ideas-home": Entry(expect(200)),
    # Organisation B's admin starts campaigns for B.
    "ideas-campaign-new": Entry(signed_in(403, admin=200, officer=200, analyst=200, outsider=200)),
    "ideas-join": Entry(expect(200)),
    "ideas-campaign": Entry(members(), _pk),
    "ideas-campaign-edit": Entry(organisers(), _pk),
    "ideas-campaign-advance": Entry(organisers(302), _pk, method="post"),
    "ideas-pack": Entry(organisers(), _pk),
    "ideas-pack-upload": Entry(organisers(), _pk),
    "ideas-pack-remove": Entry(
        organisers(302), _pack_item, method="post", fresh_state_per_persona=True
    ),
    "ideas-pack-chart": Entry(members(), _pack_item),
    # Only the person who uploaded a file sees its preview (others on the campaign: 404).
    "ideas-pack-upload-preview": Entry(UPLOADER, _staged),
    "ideas-pack-upload-confirm": Entry(
        UPLOADER | {"analyst": 302}, _staged, method="post", fresh_state_per_persona=True
    ),
    "ideas-panel": Entry(organisers(), _pk),
    "ideas-panel-remove": Entry(
        organisers(302), _panel_member, method="post", fresh_state_per_persona=True
    ),
    "ideas-codes": Entry(organisers(), _pk),
    "ideas-code-withdraw": Entry(
        organisers(302), _code, method="post", fresh_state_per_persona=True
    ),
    "ideas-code-qr": Entry(organisers(), _code),
    "ideas-idea-new": Entry(members(), _pk),
    "ideas-idea": Entry(members(), _idea),
    # Only the idea's author changes it.
    "ideas-idea-edit": Entry(members(403) | {"officer": 200}, _idea),
    # Each member votes once (302 back to the idea); a second vote is tested in tests/ideas.
    "ideas-idea-vote": Entry(members(302), _idea, method="post"),
    "ideas-idea-comment": Entry(members(302), _idea, method="post", data={"body": "Yes!"}),
    "ideas-idea-score": Entry(organisers(), _idea),
    "ideas-idea-shortlist": Entry(organisers(302), _idea, method="post"),
    "ideas-idea-decide": Entry(organisers(), _idea),
    "ideas-idea-merge": Entry(organisers(), _idea),
    "ideas-outcomes": Entry(members(), _pk),
    "ideas-outcomes-all": Entry(signed_in(200)),
    "ideas-live": Entry(organisers(), _pk),
    "ideas-live-data": Entry(organisers(), _pk),
    "ideas-export": Entry(organisers(), _export),
    "api:ideas_list_campaigns": Entry(expect(200)),
    "api:ideas_list_ideas": Entry(members(), _id),
}

PERMISSIONS: set[str] = {
    "ideas.add_campaign",
    "ideas.manage_campaign",
    "ideas.view_campaign",
    "ideas.take_part",
    "ideas.review_campaign",
}

assert LOGIN == 302
