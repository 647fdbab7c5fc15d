"""The client's address: one answer for the audit log, the sign-in lockout and every limit.

Behind a proxy, REMOTE_ADDR is the proxy's address, and X-Forwarded-For carries the chain
of addresses the request came through, each hop appending the one it saw. Anyone can write
that header, so it is believed only as far as the proxies named in TRUSTED_PROXIES: it is
read from the right, each trusted hop is skipped, and the first address that is not a
trusted proxy is the client. Whatever lies to its left was written by the client itself and
is ignored (otherwise every request could claim a fresh address and slip past the limits).

With TRUSTED_PROXIES empty (the default) the header is ignored and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _parse(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket: count it as the IPv4 address it is.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text, or "" when the request has none (a test client)."""
    cached = getattr(request, "_client_address", None)
    if cached is not None:
        return str(cached)
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    peer = _parse(request.META.get("REMOTE_ADDR", "") or "")
    client = peer
    if peer is not None and networks and _trusted(peer, networks):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
            address = _parse(hop)
            if address is None:
                break  # a garbled hop: keep the last address a trusted proxy vouched for
            client = address
            if not _trusted(address, networks):
                break
    result = str(client) if client is not None else ""
    request._client_address = result  # type: ignore[attr-defined]
    return result
