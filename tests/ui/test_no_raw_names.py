"""No raw field or choice name (`success_threshold`, `not_met`) reaches the main pages: with
the demo data loaded, the visible text of each page has none of the project's field names or
choice values that a person would only see if a template printed a value instead of its label.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from whatworks.core.demo import load_all

pytestmark = pytest.mark.django_db


class _Visible(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def _raw_names() -> set[str]:
    """Field names and choice values of every model of the project with an underscore in
    them: the shapes a printed value takes (a label never has one)."""
    names: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("whatworks."):
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if "_" in name:
                names.add(name)
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value:
                    names.add(value)
    return names


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_local_authorities", verbosity=0)
    load_all()


def _main_pages() -> list[str]:
    from whatworks.ideas.models import Campaign
    from whatworks.initiatives.models import Initiative
    from whatworks.trials.models import Trial

    pages = [
        reverse("home"),
        reverse("initiative-list"),
        reverse("organisation-list"),
        reverse("forum-home"),
        reverse("metric-list"),
        reverse("ideas-home"),
    ]
    pages += [i.get_absolute_url() for i in Initiative.objects.order_by("pk")]
    for trial in Trial.objects.all():
        name = "trial-series-results" if trial.design == "before_after" else "trial-results"
        pages.append(reverse(name, kwargs={"pk": trial.pk}))
    pages += [c.get_absolute_url() for c in Campaign.objects.all()]
    return pages


@pytest.mark.parametrize("persona", ["anonymous", "officer@wealden.demo"])
def test_no_raw_field_or_choice_name_reaches_a_main_page(demo, client, persona):
    from whatworks.organisations.models import User

    if persona != "anonymous":
        client.force_login(User.objects.get(email=persona))
    raw = _raw_names()
    found: dict[str, set[str]] = {}
    for path in _main_pages():
        response = client.get(path)
        if response.status_code != 200:
            continue
        words = set(
            re.findall(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", _visible_text(response.content.decode()))
        )
        if leaked := words & raw:
            found[path] = leaked
    assert found == {}, found
