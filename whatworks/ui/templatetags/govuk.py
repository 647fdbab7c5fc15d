"""GOV.UK Design System markup for Django forms, and GOV.UK-style dates.

In a template::

    {% load govuk %}
    {% govuk_error_summary form %}
    <form method="post" novalidate>
      {% csrf_token %}
      {% govuk_field form.name classes="govuk-input--width-20" %}
      {% govuk_field form.kind legend_classes="govuk-fieldset__legend--m" %}
      {% govuk_field form.summary label_classes="govuk-label--l" heading=True %}
      <button type="submit" class="govuk-button" data-module="govuk-button">Save</button>
    </form>
    <p>{{ initiative.started_at|govuk_date }}</p>

Use ``novalidate`` on forms so the server's GOV.UK error summary, not the
browser's own bubbles, reports mistakes. Pass ``form`` in the view's context:
ui/base.html then prefixes the page title with "Error: " when it has errors.

Every field's error anchor is ``#<auto_id>`` (``#id_name``): for radios and
checkboxes the first option's input takes that id, as the Design System does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms, template
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from whatworks.ui import numbers
from whatworks.ui.dates import PARTS, DateInputField, DateInputWidget

register = template.Library()


def _anchor(bound_field: forms.BoundField) -> str:
    # id_for_label is "" for radios and checkbox lists (Django renders no label
    # "for" them) and for MultiWidgets; a date input's link lands on its first box in error.
    if isinstance(bound_field.field.widget, DateInputWidget):
        return f"{bound_field.auto_id}_{(_date_boxes_in_error(bound_field) or [0])[0]}"
    return bound_field.id_for_label or bound_field.auto_id or bound_field.html_name


def _first_field(form: forms.BaseForm) -> forms.BoundField | None:
    for bound_field in form.visible_fields():
        return bound_field
    return None


@register.inclusion_tag("ui/error_summary.html")
def govuk_error_summary(form: forms.BaseForm | None) -> dict[str, Any]:
    """An error summary linking each message to its field; empty when the form is valid."""
    errors: list[tuple[str, object]] = []
    if form is not None and form.is_bound and form.errors:
        first = _first_field(form)
        first_href = f"#{_anchor(first)}" if first else ""
        # Non-field errors (and errors on hidden fields) link to the first field,
        # so the summary is never a dead end for a keyboard user.
        for message in form.non_field_errors():
            errors.append((first_href, message))
        for bound_field in form:
            if bound_field.is_hidden:
                errors.extend((first_href, message) for message in bound_field.errors)
            else:
                href = f"#{_anchor(bound_field)}"
                errors.extend((href, message) for message in bound_field.errors)
    return {"errors": errors}


def _label(bound_field: forms.BoundField) -> str:
    """The label without an "(optional)" of its own: the templates add it to every optional
    field, once."""
    label = str(bound_field.label)
    if label.rstrip().lower().endswith("(optional)"):
        label = label.rstrip()[: -len("(optional)")].rstrip()
    return label


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _template_for(widget: forms.Widget) -> str:
    # Order matters: CheckboxSelectMultiple is a RadioSelect, CheckboxInput and
    # FileInput are Inputs.
    if isinstance(widget, DateInputWidget):
        return "ui/fields/date.html"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "ui/fields/checkboxes.html"
    if isinstance(widget, forms.RadioSelect):
        return "ui/fields/radios.html"
    if isinstance(widget, forms.CheckboxInput):
        return "ui/fields/checkbox.html"
    return "ui/fields/control.html"


def _control_class(widget: forms.Widget, has_errors: bool) -> str:
    if isinstance(widget, forms.FileInput):
        base = "govuk-file-upload"
    elif isinstance(widget, forms.Textarea):
        base = "govuk-textarea"
    elif isinstance(widget, forms.Select):
        base = "govuk-select"
    else:
        base = "govuk-input"
    return _join(base, f"{base}--error" if has_errors else "")


@register.simple_tag
def govuk_field(
    bound_field: forms.BoundField,
    classes: str = "",
    *,
    label_classes: str = "govuk-label--s",
    legend_classes: str = "govuk-fieldset__legend--s",
    heading: bool = False,
    reveals: str = "",
) -> SafeString:
    """Render one field as the GOV.UK component for its widget.

    ``reveals`` shows other fields of the same form under a radio or checkbox option only
    when it is chosen (the conditional reveal): ``reveals="no:reason"`` shows the field
    ``reason`` under the option ``no``; several are separated by commas
    (``"no:reason,other:other_text"``, or ``"yes:when;where"`` for two under one option).

    ``classes`` go on the control (``govuk-input--width-10``, ``govuk-!-width-one-half``)
    or, for radios and checkboxes, on the list (``govuk-radios--inline``,
    ``govuk-checkboxes--small``). ``heading=True`` wraps the label or legend in an
    ``<h1>``, for one-question pages.
    """
    if not isinstance(bound_field, forms.BoundField):
        raise template.TemplateSyntaxError(
            f"govuk_field needs a form field (form.name), got {bound_field!r}"
        )
    widget = bound_field.field.widget
    if bound_field.is_hidden:
        return SafeString(str(bound_field))

    field_id = bound_field.auto_id or bound_field.html_name
    has_errors = bool(bound_field.errors)
    hint_id = f"{field_id}-hint" if bound_field.help_text else ""
    error_id = f"{field_id}-error" if has_errors else ""
    described_by = _join(hint_id, error_id)
    template_name = _template_for(widget)

    context: dict[str, Any] = {
        "field": bound_field,
        "id": field_id,
        "label": _label(bound_field),
        # GOV.UK marks the optional fields, not the required ones.
        "optional": not bound_field.field.required and not isinstance(widget, forms.CheckboxInput),
        "hint": bound_field.help_text,
        "hint_id": hint_id,
        "errors": bound_field.errors,
        "error_id": error_id,
        "described_by": described_by,
        "classes": classes,
        "label_classes": label_classes,
        "legend_classes": legend_classes,
        "heading": heading,
    }

    if template_name == "ui/fields/control.html" or template_name == "ui/fields/checkbox.html":
        attrs: dict[str, Any] = {}
        if template_name == "ui/fields/checkbox.html":
            attrs["class"] = _join(widget.attrs.get("class", ""), "govuk-checkboxes__input")
        else:
            attrs["class"] = _join(
                widget.attrs.get("class", ""), _control_class(widget, has_errors), classes
            )
        # Ours replaces Django's own "<id>_helptext" reference, which names no element
        # here. Django adds its own only when there is help text, so ours always wins.
        if described_by:
            attrs["aria-describedby"] = described_by
        render_widget = widget
        if isinstance(widget, forms.ClearableFileInput):
            # Django's "Currently: … Clear" markup has no GOV.UK equivalent.
            render_widget = forms.FileInput(attrs=widget.attrs)
        context["control"] = _fast_control(bound_field, render_widget, attrs) or (
            bound_field.as_widget(widget=render_widget, attrs=attrs)
        )
    elif template_name == "ui/fields/date.html":
        context["parts"] = _date_parts(bound_field, field_id)
    else:
        # Radios and checkboxes: the first option takes the field's own id, so the
        # error summary's "#id_<name>" lands on it; the others get "-2", "-3"...
        options = []
        for index, subwidget in enumerate(bound_field.subwidgets):
            data = subwidget.data
            options.append(
                {
                    "id": field_id if index == 0 else f"{field_id}-{index + 1}",
                    "name": data["name"],
                    "value": "" if data["value"] is None else str(data["value"]),
                    "label": data["label"],
                    "checked": data["selected"],
                    "disabled": bound_field.field.disabled or data["attrs"].get("disabled", False),
                }
            )
        for option, shown in _revealed(bound_field, reveals, options):
            option["conditional"] = shown
            context["reveals"] = True
        context["options"] = options

    return SafeString(render_to_string(template_name, context))


def _revealed(
    bound_field: forms.BoundField, reveals: str, options: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], SafeString]]:
    """(option, the fields it reveals, rendered) for each option named in ``reveals``."""
    wanted: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in reveals.split(","))):
        value, _, listed = part.partition(":")
        wanted[value.strip()] = [n.strip() for n in listed.split(";") if n.strip()]
    found = []
    for option in options:
        names = wanted.pop(option["value"], [])
        if names:
            fields = [bound_field.form[name] for name in names]
            found.append((option, SafeString("".join(govuk_field(f) for f in fields))))
    if wanted:
        raise template.TemplateSyntaxError(
            f"{bound_field.name} has no option {', '.join(wanted)} to reveal fields under"
        )
    return found


def _date_values(bound_field: forms.BoundField) -> list[Any]:
    value = bound_field.value()
    if isinstance(value, list | tuple):
        return list(value)
    return list(bound_field.field.widget.decompress(value))


def _date_boxes_in_error(bound_field: forms.BoundField) -> list[int]:
    """The boxes to highlight: those left empty when only some were (the Design System
    highlights just the missing part), else all three. The summary links to the first."""
    if not bound_field.errors:
        return []
    empty = [i for i, v in enumerate(_date_values(bound_field)) if not str(v or "").strip()]
    return empty if 0 < len(empty) < len(PARTS) else list(range(len(PARTS)))


def _date_parts(bound_field: forms.BoundField, field_id: str) -> list[dict[str, Any]]:
    """Day, month and year boxes, each marked if it is in error."""
    values = _date_values(bound_field)
    in_error = _date_boxes_in_error(bound_field)
    field = bound_field.field
    prefix = field.autocomplete if isinstance(field, DateInputField) else ""
    return [
        {
            "id": f"{field_id}_{index}",
            "name": f"{bound_field.html_name}_{index}",
            "label": part.capitalize(),
            "value": "" if values[index] is None else str(values[index]),
            "width": 4 if part == "year" else 2,
            "autocomplete": f"{prefix}-{part}" if prefix else "",
            "error": index in in_error,
        }
        for index, part in enumerate(PARTS)
    ]


# Plain inputs and single selects are rendered here rather than through Django's
# widget templates: several times faster, and filter forms sit on benchmarked lists.
_FAST_INPUTS = (
    forms.TextInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.DateInput,
)


def _fast_control(
    bound_field: forms.BoundField, widget: forms.Widget, attrs: dict[str, Any]
) -> SafeString | None:
    if type(widget) not in _FAST_INPUTS and type(widget) is not forms.Select:
        return None
    context = widget.get_context(
        bound_field.html_name,
        bound_field.value(),
        {**bound_field.build_widget_attrs(attrs, widget), "id": bound_field.auto_id},
    )["widget"]
    flat = flatatt({k: v for k, v in context["attrs"].items() if v is not False})
    if type(widget) is not forms.Select:
        value = context["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            context["type"],
            context["name"],
            format_html(' value="{}"', value) if value not in (None, "") else "",
            flat,
        )
    if any(group is not None for group, _options, _index in context["optgroups"]):
        return None  # grouped choices: let Django render the <optgroup>s
    options = [
        format_html(
            '<option value="{}"{}>{}</option>',
            option["value"],
            " selected" if option["selected"] else "",
            option["label"],
        )
        for _group, group_options, _index in context["optgroups"]
        for option in group_options
    ]
    return format_html(
        '<select name="{}"{}>{}</select>', context["name"], flat, SafeString("".join(options))
    )


@register.filter(expects_localtime=False)
def govuk_date(value: Any) -> str:
    """ "30 November 2026" for a date; "30 November 2026 at 3:29pm" for a datetime.

    Times follow the GOV.UK style guide: "3pm" on the hour, "midday", "midnight".
    Aware datetimes are shown in the site's time zone (Europe/London).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{_date(value.date())} at {_time(value.time())}"
    if isinstance(value, dt.date):
        return _date(value)
    return str(value)


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date(value: dt.date) -> str:
    # Not strftime("%B"): that follows the process locale.
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _time(value: dt.time) -> str:
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.minute == 0:
        return f"{hour}{suffix}"
    return f"{hour}:{value.minute:02d}{suffix}"


# Numbers by one rule (whatworks.ui.numbers): {{ value|number }}, {{ share|percent }},
# {{ difference|points }}, {{ amount|money }}.
register.filter("number", numbers.number)
register.filter("percent", numbers.percent)
register.filter("points", numbers.points)
register.filter("money", numbers.money)
