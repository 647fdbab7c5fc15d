"""Forms of the service's own pages (feedback)."""

from __future__ import annotations

from django import forms


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label="What would you like to tell us?",
        help_text="Do not include anyone's personal details, such as a resident's name or health.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter your feedback",
            "max_length": "Your feedback must be 2,000 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Your email address",
        required=False,
        help_text="Only if you would like a reply. We use it for nothing else.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    page = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def clean_page(self) -> str:
        page = self.cleaned_data.get("page") or ""
        # Only a path on this site: the page the person was on, never a full address.
        return page if page.startswith("/") and not page.startswith("//") else ""
