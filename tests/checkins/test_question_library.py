"""Question sets a coordinator can add from the library: independence in daily living, its
questions asked every 8 weeks, and the month's mean score as one of the scheme's figures."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import make_resident
from whatworks.checkins import outcomes, services
from whatworks.checkins.models import Question, QuestionModule
from whatworks.core.models import AuditEvent
from whatworks.measures.models import Observation

pytestmark = pytest.mark.django_db


def _adopt_url(scheme: Any, key: str = "independence") -> str:
    return reverse("checkins-module-adopt", kwargs={"pk": scheme.pk, "key": key})


def _rules(client: Any, scheme: Any) -> str:
    return client.get(reverse("checkins-rules", kwargs={"pk": scheme.pk})).content.decode()


def test_the_coordinator_adds_the_independence_set_once(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    client = as_verified(world["officer"])
    assert "Question sets you can add" in _rules(client, scheme)
    assert client.post(_adopt_url(scheme)).status_code == 302
    module = QuestionModule.objects.get(scheme=scheme, name="Independence in daily living")
    assert (module.generic, module.every_weeks) == (True, 8)
    assert [q.options() for q in module.questions.all()] == [
        ["On my own", "With some help", "Not at all"]
    ] * 4
    assert AuditEvent.objects.filter(action="checkins.module.adopted").count() == 1
    assert "Question sets you can add" not in _rules(client, scheme)

    client.post(_adopt_url(scheme))  # again: refused, nothing added
    assert QuestionModule.objects.filter(scheme=scheme, name=module.name).count() == 1
    assert client.post(_adopt_url(scheme, "no-such-set")).status_code == 404


def test_a_retired_set_comes_back_with_its_questions_rather_than_twice(
    world: Any, scheme: Any, round_: Any
) -> None:
    module = services.module_adopt(scheme=scheme, key="independence", actor=world["officer"])
    person = make_resident(round_)
    _answer(round_, person, timezone.localdate(), ["On my own"] * 4)
    assert services.module_remove(module=module, actor=world["officer"]) is True  # retired
    again = services.module_adopt(scheme=scheme, key="independence", actor=world["officer"])
    assert again.pk == module.pk and again.retired_at is None
    assert not again.questions.filter(retired_at__isnull=False).exists()


def test_a_question_of_the_scheme_s_own_with_the_same_short_name_is_not_overwritten(
    world: Any, scheme: Any
) -> None:
    services.question_add(
        scheme=scheme,
        module=None,
        new_module="Our own",
        new_module_generic=False,
        code="indep_meals",
        text="Did you eat today?",
        kind="yes_no",
        options=[],
        actor=world["officer"],
    )
    with pytest.raises(ValidationError, match="Short name is already used"):
        services.module_adopt(scheme=scheme, key="independence", actor=world["officer"])
    assert not QuestionModule.objects.filter(name="Independence in daily living").exists()


def _answer(round_: Any, person: Any, on: date, values: list[str]) -> None:
    questions = Question.objects.filter(
        module__scheme=round_.scheme, code__startswith="indep_"
    ).order_by("order")
    services.visit_record(
        round_=round_,
        worker=round_.worker,
        client_uuid=uuid.uuid4(),
        resident_id=person.pk,
        visited_on=on,
        outcome="well",
        answers={str(q.pk): v for q, v in zip(questions, values, strict=False)},
    )


def test_the_month_s_mean_score_counts_each_person_s_latest_complete_answers(
    world: Any, scheme: Any, round_: Any
) -> None:
    services.module_adopt(scheme=scheme, key="independence", actor=world["officer"])
    today = timezone.localdate()
    month = today.replace(day=1)
    earlier, later = month, month + timedelta(days=1)
    if later > today:  # the first of the month: the earlier visit goes to last month
        earlier = month - timedelta(days=1)
    ada, bob, cy = (make_resident(round_, given_name=n) for n in ("Ada", "Bob", "Cy"))
    _answer(round_, ada, earlier, ["Not at all"] * 4)  # 0, replaced by her later answers
    _answer(round_, ada, today, ["On my own", "On my own", "With some help", "Not at all"])  # 5
    _answer(round_, bob, today, ["With some help"] * 4)  # 4
    _answer(round_, cy, today, ["On my own"] * 3)  # three of four: not counted

    outcomes.outcomes_refresh(scheme)
    figure = Observation.objects.get(
        metric__name=outcomes.metric_name(scheme, outcomes.INDEPENDENCE), period_start=month
    )
    assert (figure.value, figure.numerator, figure.denominator) == (4.5, 9, 2)
