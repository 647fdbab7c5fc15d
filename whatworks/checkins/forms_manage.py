"""Forms for the coordinator's settings pages: people and their roles, holiday cover, the
question set, retention periods, and verified GP practice addresses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from whatworks.checkins.forms import SchemeForm
from whatworks.checkins.models import (
    AnswerKind,
    Payer,
    PeaceOfMind,
    PracticeNaming,
    Question,
    QuestionModule,
    RecordType,
    RetentionPolicy,
    SchemeRoleKind,
    Signpost,
    SignpostKind,
    TrainingModule,
)
from whatworks.organisations.models import Organisation, User
from whatworks.ui.dates import DateInputField

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


class CoverForm(forms.Form):
    start_date = DateInputField(label="First day of cover", help_text="For example, 27 3 2027")
    end_date = DateInputField(label="Last day of cover", help_text="For example, 3 4 2027")
    worker_email = forms.EmailField(
        label="Email address of the person covering",
        required=False,
        help_text="Leave empty if nobody covers: there are no visits on those days.",
        error_messages={"invalid": EMAIL_INVALID},
    )

    def clean_worker_email(self) -> Any:
        email = self.cleaned_data["worker_email"]
        return _person(email, "Email address of the person covering") if email else None


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


class PracticeForm(forms.Form):
    ods_code = forms.CharField(
        label="ODS code",
        max_length=10,
        help_text="The practice's code in the NHS directory, like A81001.",
        error_messages={"required": "Enter the practice's ODS code"},
    )
    name = forms.CharField(
        label="Practice name", max_length=200, error_messages={"required": "Enter its name"}
    )
    email = forms.EmailField(
        label="Email address the practice confirmed",
        help_text="Check it with the practice itself (by phone or from its letterhead), "
        "not from a referral.",
        error_messages={
            "required": "Enter the email address",
            "invalid": "Enter an email address in the correct format, like gp@example.nhs.uk",
        },
    )

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scheme.gp_practices == PracticeNaming.OWN:
            del self.fields["ods_code"]  # the scheme's own list: the name is the key


class PracticeNamingForm(forms.Form):
    # The same question as when the scheme was set up.
    gp_practices = SchemeForm.base_fields["gp_practices"]


class SignpostForm(forms.Form):
    name = forms.CharField(
        label="Name of the event or service",
        max_length=150,
        help_text="As a worker would say it, like 'Tuesday lunch club at St Mary's hall'.",
        error_messages={"required": "Enter the name of the event or service"},
    )
    kind = forms.ChoiceField(
        label="What is it?",
        choices=SignpostKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it is an event or a service"},
    )
    details = forms.CharField(
        label="When and where, or how to get in touch",
        max_length=300,
        required=False,
        help_text="No one's personal details.",
    )


class SignpostingForm(forms.Form):
    signposts = forms.ModelMultipleChoiceField(
        label="What were they told about?",
        help_text="Select all that apply.",
        queryset=Signpost.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select what they were told about",
            "invalid_choice": "Select events or services on the scheme's list",
            "invalid_pk_value": "Select events or services on the scheme's list",
        },
    )
    told_on = DateInputField(
        label="Date they were told", must_be="not future", help_text="For example, 27 3 2026"
    )

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["signposts"]
        field.queryset = Signpost.objects.filter(scheme=scheme, active=True)  # type: ignore[attr-defined]
        field.label_from_instance = lambda s: (  # type: ignore[attr-defined]
            f"{s.name} ({s.get_kind_display().lower()})"
        )
        self.fields["told_on"].initial = timezone.localdate()


class TrainingModuleForm(forms.Form):
    name = forms.CharField(
        label="Name of the training",
        max_length=150,
        help_text="For example, 'Spotting decline' or 'Safeguarding adults'.",
        error_messages={"required": "Enter the name of the training"},
    )
    renew_after_months = forms.IntegerField(
        label="Months before it must be done again",
        required=False,
        min_value=1,
        max_value=120,
        help_text="Leave empty if it never runs out.",
        error_messages={
            "invalid": "Months before it must be done again must be a whole number, like 12",
            "min_value": "Months before it must be done again must be 1 or more",
            "max_value": "Months before it must be done again must be 120 or fewer",
        },
    )


class TrainingRecordForm(forms.Form):
    worker_email = forms.EmailField(
        label="Email address of the worker",
        help_text="They must already have an account.",
        error_messages={"required": "Enter the worker's email address", "invalid": EMAIL_INVALID},
    )
    module = forms.ModelChoiceField(
        label="Training completed",
        queryset=TrainingModule.objects.none(),
        empty_label="Choose the training",
        error_messages={
            "required": "Select the training they completed",
            "invalid_choice": "Select training on the scheme's list",
        },
    )
    completed_on = DateInputField(
        label="Date completed", must_be="not future", help_text="For example, 27 3 2026"
    )

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = scheme.training_modules.all()  # type: ignore[attr-defined]

    def clean_worker_email(self) -> Any:
        return _person(self.cleaned_data["worker_email"], "Email address of the worker")


def _rate_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=f"{label}: cost per visit, in pounds",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "invalid": f"{label}: cost per visit must be an amount in pounds, like 6.75",
            "min_value": f"{label}: cost per visit must be £0 or more",
            "max_decimal_places": f"{label}: cost per visit must be in pounds and pence",
            "max_digits": f"{label}: cost per visit must be less than £1,000,000",
            "max_whole_digits": f"{label}: cost per visit must be less than £1,000,000",
        },
    )


class RatesForm(forms.Form):
    """One rate per payer; empty means the scheme's own rate."""

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hint = f"Leave empty for the scheme's rate, £{scheme.cost_per_visit}."
        for payer in Payer:
            self.fields[f"rate_{payer}"] = _rate_field(str(payer.label))
            self.fields[f"rate_{payer}"].help_text = hint
        for rate in scheme.rates.all():
            self.fields[f"rate_{rate.payer}"].initial = rate.cost_per_visit


class PayerForm(forms.Form):
    payer = forms.ChoiceField(
        label="Who pays for their visits?",
        choices=Payer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who pays for the visits"},
    )


class PeaceOfMindForm(forms.Form):
    """The contact's survey: one question, asked the same way every time."""

    answer = forms.ChoiceField(
        label="How much peace of mind do the visits give you?",
        choices=PeaceOfMind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how much peace of mind the visits give you",
            "invalid_choice": "Select how much peace of mind the visits give you",
        },
    )
