"""The wheel cache's bounds over HTTP: least recently served wheels go first, both bounds
hold, eviction never cuts a wheel being sent, leftovers of crashed processes go away."""

import os
import time
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from tests.packages.upstream_index import UpstreamIndex, wheel_bytes

A, B, C, D = (f"demo-1.{minor}-py3-none-any.whl" for minor in range(4))


def _add(index: UpstreamIndex, filename: str, *, padding: int = 0) -> bytes:
    return index.add_wheel("demo", filename, data=wheel_bytes(filename, padding=padding))


def _get(client: Client, filename: str) -> bytes:
    response = client.get(f"/wheels/files/{filename}")
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def _wheels(wheel_cache: Path) -> dict[str, int]:
    """The cached wheels and their sizes."""
    return {
        path.name: path.stat().st_size
        for path in wheel_cache.iterdir()
        if path.name.endswith(".whl")
    }


def _served_ago(wheel_cache: Path, filename: str, seconds: float) -> float:
    """Make ``filename`` look last served ``seconds`` ago; that moment."""
    moment = time.time() - seconds
    os.utime(wheel_cache / filename, (moment, moment))
    return moment


def test_the_least_recently_served_wheel_is_evicted_first(
    client: Client, settings: Settings, index: UpstreamIndex, wheel_cache: Path
) -> None:
    settings.WHEELS_CACHE_MAX_FILES = 2
    bodies = {name: _add(index, name) for name in (A, B, C)}
    _get(client, A)
    _get(client, B)
    _served_ago(wheel_cache, A, 7200)
    _served_ago(wheel_cache, B, 3600)

    assert _get(client, A) == bodies[A]  # from the cache: A is now the most recent
    assert index.file_requests() == 2
    assert _get(client, C) == bodies[C]

    assert sorted(_wheels(wheel_cache)) == [A, C]
    assert not (wheel_cache / f"{B}.json").exists()
    assert (wheel_cache / f"{A}.json").exists()
    assert _get(client, B) == bodies[B]  # downloaded again, evicting A (now the oldest)
    assert sorted(_wheels(wheel_cache)) == [B, C]
    assert index.file_requests() == 4


def test_serving_writes_recency_at_most_once_a_minute(
    client: Client, index: UpstreamIndex, wheel_cache: Path
) -> None:
    _add(index, A)
    _get(client, A)
    recently = _served_ago(wheel_cache, A, 10)

    _get(client, A)

    assert (wheel_cache / A).stat().st_mtime == recently


def test_the_byte_bound_evicts_as_many_old_wheels_as_the_new_one_needs(
    client: Client, settings: Settings, index: UpstreamIndex, wheel_cache: Path
) -> None:
    small = {name: _add(index, name, padding=10_000) for name in (A, B, C)}
    large = _add(index, D, padding=15_000)  # about one and a half small ones
    settings.WHEELS_CACHE_MAX_BYTES = sum(len(body) for body in small.values())
    for age, name in enumerate((A, B, C)):
        _get(client, name)
        _served_ago(wheel_cache, name, 3600 - age)
    assert sorted(_wheels(wheel_cache)) == [A, B, C]  # exactly at the bound

    assert _get(client, D) == large

    assert sorted(_wheels(wheel_cache)) == [C, D]
    assert sum(_wheels(wheel_cache).values()) <= settings.WHEELS_CACHE_MAX_BYTES


def test_both_bounds_hold_after_every_download(
    client: Client, settings: Settings, index: UpstreamIndex, wheel_cache: Path
) -> None:
    names = [f"many-1.{minor}-py3-none-any.whl" for minor in range(8)]
    sizes = [
        len(index.add_wheel("many", name, data=wheel_bytes(name, padding=3_000 * (minor % 3))))
        for minor, name in enumerate(names)
    ]
    settings.WHEELS_CACHE_MAX_FILES = 4
    settings.WHEELS_CACHE_MAX_BYTES = 2 * max(sizes) + min(sizes)

    for name in names:
        _get(client, name)
        cached = _wheels(wheel_cache)
        assert name in cached
        assert len(cached) <= settings.WHEELS_CACHE_MAX_FILES
        assert sum(cached.values()) <= settings.WHEELS_CACHE_MAX_BYTES


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_wheel_larger_than_the_whole_cache_is_refused_and_evicts_nothing(
    client: Client,
    settings: Settings,
    index: UpstreamIndex,
    wheel_cache: Path,
    declared: bool,
) -> None:
    index.send_content_length = declared
    kept = _add(index, A)
    too_large = _add(index, B, padding=300_000)
    settings.WHEELS_CACHE_MAX_BYTES = len(too_large) - 1
    _get(client, A)

    response = client.get(f"/wheels/files/{B}")

    assert response.status_code == 413
    assert response.json()["error"] == (
        f"{B} is larger than this server's whole package cache "
        f"({settings.WHEELS_CACHE_MAX_BYTES / 1024 / 1024:g} MB), so it was not downloaded."
    )
    assert _wheels(wheel_cache) == {A: len(kept)}
    assert [path.name for path in wheel_cache.iterdir() if path.name.endswith(".part")] == []


@pytest.mark.parametrize("source", ["downloaded", "cached"])
def test_a_wheel_evicted_while_it_is_being_sent_is_sent_whole(
    client: Client,
    settings: Settings,
    index: UpstreamIndex,
    wheel_cache: Path,
    source: str,
) -> None:
    settings.WHEELS_CACHE_MAX_FILES = 1
    body = _add(index, A, padding=200_000)  # many blocks of FileResponse's 4 KB
    _add(index, B)
    if source == "cached":
        _get(client, A)
    response = client.get(f"/wheels/files/{A}")
    assert response.status_code == 200
    chunks = iter(response.streaming_content)
    first = next(chunks)

    _get(client, B)  # evicts A
    assert sorted(_wheels(wheel_cache)) == [B]

    assert first + b"".join(chunks) == body


def test_a_wheel_that_vanished_from_disk_is_downloaded_again(
    client: Client, index: UpstreamIndex, wheel_cache: Path
) -> None:
    body = _add(index, A)
    _get(client, A)
    # Another process evicts it between this request's look at the disk and its reply.
    (wheel_cache / A).unlink()

    assert _get(client, A) == body
    assert index.file_requests() == 2


def test_leftovers_of_crashed_processes_are_removed_when_a_wheel_is_added(
    client: Client, index: UpstreamIndex, wheel_cache: Path
) -> None:
    _add(index, A)
    wheel_cache.mkdir()
    abandoned = wheel_cache / ".download-abandoned.part"
    in_flight = wheel_cache / ".download-in-flight.part"
    orphan_record = wheel_cache / f"{B}.json"
    for path in (abandoned, in_flight, orphan_record):
        path.write_bytes(b"x" * 1000)
    _served_ago(wheel_cache, abandoned.name, 24 * 3600)

    _get(client, A)

    assert not abandoned.exists()
    assert not orphan_record.exists()
    assert in_flight.exists()  # recent: another process may still be writing it
