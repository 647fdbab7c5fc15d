from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from whatworks.core import ratelimit
from whatworks.core.messaging import message_queue
from whatworks.core.models import Channel
from whatworks.core.network import client_address
from whatworks.organisations.models import ApiScope, Organisation, OrganisationKind, Role, User
from whatworks.organisations.names import clean_display_name

SIGN_IN_FAILURES = ratelimit.Limit(
    "sign-in-failures", count=lambda: settings.SIGN_IN_FAILURES_PER_ADDRESS, seconds=15 * 60
)


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

    def clean(self) -> dict[str, Any]:
        # Besides the lockout per username and address (django-axes), failures are counted
        # per address whatever the usernames: one password tried against many accounts
        # (password spraying) is stopped too.
        address = client_address(self.request) if self.request is not None else ""
        if ratelimit.over(SIGN_IN_FAILURES, address):
            raise forms.ValidationError(
                "Too many failed sign-ins from this connection. Wait 15 minutes, then try again.",
                code="rate_limited",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            ratelimit.hit(SIGN_IN_FAILURES, address)
            raise


# A reset link to one address at most this often, whoever asks: no flooding someone's inbox.
RESET_PER_EMAIL = ratelimit.Limit("password-reset-email", count=3, seconds=3600)


class OutboxPasswordResetForm(PasswordResetForm):
    """Sends the reset link through the outbox instead of straight to SMTP, at most
    RESET_PER_EMAIL times an hour to one address (the page says the same either way, so it
    reveals neither the limit nor whether the address has an account)."""

    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email: str) -> Any:
        # Django skips accounts without a usable password; here those are the people staff
        # added, who choose their first password from this link (no one else sets it).
        return (
            user
            for user in User.objects.filter(email__iexact=email, is_active=True)
            if user.email.casefold() == email.casefold()
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
        if ratelimit.hit(RESET_PER_EMAIL, to_email.strip().lower()):
            return
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

    def clean_full_name(self) -> str:
        return clean_display_name(self.cleaned_data["full_name"])

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
        error_messages={"required": "Enter a name for the key"},
    )
    # Named `scope` (one value per ticked box), as the API documentation calls it.
    scope = forms.MultipleChoiceField(
        label="What can it do?",
        help_text="Select all that apply. Give a key only what its system needs.",
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what the key can do"},
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "bio", "visibility", "contact"]
        widgets = {"visibility": forms.RadioSelect, "contact": forms.RadioSelect}
        labels = {
            "visibility": "Who can see your profile?",
            "contact": "Can other members send you messages through What Works?",
        }
        help_texts = {
            "contact": "Messages reach you by email. Senders never see your email address "
            "unless you reply.",
        }

    def clean_full_name(self) -> str:
        return clean_display_name(self.cleaned_data["full_name"], user=self.instance)


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label="Name or ONS code", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All kinds"), *OrganisationKind.choices]
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Words to search for",
        max_length=200,
        error_messages={
            "required": "Enter words to search for",
            "max_length": "Enter 200 characters or fewer",
        },
    )


class OrganisationDetailsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["description", "website"]
        labels = {"description": "What your organisation does"}
