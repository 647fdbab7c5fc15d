"""The initiative pages: forms that name the field, honest labels, pseudonyms, chasers."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.factories import LocalAuthorityFactory, MembershipFactory
from whatworks.core.models import Message
from whatworks.initiatives import services, tasks
from whatworks.initiatives.models import Initiative, Status, SustainabilityCheck

FORM = {
    "title": "Street champions",
    "summary": "Volunteers look after their street",
    "service_area": "parks_streets",
    "collaborations": ["public"],
    "mechanisms": ["social", "incentives"],
    "visibility": "peers",
}


@pytest.fixture
def pilot(world):
    initiative = services.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Rent arrears letters",
        summary="Rewrote the letters",
        service_area="housing",
        visibility="peers",
        collaborations=["public"],
    )
    services.goal_add(
        initiative=initiative,
        actor=world["officer"],
        metric_name="Days to first contact",
        unit="days",
        direction="lower",
        baseline_value=46,
        baseline_period="2015-16",
        target_value=21,
        success_threshold=30,
    )
    return initiative


def test_it_registers_an_initiative_from_the_form(world, client_for):
    client = client_for(world["officer"])
    response = client.post("/initiatives/new/", FORM)
    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response["Location"] == initiative.get_absolute_url()
    assert initiative.organisation == world.org_a and initiative.status == Status.IDEA
    assert sorted(initiative.tags.values_list("value", flat=True)) == [
        "incentives",
        "public",
        "social",
    ]


def test_it_names_every_bad_field_and_saves_nothing(world, client_for):
    bad = {
        **FORM,
        "title": "",
        "service_area": "moon",
        "collaborations": [],
        "visibility": "x",
        **{"planned_start_0": "1", "planned_start_1": "5", "planned_start_2": "2017"},
        **{"planned_end_0": "1", "planned_end_1": "1", "planned_end_2": "2017"},
        "people_reached": "-3",
    }
    body = client_for(world["officer"]).post("/initiatives/new/", bad).content.decode()
    for field in [
        "title",
        "service_area",
        "collaborations",
        "visibility",
        "planned_end",
        "people_reached",
    ]:
        anchor = f"id_{field}_0" if field == "planned_end" else f"id_{field}"  # a date's day box
        assert f'href="#{anchor}"' in body, field
    assert not Initiative.objects.exists()


def test_it_refuses_to_register_for_another_organisation(world, client_for):
    response = client_for(world["officer"]).post(
        f"/initiatives/new/?organisation={world.org_b.slug}", FORM
    )
    assert response.status_code == 403
    assert not Initiative.objects.exists()


def test_it_shows_goal_changes_after_start_and_the_verdict(pilot, world, client_for):
    for status in (Status.PLANNED, Status.STARTED):
        services.initiative_change_status(
            initiative=pilot, to_status=status, actor=world["officer"]
        )
    client = client_for(world["officer"])
    goal = pilot.goals.get()
    response = client.post(
        f"/initiatives/{pilot.pk}/goals/{goal.pk}/",
        {
            **{k: v for k, v in goal.snapshot().items() if v is not None},
            "success_threshold": "32",
            "reason": "",
        },
    )
    assert "Say why the goal is changing" in response.content.decode()
    response = client.post(
        f"/initiatives/{pilot.pk}/goals/{goal.pk}/",
        {
            **{k: v for k, v in goal.snapshot().items() if v is not None},
            "success_threshold": "32",
            "reason": "Counted working days",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    client.post(
        f"/initiatives/{pilot.pk}/goals/{goal.pk}/result/",
        {"value": "31", "ci_low": "24", "ci_high": "38", "design": "randomised"},
    )
    body = client_for(world["outsider"]).get(pilot.get_absolute_url()).content.decode()
    assert "Goal changed after it was locked" in body and "Counted working days" in body
    assert "Inconclusive" in body and "cannot tell" in body
    assert "Evidence level 5 of 5" in body


def test_it_shows_a_pseudonym_to_outsiders(world, client_for):
    world.org_a.local_authority = LocalAuthorityFactory(
        authority_type_name="Non-metropolitan district", region="South East"
    )
    world.org_a.save()
    initiative = services.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Failed app",
        summary="It failed",
        service_area="customer",
        visibility="peers",
        pseudonymous=True,
    )
    outsider = client_for(world["outsider"]).get(initiative.get_absolute_url()).content.decode()
    assert "A non-metropolitan district in South East" in outsider
    assert world.org_a.name not in outsider
    insider = client_for(world["volunteer"]).get(initiative.get_absolute_url()).content.decode()
    assert world.org_a.name in insider


def test_it_shows_the_page_in_a_fixed_number_of_queries(
    pilot, world, client_for, django_assert_max_num_queries
):
    client = client_for(world["outsider"])

    def count():
        cache.clear()  # the page worked out afresh, not from the cache every write bumps
        # 33: computed drafts (i17a) and the link to contact the record's owner add one each.
        with django_assert_max_num_queries(33) as captured:
            assert client.get(pilot.get_absolute_url()).status_code == 200
        return len(captured.captured_queries)

    few = count()
    for n in range(5):
        services.ledger_line_add(
            initiative=pilot,
            actor=world["officer"],
            kind="cost",
            timing="upfront",
            basis="realised",
            description=f"c{n}",
            amount=10,
        )
        services.goal_add(
            initiative=pilot,
            actor=world["officer"],
            metric_name=f"m{n}",
            unit="x",
            direction="higher",
            baseline_value=1,
            baseline_period="p",
            target_value=2,
            success_threshold=2,
        )
    assert count() == few


def test_it_withdraws_through_the_status_page_with_a_reason(pilot, world, client_for):
    client = client_for(world["admin"])
    body = client.post(
        f"/initiatives/{pilot.pk}/status/", {"to_status": "withdrawn", "reason": ""}
    ).content.decode()
    assert "Say why the record is being withdrawn" in body
    client.post(
        f"/initiatives/{pilot.pk}/status/", {"to_status": "withdrawn", "reason": "Duplicate"}
    )
    body = client_for(world["outsider"]).get(pilot.get_absolute_url()).content.decode()
    assert "Withdrawn" in body and "Duplicate" in body
    # An officer (not an admin) cannot withdraw.
    other = services.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="B",
        summary="b",
        service_area="waste",
    )
    body = (
        client_for(world["officer"])
        .post(f"/initiatives/{other.pk}/status/", {"to_status": "withdrawn", "reason": "x"})
        .content.decode()
    )
    assert "Select a valid choice" in body


def test_it_asks_about_sustainability_once_when_due(pilot, world):
    MembershipFactory(organisation=world.org_a, role="admin")
    check = SustainabilityCheck.objects.create(
        initiative=pilot, months_after=12, due_on=timezone.localdate()
    )
    assert tasks.ask_sustainability_questions.call_local() == 1
    recipients = set(
        Message.objects.filter(template="sustainability_check").values_list("recipient", flat=True)
    )
    assert world["admin"].email in recipients and world["officer"].email in recipients
    assert world["volunteer"].email not in recipients
    assert tasks.ask_sustainability_questions.call_local() == 0
    check.refresh_from_db()
    assert check.asked_at is not None


def test_a_record_is_marked_result_overdue_three_months_after_its_planned_end(
    pilot, world, client_for
):
    """Its goal has no judge-by date, so the result is due 91 days after the planned end."""
    for status in (Status.PLANNED, Status.STARTED):
        services.initiative_change_status(
            initiative=pilot, to_status=status, actor=world["officer"]
        )
    outsider = client_for(world["outsider"])
    Initiative.objects.filter(pk=pilot.pk).update(
        planned_end=timezone.localdate() - timedelta(days=91)
    )
    cache.clear()
    assert "Result overdue" not in outsider.get(pilot.get_absolute_url()).content.decode()
    Initiative.objects.filter(pk=pilot.pk).update(
        planned_end=timezone.localdate() - timedelta(days=92)
    )
    cache.clear()
    assert "Result overdue" in outsider.get(pilot.get_absolute_url()).content.decode()


def test_it_adopts_a_record_into_the_readers_council(pilot, world, client_for):
    client = client_for(world["outsider"])
    assert "Try this in our council" in client.get(pilot.get_absolute_url()).content.decode()
    response = client.post(f"/initiatives/{pilot.pk}/replicate/")
    copy = Initiative.objects.get(replicated_from=pilot)
    assert response["Location"] == copy.get_absolute_url()
    assert copy.organisation == world.org_b


def test_it_records_a_decision_informed_by_visible_records_only(pilot, world, client_for):
    private = services.initiative_create(
        organisation=world.org_b,
        actor=world["outsider"],
        title="Hidden",
        summary="h",
        service_area="waste",
    )
    client = client_for(world["officer"])
    data = {"subject": "Rent letters", "choice": "adopt", "reason": "It worked in a pilot"}
    body = client.post(
        f"/organisations/{world.org_a.slug}/decisions/new/",
        {**data, "informed_by": [pilot.pk, private.pk]},
    ).content.decode()
    assert "Select a valid choice" in body and not world.org_a.decisions.exists()
    client.post(
        f"/organisations/{world.org_a.slug}/decisions/new/", {**data, "informed_by": [pilot.pk]}
    )
    decision = world.org_a.decisions.get()
    assert list(decision.informed_by.all()) == [pilot]
    body = client.get(f"/organisations/{world.org_a.slug}/decisions/").content.decode()
    assert "It worked in a pilot" in body


def test_it_serves_anonymous_readers_a_cached_page_that_follows_every_change(
    pilot, world, client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # Versions are bumped when a write commits (whatworks.core.cache): each write here runs
    # its commit callbacks, as a real request would.
    committed = django_capture_on_commit_callbacks
    with committed(execute=True):
        services.initiative_update(initiative=pilot, actor=world["officer"], visibility="public")
    url = pilot.get_absolute_url()
    assert "No costs or savings recorded" in client.get(url).content.decode()
    with django_assert_max_num_queries(1):  # the visibility check; the body comes from cache
        assert client.get(url).status_code == 200
    with committed(execute=True):
        services.ledger_line_add(
            initiative=pilot,
            actor=world["officer"],
            kind="cost",
            timing="upfront",
            basis="realised",
            description="Printing",
            amount=50,
        )
    assert "Printing" in client.get(url).content.decode()
    goal = pilot.goals.get()
    with committed(execute=True):
        for status in (Status.PLANNED, Status.STARTED):
            services.initiative_change_status(
                initiative=pilot, to_status=status, actor=world["officer"]
            )
        services.result_record(
            goal=goal,
            actor=world["officer"],
            value=22,
            ci_low=20,
            ci_high=24,
            design="before_after",
        )
    assert "Met its goal" in client.get(url).content.decode()
    with committed(execute=True):
        services.initiative_update(initiative=pilot, actor=world["officer"], visibility="private")
    assert client.get(url).status_code == 404


def test_it_refreshes_cached_lists_for_anonymous_readers_on_every_change(
    world, client, django_capture_on_commit_callbacks
):
    committed = django_capture_on_commit_callbacks
    assert "Cached list record" not in client.get("/initiatives/").content.decode()
    with committed(execute=True):
        record = services.initiative_create(
            organisation=world.org_a,
            actor=world["officer"],
            title="Cached list record",
            summary="s",
            service_area="waste",
            visibility="public",
        )
    assert "Cached list record" in client.get("/initiatives/").content.decode()
    with committed(execute=True):
        world.org_a.name = "Renamed District Council"
        world.org_a.save()
    assert "Renamed District Council" in client.get("/initiatives/").content.decode()
    with committed(execute=True):
        services.initiative_update(initiative=record, actor=world["officer"], visibility="peers")
    assert "Cached list record" not in client.get("/initiatives/").content.decode()


def test_it_links_a_goal_to_a_shared_metric_visible_to_the_editor(pilot, world, client_for):
    from whatworks.measures.models import Metric

    mine = Metric.objects.create(
        organisation=world.org_a,
        name="Days to contact",
        kind="mean",
        unit="days",
        direction="lower",
        visibility="private",
    )
    theirs = Metric.objects.create(
        organisation=world.org_b,
        name="Hidden",
        kind="mean",
        unit="days",
        direction="lower",
        visibility="private",
    )
    goal = pilot.goals.get()
    data = {k: v for k, v in goal.snapshot().items() if v is not None}
    client = client_for(world["officer"])
    body = client.post(
        f"/initiatives/{pilot.pk}/goals/{goal.pk}/", {**data, "metric": theirs.pk}
    ).content.decode()
    assert "Select a valid choice" in body
    response = client.post(f"/initiatives/{pilot.pk}/goals/{goal.pk}/", {**data, "metric": mine.pk})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.metric == mine
    copy = services.initiative_replicate(
        original=pilot, organisation=world.org_b, actor=world["outsider"]
    )
    assert copy.goals.get().metric == mine
