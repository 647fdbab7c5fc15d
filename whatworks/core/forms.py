"""Forms shared by every app, and the one way a view handles a submitted form or a button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from whatworks.core.models import MessageStatus


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="Action starts with", required=False, max_length=80)
    actor = forms.CharField(label="Person", required=False, max_length=100)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    personal_data_only = forms.BooleanField(label="Only views of personal data", required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return data


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All"), *MessageStatus.choices]
    )


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, so the error summary names the field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


T = TypeVar("T")

ShowErrors = Callable[[forms.BaseForm, ValidationError], None]


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    then: Callable[[T], Any] | Any,
    success: str | Callable[[T], str] = "",
    errors: ShowErrors = add_service_errors,
) -> HttpResponse | None:
    """Handle a form the one way every view does: on a POST, validate it and call the service.

    ``save`` gets the cleaned data and calls a service (which audits and raises
    ``ValidationError`` on failure). On success the person sees ``success`` (text, or made
    from the service's result) and is redirected to ``then`` (anything ``redirect()``
    takes: a URL, a URL name, a model; or a function of the result giving one, which may
    also give a whole response, for a page shown once instead of a redirect). A service's
    ``ValidationError`` goes onto the form, so the error summary names the field; ``errors``
    replaces how it is shown (for example a rejected file whose row errors the page lists).

    Returns the response, or None when the view should render the form: a GET, an invalid
    form, or a refused save::

        if done := submit(request, form, lambda data: services.board_create(**data),
                          then=lambda board: board, success="The board is open."):
            return done
        return render(request, "forum/form.html", {"form": form})
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as error:
        errors(form, error)
        return None
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    target = then(result) if callable(then) else then
    return target if isinstance(target, HttpResponse) else redirect(target)


def act(
    request: HttpRequest,
    do: Callable[[], T],
    *,
    then: Callable[[T], Any] | Any,
    success: str | Callable[[T], str] = "",
    refused: Any = None,
) -> HttpResponse:
    """Handle a button the one way every view does: a POST with nothing to fill in.

    ``do`` calls a service (which audits and raises ``ValidationError`` when it refuses). On
    success the person sees ``success`` (text, or made from the result) and goes to ``then``
    (as for ``submit``); a refusal is shown as an error message and the person goes to
    ``refused`` (by default ``then``, which must then not be a function)::

        return act(request, lambda: services.report_dismiss(report=report, actor=user),
                   then="forum-moderation", success="The report is dismissed.")
    """
    back = then if refused is None else refused
    if callable(back):
        raise TypeError("act() needs refused= when then is a function of the result")
    try:
        result = do()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return redirect(then(result) if callable(then) else then)
