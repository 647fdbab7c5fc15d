"""Forms shared by every app, and the one way a view handles a submitted form or a button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
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


class Refusals(list[ValidationError]):
    """An ``errors=`` for ``submit`` that shows a refused save the usual way (on the fields it
    names) and keeps it, so the view can tell a refusal from an invalid form and answer with
    the status it calls for (409 for a conflict, 429 when rate limited)::

        refused = Refusals()
        if done := submit(request, form, save, then=..., errors=refused):
            return done
        status = 409 if refused else 400
    """

    def __call__(self, form: forms.BaseForm, error: ValidationError) -> None:
        self.append(error)
        add_service_errors(form, error)

    def coded(self, code: str) -> bool:
        """Whether any kept refusal, on any field, has this ``code`` ("rate_limited")."""
        return any(
            part.code == code
            for error in self
            for part in (
                [p for parts in error.error_dict.values() for p in parts]
                if hasattr(error, "error_dict")
                else error.error_list
            )
        )


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
    replaces how it is shown (for example a rejected file whose row errors the page lists;
    ``Refusals`` shows it the usual way and keeps it, for a view whose status depends on it).

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


# --- GOV.UK error wording ------------------------------------------------------------------

DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])  # "This field is required."
DETERMINERS = {"a", "an", "the", "your", "their", "its", "our", "any", "each", "every"}
CHOOSING = (forms.RadioSelect, forms.Select, forms.CheckboxSelectMultiple, forms.CheckboxInput)


def plain_label(label: str) -> str:
    """The label as it reads inside a sentence: no "(optional)", no closing colon, the first
    letter lowercased unless it starts an acronym ("NHS number")."""
    text = str(label).strip()
    if text.lower().endswith("(optional)"):
        text = text[: -len("(optional)")].rstrip()
    text = text.rstrip(":").strip()
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def required_message(field: forms.Field, label: str) -> str:
    """What a GOV.UK error says when a required field is left empty: what to do, naming the
    thing ("Enter a title", "Select the role", "Choose a file"), never "This field is
    required."."""
    text = plain_label(label)
    if text.endswith("?"):
        return f"Answer the question ‘{str(label).strip()}’"
    if text.split(" ", 1)[0].lower() not in DETERMINERS:
        text = f"the {text}"
    if isinstance(field, forms.FileField):
        return f"Choose {text}"
    if isinstance(field.widget, CHOOSING) or isinstance(
        field, forms.ChoiceField | forms.ModelChoiceField
    ):
        return f"Select {text}"
    return f"Enter {text}"


def govuk_required_errors(form: forms.BaseForm) -> None:
    """Replace Django's "This field is required." on a validated form with the GOV.UK wording
    derived from each field's label. A message a form sets itself is kept."""
    errors = getattr(form, "_errors", None)
    if not errors:
        return
    for name, error_list in list(errors.items()):
        if name not in form.fields:
            continue
        data = error_list.as_data()
        if not any(str(m) == DJANGO_REQUIRED for e in data for m in e.messages):
            continue
        field = form.fields[name]
        label = str(field.label) if field.label is not None else pretty_name(name)
        replaced = [
            ValidationError(required_message(field, label), code="required")
            if any(str(m) == DJANGO_REQUIRED for m in e.messages)
            else e
            for e in data
        ]
        new_list = form.error_class(replaced, renderer=form.renderer, field_id=form[name].auto_id)
        errors[name] = new_list


def install_govuk_error_wording() -> None:
    """Every form in the project (and Django's own) says what to enter: run once at start."""
    original = forms.BaseForm.full_clean
    if getattr(original, "_govuk", False):
        return

    def full_clean(self: forms.BaseForm) -> None:
        original(self)
        govuk_required_errors(self)

    full_clean._govuk = True  # type: ignore[attr-defined]
    forms.BaseForm.full_clean = full_clean  # type: ignore[method-assign]
