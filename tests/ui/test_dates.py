"""The GOV.UK date input: three boxes, the Design System's error words, and a summary link that
lands on the day box."""

import datetime as dt
import re

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone

from whatworks.ui.dates import DateInputField


class BirthForm(forms.Form):
    born = DateInputField(label="Date of birth", must_be="past", autocomplete="bday")
    seen = DateInputField(label="Date last seen", required=False)


def _errors(data: dict[str, str]) -> dict[str, list[str]]:
    form = BirthForm(data)
    form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the date of birth"),
        ("27", "", "1938", "Date of birth must include a month"),
        ("", "3", "", "Date of birth must include a day and a year"),
        ("31", "2", "1938", "Date of birth must be a real date"),
        ("27", "March", "1938", "Date of birth must be a real date"),
        ("27", "3", "38", "Date of birth must be a real date"),
    ],
)
def test_it_names_what_to_enter(day, month, year, message):
    assert _errors({"born_0": day, "born_1": month, "born_2": year})["born"] == [message]


def test_it_reads_a_real_date_and_leaves_an_optional_one_empty():
    form = BirthForm({"born_0": " 7", "born_1": "03", "born_2": "1938"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"born": dt.date(1938, 3, 7), "seen": None}


def test_it_refuses_a_date_of_birth_that_is_not_in_the_past():
    today = timezone.localdate()
    data = {"born_0": str(today.day), "born_1": str(today.month), "born_2": str(today.year)}
    assert _errors(data)["born"] == ["Date of birth must be in the past"]


def test_it_renders_three_labelled_boxes_and_the_summary_links_to_the_first():
    form = BirthForm({"born_0": "", "born_1": "3", "born_2": ""})
    form.is_valid()
    html = Template(
        "{% load govuk %}{% govuk_error_summary form %}{% govuk_field form.born %}"
    ).render(Context({"form": form}))
    assert html.count('class="govuk-input govuk-date-input__input') == 3
    assert re.search(r'<legend class="govuk-fieldset__legend[^"]*">Date of birth</legend>', html)
    assert 'href="#id_born_0"' in html and 'id="id_born_0"' in html
    assert 'name="born_1"' in html and 'value="3"' in html  # what was typed is kept
    assert 'autocomplete="bday-year"' in html
    assert "govuk-form-group--error" in html and 'type="date"' not in html


def test_it_shows_a_stored_date_in_the_boxes():
    form = BirthForm(initial={"born": dt.date(1938, 3, 27)})
    html = Template("{% load govuk %}{% govuk_field form.born %}").render(Context({"form": form}))
    assert all(f'value="{v}"' in html for v in ("27", "3", "1938"))


def _boxes_in_error(data: dict[str, str]) -> tuple[list[str], str]:
    form = BirthForm(data)
    form.is_valid()
    html = Template(
        "{% load govuk %}{% govuk_error_summary form %}{% govuk_field form.born %}"
    ).render(Context({"form": form}))
    marked = re.findall(r'govuk-input--error" id="id_born_(\d)"', html)
    link = re.search(r'href="#(id_born_\d)"', html)
    return [("day", "month", "year")[int(i)] for i in marked], link.group(1) if link else ""


@pytest.mark.parametrize(
    ("day", "month", "year", "marked", "link"),
    [
        ("27", "", "1938", ["month"], "id_born_1"),  # only the missing part
        ("", "3", "", ["day", "year"], "id_born_0"),
        ("", "", "", ["day", "month", "year"], "id_born_0"),  # nothing entered: the whole date
        ("31", "2", "1938", ["day", "month", "year"], "id_born_0"),  # not a real date
    ],
)
def test_it_highlights_only_the_missing_boxes_and_links_to_the_first(
    day, month, year, marked, link
):
    assert _boxes_in_error({"born_0": day, "born_1": month, "born_2": year}) == (marked, link)


def test_it_highlights_no_box_of_a_date_without_an_error():
    assert _boxes_in_error({"born_0": "7", "born_1": "3", "born_2": "1938"}) == ([], "")
