"""Sessions end after a time without activity (whatworks.core.middleware)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from whatworks.core.middleware import IDLE_KEY

pytestmark = pytest.mark.django_db


def _age_session(client, seconds: int) -> None:
    session = client.session
    session[IDLE_KEY] = int(time.time()) - seconds
    session.save()


def test_it_signs_out_a_session_left_idle(world, client_for, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = client_for(world["officer"])
    assert client.get(reverse("profile-edit")).status_code == 200
    _age_session(client, 31 * 60)
    response = client.get(reverse("profile-edit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page


def test_it_keeps_an_active_session(world, client_for, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = client_for(world["officer"])
    _age_session(client, 29 * 60)
    assert client.get(reverse("profile-edit")).status_code == 200
    # The request moved the clock on: the session is good for another 30 minutes.
    assert int(time.time()) - client.session[IDLE_KEY] < 5


def test_it_answers_a_json_request_with_401(world, client_for):
    client = client_for(world["officer"])
    _age_session(client, 24 * 60 * 60)
    response = client.get(reverse("profile-edit"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
