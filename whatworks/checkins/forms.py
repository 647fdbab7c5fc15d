"""Forms: the referral question pages, the coordinator's decisions, and the visit record."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from whatworks.checkins import validation
from whatworks.checkins.erasure import EraseReason
from whatworks.checkins.models import (
    WEEKDAYS,
    AgreementScope,
    AnswerKind,
    ConsentMethod,
    EmergencyAction,
    EscalationRule,
    HealthIdentifier,
    Outcome,
    PracticeAddress,
    PracticeNaming,
    QuestionModule,
    Referral,
    Round,
    RoundKind,
)
from whatworks.ui.dates import DateInputField

DAY_CHOICES = [(str(i), name) for i, name in enumerate(WEEKDAYS)]


class ReferrerForm(forms.Form):
    referrer_kind = forms.ChoiceField(
        label="Who is making the referral?",
        choices=Referral.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is making the referral"},
    )
    referrer_name = forms.CharField(
        label="Your name", max_length=200, error_messages={"required": "Enter your name"}
    )
    referrer_organisation = forms.CharField(
        label="Your organisation or GP practice", max_length=200, required=False
    )
    referrer_email = forms.EmailField(
        label="Your email address",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    referrer_phone = forms.CharField(label="Your phone number", max_length=30, required=False)
    reason = forms.CharField(
        label="Why should this person be visited?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: lives alone since a fall, no family nearby.",
        error_messages={"required": "Enter why this person should be visited"},
    )

    def clean_referrer_phone(self) -> str:
        return validation.clean_phone(self.cleaned_data["referrer_phone"], "your phone number")


class PersonForm(forms.Form):
    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the person's first name"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the person's last name"},
    )
    # The GOV.UK date input: three boxes, no scrolling a phone's picker back to 1936.
    date_of_birth = DateInputField(
        label="Date of birth",
        must_be="past",
        autocomplete="bday",
        help_text="For example, 2 5 1936",
    )
    address_line_1 = forms.CharField(
        label="Address line 1", max_length=200, error_messages={"required": "Enter address line 1"}
    )
    address_line_2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(
        label="Postcode", max_length=10, error_messages={"required": "Enter a postcode"}
    )
    phone = forms.CharField(label="Their phone number", max_length=30, required=False)
    nhs_number = forms.CharField(
        label="NHS number", max_length=14, required=False, help_text="10 digits, like 943 476 5919"
    )

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        if born.year < 1900:
            raise ValidationError("Date of birth must be after 1900")
        return born

    def clean_postcode(self) -> str:
        return validation.clean_postcode(self.cleaned_data["postcode"])

    def clean_phone(self) -> str:
        return validation.clean_phone(self.cleaned_data["phone"], "their phone number")

    def __init__(self, *args: Any, scheme: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the identifier the scheme uses: NHS number, its local one, or none.
        uses = scheme.health_identifier if scheme is not None else HealthIdentifier.NHS
        if uses != HealthIdentifier.NHS:
            del self.fields["nhs_number"]
        if uses == HealthIdentifier.LOCAL:
            self.fields["local_identifier"] = forms.CharField(
                label=scheme.local_identifier_name, max_length=30, required=False
            )

    def clean_nhs_number(self) -> str:
        return validation.clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_local_identifier(self) -> str:
        return validation.clean_local_identifier(
            self.cleaned_data["local_identifier"], str(self.fields["local_identifier"].label or "")
        )


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        label="The person agrees to be referred and visited, and to their details being shared "
        "with the scheme's partners",
        error_messages={"required": "Confirm that the person agrees to be referred"},
    )
    consent_given_on = DateInputField(
        label="Date they agreed", must_be="not future", help_text="For example, 5 1 2026"
    )
    consent_method = forms.ChoiceField(
        label="How did they agree?",
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they agreed"},
    )


class ContactForm(forms.Form):
    contact_name = forms.CharField(
        label="Nominated contact's name",
        max_length=200,
        error_messages={"required": "Enter the nominated contact's name"},
    )
    contact_relationship = forms.CharField(
        label="Relationship to the person",
        max_length=100,
        help_text="For example: daughter, neighbour, GP.",
        error_messages={"required": "Enter the nominated contact's relationship to the person"},
    )
    contact_phone = forms.CharField(
        label="Contact's mobile phone number", max_length=30, required=False
    )
    contact_email = forms.EmailField(
        label="Contact's email address",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    contact_lives_locally = forms.BooleanField(
        label="The contact lives locally and could call round the same day",
        required=False,
    )

    def clean_contact_phone(self) -> str:
        return validation.clean_phone(self.cleaned_data["contact_phone"], "contact's phone number")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("contact_phone") or data.get("contact_email")):
            self.add_error("contact_phone", "Enter the contact's phone number or email address")
        if not self.errors and not data.get("contact_lives_locally"):
            self.add_error(
                "contact_lives_locally", "At least one nominated contact must live locally"
            )
        return data


NOT_LISTED = "__not_listed__"


class HealthForm(forms.Form):
    gp_practice_ods = forms.CharField(
        label="GP practice ODS code",
        max_length=10,
        required=False,
        help_text="A letter and 5 numbers, like A81001.",
    )
    gp_practice_name = forms.CharField(label="GP practice name", max_length=200, required=False)
    gp_practice_email = forms.EmailField(
        label="GP practice email address",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    modules = forms.MultipleChoiceField(
        label="Reminders and questions the visits should include",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    health_notes = forms.CharField(
        label="Health details the questions need",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only what the visits need, such as 'takes insulin'. Not a medical history.",
    )
    appointment_on = DateInputField(
        label="Date of their next appointment", required=False, help_text="For example, 27 3 2027"
    )
    appointment_what = forms.CharField(
        label="What the appointment is",
        max_length=200,
        required=False,
        help_text="For example: eye clinic at the county hospital.",
    )

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["modules"].choices = [  # type: ignore[attr-defined]
            (str(m.pk), m.name)
            for m in QuestionModule.objects.filter(scheme_id=scheme.pk, generic=False)
        ]
        self.own_list = scheme.gp_practices == PracticeNaming.OWN
        if self.own_list:
            # The scheme's own list: choose the practice by name; no ODS code, and no email
            # typed by the referrer (concerns go to the list's verified address).
            del self.fields["gp_practice_ods"], self.fields["gp_practice_email"]
            names = list(
                PracticeAddress.objects.filter(scheme=scheme, ods_code="").values_list(
                    "name", flat=True
                )
            )
            self.fields["gp_practice_name"] = forms.ChoiceField(
                label="Their GP practice",
                choices=[(n, n) for n in names] + [(NOT_LISTED, "Not listed, or not known")],
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Select their GP practice from the list"},
            )
            self.fields["gp_practice_other"] = forms.CharField(
                label="Name of their GP practice, if you know it",
                max_length=200,
                required=False,
            )
            self.order_fields(["gp_practice_name", "gp_practice_other"])

    def clean_gp_practice_ods(self) -> str:
        return validation.clean_ods_code(self.cleaned_data["gp_practice_ods"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.own_list:
            if data.get("gp_practice_name") == NOT_LISTED:
                data["gp_practice_name"] = (data.get("gp_practice_other") or "").strip()
            data.pop("gp_practice_other", None)
            data["gp_practice_ods"] = data["gp_practice_email"] = ""
        if data.get("appointment_on") and not data.get("appointment_what"):
            self.add_error("appointment_what", "Enter what the appointment is")
        return data


class AcceptForm(forms.Form):
    round = forms.ModelChoiceField(
        label="Round", queryset=Round.objects.none(), error_messages={"required": "Select a round"}
    )
    visit_days = forms.MultipleChoiceField(
        label="Visit days",
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="1 to 6 days a week.",
        error_messages={"required": "Select the days of the week to visit"},
    )
    visit_order = forms.IntegerField(
        label="Position on the round",
        min_value=0,
        initial=0,
        help_text="Where the address comes in the walk: lower comes first.",
        error_messages={"required": "Enter the position on the round"},
    )

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = Round.objects.filter(scheme=scheme)  # type: ignore[attr-defined]

    def clean_visit_days(self) -> list[str]:
        days: list[str] = self.cleaned_data["visit_days"]
        if len(days) > 6:
            raise ValidationError("Select between 1 and 6 visit days")
        return days


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        days = [WEEKDAYS[i] for i in range(7) if obj.work_days & (1 << i)]
        return f"{obj.name} (runs {', '.join(d[:3] for d in days) or 'on no days'})"


class RoundChangeForm(AcceptForm):
    """The round and visit days of someone already visited; applied from the next list."""

    round = RoundChoiceField(
        label="Round", queryset=Round.objects.none(), error_messages={"required": "Select a round"}
    )

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, scheme=scheme, **kwargs)
        self.fields["visit_days"].help_text = "1 to 6 days a week, on days the round runs."


class AppointmentForm(forms.Form):
    on = DateInputField(label="Date", help_text="For example, 27 3 2027")
    time = forms.TimeField(
        label="Time (optional)",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": "Time must be a real time, like 14:30"},
    )
    what = forms.CharField(
        label="What is the appointment?",
        max_length=200,
        help_text="As the worker will say it, like 'Diabetes clinic'. No more detail than that.",
        error_messages={"required": "Enter what the appointment is"},
    )
    where = forms.CharField(
        label="Where is it? (optional)",
        max_length=200,
        required=False,
        help_text="Like 'Crowborough War Memorial Hospital'.",
    )


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        label="Did they go to the appointment?",
        choices=[("yes", "Yes, they went"), ("no", "No, they missed it")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they went to the appointment"},
    )


class DeclineForm(forms.Form):
    note = forms.CharField(
        label="Why is the referral declined?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the referral is declined"},
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label="What was done?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what was done"},
    )


class EraseForm(forms.Form):
    # A choice, not free text: the erasure's own audit entry must not name the person.
    reason = forms.ChoiceField(
        label="Why is the record erased?",
        choices=EraseReason.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the record is erased"},
    )


class PauseForm(forms.Form):
    start_date = DateInputField(label="Date to pause from", help_text="For example, 27 3 2027")
    end_date = DateInputField(
        label="Date to pause until", required=False, help_text="Leave empty if not known."
    )
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="For example: in hospital, away with family.",
        error_messages={"required": "Enter the reason for the pause"},
    )


class RuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = [
            "name",
            "trigger",
            "outcome",
            "question_code",
            "answer_value",
            "streak",
            "notify_contact",
            "notify_gp",
            "notify_coordinator",
            "channel",
            "urgency",
            "deadline_hours",
            "is_active",
        ]
        labels = {
            "urgency": "How urgent it is",
            "question_code": "Question (short name)",
            "answer_value": "Answer that triggers the rule",
            "streak": "Visits in a row (for no answer)",
            "deadline_hours": "Deadline for the coordinator's task (hours)",
            "notify_contact": "Tell the nominated contacts",
            "notify_gp": "Tell the GP practice",
            "notify_coordinator": "Email the coordinators",
            "is_active": "The rule is on",
        }
        widgets = {
            "trigger": forms.RadioSelect,
            "channel": forms.RadioSelect,
            "urgency": forms.RadioSelect,
        }
        help_texts = {
            "urgency": "An emergency shows the worker what to do at once (call 999 or 111, "
            "then the nominated contact) and texts the mobile for emergency alerts; a "
            "same-day task is due by the end of the day and chased every 2 hours.",
        }
        error_messages = {
            "name": {"required": "Enter a name for the rule"},
            "trigger": {"required": "Select what triggers the rule"},
            "deadline_hours": {"required": "Enter the deadline in hours"},
            "urgency": {"required": "Select how urgent it is"},
        }


class SchemeForm(forms.Form):
    name = forms.CharField(
        label="Name of the scheme",
        max_length=200,
        error_messages={"required": "Enter a name for the scheme"},
    )
    initiative: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Initiative in the register",
        queryset=None,
        required=False,
        empty_label="None chosen",
        help_text="Its outcomes become this initiative's evidence.",
    )
    cost_per_visit = forms.DecimalField(
        label="Cost per visit (£)",
        min_value=0,
        max_digits=8,
        decimal_places=2,
        initial="6.75",
        error_messages={
            "required": "Enter the cost per visit",
            "invalid": "Cost per visit must be a number, like 6.75",
        },
    )
    coordinator_phone = forms.CharField(label="Coordinator's phone number", required=False)
    health_identifier = forms.ChoiceField(
        label="Health identifier the referral asks for",
        choices=HealthIdentifier.choices,
        initial=HealthIdentifier.NHS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the health identifier the referral asks for"},
    )
    local_identifier_label = forms.CharField(
        label="Name of the local health identifier",
        max_length=60,
        required=False,
        help_text="For example: Jersey health number. Only for a local identifier.",
    )
    gp_practices = forms.ChoiceField(
        label="How the referral asks for the person's GP practice",
        choices=PracticeNaming.choices,
        initial=PracticeNaming.ODS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the referral asks for the GP practice",
            "invalid_choice": "Select how the referral asks for the GP practice",
        },
    )
    alert_mobile = forms.CharField(
        label="Mobile for emergency alerts",
        required=False,
        help_text="Texted at once when a worker records an emergency at a visit.",
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from whatworks.initiatives.models import Initiative

        self.fields["initiative"].queryset = Initiative.objects.filter(organisation=organisation)  # type: ignore[attr-defined]

    def clean_coordinator_phone(self) -> str:
        return validation.clean_phone(
            self.cleaned_data["coordinator_phone"], "coordinator's phone number"
        )

    def clean_alert_mobile(self) -> str:
        return validation.clean_mobile(
            self.cleaned_data["alert_mobile"], "mobile for emergency alerts"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("health_identifier") == HealthIdentifier.LOCAL
            and not (data.get("local_identifier_label") or "").strip()
        ):
            self.add_error(
                "local_identifier_label",
                "Enter the name of the local health identifier, like Jersey health number",
            )
        return data


class RoundForm(forms.Form):
    name = forms.CharField(
        label="Name of the round",
        max_length=200,
        error_messages={"required": "Enter a name for the round"},
    )
    kind = forms.ChoiceField(
        label="Kind of round",
        choices=RoundKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of round"},
    )
    worker_email = forms.EmailField(
        label="Worker's email address",
        required=False,
        help_text="They must already have an account.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )

    def clean_worker_email(self) -> Any:
        from whatworks.organisations.models import User

        email = self.cleaned_data["worker_email"]
        if not email:
            return None
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise ValidationError("Worker's email address must belong to someone with an account")
        return user


class AgreementForm(forms.Form):
    purpose = forms.CharField(
        label="Purpose",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the purpose of the sharing"},
    )
    lawful_basis = forms.CharField(
        label="Lawful basis",
        max_length=300,
        help_text="For example: UK GDPR 6(1)(e) public task; 9(2)(h) health or social care.",
        error_messages={"required": "Enter the lawful basis"},
    )
    parties = forms.CharField(
        label="Partner organisations (their web address names, one a line)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The short names in their What Works addresses, like 'jersey-post'.",
        error_messages={"required": "Enter the partner organisations"},
    )
    partner_scope = forms.ChoiceField(
        label="What partners may see",
        choices=AgreementScope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what partners may see"},
    )
    start_date = DateInputField(label="Start date", help_text="For example, 1 4 2026")
    review_date = DateInputField(label="Review date", help_text="For example, 31 3 2027")

    def clean_parties(self) -> list[Any]:
        from whatworks.organisations.models import Organisation

        slugs = [s.strip() for s in self.cleaned_data["parties"].splitlines() if s.strip()]
        found = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
        missing = [s for s in slugs if s not in found]
        if missing:
            raise ValidationError(f"Partner organisations not found: {', '.join(missing)}")
        return list(found.values())


class FirstContactForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened when you contacted them?",
        choices=[
            ("agreed", "They agreed to visits"),
            ("contacted", "We spoke, but they have not decided yet"),
            ("declined", "They do not want visits"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened when you contacted them"},
    )
    contacted_on = DateInputField(label="Date of contact", must_be="not future")

    def __init__(self, *args: Any, questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = timezone.localdate()
        self.answer_names = []
        if questions:
            self.fields["status"].help_text = (
                "If they agree, ask the baseline questions that appear: the answers are the "
                "starting point for the scheme's loneliness figures."
            )
        for question in questions:
            name = f"answer_{question.pk}"
            self.answer_names.append(name)
            # Required once they agree (see clean): shown under "They agreed to visits".
            missing = {"required": f"Select an answer to '{question.text}'"}
            if question.kind == AnswerKind.TEXT:
                self.fields[name] = forms.CharField(
                    label=question.text, max_length=500, error_messages=missing
                )
            else:
                self.fields[name] = forms.ChoiceField(
                    label=question.text,
                    choices=[(o, o) for o in question.options()],
                    widget=forms.RadioSelect,
                    error_messages=missing,
                )

    @property
    def reveals(self) -> str:
        """The baseline questions, under "They agreed to visits" (govuk_field reveals=)."""
        return f"agreed:{';'.join(self.answer_names)}" if self.answer_names else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") != "agreed":  # the baseline is asked only once they agree
            for name in self.answer_names:
                self.errors.pop(name, None)
        return data

    def answers(self) -> dict[int, str]:
        return {
            int(name.removeprefix("answer_")): self.cleaned_data.get(name) or ""
            for name in self.answer_names
        }


class EmergencyActionsForm(forms.Form):
    actions = forms.MultipleChoiceField(
        label="What have you done?",
        choices=EmergencyAction.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what you have done"},
    )


def visit_form_answers(data: Any) -> dict[str, str]:
    """answer_<question id> fields of a posted visit, as {question id: value}."""
    return {
        key[len("answer_") :]: value for key, value in data.items() if key.startswith("answer_")
    }


OUTCOME_CHOICES = Outcome.choices
ANSWER_KINDS = AnswerKind
