"""Overdue evidence (issue 17): the results-due pages, the file-drawer rate, and the reminders to
the owner and later to the organisation's admins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from huey.api import PeriodicTask, TaskWrapper

from tests.factories import OrganisationFactory
from tests.initiatives.factories import GoalFactory, GoalResultFactory, InitiativeFactory
from whatworks.core.models import Message
from whatworks.core.visibility import Visibility
from whatworks.initiatives import tasks
from whatworks.initiatives.due import ESCALATE_AFTER, register_summary, send_reminders
from whatworks.initiatives.models import Initiative, ResultDraft, Status, SustainabilityCheck

TODAY = timezone.localdate()
PAST = TODAY - timedelta(days=10)


def overdue_goal(organisation, *, visibility=Visibility.PUBLIC, created_by=None, **fields):
    initiative = InitiativeFactory(
        organisation=organisation,
        status=Status.STARTED,
        visibility=visibility,
        created_by=created_by,
    )
    return GoalFactory(initiative=initiative, judge_by=PAST, **fields)


def test_it_counts_each_kind_of_overdue_evidence_by_organisation(world):
    overdue_goal(world.org_a)  # overdue, nothing computed
    with_draft = overdue_goal(world.org_a)
    ResultDraft.objects.create(
        goal=with_draft, fields={}, verdict="met", verdict_reason="x", computed_on=PAST
    )
    done = overdue_goal(world.org_a)
    GoalResultFactory(goal=done)  # has its result: not due
    GoalFactory(
        initiative=InitiativeFactory(organisation=world.org_a, status=Status.STARTED),
        judge_by=TODAY + timedelta(days=5),
    )  # not due yet
    published = InitiativeFactory(
        organisation=world.org_b, status=Status.PUBLISHED, result_published_at=timezone.now()
    )
    SustainabilityCheck.objects.create(initiative=published, months_after=12, due_on=PAST)
    rows = {r.organisation["slug"]: r for r in register_summary(None).rows}
    assert (rows["wealden"].overdue, rows["wealden"].awaiting, rows["wealden"].checks) == (1, 1, 0)
    assert (rows["lambeth"].overdue, rows["lambeth"].awaiting, rows["lambeth"].checks) == (0, 0, 1)
    # File drawer: A started 4 pilots (one not due) and published none; B published its one.
    assert (rows["wealden"].rate.started, rows["wealden"].rate.published) == (4, 0)
    assert rows["lambeth"].rate.share == 1.0


def test_a_private_record_is_counted_in_the_rate_but_not_listed_to_outsiders(world, client_for):
    goal = overdue_goal(world.org_a, visibility=Visibility.PRIVATE, metric_name="Secret goal")
    outsider = client_for(world["outsider"]).get("/organisations/wealden/results-due/")
    assert "Secret goal" not in outsider.content.decode()
    assert "0 of 1 started pilot" in outsider.content.decode()
    own = client_for(world["officer"]).get("/organisations/wealden/results-due/")
    assert "Secret goal" in own.content.decode() and goal.initiative.title in own.content.decode()


def test_the_register_page_shows_the_file_drawer_rate(world, client_for):
    InitiativeFactory(
        organisation=world.org_b, status=Status.PUBLISHED, result_published_at=timezone.now()
    )
    InitiativeFactory(organisation=world.org_b, status=Status.STOPPED)
    body = client_for(None).get("/initiatives/results-due/").content.decode()
    assert "London Borough of Lambeth" in body and "1 of 2 (50.0%)" in body


def test_the_register_page_lists_organisations_a_page_at_a_time_most_overdue_first(
    world, client_for, monkeypatch
):
    from whatworks.initiatives import views_evidence

    monkeypatch.setattr(views_evidence, "ORGANISATIONS_PER_PAGE", 2)
    most, second, third = (OrganisationFactory(name=n) for n in ("Most", "Second", "Third"))
    for organisation, goals in ((most, 3), (second, 2), (third, 1)):
        for _ in range(goals):
            overdue_goal(organisation)
    client = client_for(None)
    first = client.get("/initiatives/results-due/").content.decode()
    assert "Most" in first and "Second" in first and "Third" not in first
    assert "1 to 2 of 3, most overdue first" in first and "Page 1 of 2" in first
    last = client.get("/initiatives/results-due/?page=2").content.decode()
    assert "Third" in last and ">Most<" not in last and "6 goals whose result is due" in last
    assert "Third" in client.get("/initiatives/results-due/?page=99").content.decode()  # the last
    assert "Most" in client.get("/initiatives/results-due/?page=x").content.decode()  # the first


def test_the_register_page_takes_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world["officer"])
    overdue_goal(world.org_a)

    def count():
        cache.clear()  # worked out afresh, not from the cache every write bumps
        with django_assert_max_num_queries(12) as captured:
            assert client.get("/initiatives/results-due/").status_code == 200
        return len(captured.captured_queries)

    few = count()
    for _ in range(5):
        overdue_goal(OrganisationFactory())
    assert count() == few


# --- Reminders: the clock is moved by passing `now` -------------------------------------------


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC)


@pytest.mark.parametrize("with_draft", [False, True])
def test_it_reminds_the_owner_once_then_the_admins_once_later(world, with_draft):
    goal = overdue_goal(world.org_a, created_by=world["officer"])
    if with_draft:
        ResultDraft.objects.create(
            goal=goal, fields={}, verdict="met", verdict_reason="x", computed_on=PAST
        )
    first = at(TODAY)
    assert send_reminders(first) == (1, 0)
    assert send_reminders(first + timedelta(hours=1)) == (0, 0)
    owner = Message.objects.get(template="results_due")
    assert owner.recipient == world["officer"].email
    link = owner.personalisation["link"]
    assert ("/computed/" in link) is with_draft
    assert send_reminders(first + ESCALATE_AFTER - timedelta(days=1)) == (0, 0)
    assert send_reminders(first + ESCALATE_AFTER) == (0, 1)
    assert send_reminders(first + ESCALATE_AFTER + timedelta(days=30)) == (0, 0)
    admins = Message.objects.filter(template="results_due_escalated")
    assert list(admins.values_list("recipient", flat=True)) == [world["admin"].email]
    assert Message.objects.count() == 2


def test_a_goal_without_a_judge_by_date_is_due_three_months_after_the_planned_end(world):
    initiative = InitiativeFactory(
        organisation=world.org_a,
        status=Status.STARTED,
        created_by=world["officer"],
        planned_end=TODAY - timedelta(days=91),
    )
    GoalFactory(initiative=initiative, judge_by=None)
    assert send_reminders(at(TODAY)) == (0, 0)
    Initiative.objects.filter(pk=initiative.pk).update(planned_end=TODAY - timedelta(days=92))
    assert send_reminders(at(TODAY)) == (1, 0)
    due_on = TODAY - timedelta(days=1)  # 92 days after the end is one day past the 91 days
    assert Message.objects.get().personalisation["due_on"] == f"{due_on:%d %B %Y}"


def test_one_reminder_per_goal_whichever_dates_have_passed(world):
    """Judge-by date and planned end both long past: every daily chaser in the app together
    sends the owner one reminder, not one per rule."""
    initiative = InitiativeFactory(
        organisation=world.org_a,
        status=Status.STARTED,
        created_by=world["officer"],
        planned_end=TODAY - timedelta(days=400),
    )
    GoalFactory(initiative=initiative, judge_by=PAST)
    chasers = [
        t
        for t in vars(tasks).values()
        if isinstance(t, TaskWrapper) and issubclass(t.task_class, PeriodicTask)
    ]
    assert len(chasers) >= 2
    for _ in range(2):
        for chaser in chasers:
            chaser.call_local()
    assert Message.objects.filter(recipient=world["officer"].email).count() == 1


def test_a_goal_with_its_result_is_not_chased(world):
    goal = overdue_goal(world.org_a, created_by=world["officer"])
    GoalResultFactory(goal=goal)
    assert send_reminders(at(TODAY)) == (0, 0)
    assert not Message.objects.exists()


def test_without_an_owner_the_admins_are_told_at_once(world):
    overdue_goal(world.org_a, created_by=None)
    assert send_reminders(at(TODAY)) == (0, 1)
    assert Message.objects.get().recipient == world["admin"].email


def test_the_organisation_page_takes_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world["officer"])
    overdue_goal(world.org_a)

    def count():
        with django_assert_max_num_queries(14) as captured:
            assert client.get("/organisations/wealden/results-due/").status_code == 200
        return len(captured.captured_queries)

    few = count()
    for _ in range(5):
        goal = overdue_goal(world.org_a)
        ResultDraft.objects.create(
            goal=overdue_goal(world.org_a),
            fields={},
            verdict="met",
            verdict_reason="x",
            computed_on=PAST,
        )
        SustainabilityCheck.objects.create(initiative=goal.initiative, months_after=12, due_on=PAST)
    assert count() == few
