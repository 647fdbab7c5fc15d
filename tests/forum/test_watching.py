"""Watch lists: a published result tells the people watching the record; a new record tells
those watching its organisation or service area; email choices; one-click unsubscribe."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse

from tests.forum.helpers import failed_initiative, public_board, public_thread
from whatworks.core.models import Message
from whatworks.forum import services
from whatworks.forum.models import ForumProfile, Frequency, Notification, Watch
from whatworks.forum.notifications import digests_send, unsubscribe_token
from whatworks.initiatives import services as register
from whatworks.initiatives.models import Status


def test_it_tells_watchers_when_a_running_pilots_result_is_published(world: Any) -> None:
    initiative = register.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Pilot",
        summary="Running",
        service_area="waste",
        visibility="peers",
    )
    goal = register.goal_add(
        initiative=initiative, actor=world["officer"], metric_name="Tonnage", unit="t",
        direction="higher", baseline_value=1, baseline_period="2016", target_value=2,
        success_threshold=1.5,
    )  # fmt: skip
    for status in (Status.PLANNED, Status.STARTED, Status.EVALUATING):
        register.initiative_change_status(
            initiative=initiative, to_status=status, actor=world["officer"]
        )
    services.watch_set(user=world["outsider"], kind="initiative", on=True, initiative=initiative)
    services.watch_set(user=world["moderator"], kind="initiative", on=True, initiative=initiative)
    register.result_record(
        goal=goal, actor=world["officer"], value=1.8, ci_low=1.7, ci_high=1.9, design="before_after"
    )
    assert not Notification.objects.filter(kind="result").exists()
    register.initiative_change_status(
        initiative=initiative, to_status=Status.PUBLISHED, actor=world["officer"]
    )
    note = Notification.objects.get(kind="result")
    assert note.user == world["outsider"]  # the moderator cannot see a peers-only record
    assert note.text == "Result published for “Pilot”: met its goal"


def test_it_tells_watchers_of_a_service_area_about_new_records(world: Any) -> None:
    services.watch_set(user=world["outsider"], kind="service_area", on=True, service_area="housing")
    failed_initiative(world)
    assert Notification.objects.filter(user=world["outsider"], kind="record").count() == 1


def test_it_emails_straight_away_for_people_who_chose_it(world: Any) -> None:
    services.frequency_set(user=world["admin"], frequency=Frequency.IMMEDIATE)
    thread = public_thread(world)
    services.watch_set(user=world["admin"], kind="thread", on=True, thread=thread)
    services.post_add(thread=thread, author=world["outsider"], body="Reply")
    message = Message.objects.get(template="forum_notification")
    assert message.recipient == world["admin"].email
    assert Notification.objects.get(user=world["admin"]).emailed_at is not None
    assert digests_send("daily") == 1  # the thread's author (officer), not the admin again


def test_it_sends_weekly_digests_only_to_weekly_readers(world: Any) -> None:
    services.frequency_set(user=world["officer"], frequency=Frequency.WEEKLY)
    thread = public_thread(world)
    services.post_add(thread=thread, author=world["outsider"], body="Reply")
    assert digests_send("daily") == 0
    assert digests_send("weekly") == 1


def test_it_unsubscribes_with_one_click_and_no_sign_in(client_for: Any, world: Any) -> None:
    client = client_for(None)
    url = reverse("forum-unsubscribe", kwargs={"token": unsubscribe_token(world["officer"])})
    assert b"Unsubscribe" in client.get(url).content
    assert not ForumProfile.objects.filter(
        frequency=Frequency.NEVER
    ).exists()  # GET changes nothing
    assert client.post(url).status_code == 200
    assert ForumProfile.objects.get(user=world["officer"]).frequency == Frequency.NEVER
    thread = public_thread(world)
    services.post_add(thread=thread, author=world["outsider"], body="Reply")
    assert digests_send("daily") == 0
    bad = reverse("forum-unsubscribe", kwargs={"token": "not-a-token"})
    assert client.post(bad).status_code == 404


def test_it_refuses_to_watch_what_you_cannot_see(client_for: Any, world: Any, group: Any) -> None:
    from tests.forum.helpers import group_thread

    secret = group_thread(world, group)
    client = client_for(world["admin"])
    response = client.post(reverse("forum-watch"), {"kind": "thread", "target": secret.pk})
    assert response.status_code == 404
    response = client.post(reverse("forum-watch"), {"kind": "service_area", "target": "nope"})
    assert response.status_code == 404
    assert not Watch.objects.filter(user=world["admin"]).exists()


def test_it_lists_boards_and_threads_in_a_fixed_number_of_queries(
    client_for: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    # The admin watches the board, so each new thread is a notification on their page.
    services.watch_set(user=world["admin"], kind="board", on=True, board=public_board(world))
    for i in range(15):
        public_thread(world, title=f"Thread {i}")
    client = client_for(world["admin"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("forum-home")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("forum-board", kwargs={"slug": "housing"})).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("forum-notifications")).status_code == 200


def test_it_runs_the_digest_and_summary_jobs_on_their_schedule(world: Any) -> None:
    from whatworks.forum import tasks

    monday_7 = datetime(2026, 12, 7, 7, 0)  # a Monday
    week = [monday_7 + timedelta(minutes=30 * i) for i in range(48 * 7)]
    jobs = (tasks.send_daily_digests, tasks.send_weekly_digests, tasks.send_champion_summaries)
    due = {
        job.s().name.rsplit(".", 1)[-1]: [at for at in week if job.s().validate_datetime(at)]
        for job in jobs
    }
    # Over one week from Monday 07:00, in half-hour steps: daily at 07:00, weekly on Monday.
    assert due["send_daily_digests"] == [monday_7 + timedelta(days=d) for d in range(7)]
    assert due["send_weekly_digests"] == [monday_7]
    assert due["send_champion_summaries"] == [monday_7 + timedelta(minutes=30)]
    thread = public_thread(world)
    services.post_add(thread=thread, author=world["outsider"], body="Reply")
    assert tasks.send_daily_digests.call_local() == 1  # the thread's author, a daily reader
    assert tasks.send_weekly_digests.call_local() == 0


def test_it_offers_to_watch_an_organisation_from_its_page(world, client_for) -> None:
    from django.urls import reverse

    from whatworks.forum.models import Watch

    url = reverse("organisation-detail", kwargs={"slug": world.org_b.slug})
    reader = client_for(world["officer"])
    page = reader.get(url).content.decode()
    assert f'action="{reverse("forum-watch")}"' in page and ">Watch<" in page
    response = reader.post(
        reverse("forum-watch"), {"kind": "organisation", "target": world.org_b.slug, "on": "1"}
    )
    assert response.status_code == 302 and response["Location"] == url
    assert Watch.objects.filter(user=world["officer"], organisation=world.org_b).exists()
    assert ">Stop watching<" in reader.get(url).content.decode()
    # Nobody signed out is offered it.
    assert reverse("forum-watch") not in client_for(None).get(url).content.decode()
