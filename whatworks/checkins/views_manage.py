"""The coordinator's settings pages: people and their roles, holiday cover, the question set,
and retention (periods per record type, and the review of records past them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from whatworks.checkins import retention, selectors, services, twofactor
from whatworks.checkins.forms import DATE
from whatworks.checkins.models import (
    Answer,
    AnswerKind,
    DisposalReview,
    Question,
    QuestionModule,
    RecordType,
    RetentionPolicy,
    Round,
    SchemeRole,
    SchemeRoleKind,
)
from whatworks.core import audit
from whatworks.core.forms import add_service_errors
from whatworks.organisations.http import AuthenticatedRequest
from whatworks.organisations.models import Organisation, User

EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com"


def _person(email: str, label: str) -> Any:
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise ValidationError(f"{label} must belong to someone with an account")
    return user


class RoleForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="They must already have an account.",
        error_messages={"required": "Enter their email address", "invalid": EMAIL_INVALID},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=SchemeRoleKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )
    organisation = forms.CharField(
        label="Partner organisation (partner viewers only)",
        required=False,
        help_text="The short name in its What Works address, like 'jersey-post'.",
    )

    def clean_email(self) -> Any:
        return _person(self.cleaned_data["email"], "Their email address")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        slug = data.get("organisation", "").strip()
        data["organisation"] = Organisation.objects.filter(slug=slug).first() if slug else None
        if slug and data["organisation"] is None:
            self.add_error("organisation", "Partner organisation not found")
        elif data.get("role") == SchemeRoleKind.PARTNER and not slug:
            self.add_error("organisation", "Enter the partner organisation")
        return data


@twofactor.two_factor_required
def people(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_role_add(
                scheme=scheme,
                user=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The role is added.")
            return redirect("checkins-people", pk=scheme.pk)
    roles = SchemeRole.objects.filter(scheme=scheme).select_related("user", "organisation")
    return render(request, "checkins/people.html", {"scheme": scheme, "form": form, "roles": roles})


class CoverForm(forms.Form):
    start_date = forms.DateField(
        label="From",
        widget=DATE,
        error_messages={"required": "Enter the first day", "invalid": "From must be a real date"},
    )
    end_date = forms.DateField(
        label="To",
        widget=DATE,
        error_messages={"required": "Enter the last day", "invalid": "To must be a real date"},
    )
    worker_email = forms.EmailField(
        label="Email address of the person covering",
        required=False,
        help_text="Leave empty if nobody covers: there are no visits on those days.",
        error_messages={"invalid": EMAIL_INVALID},
    )

    def clean_worker_email(self) -> Any:
        email = self.cleaned_data["worker_email"]
        return _person(email, "Email address of the person covering") if email else None


@twofactor.two_factor_required
def cover_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round, pk=pk)
    scheme = selectors.access_scheme(request.user, round_.scheme_id)
    form = CoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cover_add(
                round_=round_,
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
                worker=form.cleaned_data["worker_email"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The holiday and cover are recorded.")
            return redirect(scheme)
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


class QuestionEditForm(forms.Form):
    text = forms.CharField(
        label="Question", max_length=300, error_messages={"required": "Enter the question"}
    )
    code = forms.SlugField(
        label="Short name",
        max_length=40,
        help_text="Lower case, no spaces, like blood_sugar. Rules refer to it.",
        error_messages={
            "required": "Enter a short name",
            "invalid": "Short name must be lower case letters, numbers and underscores",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of answer",
        choices=AnswerKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of answer"},
    )
    choices = forms.CharField(
        label="Answers to choose from, one a line",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(
        self, *args: Any, scheme: Any, question: Question | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.question = question

    def clean(self) -> dict[str, Any]:
        # The services check these again; here they are all reported at once.
        data = super().clean() or {}
        options = [c.strip() for c in data.get("choices", "").splitlines() if c.strip()]
        if data.get("kind") == AnswerKind.CHOICE and len(options) < 2:
            self.add_error("choices", "Enter at least 2 answers to choose from")
        data["options"] = options
        code = data.get("code")
        taken = Question.objects.filter(module__scheme=self.scheme, code=code)
        if self.question is not None:
            taken = taken.exclude(pk=self.question.pk)
        if code and taken.exists():
            self.add_error("code", "Short name is already used by another question")
        return data


class QuestionForm(QuestionEditForm):
    module = forms.ModelChoiceField(
        label="Question set",
        queryset=QuestionModule.objects.none(),
        required=False,
        help_text="Or name a new set below.",
    )
    new_module = forms.CharField(label="New question set", max_length=100, required=False)
    new_module_generic = forms.BooleanField(
        label="Ask the new set of everyone (otherwise only of people given it)", required=False
    )
    field_order = ["module", "new_module", "new_module_generic", "text", "code", "kind"]

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, scheme=scheme, **kwargs)
        self.fields["module"].queryset = QuestionModule.objects.filter(  # type: ignore[attr-defined]
            scheme=scheme, retired_at__isnull=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("module") and not data.get("new_module", "").strip():
            self.add_error("module", "Select a question set or name a new one")
        return data


@twofactor.two_factor_required
def question_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    form = QuestionForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_add(
                scheme=scheme,
                module=data["module"],
                new_module=data["new_module"],
                new_module_generic=data["new_module_generic"],
                code=data["code"],
                text=data["text"],
                kind=data["kind"],
                options=data["options"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The question is added.")
            return redirect("checkins-rules", pk=scheme.pk)
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_update(
                question=question,
                code=data["code"],
                text=data["text"],
                kind=data["kind"],
                options=data["options"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The question is changed.")
            return redirect("checkins-rules", pk=scheme.pk)
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
    if request.method == "POST" and form.is_valid():
        try:
            retired = services.question_remove(question=question, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "The question is retired: new visits no longer ask it, and past answers are kept."
                if retired
                else "The question is removed.",
            )
            return redirect("checkins-rules", pk=scheme.pk)
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


class ModuleForm(forms.Form):
    name = forms.CharField(
        label="Name of the question set",
        max_length=100,
        error_messages={"required": "Enter the name of the question set"},
    )
    generic = forms.BooleanField(
        label="Ask it of everyone (otherwise only of people given it)", required=False
    )
    every_weeks = forms.IntegerField(
        label="Ask it every how many weeks",
        min_value=0,
        max_value=52,
        help_text="0 asks it at every visit; otherwise at the first visit, then every so often.",
        error_messages={
            "required": "Enter every how many weeks to ask it (0 for every visit)",
            "invalid": "Every how many weeks must be a whole number",
            "min_value": "Every how many weeks must be between 0 and 52",
            "max_value": "Every how many weeks must be between 0 and 52",
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
    if request.method == "POST" and form.is_valid():
        try:
            services.module_update(module=module, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The question set is changed.")
            return redirect("checkins-rules", pk=scheme.pk)
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


@twofactor.two_factor_required
def module_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    module, scheme = _module(request, pk)
    answered = Answer.objects.filter(question__module=module).exists()
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            retired = services.module_remove(module=module, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "The question set is retired: new visits no longer ask it, and past answers "
                "are kept."
                if retired
                else "The question set is removed.",
            )
            return redirect("checkins-rules", pk=scheme.pk)
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


class RetentionForm(forms.Form):
    def __init__(self, *args: Any, policies: list[RetentionPolicy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for policy in policies:
            self.fields[policy.record_type] = forms.IntegerField(
                label=f"{RecordType(policy.record_type).label}: keep for (days)",
                min_value=30,
                initial=policy.keep_days,
                error_messages={
                    "required": "Enter how many days to keep them",
                    "min_value": "Keep records for at least 30 days",
                },
            )


@twofactor.two_factor_required
def retention_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    scheme = selectors.access_scheme(request.user, pk)
    policies = list(RetentionPolicy.objects.filter(scheme=scheme).order_by("record_type"))
    form = RetentionForm(policies=policies)
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
        try:
            retention.review_decide(
                review=review, dispose=request.POST.get("decision") == "dispose", actor=request.user
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "The decision is recorded.")
        return redirect("checkins-retention", pk=scheme.pk)
    if request.method == "POST":
        form = RetentionForm(request.POST, policies=policies)
        if form.is_valid():
            for policy in policies:
                policy.keep_days = form.cleaned_data[policy.record_type]
                policy.save(update_fields=["keep_days"])
            audit.record("checkins.retention.changed", obj=scheme, organisation=scheme.organisation,
                         detail={p.record_type: p.keep_days for p in policies})  # fmt: skip
            messages.success(request, "The retention periods are saved.")
            return redirect("checkins-retention", pk=scheme.pk)
    reviews = DisposalReview.objects.filter(scheme=scheme, decided_at__isnull=True).select_related(
        "resident"
    )
    return render(
        request, "checkins/retention.html", {"scheme": scheme, "form": form, "reviews": reviews}
    )
