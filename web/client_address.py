"""The client's address behind trusted reverse proxies, for every per-client limit.

Behind the documented layout (nginx -> gunicorn, deploy/) every request reaches
Django from the proxy, so ``REMOTE_ADDR`` is 127.0.0.1 for everyone: a limit "per
client address" (allauth's log-in and sign-up limits, the wheel proxy's fetches)
would then be one limit for the whole world. ``ClientAddressMiddleware`` puts the
real client's address in ``REMOTE_ADDR`` before anything reads it, so every such
limit, the admin's log and error mail see the client, not the proxy.

The proxy's ``X-Forwarded-For`` header is believed only when the request comes
from an address in ``TRUSTED_PROXIES`` (addresses or networks, e.g.
``127.0.0.1,::1`` for an nginx on the same machine, or a load balancer's subnet).
The client is then the right-most address in the header that is not itself a
trusted proxy: everything to its left was written by the client and may be forged,
everything to its right by proxies we trust. A request from anywhere else keeps
its own ``REMOTE_ADDR``, whatever headers it sends.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return trusted_networks_parse(entries)


def trusted_networks_parse(entries: Iterable[str]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` entries (``10.0.0.5``, ``10.0.0.0/8``, ``::1``) as networks."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                "(e.g. 127.0.0.1, ::1 or 10.0.0.0/8)."
            ) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:4711"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:4711"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(
    remote_addr: str, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str:
    """The client's address for a connection from ``remote_addr`` (see the module)."""

    def is_trusted(address: Address) -> bool:
        return any(address in network for network in trusted)

    peer = _address(remote_addr)
    if peer is None or not trusted or not is_trusted(peer) or not forwarded_for:
        return remote_addr
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            # A trusted proxy wrote something that is no address: believe nothing further left.
            break
        client = address
        if not is_trusted(address):
            break
    return str(client)


class ClientAddressMiddleware:
    """Sets ``REMOTE_ADDR`` to the client's address when a trusted proxy forwarded it.

    The proxy's own address stays in ``REMOTE_ADDR_PROXY``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        _trusted(tuple(settings.TRUSTED_PROXIES))  # a misspelt entry stops the start

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
        if trusted:
            peer = request.META.get("REMOTE_ADDR", "")
            client = client_address(peer, request.META.get("HTTP_X_FORWARDED_FOR"), trusted)
            if client != peer:
                request.META["REMOTE_ADDR_PROXY"] = peer
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
