"""Public pages, the base layout and the benchmark floors."""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from whatworks.ui.context_processors import service

pytestmark = pytest.mark.django_db


def account_links(html: str) -> list[str]:
    nav = html[html.index('<ul class="app-account-nav__list"') :]
    nav = nav[: nav.index("</ul>")]
    items = re.findall(r"<li[^>]*>(.*?)</li>", nav, flags=re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def nav_links(html: str) -> list[str]:
    nav = html[html.index('<ul class="govuk-service-navigation__list"') :]
    nav = nav[: nav.index("</ul>")]
    items = re.findall(r"<li[^>]*>(.*?)</li>", nav, flags=re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(
        "alice@exeter.gov.uk", "a long passphrase", full_name="Alice Ashby"
    )


def test_it_serves_the_text_floor(client: Client, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = client.get("/_floor/text")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"ok"


def test_it_serves_the_layout_floor_without_touching_the_database(
    client: Client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get(reverse("floor-layout"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Layout floor – What Works</title>" in html
    assert 'class="govuk-service-navigation"' in html
    assert 'class="govuk-footer"' in html


def test_it_renders_the_home_page_for_anonymous_visitors(
    client: Client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(4):  # what worked and what didn't: a count and a list each
        response = client.get("/")
    assert response.status_code == 200
    with django_assert_num_queries(0):  # then from the cache, until the register changes
        client.get("/")
    html = response.content.decode()
    assert "What worked" in html and "What didn't work" in html
    assert "Find out what works, and share it – What Works</title>" in html
    assert "Trial it small" in html
    assert "Measure it against a baseline" in html
    assert "what did not" in html
    for place in ("With the workforce", "With other sectors", "With the public"):
        assert place in html
    assert f'href="{reverse("sign-in")}" role="button"' in html
    assert nav_links(html) == ["Home", "Initiatives", "Organisations", "Forum"]
    assert account_links(html) == ["Sign in"]
    assert 'action="/search/" method="get" role="search"' in html  # the header's search box
    assert (
        'aria-current="page"><strong class="govuk-service-navigation__active-fallback">Home' in html
    )


def test_it_renders_the_layout_for_a_signed_in_person(client: Client, alice) -> None:
    client.force_login(alice)
    response = client.get("/")
    html = response.content.decode()
    # The sections of the service, and apart from them the reader's own links.
    assert nav_links(html) == [
        "Home",
        "Initiatives",
        "Measures",
        "Organisations",
        "Forum",
        "Ideas",
        "Welfare checks",
    ]
    assert account_links(html) == [
        "Notifications 0 unread",
        "Your organisation",
        "Alice Ashby",
        "Sign out",
    ]
    assert f'href="{reverse("person-detail", kwargs={"pk": alice.pk})}"' in html
    # Sign out is a POST form with a CSRF token, never a link.
    assert (
        f'<form class="app-service-navigation__form" method="post" action="{reverse("sign-out")}">'
        in html
    )
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'role="button"' not in html  # no sign-in call to action


def test_it_uses_the_csp_nonce_on_the_only_inline_script(client: Client) -> None:
    response = client.get("/")
    html = response.content.decode()
    nonce = re.search(r"<script nonce=\"([^\"]+)\">document.body.className", html)
    assert nonce, "the js-enabled script needs a nonce"
    assert f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == [
        f'<script nonce="{nonce.group(1)}">',
        '<script type="module" src="/static/ui/init.js">',
    ]


def test_it_has_no_crown_and_no_govuk_header(client: Client) -> None:
    html = client.get("/").content.decode()
    assert "govuk-header" not in html
    assert "crown" not in html.lower()
    assert "govuk-logo" not in html


def test_it_renders_about_with_the_alpha_note_and_licence(client: Client) -> None:
    response = client.get(reverse("about"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>About this service – What Works</title>" in html
    assert "alpha service" in html
    assert "Contains data from mySociety (" in html


def test_it_renders_about_the_data_with_attributions(client: Client) -> None:
    response = client.get(reverse("about-data"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Contains data from mySociety (CC-BY-4.0)" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert 'href="https://pages.mysociety.org/uk_local_authority_names_and_codes"' in html
    assert "Open Referral UK" in html
    assert "CC BY-SA 4.0" in html
    assert "Producing the Goods" in html
    assert 'aria-label="Breadcrumb"' in html


def test_it_keeps_the_licence_note_out_of_other_footers(client: Client) -> None:
    html = client.get("/").content.decode()
    assert "Contains data from mySociety" not in html
    assert f'href="{reverse("about-data")}">About the data</a>' in html
    assert 'href="/api/docs">API</a>' in html


def test_it_marks_the_current_section_by_path_prefix() -> None:
    request = RequestFactory().get(reverse("organisation-list") + "some-council/")
    request.resolver_match = None
    request.user = type("Anon", (), {"is_authenticated": False})()
    current = [item.text for item in service(request)["service_nav"] if item.current]
    assert current == ["Organisations"]


def test_it_skips_navigation_items_whose_url_does_not_exist(monkeypatch) -> None:
    from whatworks.ui import context_processors

    real_reverse = context_processors.reverse

    def reverse_without_search(name: str, **kwargs):
        if name == "search":
            raise context_processors.NoReverseMatch(name)
        return real_reverse(name, **kwargs)

    monkeypatch.setattr(context_processors, "reverse", reverse_without_search)
    request = RequestFactory().get("/")
    request.user = type("Anon", (), {"is_authenticated": False})()
    context = service(request)
    assert [item.text for item in context["service_nav"]] == [
        "Home",
        "Initiatives",
        "Organisations",
        "Forum",
    ]
    assert context["search_url"] is None  # no search box without the page
    assert [item.text for item in context["account_nav"]] == ["Sign in"]


def test_it_shows_messages_as_notification_banners(rf: RequestFactory) -> None:
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.shortcuts import render

    request: HttpRequest = rf.get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    request.user = type("Anon", (), {"is_authenticated": False})()
    messages.success(request, "Invitation sent to bob@example.org")
    messages.info(request, "Your role has changed")
    response: HttpResponse = render(request, "ui/floor_layout.html")
    html = re.sub(r"\s+", " ", response.content.decode())
    assert (
        '<div class="govuk-notification-banner govuk-notification-banner--success" role="alert" '
        'aria-labelledby="govuk-notification-banner-title-1"'
    ) in html
    assert 'id="govuk-notification-banner-title-1">Success</h2>' in html
    assert "Invitation sent to bob@example.org" in html
    assert 'role="region" aria-labelledby="govuk-notification-banner-title-2"' in html
    assert 'id="govuk-notification-banner-title-2">Important</h2>' in html


def test_it_prefixes_the_title_with_error_when_the_form_has_errors(rf: RequestFactory) -> None:
    from django import forms
    from django.template.loader import render_to_string

    class NameForm(forms.Form):
        name = forms.CharField()

    request = rf.get("/")
    request.user = type("Anon", (), {"is_authenticated": False})()
    html = render_to_string("ui/floor_layout.html", {"form": NameForm(data={})}, request=request)
    assert "<title>Error: Layout floor – What Works</title>" in html
    html = render_to_string("ui/floor_layout.html", {"form": NameForm()}, request=request)
    assert "<title>Layout floor – What Works</title>" in html


@pytest.mark.parametrize("status", [400, 403, 404])
def test_it_has_govuk_error_pages(client: Client, status: int) -> None:
    from django.template.loader import render_to_string

    html = render_to_string(f"{status}.html", {})
    assert "govuk-heading-l" in html
    assert "– What Works</title>" in html


def test_it_renders_the_404_page_for_unknown_addresses(client: Client, settings) -> None:
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found – What Works" in response.content.decode()


def test_it_renders_the_500_page_without_a_request() -> None:
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html
    assert 'href="/static/build/app.css"' in html
