"""The client's network address, the same for the login lockout, the rate limits, the audit trail and
the usage records.

Behind a reverse proxy every request comes from the proxy, so one address would share one lockout
and one rate limit among all users and the audit trail would name the proxy. ``X-Forwarded-For`` is
trusted only when the peer is a configured proxy (``KHOSO_TRUSTED_PROXIES``); the header is then
read from the right, skipping further trusted proxies, so a client cannot choose its address by
sending the header itself.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _trusted(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in configured)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address, or ``None`` when the request has none (a test client, a command)."""
    peer = _parse(str(request.META.get("REMOTE_ADDR") or ""))
    if peer is None:
        return None
    proxies = _trusted(tuple(settings.KHOSO_TRUSTED_PROXIES))
    if not any(peer in network for network in proxies):
        return str(peer)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    for hop in reversed(forwarded):
        address = _parse(hop)
        if address is None:
            break  # a malformed hop: trust nothing further left
        if not any(address in network for network in proxies):
            return str(address)
        peer = address
    return str(peer)
