"""The wheel files on this machine's disk: bounded in bytes and files, least recently used out.

``WHEELS_CACHE_DIR`` holds:

- ``<wheel file name>``: a whole, verified wheel. Its modification time is when it
  was last served (``open_cached`` touches it, at most once a minute so that serving
  stays a read), which works on ``noatime`` mounts where access times do not;
- ``<wheel file name>.json``: where the wheel came from and its sha256;
- ``.*.part``: a download or record being written; one left behind by a crashed
  process is removed once it is older than any download can last;
- ``.lock``: locked (``flock``) while wheels are added and evicted, so that the
  processes of this machine never evict at once or count a half-made change.

A wheel enters only through ``wheel_commit``, which first evicts the least recently
served wheels until the new one fits both bounds, so the cache never holds more than
its bounds; only downloads in flight (``.part`` files) come on top. Evicting only
unlinks: a process still sending an evicted wheel keeps reading its open file to the
end, and a request that finds the wheel gone downloads it again.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# Serving a wheel moves it to the recent end at most this often (seconds): a write
# per request would make every cache hit a disk write.
TOUCH_EVERY_SECONDS = 60
_RECORD_SUFFIX = ".json"
_LOCK_NAME = ".lock"


@dataclass(frozen=True)
class CacheBounds:
    max_bytes: int
    max_files: int
    # A ``.part`` file unchanged for this long belongs to no live download.
    abandoned_after: float


@dataclass(frozen=True)
class _Entry:
    path: Path
    size: int
    last_used: float


def record_path(wheel_path: Path) -> Path:
    return wheel_path.with_name(wheel_path.name + _RECORD_SUFFIX)


def record_read(wheel_path: Path) -> dict[str, Any]:
    """The record next to a wheel, or ``{}`` when it is missing or unreadable."""
    try:
        record = json.loads(record_path(wheel_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def open_cached(path: Path) -> IO[bytes] | None:
    """The cached wheel at ``path``, open for reading, or None when it is not cached.

    Opening is the only check, so a wheel evicted a moment before is simply not
    cached, and one evicted after is still read whole through the open file.
    """
    try:
        file = path.open("rb")
    except FileNotFoundError:
        return None
    try:
        if time.time() - os.fstat(file.fileno()).st_mtime >= TOUCH_EVERY_SECONDS:
            os.utime(file.fileno() if os.utime in os.supports_fd else path)
    except OSError:
        pass  # recency is a hint; never fail a request for it
    return file


def partial_create(cache_dir: Path, prefix: str) -> tuple[Path, IO[bytes]]:
    """A new temporary ``.part`` file in the cache directory, open for writing and reading."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=cache_dir, prefix=f".{prefix}-", suffix=".part")
    return Path(name), os.fdopen(descriptor, "w+b")


@contextmanager
def _locked(cache_dir: Path) -> Iterator[None]:
    with (cache_dir / _LOCK_NAME).open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _scan(cache_dir: Path, *, keep: str, abandoned_after: float) -> list[_Entry]:
    """The cached wheels (except ``keep``), after removing leftovers of crashed processes."""
    now = time.time()
    wheels: list[_Entry] = []
    records: list[Path] = []
    with os.scandir(cache_dir) as entries:
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            path = Path(entry.path)
            if entry.name.startswith("."):
                if entry.name.endswith(".part") and now - stat.st_mtime > abandoned_after:
                    path.unlink(missing_ok=True)
            elif entry.name.endswith(_RECORD_SUFFIX):
                records.append(path)
            elif entry.name.endswith(".whl") and entry.name != keep:
                wheels.append(_Entry(path=path, size=stat.st_size, last_used=stat.st_mtime))
    names = {wheel.path.name for wheel in wheels} | {keep}
    # A record without its wheel: a process adding or evicting it died in between.
    for record in records:
        if record.name.removesuffix(_RECORD_SUFFIX) not in names:
            record.unlink(missing_ok=True)
    return wheels


def wheel_commit(
    *, partial: Path, path: Path, record: dict[str, Any], bounds: CacheBounds
) -> None:
    """Move the finished download ``partial`` into place as ``path``, with its record.

    First evicts the least recently served wheels until ``path`` fits within both
    bounds; its size must not exceed ``bounds.max_bytes`` (the caller refuses those).
    """
    cache_dir = path.parent
    size = partial.stat().st_size
    with _locked(cache_dir):
        wheels = _scan(cache_dir, keep=path.name, abandoned_after=bounds.abandoned_after)
        total = sum(wheel.size for wheel in wheels)
        count = len(wheels)
        for oldest in sorted(wheels, key=lambda wheel: (wheel.last_used, wheel.path.name)):
            if total + size <= bounds.max_bytes and count + 1 <= bounds.max_files:
                break
            oldest.path.unlink(missing_ok=True)
            record_path(oldest.path).unlink(missing_ok=True)
            total -= oldest.size
            count -= 1
        # The record first: a served wheel always has one.
        record_partial, record_file = partial_create(cache_dir, "record")
        try:
            with record_file:
                record_file.write(json.dumps(record, indent=2).encode())
            os.replace(record_partial, record_path(path))
        except BaseException:
            record_partial.unlink(missing_ok=True)
            raise
        os.replace(partial, path)
