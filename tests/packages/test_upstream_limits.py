"""Asking upstream, limited: a budget per client, a cap on requests waiting at once, stale
index pages when upstream cannot answer, a deadline for an index that trickles; and
through all of it, what is cached keeps being served.

A slow upstream is one whose requests wait on a ``threading.Event`` the test sets;
tests wait on events, never on the clock.
"""

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings
from redis import Redis

import packages.upstream
from tests.packages.upstream_index import UpstreamIndex

# Only a safeguard against a hung test: the waits below end as soon as the event
# happens, which on a working proxy is at once.
_HANG_GUARD = 60
A, B, C = (f"demo-1.{minor}-py3-none-any.whl" for minor in range(3))


def _client(address: str) -> Client:
    return Client(HTTP_HOST="usercontent.testserver", REMOTE_ADDR=address)


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def _files(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [file["filename"] for file in response.json()["files"]]


def _in_thread(request: Callable[[], Any]) -> Callable[[], Any]:
    """Start ``request`` in a thread; the returned function waits for its response."""
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(request()), daemon=True)
    thread.start()

    def response() -> Any:
        thread.join(_HANG_GUARD)
        assert answers, "the request in the thread did not finish"
        return answers[0]

    return response


def _arrived(index: UpstreamIndex) -> None:
    """Wait until one more request has reached the upstream index."""
    assert index.arrivals.acquire(timeout=_HANG_GUARD), "no request reached upstream"


# --- the budget per client ------------------------------------------------------


def test_cache_misses_beyond_the_budget_answer_429_while_cached_answers_are_served(
    settings: Settings, index: UpstreamIndex
) -> None:
    settings.WHEELS_UPSTREAM_FETCHES_PER_CLIENT = 2
    body = index.add_wheel("demo", A)
    index.add_wheel("demo", B)
    index.add_wheel("other", "other-1.0-py3-none-any.whl")
    client = _client("203.0.113.7")
    assert _files(client.get("/wheels/simple/demo/")) == [A, B]  # miss 1
    assert _body(client.get(f"/wheels/files/{A}")) == body  # miss 2
    asked = sum(index.requests.values())

    for refused in (client.get("/wheels/simple/other/"), client.get(f"/wheels/files/{B}")):
        assert refused.status_code == 429
        assert "the most allowed" in refused.json()["error"]
        assert "Packages already fetched still install" in refused.json()["error"]
        assert 0 < int(refused["Retry-After"]) <= 3600
    assert sum(index.requests.values()) == asked

    for _ in range(3):  # hits are never counted
        assert _files(client.get("/wheels/simple/demo/")) == [A, B]
        assert _body(client.get(f"/wheels/files/{A}")) == body
    assert _files(_client("203.0.113.8").get("/wheels/simple/other/")) == [
        "other-1.0-py3-none-any.whl"
    ]


def test_an_ipv6_client_is_counted_per_64_network(
    settings: Settings, index: UpstreamIndex
) -> None:
    settings.WHEELS_UPSTREAM_FETCHES_PER_CLIENT = 1
    for project in ("one", "two", "three"):
        index.add_wheel(project, f"{project}-1.0-py3-none-any.whl")

    assert _client("2001:db8:0:1::1").get("/wheels/simple/one/").status_code == 200
    assert _client("2001:db8:0:1::ffff").get("/wheels/simple/two/").status_code == 429
    assert _client("2001:db8:0:2::1").get("/wheels/simple/three/").status_code == 200


# --- stale index pages ----------------------------------------------------------


@pytest.mark.parametrize("trouble", ["fails", "times out", "budget spent"])
def test_a_stale_index_page_is_served_when_upstream_cannot_be_asked(
    client: Client, settings: Settings, index: UpstreamIndex, trouble: str
) -> None:
    index.add_wheel("demo", A)
    assert _files(client.get("/wheels/simple/demo/")) == [A]
    index.add_wheel("demo", B)  # a new release upstream
    settings.WHEELS_INDEX_CACHE_SECONDS = 0  # so the cached page is stale
    if trouble == "fails":
        index.fail_with = 500
    elif trouble == "times out":
        index.gate = threading.Event()
        settings.WHEELS_UPSTREAM_TIMEOUT = 0.2
    else:
        settings.WHEELS_UPSTREAM_FETCHES_PER_CLIENT = 1

    response = client.get("/wheels/simple/demo/")

    assert _files(response) == [A]
    assert response["Cache-Control"] == "public, max-age=0"
    if index.gate is not None:
        index.gate.set()
    index.fail_with = None
    settings.WHEELS_UPSTREAM_FETCHES_PER_CLIENT = 10
    assert _files(client.get("/wheels/simple/demo/")) == [A, B]  # and refreshed once it can


def test_without_a_stale_page_upstream_trouble_is_an_error(
    client: Client, settings: Settings, index: UpstreamIndex
) -> None:
    index.add_wheel("demo", A)
    assert client.get("/wheels/simple/demo/").status_code == 200
    settings.WHEELS_INDEX_CACHE_SECONDS = 0
    settings.WHEELS_INDEX_STALE_SECONDS = 0  # kept no longer than fresh: not at all
    assert client.get("/wheels/simple/demo/").status_code == 200
    index.fail_with = 500

    assert client.get("/wheels/simple/demo/").status_code == 502


def test_while_one_request_refreshes_a_stale_page_the_others_get_it_at_once(
    client: Client, settings: Settings, index: UpstreamIndex
) -> None:
    settings.WHEELS_UPSTREAM_CONCURRENCY = 2  # one slot stays free
    index.add_wheel("demo", A)
    assert _files(client.get("/wheels/simple/demo/")) == [A]
    settings.WHEELS_INDEX_CACHE_SECONDS = 0
    index.add_wheel("demo", B)
    index.gate = threading.Event()
    refresh = _in_thread(lambda: _client("192.0.2.1").get("/wheels/simple/demo/"))
    _arrived(index)

    for _ in range(3):
        assert _files(client.get("/wheels/simple/demo/")) == [A]
    assert index.page_requests() == 2

    index.gate.set()
    assert _files(refresh()) == [A, B]


# --- a slow upstream --------------------------------------------------------------


def _slot_ttls() -> list[int]:
    """Seconds each taken upstream slot has left before it frees itself."""
    with Redis.from_url(os.environ["PLAYGROUND_TEST_REDIS_URL"]) as redis:
        pattern = cache.make_key("packages:upstream-slot:*")
        return [int(redis.ttl(key)) for key in redis.scan_iter(pattern)]


def test_a_slow_upstream_holds_only_its_slots_while_cached_answers_keep_coming(
    settings: Settings, index: UpstreamIndex
) -> None:
    settings.WHEELS_UPSTREAM_CONCURRENCY = 2
    bodies = {name: index.add_wheel("demo", name) for name in (A, B, C)}
    index.add_wheel("old", "old-1.0-py3-none-any.whl")
    index.add_wheel("new", "new-1.0-py3-none-any.whl")
    warm = _client("198.51.100.1")
    assert _body(warm.get(f"/wheels/files/{A}")) == bodies[A]
    assert warm.get("/wheels/simple/old/").status_code == 200
    settings.WHEELS_INDEX_CACHE_SECONDS = 0  # every cached page is stale from now on
    index.add_wheel("old", "old-2.0-py3-none-any.whl")
    settings.WHEELS_UPSTREAM_FETCHES_PER_CLIENT = 2

    index.gate = threading.Event()
    slow = _client("198.51.100.2")
    download = _in_thread(lambda: slow.get(f"/wheels/files/{B}"))
    _arrived(index)
    refresh = _in_thread(lambda: slow.get("/wheels/simple/old/"))
    _arrived(index)
    asked = sum(index.requests.values())
    # Both slots are taken, and they free themselves should their holders die.
    deadline = settings.WHEELS_UPSTREAM_DEADLINE + settings.WHEELS_UPSTREAM_TIMEOUT
    assert [0 < ttl <= deadline + 30 for ttl in _slot_ttls()] == [True, True]

    client = _client("198.51.100.3")
    assert _body(client.get(f"/wheels/files/{A}")) == bodies[A]
    # Being refreshed by another request: the stale page at once.
    assert _files(client.get("/wheels/simple/old/")) == ["old-1.0-py3-none-any.whl"]
    # Stale, and no slot to refresh it with: the stale page too.
    assert _files(client.get("/wheels/simple/demo/")) == [A, B, C]
    for busy in (client.get("/wheels/simple/new/"), client.get(f"/wheels/files/{C}")):
        assert busy.status_code == 503
        assert "busy" in busy.json()["error"]
        assert busy["Retry-After"] == "5"
    assert sum(index.requests.values()) == asked

    index.gate.set()
    assert _body(download()) == bodies[B]
    assert _files(refresh()) == ["old-1.0-py3-none-any.whl", "old-2.0-py3-none-any.whl"]
    # Answers that never reached upstream were not charged: two of two still left.
    assert _files(client.get("/wheels/simple/new/")) == ["new-1.0-py3-none-any.whl"]
    assert _body(client.get(f"/wheels/files/{C}")) == bodies[C]
    assert _slot_ttls() == []


def test_an_upstream_that_trickles_is_cut_off_at_the_deadline(
    client: Client,
    settings: Settings,
    index: UpstreamIndex,
    wheel_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index.add_wheel("demo", A)
    assert client.get("/wheels/simple/demo/").status_code == 200
    # The test's clock jumps past the deadline as the body starts, then the index holds
    # the rest back. Without the deadline, only the socket timeout (the deadline's minute
    # at most) would end the wait, with another message.
    settings.WHEELS_UPSTREAM_TIMEOUT = 3600
    jump = [0.0]
    monkeypatch.setattr(packages.upstream, "monotonic", lambda: time.monotonic() + jump[0])
    index.on_body = lambda: jump.__setitem__(0, 3600.0)
    index.gate = threading.Event()
    index.gate_after_bytes = 100

    response = client.get(f"/wheels/files/{A}")

    assert response.status_code == 504
    message = response.json()["error"]
    assert f"did not finish within {settings.WHEELS_UPSTREAM_DEADLINE} s" in message
    assert "Try again later" in message
    assert list(wheel_cache.iterdir()) == []
    assert _slot_ttls() == []
