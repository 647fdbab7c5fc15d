"""The signed-in home: my records and their next step, results and follow-ups due, questions
waiting for me, my tasks, campaigns in progress; and the header's unread count."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.utils import timezone

from tests.checkins.conftest import make_resident, make_round, make_scheme
from tests.initiatives.factories import GoalFactory, GoalResultFactory, InitiativeFactory
from whatworks.checkins.models import Escalation, Trigger
from whatworks.forum import services as forum
from whatworks.forum.models import Notification
from whatworks.initiatives.models import Status, SustainabilityCheck, Verdict

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def work(world):
    today = timezone.localdate()
    late = InitiativeFactory(organisation=world.org_a, title="Arrears letters", status="started")
    GoalFactory(initiative=late, metric_name="Days to contact", judge_by=today - timedelta(days=3))
    judged = InitiativeFactory(organisation=world.org_a, title="Judged pilot", status="evaluating")
    goal = GoalFactory(initiative=judged, judge_by=today - timedelta(days=3))
    GoalResultFactory(goal=goal, value=21, verdict=Verdict.MET)
    published = InitiativeFactory(
        organisation=world.org_a, title="Garden waste", status=Status.CONTINUED
    )
    SustainabilityCheck.objects.create(
        initiative=published, months_after=12, due_on=today - timedelta(days=1)
    )
    InitiativeFactory(organisation=world.org_a, title="New idea", status=Status.IDEA)
    InitiativeFactory(organisation=world.org_b, title="Someone else's", status="started")
    question = forum.question_ask(
        initiative=late,
        author=world["outsider"],
        anchor="summary",
        title="How did you word the letter?",
        body="We would like to try it.",
    )
    return {"late": late, "question": question}


def test_it_shows_my_records_with_their_next_step(world, work, client_for):
    body = page_text(client_for(world["officer"]).get("/"))
    assert "Your work" in body
    assert "Arrears letters Started. Next: Record the result when you have it" in body
    assert "New idea Idea. Next: Set the goal you will judge it by" in body
    assert "Someone else's" not in body


def test_it_shows_results_and_follow_ups_due(world, work, client_for):
    body = page_text(client_for(world["officer"]).get("/"))
    due = body[body.index("Results and follow-ups due") : body.index("Your organisation’s records")]
    assert "Arrears letters A result for “Days to contact” is due (since" in due
    assert "Garden waste The 12-month follow-up" in due
    assert "Judged pilot" not in due  # its goal has a result


def test_it_shows_questions_waiting_for_my_answer(world, work, client_for):
    body = page_text(client_for(world["officer"]).get("/"))
    assert "Questions waiting for your answer How did you word the letter?" in body
    # Once I have replied, it is no longer waiting for me.
    forum.post_add(thread=work["question"], author=world["officer"], body="Like this.")
    body = page_text(client_for(world["officer"]).get("/"))
    assert "How did you word the letter?" not in body


def test_coordinators_see_their_open_call_and_check_tasks(world, client_for):
    scheme = make_scheme(world)
    resident = make_resident(make_round(scheme, world["frontline"]))
    Escalation.objects.create(
        scheme=scheme,
        resident=resident,
        trigger=Trigger.MISSED,
        summary="Missed visit",
        due_at=timezone.now() + timedelta(hours=4),
    )
    body = page_text(client_for(world["officer"]).get("/"))
    assert "Your tasks 1 open Call & Check task for your schemes." in body
    assert "A planned visit was missed" in body
    assert "Edith" not in body and "Marsh" not in body  # never a resident's details
    body = page_text(client_for(world["frontline"]).get("/"))
    assert "Your tasks" not in body  # a worker, not a coordinator


def test_it_shows_campaigns_in_progress(world, client_for):
    from whatworks.ideas.models import Campaign

    Campaign.objects.create(
        organisation=world.org_a,
        title="Ideas for the depot",
        brief="Anything that saves time.",
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 1, 1),
    )
    body = page_text(client_for(world["officer"]).get("/"))
    assert "Campaigns in progress Ideas for the depot" in body


def test_the_header_counts_unread_notifications(world, client_for):
    client = client_for(world["officer"])
    assert "Notifications 0 unread" in page_text(client.get("/initiatives/"))
    for text in ("One", "Two", "Three"):
        Notification.objects.create(user=world["officer"], kind="reply", text=text, url="/")
    assert "Notifications 3 unread" in page_text(client.get("/initiatives/"))
    Notification.objects.filter(text="Three").delete()  # counted again
    assert "Notifications 2 unread" in page_text(client.get("/initiatives/"))
    client.post("/forum/notifications/")
    assert "Notifications 0 unread" in page_text(client.get("/initiatives/"))


def test_anonymous_visitors_still_get_the_public_home(client):
    body = page_text(client.get("/"))
    assert "Find out what works, and share it" in body and "Your work" not in body
