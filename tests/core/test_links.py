"""Links in exports, the API and join codes come from one helper: SITE_URL when it is set,
otherwise (development) the address the request came in on."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.forum.helpers import failed_initiative
from tests.ideas.support import campaign_for
from whatworks.core.links import absolute_url
from whatworks.ideas import services as ideas

pytestmark = pytest.mark.django_db


def test_unset_it_follows_the_address_of_the_request(settings):
    settings.SITE_URL_FROM_REQUEST = True
    request = RequestFactory().get("/", HTTP_HOST="localhost:8123")
    assert absolute_url("/initiatives/1/", request) == "http://localhost:8123/initiatives/1/"


def test_set_it_is_used_whatever_the_request(settings):
    settings.SITE_URL_FROM_REQUEST = False
    settings.SITE_URL = "https://whatworks.example.gov.uk"
    request = RequestFactory().get("/", HTTP_HOST="localhost:8123")
    assert absolute_url("/x/", request) == "https://whatworks.example.gov.uk/x/"


def test_without_a_request_it_falls_back_to_the_default(settings):
    settings.SITE_URL_FROM_REQUEST = True
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert absolute_url("/x/") == "http://127.0.0.1:8000/x/"


def test_the_api_and_exports_link_to_the_address_in_use(world, client, settings):
    settings.SITE_URL_FROM_REQUEST = True
    public = failed_initiative(world)
    api = client.get(f"/api/initiatives/{public.pk}", HTTP_HOST="localhost:8123").json()
    assert api["url"] == f"http://localhost:8123{public.get_absolute_url()}"
    export = client.get(
        reverse("initiative-export", kwargs={"fmt": "csv"}), HTTP_HOST="localhost:8123"
    )
    body = b"".join(export.streaming_content).decode()  # streamed after the view returned
    assert f"http://localhost:8123{public.get_absolute_url()}" in body


def test_join_codes_link_to_the_address_in_use(world, client_for, settings):
    settings.SITE_URL_FROM_REQUEST = True
    campaign = campaign_for(world)
    code = ideas.join_code_create(campaign=campaign, label="", actor=world["admin"])
    page = client_for(world["officer"]).get(
        reverse("ideas-codes", kwargs={"pk": campaign.pk}), HTTP_HOST="localhost:8123"
    )
    assert f"http://localhost:8123/ideas/join/?code={code.code}" in page.content.decode()
