"""Conditional reveals: fields shown under a radio or checkbox option only when it is chosen."""

import pytest
from django import forms
from django.template import Context, Template, TemplateSyntaxError


class VisitForm(forms.Form):
    visited = forms.ChoiceField(
        label="Did you see them?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Why not?", required=False)
    kinds = forms.MultipleChoiceField(
        label="Help offered", choices=[("food", "Food"), ("other", "Something else")],
        widget=forms.CheckboxSelectMultiple, required=False,
    )  # fmt: skip
    other = forms.CharField(label="What else?", required=False)

    def clean(self):
        data = super().clean()
        if data.get("visited") == "no" and not data.get("reason"):
            self.add_error("reason", "Enter why you did not see them")
        return data


def _render(form, markup):
    return Template("{% load govuk %}" + markup).render(Context({"form": form}))


def test_it_puts_the_field_under_its_option_hidden_until_chosen():
    html = _render(VisitForm(), '{% govuk_field form.visited reveals="no:reason" %}')
    assert 'aria-controls="conditional-id_visited-2"' in html
    # Our reveal module, not govuk-radios (which puts aria-expanded on a radio: invalid ARIA).
    assert 'data-module="app-reveals"' in html and "aria-expanded" not in html
    assert 'class="govuk-radios__conditional govuk-radios__conditional--hidden" ' \
           'id="conditional-id_visited-2"' in html  # fmt: skip
    assert html.index('value="no"') < html.index('name="reason"')
    assert html.count("aria-controls") == 1  # "yes" reveals nothing


def test_it_shows_the_revealed_field_and_its_error_when_the_option_was_chosen():
    form = VisitForm({"visited": "no", "reason": ""})
    assert not form.is_valid()
    html = _render(form, '{% govuk_field form.visited reveals="no:reason" %}')
    assert 'class="govuk-radios__conditional" id="conditional-id_visited-2"' in html
    assert "Enter why you did not see them" in html


def test_it_reveals_under_checkboxes_too_and_refuses_an_unknown_option():
    html = _render(VisitForm(), '{% govuk_field form.kinds reveals="other:other" %}')
    assert 'id="conditional-id_kinds-2"' in html and 'name="other"' in html
    with pytest.raises(TemplateSyntaxError, match="no option maybe"):
        _render(VisitForm(), '{% govuk_field form.visited reveals="maybe:reason" %}')
