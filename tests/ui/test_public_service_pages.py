"""The pages a public service needs: accessibility statement, privacy notice, cookies,
contact, and a feedback form that reaches the site's staff through the outbox."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory
from whatworks.core.messaging import render_email
from whatworks.core.models import Message

pytestmark = pytest.mark.django_db

PAGES = {
    "accessibility": "Accessibility statement for What Works",
    "privacy": "Privacy notice",
    "cookies": "Cookies",
    "contact": "Contact us",
    "feedback": "Give feedback on What Works",
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(("name", "heading"), PAGES.items())
def test_each_page_is_served_and_linked_from_the_footer(client, name, heading):
    page = client.get(reverse(name))
    assert page.status_code == 200
    assert f">{heading}</h1>" in page.content.decode()
    home = client.get(reverse("home")).content.decode()
    footer = home[home.index("govuk-footer") :]
    if name != "feedback":
        assert f'href="{reverse(name)}"' in footer


def test_the_privacy_notice_covers_call_and_check_health_data(client):
    text = client.get(reverse("privacy")).content.decode()
    for words in (
        "special category data",
        "Article 9(2)(h)",
        "NHS number",
        "lawful basis",
        "how long each kind of record is kept",
        "withdraw your agreement",
        "Information Commissioner",
    ):
        assert words in text, words


def test_the_cookies_page_names_the_cookies_the_service_sets(client, settings):
    text = client.get(reverse("cookies")).content.decode()
    assert settings.SESSION_COOKIE_NAME in text and settings.CSRF_COOKIE_NAME in text
    assert "ideas_p" in text


def test_the_phase_banner_leads_to_the_feedback_form_with_the_page(client):
    page = client.get(reverse("about")).content.decode()
    assert f'href="{reverse("feedback")}?from=/about/"' in page


def test_feedback_reaches_the_site_staff_through_the_outbox(client, settings):
    settings.FEEDBACK_EMAIL = ""
    UserFactory(email="ops@whatworks.example", is_staff=True)
    UserFactory(email="gone@whatworks.example", is_staff=True, is_active=False)
    UserFactory(email="member@council.example")
    response = client.post(
        reverse("feedback"),
        {"feedback": "The register search found nothing.", "email": "", "page": "/initiatives/"},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.recipient == "ops@whatworks.example"
    assert message.template == "feedback" and message.personal
    subject, body = render_email(message)
    assert subject == "Feedback about What Works"
    assert "The register search found nothing." in body and "/initiatives/" in body
    assert "They did not ask for a reply." in body
    assert "has been sent" in client.get(reverse("feedback")).content.decode()


def test_feedback_goes_to_the_team_mailbox_when_one_is_set(client, settings):
    settings.FEEDBACK_EMAIL = "whatworks-team@council.example"
    UserFactory(email="ops@whatworks.example", is_staff=True)
    client.post(reverse("feedback"), {"feedback": "Great", "email": "me@council.example"})
    message = Message.objects.get()
    assert message.recipient == "whatworks-team@council.example"
    assert "me@council.example" in render_email(message)[1]


def test_feedback_errors_say_what_to_enter_and_nothing_is_sent(client, settings):
    settings.FEEDBACK_EMAIL = "team@council.example"
    response = client.post(reverse("feedback"), {"feedback": "", "email": "not an email"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter your feedback" in text
    assert "Enter an email address in the correct format, like name@example.com" in text
    assert "This field is required" not in text
    assert 'href="#id_feedback"' in text
    assert not Message.objects.exists()


def test_feedback_is_rate_limited_per_address(client, settings):
    settings.FEEDBACK_EMAIL = "team@council.example"
    for n in range(5):
        assert client.post(reverse("feedback"), {"feedback": f"Note {n}"}).status_code == 302
    refused = client.post(reverse("feedback"), {"feedback": "One more"})
    assert refused.status_code == 429
    assert "Wait an hour" in refused.content.decode()
    assert Message.objects.count() == 5


def test_feedback_keeps_only_a_path_on_this_site(client, settings):
    settings.FEEDBACK_EMAIL = "team@council.example"
    client.post(reverse("feedback"), {"feedback": "Hi", "page": "https://evil.example/x"})
    assert "evil" not in render_email(Message.objects.get())[1]
