"""The govuk template tags: GOV.UK markup for forms, and GOV.UK dates."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template, TemplateSyntaxError

KINDS = [("trial", "A trial"), ("pilot", "A pilot")]
TOPICS = [("waste", "Waste"), ("care", "Social care"), ("housing", "Housing")]


class InitiativeForm(forms.Form):
    name = forms.CharField(help_text="The name people in your council use.")
    email = forms.EmailField()
    kind = forms.ChoiceField(choices=KINDS, widget=forms.RadioSelect, help_text="Pick one.")
    topics = forms.MultipleChoiceField(choices=TOPICS, widget=forms.CheckboxSelectMultiple)
    council = forms.ChoiceField(choices=[("", "Choose a council"), ("e1", "Exeter")])
    notes = forms.CharField(widget=forms.Textarea, required=False)
    agree = forms.BooleanField(label="I have permission to share this")
    evidence = forms.FileField(required=False)
    starts = forms.DateField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("name") == "Duplicate":
            raise forms.ValidationError("An initiative with this name already exists")
        return cleaned


VALID = {
    "name": "Postal round checks",
    "email": "ann@example.org",
    "kind": "trial",
    "topics": ["care"],
    "council": "e1",
    "agree": "on",
}


def render(source: str, **context: object) -> str:
    return Template("{% load govuk %}" + source).render(Context(context))


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_it_renders_nothing_for_a_valid_or_unbound_form() -> None:
    assert render("{% govuk_error_summary form %}", form=InitiativeForm()).strip() == ""
    form = InitiativeForm(data=VALID)
    assert form.is_valid(), form.errors
    assert render("{% govuk_error_summary form %}", form=form).strip() == ""


def test_it_links_each_error_to_its_field() -> None:
    form = InitiativeForm(data={"email": "not-an-email"})
    html = squash(render("{% govuk_error_summary form %}", form=form))

    assert 'class="govuk-error-summary" data-module="govuk-error-summary"' in html
    assert '<div role="alert">' in html
    assert "There is a problem" in html
    assert '<a href="#id_name">Enter the name</a>' in html
    assert '<a href="#id_email">Enter a valid email address.</a>' in html
    # Radios and checkboxes link to the first option, which carries the field's id.
    assert '<a href="#id_kind">' in html
    assert '<a href="#id_topics">' in html
    assert '<a href="#id_agree">' in html
    # Errors appear in the order of the form's fields.
    assert html.index("#id_name") < html.index("#id_email") < html.index("#id_kind")


def test_it_links_non_field_errors_to_the_first_field() -> None:
    form = InitiativeForm(data={**VALID, "name": "Duplicate"})
    html = squash(render("{% govuk_error_summary form %}", form=form))
    assert '<a href="#id_name">An initiative with this name already exists</a>' in html


def test_it_renders_a_text_input_with_hint_and_error() -> None:
    form = InitiativeForm(data={})
    html = squash(render('{% govuk_field form.name "govuk-input--width-20" %}', form=form))

    assert '<div class="govuk-form-group govuk-form-group--error">' in html
    assert '<label class="govuk-label govuk-label--s" for="id_name">Name</label>' in html
    assert (
        '<div id="id_name-hint" class="govuk-hint">The name people in your council use.</div>'
        in html
    )
    assert (
        '<p id="id_name-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Enter the name</p>'
    ) in html
    assert 'class="govuk-input govuk-input--error govuk-input--width-20"' in html
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert 'aria-invalid="true"' in html
    # The hint and error come before the input, as in the Design System.
    assert html.index("govuk-error-message") < html.index("<input")


def test_it_renders_a_valid_field_without_error_markup() -> None:
    form = InitiativeForm(data=VALID)
    form.is_valid()
    html = squash(render("{% govuk_field form.email %}", form=form))
    assert "govuk-form-group--error" not in html
    assert "govuk-error-message" not in html
    assert 'class="govuk-input"' in html
    assert 'type="email"' in html
    assert 'value="ann@example.org"' in html
    # No hint and no error: nothing to describe it by (not even Django's own "_helptext").
    assert "aria-describedby" not in html


def test_it_marks_optional_fields_and_renders_a_textarea() -> None:
    form = InitiativeForm(data={"notes": "<b>hi</b>"})
    html = squash(render("{% govuk_field form.notes %}", form=form))
    assert 'for="id_notes">Notes (optional)</label>' in html
    assert (
        '<textarea name="notes" cols="40" rows="10" class="govuk-textarea" id="id_notes">' in html
    )
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_it_renders_a_select_with_its_error_class() -> None:
    form = InitiativeForm(data={})
    html = squash(render("{% govuk_field form.council %}", form=form))
    assert 'class="govuk-select govuk-select--error"' in html
    assert '<option value="e1">Exeter</option>' in html
    assert 'aria-describedby="id_council-error"' in html


def test_it_renders_radios_in_a_fieldset_with_a_legend() -> None:
    form = InitiativeForm(data={"kind": "pilot"})
    html = squash(render("{% govuk_field form.kind 'govuk-radios--inline' %}", form=form))

    assert '<fieldset class="govuk-fieldset" aria-describedby="id_kind-hint">' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Kind</legend>' in html
    assert '<div class="govuk-radios govuk-radios--inline" data-module="govuk-radios">' in html
    assert (
        '<input class="govuk-radios__input" id="id_kind" name="kind" type="radio" value="trial">'
    ) in html
    assert 'id="id_kind-2" name="kind" type="radio" value="pilot" checked>' in html
    assert '<label class="govuk-label govuk-radios__label" for="id_kind-2">A pilot</label>' in html
    assert "govuk-form-group--error" not in html


def test_it_renders_radio_errors_on_the_fieldset() -> None:
    form = InitiativeForm(data={"kind": "nonsense"})
    html = squash(render("{% govuk_field form.kind %}", form=form))
    assert '<div class="govuk-form-group govuk-form-group--error">' in html
    assert 'aria-describedby="id_kind-hint id_kind-error"' in html
    assert '<p id="id_kind-error" class="govuk-error-message">' in html
    assert "Select a valid choice." in html


def test_it_renders_checkboxes_for_a_multiple_choice() -> None:
    form = InitiativeForm(data={"topics": ["waste", "housing"]})
    html = squash(render("{% govuk_field form.topics %}", form=form))
    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in html
    assert 'id="id_topics" name="topics" type="checkbox" value="waste" checked>' in html
    assert 'id="id_topics-2" name="topics" type="checkbox" value="care">' in html
    assert 'id="id_topics-3" name="topics" type="checkbox" value="housing" checked>' in html
    assert "<legend" in html


def test_it_renders_a_single_checkbox_with_its_error() -> None:
    form = InitiativeForm(data={})
    html = squash(render("{% govuk_field form.agree %}", form=form))
    assert '<div class="govuk-form-group govuk-form-group--error">' in html
    assert '<div class="govuk-checkboxes__item">' in html
    assert 'class="govuk-checkboxes__input"' in html
    assert 'type="checkbox"' in html
    assert 'aria-describedby="id_agree-error"' in html
    assert (
        '<label class="govuk-label govuk-checkboxes__label" for="id_agree">'
        "I have permission to share this</label>"
    ) in html
    assert "(optional)" not in html


def test_it_renders_a_file_upload() -> None:
    html = squash(render("{% govuk_field form.evidence %}", form=InitiativeForm()))
    assert 'class="govuk-file-upload"' in html
    assert 'type="file"' in html
    assert "Evidence (optional)" in html


def test_it_renders_a_date_as_a_text_input_and_hidden_fields_bare() -> None:
    form = InitiativeForm()
    assert 'class="govuk-input"' in render("{% govuk_field form.starts %}", form=form)
    hidden = render("{% govuk_field form.secret %}", form=form)
    assert hidden.startswith('<input type="hidden"')
    assert "govuk-form-group" not in hidden


def test_it_can_make_the_label_the_page_heading() -> None:
    html = squash(
        render(
            '{% govuk_field form.name label_classes="govuk-label--l" heading=True %}',
            form=InitiativeForm(),
        )
    )
    assert '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l"' in html


def test_it_refuses_something_that_is_not_a_field() -> None:
    with pytest.raises(TemplateSyntaxError):
        render("{% govuk_field form %}", form=InitiativeForm())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 11, 30), "30 November 2026"),
        (dt.datetime(2026, 11, 30, 15, 29), "30 November 2026 at 3:29pm"),
        (dt.datetime(2026, 11, 30, 9, 5), "30 November 2026 at 9:05am"),
        (dt.datetime(2026, 11, 30, 15, 0), "30 November 2026 at 3pm"),
        (dt.datetime(2026, 11, 30, 12, 0), "30 November 2026 at midday"),
        (dt.datetime(2026, 11, 30, 0, 0), "30 November 2026 at midnight"),
        (dt.date(2026, 1, 1), "1 January 2026"),
        (None, ""),
    ],
)
def test_it_formats_dates_the_govuk_way(value: object, expected: str) -> None:
    assert render("{{ value|govuk_date }}", value=value) == expected


def test_it_shows_aware_datetimes_in_london_time() -> None:
    # 14:29 UTC in summer is 3:29pm in London.
    value = dt.datetime(2026, 7, 30, 14, 29, tzinfo=ZoneInfo("UTC"))
    assert render("{{ value|govuk_date }}", value=value) == "30 July 2026 at 3:29pm"


class _FastPathForm(forms.Form):
    name = forms.CharField(label="Name", max_length=20, help_text="Hint")
    email = forms.EmailField(label="Email", required=False)
    count = forms.IntegerField(label="Count", min_value=1)
    when = forms.DateField(label="When", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="Kind", choices=[("", "All"), ("a", "A & <b>"), ("b", "B")])
    secret = forms.CharField(label="Secret", widget=forms.PasswordInput)


@pytest.mark.parametrize("name", ["name", "email", "count", "when", "kind", "secret"])
@pytest.mark.parametrize(
    "data", [None, {"name": '"x" <y>', "count": "0", "kind": "a", "when": "bad"}]
)
def test_it_renders_fast_path_controls_exactly_as_django_would(name, data) -> None:
    from django.test.html import parse_html

    from whatworks.ui.templatetags.govuk import _fast_control

    bound = _FastPathForm(data)[name]
    if data:
        bound.form.is_valid()
    attrs = {"class": "govuk-input", "aria-describedby": "x-hint"}
    fast = _fast_control(bound, bound.field.widget, attrs)
    assert fast is not None
    assert parse_html(fast) == parse_html(bound.as_widget(attrs=attrs))
