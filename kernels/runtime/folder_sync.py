"""The notebook's folder as a kernel's working directory, when the kernel runs elsewhere.

The browser's kernel reads the folder from the page (frontend: the worker mounts it).
A server kernel's working directory is a private one in its sandbox: the service
gives it the folder's files (``write_files``) and, with ``watch_files`` on, takes
back what each run wrote (``files_written``), which it saves to the notebook for
people who may edit (docs/folders.md).

Paths follow the folder's rules (folders/paths.py on the service): relative, no
empty, ``.`` or ``..`` part, no backslash or control character. Hidden files and
folders (``.cache``, ``.config``: where libraries keep their own files in the home
directory) are neither reported nor written. Standard library only.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from kernels.runtime import protocol as p

#: How long one ``files_written`` line is at most (contents as base64, names, JSON),
#: unless ``set_config`` says otherwise: a run's files go over as many events as that
#: takes, a larger file in parts, so no line of the protocol is huge and neither end
#: holds more than one event's worth of bytes at once.
EVENT_MAX_BYTES = 4 * 1024 * 1024
#: The least ``watch_event_bytes`` honoured: room for the longest name and some bytes.
EVENT_MIN_BYTES = 64 * 1024
#: A part smaller than this is not started at the end of a nearly full event.
PART_MIN_BYTES = 16 * 1024
#: The JSON around one event or one entry of it (keys, quotes, commas, an offset).
_OVERHEAD_BYTES = 96


def path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a file of the folder, or None."""
    if not path or path.startswith("/") or "\\" in path:
        return f"{path!r} is not a relative path with / between folders"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        return f"{path!r} holds a control character"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return f"{path!r} has an empty, '.' or '..' part"
    return None


def _hidden(relative: str) -> bool:
    return any(part.startswith(".") for part in relative.split("/"))


Snapshot = dict[str, tuple[int, int]]  # path -> (size, mtime_ns)


def snapshot(root: str) -> Snapshot:
    """Every regular, visible file under ``root`` (symbolic links are not followed)."""
    found: Snapshot = {}
    for directory, folders, files in os.walk(root):
        folders[:] = [f for f in folders if not f.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            full = os.path.join(directory, name)
            try:
                stat = os.lstat(full)
            except OSError:
                continue
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            found[os.path.relpath(full, root).replace(os.sep, "/")] = (stat.st_size,
                                                                     stat.st_mtime_ns)
    return found


@dataclass
class FolderWatch:
    """What each run wrote in ``root``, against what the folder held before it."""

    root: str
    #: How long one ``files_written`` line may be (``watch_event_bytes``).
    event_max_bytes: int = EVENT_MAX_BYTES
    #: Files larger than this are listed as skipped, not sent (None: all are sent).
    file_max_bytes: int | None = None
    known: Snapshot = field(default_factory=dict)

    def start(self) -> None:
        self.known = snapshot(self.root)
        self.importable()

    def importable(self) -> None:
        """Put the folder first on ``sys.path``, as a script's own folder is, so
        ``import helpers`` finds its ``helpers.py`` (whatever flags started Python)."""
        if self.root not in sys.path:
            sys.path.insert(0, self.root)

    def write(self, files: list[p.FileData], removed: list[str]) -> list[str]:
        """Apply what the service sent; return the paths changed. Raises ValueError for a
        bad path or bytes, before anything is written."""
        decoded = []
        for item in files:
            if problem := path_problem(item.path):
                raise ValueError(problem)
            try:
                decoded.append((item.path, base64.b64decode(item.data, validate=True)))
            except ValueError:
                raise ValueError(f"the bytes of {item.path!r} are not base64") from None
        for path in removed:
            if problem := path_problem(path):
                raise ValueError(problem)
        for path in removed:
            full = os.path.join(self.root, path)
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full)
            elif os.path.lexists(full):
                os.remove(full)
        for path, data in decoded:
            full = os.path.join(self.root, path)
            os.makedirs(os.path.dirname(full) or self.root, exist_ok=True)
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full)
            elif os.path.islink(full):
                os.remove(full)  # write the file itself, never where a link points
            with open(full, "wb") as out:
                out.write(data)
        # What the service wrote is the folder as it knows it: not reported back.
        self.known = snapshot(self.root)
        self.importable()
        return [path for path, _ in decoded] + list(removed)

    def changes(self) -> Iterator[p.FilesWritten]:
        """The files written since the last look, as ``files_written`` events of at most
        ``event_max_bytes`` each, the last with ``more`` false (none: nothing changed);
        and look again. Files are read as the events are taken, one part at a time."""
        now = snapshot(self.root)
        changed = sorted(path for path, seen in now.items() if self.known.get(path) != seen)
        removed = sorted(path for path in self.known if path not in now)
        self.known = now
        if not changed and not removed:
            return iter(())
        return self._events([(path, now[path][0]) for path in changed], removed)

    def _events(self, changed: list[tuple[str, int]],
                removed: list[str]) -> Iterator[p.FilesWritten]:
        batch = _Batch(max(self.event_max_bytes, EVENT_MIN_BYTES))
        skipped: list[p.SkippedFile] = []
        for path, size in changed:
            if self.file_max_bytes is not None and size > self.file_max_bytes:
                skipped.append(p.SkippedFile(path, size))
                continue
            try:
                file = open(os.path.join(self.root, path), "rb")
            except OSError:
                continue
            with file:
                # The file as it is now, which may have grown or shrunk since the look.
                name = _json_bytes(path) + _OVERHEAD_BYTES
                offset = 0
                carry = b""
                while True:
                    room = batch.room(name)
                    # The rest of the file, or a part worth sending, must fit; else a new event.
                    wanted = max(min(size - offset, PART_MIN_BYTES), len(carry))
                    if not batch.empty and room < wanted:
                        yield batch.take()
                        room = batch.room(name)
                    try:
                        data = carry + file.read(max(room - len(carry), 0))
                        carry = file.read(1)
                    except OSError:
                        break  # the parts sent stay incomplete: the service drops them
                    if (self.file_max_bytes is not None
                            and offset + len(data) + len(carry) > self.file_max_bytes):
                        skipped.append(p.SkippedFile(path, offset + len(data) + len(carry)))
                        break  # it grew past the limit while being sent
                    text = base64.b64encode(data).decode("ascii")
                    if offset == 0 and not carry:
                        batch.event.files.append(p.FileData(path, text))
                    else:
                        batch.event.parts.append(p.FilePart(path, offset, text, not carry))
                    batch.used += name + len(text)
                    offset += len(data)
                    if not carry:
                        break
        for path in removed:
            if batch.room(_json_bytes(path)) < 0 and not batch.empty:
                yield batch.take()
            batch.event.removed.append(path)
            batch.used += _json_bytes(path) + _OVERHEAD_BYTES
        for item in skipped:
            if batch.room(_json_bytes(item.path)) < 0 and not batch.empty:
                yield batch.take()
            batch.event.skipped.append(item)
            batch.used += _json_bytes(item.path) + _OVERHEAD_BYTES
        batch.event.more = False
        yield batch.event


def _json_bytes(text: str) -> int:
    """Bytes ``text`` takes as a JSON string on the wire."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8"))


class _Batch:
    """The ``files_written`` event being filled, and how long its line is so far."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._start()

    def _start(self) -> None:
        self.event = p.FilesWritten([], more=True)
        self.used = _OVERHEAD_BYTES

    @property
    def empty(self) -> bool:
        return self.used == _OVERHEAD_BYTES

    def room(self, entry: int) -> int:
        """Bytes of contents that fit after an entry of ``entry`` bytes (names, JSON),
        as raw bytes (base64 makes 4 of every 3)."""
        return (self.limit - self.used - entry - _OVERHEAD_BYTES) // 4 * 3

    def take(self) -> p.FilesWritten:
        full = self.event
        self._start()
        return full
