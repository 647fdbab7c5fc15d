"""The coordinator's settings pages: people and their roles, holiday cover, the question set,
and retention (periods per record type, and the review of records past them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from whatworks.checkins import retention, selectors, services, twofactor
from whatworks.checkins.forms_manage import (
    CoverForm,
    ModuleForm,
    QuestionEditForm,
    QuestionForm,
    RetentionForm,
    RoleForm,
)
from whatworks.checkins.models import (
    Answer,
    DisposalReview,
    Question,
    QuestionModule,
    RetentionPolicy,
    Round,
    SchemeRole,
)
from whatworks.core.forms import act, submit
from whatworks.organisations.http import AuthenticatedRequest


def _rules_url(scheme: Any) -> str:
    return reverse("checkins-rules", kwargs={"pk": scheme.pk})


@twofactor.two_factor_required
def people(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = RoleForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.scheme_role_add(
            scheme=scheme,
            user=data["email"],
            role=data["role"],
            organisation=data["organisation"],
            actor=request.user,
        ),
        then=reverse("checkins-people", kwargs={"pk": scheme.pk}),
        success="The role is added.",
    ):
        return done
    roles = SchemeRole.objects.filter(scheme=scheme).select_related("user", "organisation")
    return render(request, "checkins/people.html", {"scheme": scheme, "form": form, "roles": roles})


@twofactor.two_factor_required
def cover_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round, pk=pk)
    scheme = selectors.access_scheme(request.user, round_.scheme_id)
    form = CoverForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.cover_add(
            round_=round_,
            start_date=data["start_date"],
            end_date=data["end_date"],
            worker=data["worker_email"],
            actor=request.user,
        ),
        then=scheme,
        success="The holiday and cover are recorded.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": scheme,
            "title": f"Holiday or cover on {round_.name}",
            "button": "Record it",
        },
    )


@twofactor.two_factor_required
def question_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = QuestionForm(request.POST or None, scheme=scheme)
    if done := submit(
        request,
        form,
        lambda data: services.question_add(
            scheme=scheme,
            module=data["module"],
            new_module=data["new_module"],
            new_module_generic=data["new_module_generic"],
            code=data["code"],
            text=data["text"],
            kind=data["kind"],
            options=data["options"],
            actor=request.user,
        ),
        then=_rules_url(scheme),
        success="The question is added.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": scheme,
            "title": "Add a question",
            "button": "Add the question",
        },
    )


def _question(request: AuthenticatedRequest, pk: int) -> tuple[Question, Any]:
    question = get_object_or_404(
        Question.objects.select_related("module"), pk=pk, retired_at__isnull=True
    )
    return question, selectors.access_scheme(request.user, question.module.scheme_id)


@twofactor.two_factor_required
def question_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    question, scheme = _question(request, pk)
    initial = {
        "text": question.text,
        "code": question.code,
        "kind": question.kind,
        "choices": "\n".join(str(c) for c in question.choices),
    }
    form = QuestionEditForm(request.POST or None, scheme=scheme, question=question, initial=initial)
    if done := submit(
        request,
        form,
        lambda data: services.question_update(
            question=question,
            code=data["code"],
            text=data["text"],
            kind=data["kind"],
            options=data["options"],
            actor=request.user,
        ),
        then=_rules_url(scheme),
        success="The question is changed.",
    ):
        return done
    answered = services.question_answered(question)
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": scheme,
            "title": "Change a question",
            "button": "Save the question",
            "back": "checkins-rules",
            "inset": f"Answered in {answered} past visit{'s' if answered != 1 else ''}: "
            "its kind of answer cannot change."
            if answered
            else "",
        },
    )


@twofactor.two_factor_required
def question_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    question, scheme = _question(request, pk)
    answered = services.question_answered(question)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if done := submit(
        request,
        form,
        lambda data: services.question_remove(question=question, actor=request.user),
        then=_rules_url(scheme),
        success=lambda retired: (
            "The question is retired: new visits no longer ask it, and past answers are kept."
            if retired
            else "The question is removed."
        ),
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": scheme,
            "title": f"Remove the question “{question.text}”",
            "back": "checkins-rules",
            "button": "Retire the question" if answered else "Remove the question",
            "warning": (
                f"It has been answered in {answered} past visit{'s' if answered != 1 else ''}, "
                "so it will be retired rather than deleted: new visits will not ask it, and "
                "the past answers are kept."
            )
            if answered
            else "It has never been answered, so it will be deleted.",
        },
    )


def _module(request: AuthenticatedRequest, pk: int) -> tuple[QuestionModule, Any]:
    module = get_object_or_404(QuestionModule, pk=pk, retired_at__isnull=True)
    return module, selectors.access_scheme(request.user, module.scheme_id)


@twofactor.two_factor_required
def module_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    module, scheme = _module(request, pk)
    initial = {"name": module.name, "generic": module.generic, "every_weeks": module.every_weeks}
    form = ModuleForm(request.POST or None, initial=initial)
    if done := submit(
        request,
        form,
        lambda data: services.module_update(module=module, actor=request.user, **data),
        then=_rules_url(scheme),
        success="The question set is changed.",
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": scheme,
            "title": "Change a question set",
            "button": "Save the question set",
            "back": "checkins-rules",
        },
    )


@require_POST
@twofactor.two_factor_required
def module_adopt(request: AuthenticatedRequest, pk: int, key: str) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    if key not in services.LIBRARY_MODULES:
        raise Http404("No such question set")
    return act(
        request,
        lambda: services.module_adopt(scheme=scheme, key=key, actor=request.user),
        then=_rules_url(scheme),
        success=lambda module: f"“{module.name}” is added: visits ask it from today.",
    )


@twofactor.two_factor_required
def module_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    module, scheme = _module(request, pk)
    answered = Answer.objects.filter(question__module=module).exists()
    form = forms.Form(request.POST if request.method == "POST" else None)
    if done := submit(
        request,
        form,
        lambda data: services.module_remove(module=module, actor=request.user),
        then=_rules_url(scheme),
        success=lambda retired: (
            "The question set is retired: new visits no longer ask it, and past answers are kept."
            if retired
            else "The question set is removed."
        ),
    ):
        return done
    return render(
        request,
        "checkins/simple_form.html",
        {
            "form": form,
            "scheme": scheme,
            "title": f"Remove the question set “{module.name}”",
            "back": "checkins-rules",
            "button": "Retire the question set" if answered else "Remove the question set",
            "warning": "Its questions have been answered in past visits, so the set and its "
            "questions will be retired rather than deleted: new visits will not ask them, and "
            "the past answers are kept."
            if answered
            else "None of its questions has been answered, so the set and its questions will "
            "be deleted.",
        },
    )


@twofactor.two_factor_required
def retention_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    policies = list(RetentionPolicy.objects.filter(scheme=scheme).order_by("record_type"))
    back = reverse("checkins-retention", kwargs={"pk": scheme.pk})
    if request.method == "POST" and "review" in request.POST:
        review_id = request.POST.get("review", "")
        review = (
            DisposalReview.objects.filter(
                scheme=scheme, pk=review_id, decided_at__isnull=True
            ).first()
            if review_id.isdigit()
            else None
        )
        if review is None:
            raise Http404("No such review")
        return act(
            request,
            lambda: retention.review_decide(
                review=review, dispose=request.POST.get("decision") == "dispose", actor=request.user
            ),
            then=back,
            success="The decision is recorded.",
        )
    form = RetentionForm(request.POST if request.method == "POST" else None, policies=policies)
    if done := submit(
        request,
        form,
        lambda data: retention.periods_save(
            scheme=scheme, policies=policies, keep_days=data, actor=request.user
        ),
        then=back,
        success="The retention periods are saved.",
    ):
        return done
    reviews = DisposalReview.objects.filter(scheme=scheme, decided_at__isnull=True).select_related(
        "resident"
    )
    return render(
        request, "checkins/retention.html", {"scheme": scheme, "form": form, "reviews": reviews}
    )
