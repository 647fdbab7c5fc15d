"""One client address behind trusted proxies (whatworks.core.network), used by the audit log,
the sign-in lockout and every rate limit."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from whatworks.core import audit
from whatworks.core.network import client_address

PROXY = "10.0.0.5"


def _request(remote: str, forwarded: str = ""):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_it_uses_the_socket_address_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_it_reads_the_client_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request(PROXY, "198.51.100.1")) == "198.51.100.1"


def test_it_ignores_what_the_client_wrote_left_of_the_trusted_hops(settings):
    """X-Forwarded-For is read from the right: a client cannot pick its own address by
    sending the header itself; the proxy appends the address it saw."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    spoofed = "1.2.3.4, 198.51.100.1"
    assert client_address(_request(PROXY, spoofed)) == "198.51.100.1"
    # Two trusted layers (a load balancer and the proxy): both skipped.
    assert client_address(_request(PROXY, "1.2.3.4, 198.51.100.1, 10.1.1.1")) == "198.51.100.1"


def test_it_ignores_the_header_from_an_untrusted_peer(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_it_stops_at_a_garbled_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request(PROXY, "not-an-address, 10.2.2.2")) == "10.2.2.2"
    assert client_address(_request(PROXY, "")) == PROXY


def test_it_treats_an_ipv4_mapped_address_as_ipv4(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request("::ffff:10.0.0.5", "198.51.100.7")) == "198.51.100.7"


@pytest.mark.django_db
def test_it_gives_the_audit_log_the_client_not_the_proxy(settings, rf):
    """The reproduction: behind the README's proxy every event recorded the proxy."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    event = audit.record("test.event", request=_request(PROXY, "198.51.100.23"))
    assert event.ip_address == "198.51.100.23"


def test_it_is_the_function_the_sign_in_lockout_uses(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert get_client_ip_address(_request(PROXY, "198.51.100.1")) == "198.51.100.1"
