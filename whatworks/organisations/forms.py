from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from whatworks.core.messaging import message_queue
from whatworks.core.models import Channel
from whatworks.organisations.models import ApiKeyScope, Organisation, OrganisationKind, Role, User


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password.",
        "inactive": "This account has been switched off.",
    }


class OutboxPasswordResetForm(PasswordResetForm):
    """Sends the reset link through the outbox instead of straight to SMTP."""

    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        link = (
            f"{context['protocol']}://{context['domain']}/password-reset/"
            f"{context['uid']}/{context['token']}/"
        )
        message_queue(
            channel=Channel.EMAIL,
            recipient=to_email,
            template="password_reset",
            personalisation={"name": context["user"].full_name, "link": link},
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    password = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. Avoid common words and passwords you use elsewhere.",
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        candidate = User(email=self.email, full_name=self.cleaned_data.get("full_name", ""))
        password_validation.validate_password(password, candidate)
        return password


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What uses this key, e.g. 'Performance data import'.",
    )
    scope = forms.ChoiceField(
        label="What can it do?", choices=ApiKeyScope.choices, widget=forms.RadioSelect
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "bio", "visibility"]
        widgets = {"visibility": forms.RadioSelect}
        labels = {"visibility": "Who can see your profile?"}


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label="Name or ONS code", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All kinds"), *OrganisationKind.choices]
    )


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)


class OrganisationDetailsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["description", "website"]
        labels = {"description": "What your organisation does"}
