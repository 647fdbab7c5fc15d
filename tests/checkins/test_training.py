"""Workers' training: the modules a scheme asks for, each worker's records, no round or cover
without current training, a reminder a month before a record runs out, and the monthly count
of trained workers as one of the scheme's figures."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import date_boxes, make_round
from whatworks.checkins import outcomes, services, training
from whatworks.checkins.models import (
    Cover,
    Round,
    SchemeRole,
    TrainingModule,
    TrainingRecord,
)
from whatworks.core.models import Message
from whatworks.measures.models import Observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def decline(scheme: Any) -> TrainingModule:
    return TrainingModule.objects.create(
        scheme=scheme, name="Spotting decline", renew_after_months=12
    )


def test_the_coordinator_adds_training_and_records_a_workers_completion(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-training", kwargs={"pk": scheme.pk})
    bad = client.post(url, {"add_module": "1", "name": "", "renew_after_months": "0"})
    page = bad.content.decode()
    assert "Enter the name of the training" in page
    assert "Months before it must be done again must be 1 or more" in page
    client.post(url, {"add_module": "1", "name": "Spotting decline", "renew_after_months": "12"})
    twice = client.post(url, {"add_module": "1", "name": "Spotting decline"}).content.decode()
    assert "is on the list already" in twice
    module = TrainingModule.objects.get(scheme=scheme)
    assert module.renew_after_months == 12

    unknown = client.post(
        url,
        {"worker_email": "nobody@example.org", "module": str(module.pk),
         **date_boxes("completed_on", "2026-03-31")},
    ).content.decode()  # fmt: skip
    assert "Email address of the worker must belong to someone with an account" in unknown
    done = client.post(
        url,
        {"worker_email": world["volunteer"].email, "module": str(module.pk),
         **date_boxes("completed_on", "2026-03-31")},
    )  # fmt: skip
    assert done.status_code == 302
    record = TrainingRecord.objects.get()
    # Twelve months on from the last day of March is the last day of March next year.
    assert (record.user, record.completed_on, record.expires_on) == (
        world["volunteer"],
        date(2026, 3, 31),
        date(2027, 3, 31),
    )
    listed = client.get(url).content.decode()
    assert world["volunteer"].full_name in listed and "Done 31 March 2026" in listed
    # Recording training gives no role on the scheme: that comes with a round or cover.
    assert not SchemeRole.objects.filter(scheme=scheme, user=world["volunteer"]).exists()


def test_a_worker_without_current_training_gets_no_round_or_cover(
    world: Any, scheme: Any, decline: Any
) -> None:
    worker, officer = world["volunteer"], world["officer"]
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.round_create(
            scheme=scheme, name="Walk 3", kind="postal", worker=worker, actor=officer
        )
    assert "has no current training in Spotting decline" in str(refused.value)
    assert not Round.objects.filter(name="Walk 3").exists()

    # Done 13 months ago, renewed every 12: out of date.
    training.training_record(
        module=decline, user=worker, completed_on=today - timedelta(days=400), actor=officer
    )
    assert training.missing(scheme, worker, today) == [decline]
    training.training_record(
        module=decline, user=worker, completed_on=today - timedelta(days=10), actor=officer
    )
    assert training.missing(scheme, worker, today) == []
    services.round_create(scheme=scheme, name="Walk 3", kind="postal", worker=worker, actor=officer)

    # Cover must be current on its last day too.
    round_ = make_round(scheme, None, name="Walk 4")
    runs_out = TrainingRecord.objects.filter(user=worker).latest("completed_on").expires_on
    assert runs_out is not None
    with pytest.raises(ValidationError) as past_expiry:
        services.cover_add(
            round_=round_, start_date=runs_out, end_date=runs_out + timedelta(days=1),
            worker=worker, actor=officer,
        )  # fmt: skip
    assert "has no current training" in str(past_expiry.value)
    # ... and on its first: not before the training was done.
    done_on = TrainingRecord.objects.filter(user=worker).latest("completed_on").completed_on
    with pytest.raises(ValidationError):
        services.cover_add(
            round_=round_, start_date=done_on - timedelta(days=1), end_date=today,
            worker=worker, actor=officer,
        )  # fmt: skip
    services.cover_add(
        round_=round_, start_date=today, end_date=runs_out, worker=worker, actor=officer
    )
    assert Cover.objects.filter(round=round_).count() == 1


def test_the_cover_page_names_the_missing_training(
    as_verified: Any, world: Any, round_: Any, decline: Any
) -> None:
    client = as_verified(world["officer"])
    today = timezone.localdate().isoformat()
    page = client.post(
        reverse("checkins-cover-new", kwargs={"pk": round_.pk}),
        {**date_boxes("start_date", today), **date_boxes("end_date", today),
         "worker_email": world["admin"].email},
    ).content.decode()  # fmt: skip
    assert 'href="#id_worker_email"' in page
    assert "has no current training in Spotting decline: record it first" in page
    assert not Cover.objects.exists()


def test_a_worker_is_reminded_once_a_month_before_a_record_runs_out(
    world: Any, scheme: Any, decline: Any
) -> None:
    worker, officer = world["volunteer"], world["officer"]
    today = timezone.localdate()
    soon = training.training_record(
        module=decline, user=worker, completed_on=today - timedelta(days=350), actor=officer
    )
    assert soon.expires_on is not None and 0 < (soon.expires_on - today).days <= 30
    assert training.remind_expiring(today - timedelta(days=31)) == 0  # not yet within a month
    assert training.remind_expiring(today) == 1
    assert training.remind_expiring(today) == 0  # once
    message = Message.objects.get(template="checkins_training_due")
    assert message.recipient == worker.email
    assert message.personalisation["module"] == "Spotting decline"

    # Renewed before the reminder: nobody is told about the older record.
    other = world["admin"]
    training.training_record(
        module=decline, user=other, completed_on=today - timedelta(days=350), actor=officer
    )
    training.training_record(module=decline, user=other, completed_on=today, actor=officer)
    assert training.remind_expiring(today) == 0


def test_each_month_counts_the_workers_with_every_training_current(
    world: Any, scheme: Any, decline: Any
) -> None:
    first_aid = TrainingModule.objects.create(scheme=scheme, name="First aid")  # never runs out
    a, b, officer = world["volunteer"], world["admin"], world["officer"]
    for worker in (a, b):  # workers on the scheme (recording training gives no role)
        SchemeRole.objects.create(scheme=scheme, user=worker, role="worker")
    # a: both in January 2026. b: decline in January, first aid only in March.
    for user, module, on in (
        (a, decline, date(2026, 1, 10)),
        (a, first_aid, date(2026, 1, 12)),
        (b, decline, date(2026, 1, 20)),
        (b, first_aid, date(2026, 3, 5)),
    ):
        training.training_record(module=module, user=user, completed_on=on, actor=officer)
    outcomes.outcomes_refresh(scheme)
    figures = {
        o.period_start: o.value
        for o in Observation.objects.filter(metric__name=f"{scheme.name}: {outcomes.TRAINED}")
    }
    assert figures[date(2026, 1, 1)] == 1.0
    assert figures[date(2026, 2, 1)] == 1.0
    assert figures[date(2026, 3, 1)] == 2.0


def test_the_dashboard_flags_whoever_works_a_round_today_without_current_training(
    as_verified: Any, world: Any, scheme: Any, round_: Any
) -> None:
    """The round's worker was given it before the scheme asked for training (or their record
    has since run out): nothing refuses them now, so the dashboard says so."""
    officer, worker, cover = world["officer"], round_.worker, world["volunteer"]
    today = timezone.localdate()
    client = as_verified(officer)
    url = reverse("checkins-scheme", kwargs={"pk": scheme.pk})
    assert "Training not current" not in client.get(url).content.decode()  # nothing asked

    decline = TrainingModule.objects.create(scheme=scheme, name="Spotting decline")
    page = client.get(url)
    assert page.context["board"].untrained == 1
    assert f"{worker.full_name}: Spotting decline" in page.content.decode()

    # Covering today: their training counts too, once it lapses.
    training.training_record(module=decline, user=cover, completed_on=today, actor=officer)
    services.cover_add(round_=round_, start_date=today, end_date=today, worker=cover, actor=officer)
    TrainingRecord.objects.filter(user=cover).update(expires_on=today - timedelta(days=1))
    assert client.get(url).context["board"].untrained == 2

    for person in (worker, cover):
        training.training_record(module=decline, user=person, completed_on=today, actor=officer)
    page = client.get(url)
    assert page.context["board"].untrained == 0
    assert "Training not current" not in page.content.decode()
