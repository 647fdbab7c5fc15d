"""GOV.UK patterns across every form in the project: each one, submitted empty, says what to
enter ("Enter a title", "Select the role"), never "This field is required."; and no label
reads "(optional) (optional)"."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.template import Context, Template

import whatworks
from whatworks.core.forms import required_message

pytestmark = pytest.mark.django_db

SKIPPED_PACKAGES = ("migrations", "management")


def _every_form_class() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(whatworks.__path__, "whatworks."):
        if not any(part in module.name for part in SKIPPED_PACKAGES):
            importlib.import_module(module.name)

    def below(cls: type) -> Any:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    found = {c for c in below(forms.BaseForm) if c.__module__.startswith("whatworks.")}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _known(name: str) -> dict[str, Any] | None:
    """The keywords of forms that need something particular to be built."""
    from types import SimpleNamespace

    from whatworks.checkins.models import TrainingModule
    from whatworks.organisations.models import Organisation
    from whatworks.trials.models import Design, Trial

    # A scheme as these forms read it (an unsaved one has no related lists to ask).
    scheme = SimpleNamespace(
        pk=None,
        gp_practices="ods",
        cost_per_visit="6.75",
        rates=SimpleNamespace(all=list),
        training_modules=SimpleNamespace(all=TrainingModule.objects.none),
    )
    return {
        "RatesForm": {"scheme": scheme},
        "TrainingRecordForm": {"scheme": scheme},
        "HealthForm": {"scheme": scheme},
        "PracticeForm": {"scheme": scheme},
        "ChampionFilterForm": {"choices": {"council_types": [], "regions": []}},
        "PartnerForm": {"owner": Organisation()},
        "StatusForm": {"current": "idea", "can_withdraw": True},
        "PowerForm": {"trial": Trial(design=Design.CLUSTER)},
    }.get(name)


def _candidates(param: inspect.Parameter) -> list[Any]:
    """Values to try for a keyword a form needs: an empty queryset, an empty list, nothing."""
    from django.contrib.auth import get_user_model

    return [get_user_model().objects.none(), [], None, {}, ""]


def _instantiate(cls: type[forms.BaseForm], data: dict[str, Any]) -> forms.BaseForm | None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    needed = [p for p in params if p.kind == p.KEYWORD_ONLY and p.default is p.empty]
    attempts: list[dict[str, Any]] = [{}]
    for value_index in range(len(_candidates(needed[0])) if needed else 0):
        attempts.append({p.name: _candidates(p)[value_index] for p in needed})
    known = _known(cls.__name__)
    if known is not None:
        attempts = [{}, known]
    for kwargs in attempts[1:] if needed else attempts:
        try:
            form = cls(data=data, **kwargs)  # type: ignore[call-arg]
            form.is_valid()
            return form
        except Exception:  # noqa: S112 - a candidate the form does not take: try the next
            continue
    return None


FORMS = _every_form_class()


def test_every_form_is_walked():
    not_walked = [f"{c.__module__}.{c.__qualname__}" for c in FORMS if _instantiate(c, {}) is None]
    assert not_walked == [], not_walked
    assert len(FORMS) > 60


@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_an_empty_form_says_what_to_enter(cls):
    form = _instantiate(cls, {})
    assert form is not None
    for name, errors in form.errors.items():
        for message in errors:
            assert message != "This field is required.", name
            assert "required" not in message.lower() or "is required" not in message, name


@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_no_label_says_optional_twice(cls):
    form = _instantiate(cls, {})
    assert form is not None
    template = Template(
        "{% load govuk %}{% for field in form %}{% govuk_field field %}{% endfor %}"
    )
    html = template.render(Context({"form": form}))
    assert "(optional) (optional)" not in html
    assert "(optional)</label> (optional)" not in html


@pytest.mark.parametrize(
    ("field", "label", "expected"),
    [
        (forms.CharField(), "Title", "Enter the title"),
        (forms.CharField(), "NHS number", "Enter the NHS number"),
        (forms.CharField(required=False), "Where will you put it? (optional)", None),
        (forms.ChoiceField(choices=[("a", "A")]), "Role", "Select the role"),
        (forms.CharField(widget=forms.RadioSelect), "Outcome", "Select the outcome"),
        (forms.FileField(), "A spreadsheet", "Choose a spreadsheet"),
        (
            forms.CharField(),
            "What is the problem now?",
            "Answer the question ‘What is the problem now?’",
        ),
    ],
)
def test_the_wording_is_derived_from_the_label(field, label, expected):
    if expected is not None:
        assert required_message(field, label) == expected


def test_a_message_the_form_sets_itself_is_kept():
    class Named(forms.Form):
        title = forms.CharField(error_messages={"required": "Give the record a title"})
        summary = forms.CharField(label="Summary")

    form = Named(data={})
    assert form.errors == {"title": ["Give the record a title"], "summary": ["Enter the summary"]}
