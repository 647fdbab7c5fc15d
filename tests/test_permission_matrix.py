"""The permission matrix: every URL pattern in the project, every persona, the expected status.

A new URL without an entry here fails `test_it_has_an_entry_for_every_url_pattern`.
Entries are keyed by URL name ("namespace:name"). Each says how to build the URL from
the `world` fixture, which method to use, and the status each persona must get.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS, World
from tests.matrix import APP_ENTRIES
from tests.matrix.support import (
    MEMBERS_OF_A,
    Entry,
    expect,
    only,
    signed_in,
)
from whatworks.organisations import services
from whatworks.organisations.models import Invitation, Role


def _membership(w: World) -> dict[str, Any]:
    return {"slug": w.org_a.slug, "membership_id": w.org_a.memberships.get(role=Role.OFFICER).pk}


def _invitation(w: World) -> dict[str, Any]:
    email = f"new{Invitation.objects.count()}@example.org"
    invitation = services.invitation_create(
        organisation=w.org_a, email=email, role=Role.OFFICER, invited_by=w["admin"]
    )
    return {"slug": w.org_a.slug, "invitation_id": invitation.pk}


def _invitation_token(w: World) -> dict[str, Any]:
    token, token_hash = Invitation.new_token()
    Invitation.objects.create(
        organisation=w.org_a,
        email="invitee@example.org",
        role=Role.VOLUNTEER,
        token_hash=token_hash,
        expires_at="2999-01-01T00:00:00Z",
    )
    return {"token": token}


def _api_key(w: World) -> dict[str, Any]:
    key, _ = services.api_key_create(
        organisation=w.org_a, name="Import", scope="read", actor=w["admin"]
    )
    return {"slug": w.org_a.slug, "key_id": key.pk}


def _job(w: World) -> dict[str, Any]:
    from whatworks.core.models import Job

    job = Job.objects.create(kind="trials.outcomes_check", owner=w["analyst"], status="done")
    return {"pk": job.pk}


def _slug_a(w: World) -> dict[str, Any]:
    return {"slug": w.org_a.slug}


def _officer(w: World) -> dict[str, Any]:
    return {"pk": w["officer"].pk}


PROFILE_SEEN_BY = {p: 200 for p in [*MEMBERS_OF_A, "outsider"]}
EDITORS_OF_A = ["admin", "officer", "analyst"]
# An initiative of organisation A shared with peers: people who cannot see it get a 404.
NOT_SEEN = {"moderator": 404, "staff": 404}


def editors(allowed: int) -> dict[str, int]:
    return {**only(EDITORS_OF_A, allowed), **NOT_SEEN}


def _initiative(w: World) -> Any:
    from whatworks.initiatives import services as register

    if not hasattr(w, "initiative"):
        w.initiative = register.initiative_create(
            organisation=w.org_a,
            actor=w["admin"],
            title="Rent letters",
            summary="Trial",
            service_area="housing",
            visibility="peers",
            collaborations=["public"],
        )
    return w.initiative


def _initiative_pk(w: World) -> dict[str, Any]:
    return {"pk": _initiative(w).pk}


def _goal(w: World) -> dict[str, Any]:
    from whatworks.initiatives import services as register

    initiative = _initiative(w)
    goal = register.goal_add(
        initiative=initiative,
        actor=w["admin"],
        metric_name=f"Days {initiative.goals.count()}",
        unit="days",
        direction="lower",
        baseline_value=46,
        baseline_period="2016",
        target_value=21,
        success_threshold=30,
    )
    return {"pk": initiative.pk, "goal_id": goal.pk}


def _second_result(w: World) -> dict[str, Any]:
    """A goal with a primary result and a second one that could replace it."""
    from tests.initiatives.factories import GoalResultFactory

    ids = _goal(w)
    GoalResultFactory(goal_id=ids["goal_id"], is_primary=True)
    second = GoalResultFactory(goal_id=ids["goal_id"], is_primary=False, value=25)
    return {**ids, "result_id": second.pk}


def _ledger_line(w: World) -> dict[str, Any]:
    from whatworks.initiatives import services as register

    line = register.ledger_line_add(
        initiative=_initiative(w),
        actor=w["admin"],
        kind="cost",
        timing="upfront",
        basis="realised",
        description="Printing",
        amount=100,
    )
    return {"pk": line.initiative_id, "line_id": line.pk}


def _partner(w: World) -> dict[str, Any]:
    from whatworks.initiatives.models import Partner

    initiative = _initiative(w)
    Partner.objects.filter(initiative=initiative).delete()
    partner = Partner.objects.create(initiative=initiative, organisation=w.org_b, part="Data")
    return {"pk": initiative.pk, "partner_id": partner.pk}


def _check(w: World) -> dict[str, Any]:
    from whatworks.initiatives.models import SustainabilityCheck

    check = SustainabilityCheck.objects.create(
        initiative=_initiative(w), months_after=12, due_on="2030-01-01"
    )
    return {"pk": check.pk}


MATRIX: dict[str, Entry] = {
    # Public pages and benchmark references.
    "home": Entry(expect(200)),
    "about": Entry(expect(200)),
    "about-data": Entry(expect(200)),
    "favicon": Entry(expect(301)),
    "floor-text": Entry(expect(200)),
    "floor-layout": Entry(expect(200)),
    "healthz": Entry(expect(200)),
    # A job's page and progress: only the person who started it (here the analyst).
    "job-detail": Entry(only(["analyst"], 200, others=404), _job),
    "job-status": Entry(only(["analyst"], 200, others=404), _job),
    "search": Entry(expect(200), data={"q": "wealden"}),
    "organisation-list": Entry(expect(200)),
    "organisation-detail": Entry(expect(200), _slug_a),
    # Signing in and out.
    "sign-in": Entry(expect(302, anonymous=200)),  # signed-in people are sent on
    "sign-out": Entry(expect(302), method="post"),
    "password-reset": Entry(expect(200)),
    "password-reset-sent": Entry(expect(200)),
    "password-reset-confirm": Entry(expect(200), lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    "password-reset-complete": Entry(expect(200)),
    "invitation-accept": Entry(expect(200), _invitation_token),
    # People: profiles shared with peers are seen by members of any organisation.
    "person-detail": Entry(expect(404, **PROFILE_SEEN_BY), _officer),
    "profile-edit": Entry(signed_in(200)),
    "my-organisation": Entry(signed_in(302, moderator=200, staff=200)),
    # Your organisation: members see it; only its admins change it. Site staff are
    # superusers (Django grants them every permission): they can help any organisation.
    "organisation-manage": Entry(only([*MEMBERS_OF_A, "staff"], 200), _slug_a),
    "organisation-edit": Entry(only(["admin", "staff"], 200), _slug_a),
    "membership-role": Entry(only(["admin", "staff"], 200), _membership),
    "membership-remove": Entry(only(["admin", "staff"], 200), _membership),
    "invitation-new": Entry(only(["admin", "staff"], 200), _slug_a),
    "invitation-revoke": Entry(
        only(["admin", "staff"], 302), _invitation, method="post", fresh_state_per_persona=True
    ),
    "api-key-new": Entry(only(["admin", "staff"], 200), _slug_a),
    "api-key-revoke": Entry(
        only(["admin", "staff"], 302), _api_key, method="post", fresh_state_per_persona=True
    ),
    "organisation-audit-log": Entry(only(["admin", "staff"], 200), _slug_a),
    "site-audit-log": Entry(only(["staff"], 200)),
    # The outbox exists only with DEBUG on (tests run with it off): 404 for everyone signed in.
    "outbox": Entry(signed_in(404)),
    "outbox-message": Entry(signed_in(404), lambda w: {"pk": 1}),
    "outbox-retry": Entry(signed_in(404), lambda w: {"pk": 1}, method="post"),
    # The register: records follow their visibility; the owner's editors change them.
    "initiative-new": Entry(signed_in(200, moderator=403, staff=403)),
    "initiative-detail": Entry(expect(404, **PROFILE_SEEN_BY), _initiative_pk),
    "initiative-edit": Entry(editors(200), _initiative_pk),
    "initiative-status": Entry(editors(200), _initiative_pk),
    "initiative-lessons": Entry(editors(200), _initiative_pk),
    "initiative-replicate": Entry({**only(["outsider"], 200), **NOT_SEEN}, _initiative_pk),
    "goal-new": Entry(editors(200), _initiative_pk),
    "goal-edit": Entry(editors(200), _goal),
    "goal-remove": Entry(editors(302), _goal, method="post", fresh_state_per_persona=True),
    "goal-result": Entry(editors(200), _goal),
    "result-primary": Entry(editors(200), _second_result),
    "ledger-line-new": Entry(editors(200), _initiative_pk),
    "ledger-line-remove": Entry(
        editors(302), _ledger_line, method="post", fresh_state_per_persona=True
    ),
    "partner-new": Entry(editors(200), _initiative_pk),
    "partner-remove": Entry(editors(302), _partner, method="post", fresh_state_per_persona=True),
    "sustainability-answer": Entry(editors(200), _check),
    "decision-list": Entry(only([*MEMBERS_OF_A, "staff"], 200), _slug_a),
    "decision-new": Entry(only([*MEMBERS_OF_A, "staff"], 200), _slug_a),
    # Finding and comparing: open to all; each reader gets only what they may see.
    "initiative-list": Entry(expect(200)),
    "initiative-what-worked": Entry(expect(200)),
    "initiative-what-did-not-work": Entry(expect(200)),
    "initiative-compare": Entry(expect(200), data={"id": ["1", "2"]}),
    "initiative-export": Entry(expect(200), lambda w: {"fmt": "csv"}),
    "open-data-initiatives": Entry(expect(200), lambda w: {"fmt": "json"}),
    # API: public data needs no credentials; people follow profile visibility.
    "api:api-root": Entry(expect(404)),  # ninja's bare /api/: nothing there
    "api:openapi-json": Entry(expect(200)),
    "api:openapi-view": Entry(expect(200)),
    "api:list_organisations": Entry(expect(200)),
    "api:get_organisation": Entry(expect(200), _slug_a),
    "api:list_people": Entry(expect(200)),
    "api:get_person": Entry(
        expect(404, **PROFILE_SEEN_BY), lambda w: {"person_id": w["officer"].pk}
    ),
    "api:me": Entry(expect(200, anonymous=401)),
    "api:list_initiatives": Entry(expect(200)),
    "api:get_initiative": Entry(
        expect(404, **PROFILE_SEEN_BY), lambda w: {"id": _initiative(w).pk}
    ),
}


# Later apps keep their entries in tests/matrix/<app>.py (see tests/matrix/__init__.py).
overlap = MATRIX.keys() & APP_ENTRIES.keys()
assert not overlap, f"URL names with two matrix entries: {sorted(overlap)}"
MATRIX.update(APP_ENTRIES)


def _walk(resolvers: list[Any], namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for item in resolvers:
        if isinstance(item, URLResolver):
            ns = item.namespace or ""
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            found += _walk(item.url_patterns, inner)
        elif isinstance(item, URLPattern):
            name = f"{namespace}:{item.name or ''}" if namespace else (item.name or "")
            found.append((name, str(item.pattern)))
    return found


def project_url_names() -> set[str]:
    names = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        if is_admin_url(name):
            names.add(name)
            continue  # the admin's own URLs (some unnamed): test_it_keeps_the_admin_for_site_staff
        assert name, f"URL pattern {pattern!r} has no name: name it and add it to the matrix."
        names.add(name)
    return names


def is_admin_url(name: str) -> bool:
    return name.split(":")[0] == "admin"


def test_it_has_an_entry_for_every_url_pattern() -> None:
    names = {n for n in project_url_names() if not is_admin_url(n)}
    missing = sorted(names - MATRIX.keys())
    stale = sorted(MATRIX.keys() - names)
    assert not missing, f"URLs with no permission-matrix entry: {missing}"
    assert not stale, f"Matrix entries for URLs that no longer exist: {stale}"


def _check(client_for: Any, world: World, url_name: str, entry: Entry) -> list[str]:
    failures = []
    kwargs = entry.kwargs(world)
    for persona in PERSONAS:
        if entry.fresh_state_per_persona:
            kwargs = entry.kwargs(world)
        url = reverse(url_name, kwargs=kwargs)
        client = client_for(world[persona])
        response = getattr(client, entry.method)(url, entry.data)
        want = entry.expected[persona]
        if response.status_code != want:
            failures.append(
                f"{persona}: {entry.method.upper()} {url} "
                f"gave {response.status_code}, expected {want}"
            )
    return failures


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_it_gives_each_persona_the_expected_response(client_for, world, url_name) -> None:
    failures = _check(client_for, world, url_name, MATRIX[url_name])
    assert not failures, "\n".join(failures)


def test_it_keeps_the_admin_for_site_staff(client_for, world) -> None:
    """Every admin URL goes through AdminSite.admin_view; prove it for each registered model."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
    failures = []
    for persona in PERSONAS:
        client = client_for(world[persona])
        for url in urls:
            status = client.get(url).status_code
            want = 200 if persona == "staff" else 302  # others go to the admin sign-in
            if status != want:
                failures.append(f"{persona}: {url} gave {status}, expected {want}")
    assert not failures, "\n".join(failures)
    # Every admin URL name is under the admin namespace, served only by the admin site.
    assert all(is_admin_url(n) for n in project_url_names() if n.startswith("admin"))
