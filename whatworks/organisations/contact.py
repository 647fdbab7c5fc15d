"""Reaching people through the site: who accepts messages, and the limits on sending.

A member writes to a person (a champion, a record's owner) on the site; the message reaches
them by email through the outbox, with the sender's organisation and a reply-to address,
and a link to report it. The recipient's address is never shown to the sender.

Consent: a person chooses on their profile (`User.contact`). By default only collaboration
champions accept messages, since an organisation names them for others to reach; apps that
know who is a champion register a check in `champion_checks` (the forum does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from whatworks.core import ratelimit
from whatworks.core.registry import Registry
from whatworks.organisations.models import ContactMessage, ContactPreference

champion_checks: Registry[Callable[[Any], bool]] = Registry("who counts as a champion")

PER_SENDER = ratelimit.Limit("contact-sender", count=10, seconds=24 * 3600)
PER_PAIR = ratelimit.Limit("contact-pair", count=3, seconds=24 * 3600)
MAX_LENGTH = 3000


def accepts_contact(person: Any, *, champion: bool | None = None) -> bool:
    """Whether `person` accepts messages; `champion` when the caller already knows."""
    if not person.is_active or person.contact == ContactPreference.NO:
        return False
    if person.contact == ContactPreference.YES:
        return True
    if champion is not None:
        return champion
    return any(check(person) for check in champion_checks)


def blocked(sender: Any, recipient: Any) -> bool:
    """A recipient who reported a sender's message hears no more from them."""
    return ContactMessage.objects.filter(
        sender=sender, recipient=recipient, reported_at__isnull=False
    ).exists()


class ContactForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your message",
            "max_length": f"Your message must be {MAX_LENGTH:,} characters or fewer",
        },
        help_text="Say who you are and what you would like to know. Do not include details "
        "of residents or service users.",
    )
    organisation = forms.ChoiceField(
        label="Which organisation are you writing for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the organisation you are writing for"},
    )

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(o.pk), o.name) for o in organisations]
        if len(organisations) == 1:  # nothing to choose: the one organisation, not asked
            field.required = False
            field.widget = forms.HiddenInput()

    def clean_organisation(self) -> Any:
        chosen = self.cleaned_data.get("organisation")
        if not chosen and len(self.organisations) == 1:
            return next(iter(self.organisations.values()))
        return self.organisations[str(chosen)]


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this message?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what is wrong with this message"},
    )
