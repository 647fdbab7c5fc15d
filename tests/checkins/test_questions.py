"""The coordinator edits and removes questions and question sets; answered ones are retired."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins import selectors, services
from whatworks.checkins.models import Answer, Question, QuestionModule
from whatworks.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _answer(round_: Any, resident: Any, question: Question, value: str) -> None:
    services.visit_record(
        round_=round_,
        worker=round_.worker,
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=timezone.localdate(),
        outcome="well",
        answers={str(question.pk): value},
    )


def _asked_today(round_: Any) -> set[str]:
    entries = selectors.todays_list(round_, timezone.localdate())
    return {q.code for entry in entries for q in entry.questions}


def test_it_changes_a_question_and_shows_errors_naming_the_field(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    question = Question.objects.get(module__scheme=scheme, code="need_anything")
    client = as_verified(world["officer"])
    url = reverse("checkins-question-edit", kwargs={"pk": question.pk})
    page = client.get(url)
    assert page.status_code == 200 and b"Is there anything you need?" in page.content
    bad = client.post(url, {"text": "", "code": "how_are_you", "kind": "choice", "choices": "A"})
    content = bad.content.decode()
    assert "govuk-error-summary" in content
    assert 'href="#id_text"' in content and "Enter the question" in content
    assert "Short name is already used by another question" in content
    assert "Enter at least 2 answers to choose from" in content
    done = client.post(
        url, {"text": "Is there anything you need today?", "code": "need_today", "kind": "text"}
    )
    assert done.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.code) == ("Is there anything you need today?", "need_today")
    assert AuditEvent.objects.filter(action="checkins.question.changed").exists()


def test_it_refuses_to_change_an_answered_questions_kind(
    world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    question = Question.objects.get(module__scheme=scheme, code="need_anything")
    _answer(round_, resident, question, "Bread")
    with pytest.raises(ValidationError) as error:
        services.question_update(
            question=question,
            code="need_anything",
            text="Need anything?",
            kind="yes_no",
            options=[],
            actor=world["officer"],
        )
    assert "kind" in error.value.message_dict


def test_it_refuses_to_rename_a_short_name_a_rule_uses(world: Any, scheme: Any) -> None:
    question = Question.objects.get(module__scheme=scheme, code="how_are_you")
    scheme.rules.create(name="Unwell", trigger="answer", question_code="how_are_you",
                        answer_value="Unwell")  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.question_update(question=question, code="feeling", text=question.text,
                                 kind=question.kind, options=question.choices,
                                 actor=world["officer"])  # fmt: skip
    assert "change the rule first" in error.value.message_dict["code"][0]


def test_it_deletes_a_question_never_answered(
    as_verified: Any, world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    question = Question.objects.get(module__scheme=scheme, code="need_anything")
    client = as_verified(world["officer"])
    url = reverse("checkins-question-remove", kwargs={"pk": question.pk})
    page = client.get(url).content.decode()
    assert "never been answered, so it will be deleted" in page
    client.post(url)
    assert not Question.objects.filter(pk=question.pk).exists()
    assert "need_anything" not in _asked_today(round_)


def test_it_retires_an_answered_question_and_keeps_its_answers(
    as_verified: Any,
    world: Any,
    scheme: Any,
    round_: Any,
    resident: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    question = Question.objects.get(module__scheme=scheme, code="need_anything")
    _answer(round_, resident, question, "Bread")
    assert "need_anything" in _asked_today(round_)
    client = as_verified(world["officer"])
    url = reverse("checkins-question-remove", kwargs={"pk": question.pk})
    page = client.get(url).content.decode()
    assert "answered in 1 past visit, so it will be retired rather than deleted" in page
    assert "Retire the question" in page
    with django_capture_on_commit_callbacks(execute=True):  # the lists' cache is bumped on commit
        response = client.post(url, follow=True)
    assert "The question is retired" in response.content.decode()
    question.refresh_from_db()
    assert question.retired_at is not None
    assert Answer.objects.filter(question=question, value="Bread").exists()
    assert "need_anything" not in _asked_today(round_)
    rules_page = client.get(reverse("checkins-rules", kwargs={"pk": scheme.pk})).content.decode()
    assert "Not asked at new visits; past answers kept" in rules_page
    # The resident's record still shows the past answer; a retired question cannot be edited.
    record = client.get(reverse("checkins-resident", kwargs={"pk": resident.pk}))
    assert b"Bread" in record.content
    assert (
        client.get(reverse("checkins-question-edit", kwargs={"pk": question.pk})).status_code == 404
    )


def test_it_changes_a_question_set(as_verified: Any, world: Any, scheme: Any) -> None:
    module = QuestionModule.objects.get(scheme=scheme, name="Diabetes")
    client = as_verified(world["officer"])
    url = reverse("checkins-module-edit", kwargs={"pk": module.pk})
    bad = client.post(url, {"name": "", "every_weeks": "-1"}).content.decode()
    assert "govuk-error-summary" in bad
    assert 'href="#id_name"' in bad and "Enter the name of the question set" in bad
    assert "Every how many weeks must be between 0 and 52" in bad
    client.post(url, {"name": "Diabetes (type 2)", "generic": "on", "every_weeks": "4"})
    module.refresh_from_db()
    assert (module.name, module.generic, module.every_weeks) == ("Diabetes (type 2)", True, 4)
    assert AuditEvent.objects.filter(action="checkins.module.changed").exists()


def test_it_retires_an_answered_set_and_deletes_an_unanswered_one(
    as_verified: Any,
    world: Any,
    scheme: Any,
    round_: Any,
    resident: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    diabetes = QuestionModule.objects.get(scheme=scheme, name="Diabetes")
    medication = QuestionModule.objects.get(scheme=scheme, name="Medication reminder")
    resident.modules.set([diabetes, medication])
    dizzy = diabetes.questions.get(code="diabetes_dizzy")
    _answer(round_, resident, dizzy, "No")
    assert {"diabetes_dizzy", "medication_taken"} <= _asked_today(round_)
    client = as_verified(world["officer"])
    url = reverse("checkins-module-remove", kwargs={"pk": diabetes.pk})
    assert "will be retired rather than deleted" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the lists' cache is bumped on commit
        client.post(url)
    diabetes.refresh_from_db()
    assert diabetes.retired_at is not None
    assert not diabetes.questions.filter(retired_at__isnull=True).exists()
    assert Answer.objects.filter(question=dizzy).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("checkins-module-remove", kwargs={"pk": medication.pk}))
    assert not QuestionModule.objects.filter(pk=medication.pk).exists()
    asked = _asked_today(round_)
    assert not asked & {"diabetes_dizzy", "diabetes_checked", "medication_taken"}
    # A retired set is offered no more when adding a question.
    new_page = client.get(reverse("checkins-question-new", kwargs={"pk": scheme.pk}))
    assert b"Diabetes" not in new_page.content


def test_it_keeps_another_schemes_questions_out_of_reach(
    as_verified: Any, world: Any, scheme: Any
) -> None:
    from tests.checkins.conftest import make_scheme

    other = make_scheme(world, "Another scheme", coordinator=world["admin"])
    question = Question.objects.filter(module__scheme=other).first()
    assert question is not None
    client = as_verified(world["officer"])
    for name in ["checkins-question-edit", "checkins-question-remove"]:
        assert client.get(reverse(name, kwargs={"pk": question.pk})).status_code == 404
        assert client.post(reverse(name, kwargs={"pk": question.pk})).status_code == 404
    for name in ["checkins-module-edit", "checkins-module-remove"]:
        assert client.post(reverse(name, kwargs={"pk": question.module_id})).status_code == 404
    assert Question.objects.filter(pk=question.pk, retired_at__isnull=True).exists()


def test_it_keeps_an_answer_to_a_question_retired_while_a_phone_was_offline(
    world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    question = Question.objects.get(module__scheme=scheme, code="need_anything")
    _answer(round_, resident, question, "Milk")
    services.question_remove(question=question, actor=world["officer"])
    # The list was loaded before the question was retired; the visit arrives afterwards.
    _answer(round_, resident, question, "Bread")
    values = Answer.objects.filter(question=question).values_list("value", flat=True)
    assert sorted(values) == ["Bread", "Milk"]
