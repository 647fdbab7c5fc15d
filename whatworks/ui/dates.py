"""The GOV.UK date input: day, month and year in three boxes, with the Design System's words.

    from whatworks.ui.dates import DateInputField

    date_of_birth = DateInputField(label="Date of birth", hint="For example, 27 3 1938",
                                   must_be="past")

A phone's native date picker makes people scroll back decades (to 1938, for a date of birth)
and reads badly with a screen reader; the Design System asks for three boxes instead
(https://design-system.service.gov.uk/components/date-input/). Errors follow its pattern and
name what to enter: "Enter the date of birth", "Date of birth must include a month",
"Date of birth must be a real date", "Date of birth must be in the past".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """Three numeric text boxes; `govuk_field` renders them as the date input component."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric", "autocomplete": "off"}
        super().__init__([forms.TextInput(numeric) for _ in PARTS], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateInputField(forms.MultiValueField):
    """A date from three boxes. ``must_be`` is "past", "future", "not future" or "".

    ``label`` names the date in errors, so give it as a noun phrase ("Date of birth").
    """

    widget = DateInputWidget

    def __init__(self, *, must_be: str = "", autocomplete: str = "", **kwargs: Any) -> None:
        self.must_be = must_be
        self.autocomplete = autocomplete  # "bday" for a date of birth
        fields = [forms.CharField(max_length=4, required=False) for _ in PARTS]
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, **kwargs)

    def _name(self) -> str:
        return str(self.label or "The date")

    def clean(self, value: Any) -> dt.date | None:
        # All the checking is here, so each mistake has exactly one message.
        parts = [str(v or "").strip() for v in (value or ["", "", ""])]
        name = self._name()
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter the {name[:1].lower()}{name[1:]}", code="required")
            return None
        missing = [label for label, part in zip(PARTS, parts, strict=True) if not part]
        if missing:
            raise ValidationError(
                f"{name} must include a {' and a '.join(missing)}", code="incomplete"
            )
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError
            date = dt.date(year, month, day)
        except ValueError:
            raise ValidationError(f"{name} must be a real date", code="invalid") from None
        today = timezone.localdate()
        if self.must_be == "past" and date >= today:
            raise ValidationError(f"{name} must be in the past", code="not_past")
        if self.must_be == "not future" and date > today:
            raise ValidationError(f"{name} must be today or in the past", code="future")
        if self.must_be == "future" and date <= today:
            raise ValidationError(f"{name} must be in the future", code="not_future")
        return date

    def compress(self, data_list: list[Any]) -> dt.date | None:  # clean() does the work
        return None
