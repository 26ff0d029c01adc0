"""Who may make the server ask the upstream index, and how many requests at once.

Only requests that must go upstream (a wheel or project page that is not cached)
pass through here; cached answers never do, so they are never limited and never
wait. Both limits live in Django's default cache (Redis in production), shared by
every process:

- a budget per client: ``WHEELS_UPSTREAM_FETCHES_PER_CLIENT`` such requests per
  clock hour from one address (an IPv6 client counts per /64, the block one
  subscriber usually gets); beyond it, 429 until the hour ends;
- slots: at most ``WHEELS_UPSTREAM_CONCURRENCY`` requests per machine wait on
  upstream at once; beyond that the answer is 503 at once, so a slow or dead index
  holds only those workers and the others keep serving. A slot expires by itself
  shortly after the longest a request may spend upstream, so a worker killed while
  holding one frees it.
"""

from __future__ import annotations

import ipaddress
import random
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

from packages.errors import TooManyFetches, UpstreamBusy
from packages.upstream import Deadline

_HOUR = 3600
# Seconds a busy answer suggests waiting: slots free up as downloads end.
_BUSY_RETRY_AFTER = 5
# A slot outlives its holder's deadline by this much before expiring on its own.
_SLOT_GRACE = 30


def client_key(address: str) -> str:
    """Who a budget belongs to: the IPv4 address, or the IPv6 /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _budget_key(client: str, window: int) -> str:
    return f"packages:upstream-fetches:{client_key(client)}:{window}"


def upstream_fetch_charge(*, client: str) -> None:
    """Count one upstream request against ``client``'s budget; TooManyFetches beyond it."""
    limit = settings.WHEELS_UPSTREAM_FETCHES_PER_CLIENT
    now = time.time()
    window = int(now // _HOUR)
    key = _budget_key(client, window)
    cache.add(key, 0, timeout=_HOUR)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=_HOUR)
        count = 1
    if count > limit:
        minutes = max(1, round(((window + 1) * _HOUR - now) / 60))
        raise TooManyFetches(
            f"This address has made the server fetch {limit} packages or package pages "
            "from the package index this hour, the most allowed. Packages already fetched "
            f"still install; try new ones again in {minutes} minutes.",
            retry_after=max(1, int((window + 1) * _HOUR - now)),
        )


def upstream_fetch_refund(*, client: str) -> None:
    """Give back a charge for a request that never reached upstream."""
    try:
        cache.decr(_budget_key(client, int(time.time() // _HOUR)))
    except ValueError:  # the hour ended meanwhile: nothing to give back
        pass


def _slot_keys() -> list[str]:
    # Per machine: the workers a slow upstream could tie up are this machine's.
    machine = socket.gethostname()
    return [
        f"packages:upstream-slot:{machine}:{number}"
        for number in range(settings.WHEELS_UPSTREAM_CONCURRENCY)
    ]


def _slot_take() -> tuple[str, str]:
    """One of this machine's free upstream slots (its key and our token); UpstreamBusy if none."""
    keys = _slot_keys()
    token = secrets.token_hex(8)
    expiry = int(settings.WHEELS_UPSTREAM_DEADLINE + settings.WHEELS_UPSTREAM_TIMEOUT) + _SLOT_GRACE
    start = random.randrange(len(keys)) if keys else 0
    for key in keys[start:] + keys[:start]:
        if cache.add(key, token, timeout=expiry):
            return key, token
    raise UpstreamBusy(
        "The server is busy fetching other packages from the package index. "
        "Try again in a few seconds.",
        retry_after=_BUSY_RETRY_AFTER,
    )


def _slot_give_back(key: str, token: str) -> None:
    # Only our own slot: after an expiry the key may be someone else's by now.
    if cache.get(key) == token:
        cache.delete(key)


@contextmanager
def upstream_turn(*, client: str) -> Iterator[Deadline]:
    """Charge ``client``, hold a slot, and give the deadline for the block's upstream work.

    TooManyFetches when the budget is spent; UpstreamBusy when no slot is free (then
    the charge is given back: nothing was fetched).
    """
    upstream_fetch_charge(client=client)
    try:
        slot = _slot_take()
    except UpstreamBusy:
        upstream_fetch_refund(client=client)
        raise
    try:
        yield Deadline.after(settings.WHEELS_UPSTREAM_DEADLINE)
    finally:
        _slot_give_back(*slot)
