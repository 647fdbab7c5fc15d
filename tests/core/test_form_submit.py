"""core.forms.submit and act, the one way a view handles a submitted form or a button, do what
their docstrings say."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from whatworks.core.forms import Refusals, act, submit


class TitleForm(forms.Form):
    title = forms.CharField(error_messages={"required": "Enter a title"})


def _request(method: str = "post", data: dict[str, str] | None = None) -> HttpRequest:
    request = getattr(RequestFactory(), method)("/things/new/", data or {})
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _texts(request: HttpRequest) -> list[str]:
    return [str(m) for m in get_messages(request)]


class Recorder:
    """A stand-in service: records what it was given, returns or raises what it is told."""

    def __init__(self, result: Any = "thing", error: ValidationError | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.result, self.error = result, error

    def __call__(self, data: dict[str, Any]) -> Any:
        self.calls.append(dict(data))
        if self.error is not None:
            raise self.error
        return self.result


def test_a_get_renders_the_form_without_calling_the_service() -> None:
    request, save = _request("get"), Recorder()
    done = submit(request, TitleForm(None), save, then="/done/", success="Saved.")
    assert done is None
    assert save.calls == []


def test_an_invalid_form_is_shown_again_and_nothing_is_saved() -> None:
    request, save = _request(data={"title": ""}), Recorder()
    form = TitleForm(request.POST)
    assert submit(request, form, save, then="/done/", success="Saved.") is None
    assert save.calls == []
    assert form.errors == {"title": ["Enter a title"]}
    assert _texts(request) == []


def test_a_valid_form_calls_the_service_shows_the_message_and_redirects() -> None:
    request, save = _request(data={"title": "Letters"}), Recorder(result=7)
    done = submit(
        request,
        TitleForm(request.POST),
        save,
        then=lambda pk: f"/things/{pk}/",
        success=lambda pk: f"Thing {pk} is saved.",
    )
    assert save.calls == [{"title": "Letters"}]
    assert done is not None and done.status_code == 302
    assert done["Location"] == "/things/7/"
    assert _texts(request) == ["Thing 7 is saved."]


def test_a_refused_save_puts_the_services_errors_on_the_fields_they_name() -> None:
    refusal = ValidationError({"title": "That title is taken", "owner": "Choose an owner"})
    request = _request(data={"title": "Letters"})
    form = TitleForm(request.POST)
    done = submit(request, form, Recorder(error=refusal), then="/done/", success="Saved.")
    assert done is None
    assert form.errors["title"] == ["That title is taken"]
    # A field the form does not have goes to the top of the error summary.
    assert form.non_field_errors() == ["Choose an owner"]
    assert _texts(request) == []


def test_then_may_give_a_whole_page_instead_of_a_redirect() -> None:
    request = _request(data={"title": "Letters"})
    page = HttpResponse("shown once")
    done = submit(request, TitleForm(request.POST), Recorder(), then=lambda _: page)
    assert done is page


def test_errors_replaces_how_a_refused_save_is_shown() -> None:
    request = _request(data={"title": "Letters"})
    form = TitleForm(request.POST)
    shown: list[str] = []

    def show(form: forms.BaseForm, error: ValidationError) -> None:
        shown.extend(error.messages)

    refusal = ValidationError("Row 3: enter a date")
    done = submit(request, form, Recorder(error=refusal), then="/done/", errors=show)
    assert done is None
    assert shown == ["Row 3: enter a date"]
    assert form.errors == {}


def test_a_button_calls_the_service_shows_the_message_and_redirects() -> None:
    request, do = _request(), Recorder(result=3)
    done = act(
        request,
        lambda: do({}),
        then=lambda n: f"/things/{n}/",
        success=lambda n: f"{n} things tidied.",
        refused="/things/",
    )
    assert do.calls == [{}]
    assert done.status_code == 302 and done["Location"] == "/things/3/"
    assert _texts(request) == ["3 things tidied."]


def test_a_refused_button_shows_every_message_as_an_error_and_goes_to_refused() -> None:
    refusal = ValidationError(["The plan is locked.", "Ask the owner."])
    request = _request()
    done = act(
        request,
        lambda: Recorder(error=refusal)({}),
        then="/things/3/",
        success="Tidied.",
        refused="/things/",
    )
    assert done["Location"] == "/things/"
    assert _texts(request) == ["The plan is locked. Ask the owner."]


def test_a_refused_button_goes_to_then_when_no_refused_is_given() -> None:
    request = _request()
    done = act(request, lambda: Recorder(error=ValidationError("No."))({}), then="/things/3/")
    assert done["Location"] == "/things/3/"
    assert _texts(request) == ["No."]


def test_a_button_whose_destination_needs_the_result_must_say_where_a_refusal_goes() -> None:
    do = Recorder()
    with pytest.raises(TypeError, match="refused="):
        act(_request(), lambda: do({}), then=lambda thing: f"/things/{thing}/")
    assert do.calls == []


def test_refusals_shows_a_refused_save_on_the_form_and_keeps_it() -> None:
    refusal = ValidationError({"title": ValidationError("Too many tries", code="rate_limited")})
    request = _request(data={"title": "Letters"})
    form = TitleForm(request.POST)
    refused = Refusals()
    done = submit(request, form, Recorder(error=refusal), then="/done/", errors=refused)
    assert done is None
    assert refused == [refusal]
    assert form.errors == {"title": ["Too many tries"]}
    assert refused.coded("rate_limited")
    assert not refused.coded("already_voted")


def test_refusals_stays_empty_when_the_form_itself_is_invalid() -> None:
    request, save = _request(data={"title": ""}), Recorder()
    form, refused = TitleForm(request.POST), Refusals()
    assert submit(request, form, save, then="/done/", errors=refused) is None
    assert refused == []
    assert form.errors == {"title": ["Enter a title"]}
    assert not refused.coded("required")


def test_refusals_finds_the_code_of_a_refusal_that_names_no_field() -> None:
    refused = Refusals()
    refused(TitleForm({"title": "Letters"}), ValidationError("Closed.", code="closed"))
    assert refused.coded("closed")
