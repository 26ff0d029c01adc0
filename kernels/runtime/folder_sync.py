"""The notebook's folder as a kernel's working directory, when the kernel runs elsewhere.

The browser's kernel reads the folder from the page (frontend: the worker mounts it).
A server kernel's working directory is a private one in its sandbox: the service
gives it the folder's files (``write_files``, built by :func:`write_commands`) and,
with ``watch_files`` on, takes back what each run wrote (``files_written``), which it
saves to the notebook for people who may edit (docs/folders.md). Both go over as many
messages as a bound on one line needs, a larger file in parts, read one part at a
time: neither end holds a whole large file in memory.

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
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Generic, TypeVar

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
#: Where a file given in parts grows until its last part moves it into place: hidden,
#: so never reported as written, and in the working directory (the same file system).
_STAGING_PREFIX = ".write_files-"


class WriteRefused(ValueError):
    """A ``write_files`` command was refused (a bad path, part or bytes); nothing of it
    was written. ``changed``: when it was the last of its change, the paths the change's
    earlier commands did change (still to be announced); else None."""

    def __init__(self, message: str, changed: list[str] | None) -> None:
        super().__init__(message)
        self.changed = changed


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
class Incoming:
    """A ``write_files`` change under way: files growing in staging files, and the
    paths changed so far (announced together once its last command is in)."""

    #: path -> its staging file, for files whose last part has not come yet.
    growing: dict[str, str] = field(default_factory=dict)
    #: path -> bytes of it come so far (where its next part starts).
    sizes: dict[str, int] = field(default_factory=dict)
    #: Files of the change that were refused: the rest of their parts is ignored.
    refused: set[str] = field(default_factory=set)
    paths: list[str] = field(default_factory=list)
    _staged: int = 0

    def changed(self, path: str) -> None:
        if path not in self.paths:
            self.paths.append(path)

    def staging_path(self, root: str) -> str:
        self._staged += 1
        return os.path.join(root, f"{_STAGING_PREFIX}{os.getpid()}-{self._staged}")

    def drop_all(self, root: str, also: list[str]) -> None:
        """Forget the files still growing (their staging files removed) and ``also``:
        none of them is written."""
        for staging in self.growing.values():
            try:
                os.remove(staging)
            except OSError:
                pass
        self.refused |= set(self.growing) | set(also)
        self.growing.clear()
        self.sizes.clear()


def _decoded(path: str, data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except ValueError:
        raise ValueError(f"the bytes of {path!r} are not base64") from None


@dataclass
class FolderWatch:
    """What each run wrote in ``root``, against what the folder held before it; and
    what the service gives it (``write_files``, :meth:`write`), which is never reported
    back as written."""

    root: str
    #: How long one ``files_written`` line may be (``watch_event_bytes``).
    event_max_bytes: int = EVENT_MAX_BYTES
    #: Files larger than this are listed as skipped, not sent (None: all are sent).
    file_max_bytes: int | None = None
    known: Snapshot = field(default_factory=dict)
    #: The ``write_files`` change under way (its commands with ``more`` true so far).
    incoming: Incoming = field(default_factory=lambda: Incoming())

    def start(self) -> None:
        self.known = snapshot(self.root)
        self.importable()

    def importable(self) -> None:
        """Put the folder first on ``sys.path``, as a script's own folder is, so
        ``import helpers`` finds its ``helpers.py`` (whatever flags started Python)."""
        if self.root not in sys.path:
            sys.path.insert(0, self.root)

    def write(self, files: list[p.FileData], removed: list[str],
              parts: list[p.FilePart] | None = None, *, more: bool = False) -> list[str] | None:
        """Apply one ``write_files`` command: remove ``removed``, put whole ``files`` and
        append ``parts`` to their files (each moved into place by its last part). The
        paths the change wrote or removed once its last command (``more`` false) is in,
        with the folder taken as known again; None before.

        Raises :class:`WriteRefused` for a bad path or bytes, or a part that does not
        start where its file's last one ended, before anything of the command is
        written; the files still coming in parts are then dropped, not half-written."""
        incoming = self.incoming
        try:
            whole, pieces = self._checked(files, removed, parts or [])
        except ValueError as exc:
            incoming.drop_all(self.root, [part.path for part in parts or []])
            raise WriteRefused(str(exc), None if more else self._finish()) from None
        try:
            for path in removed:
                full = os.path.join(self.root, path)
                if os.path.isdir(full) and not os.path.islink(full):
                    shutil.rmtree(full)
                elif os.path.lexists(full):
                    os.remove(full)
                incoming.changed(path)
            for path, data in whole:
                staging = incoming.staging_path(self.root)
                try:
                    with open(staging, "wb") as out:
                        out.write(data)
                    self._place(staging, path)
                finally:
                    if os.path.lexists(staging):
                        os.remove(staging)  # not placed: the disk is full, say
            for part, data in pieces:
                if part.path not in incoming.growing:
                    incoming.growing[part.path] = incoming.staging_path(self.root)
                growing = incoming.growing[part.path]
                with open(growing, "ab" if part.offset else "wb") as out:
                    out.write(data)
                incoming.sizes[part.path] = part.offset + len(data)
                if part.last:
                    del incoming.growing[part.path], incoming.sizes[part.path]
                    self._place(growing, part.path)
        except OSError as exc:
            incoming.drop_all(self.root, [part.path for part in parts or []])
            raise WriteRefused(str(exc), None if more else self._finish()) from None
        return None if more else self._finish()

    def _checked(self, files: list[p.FileData], removed: list[str], parts: list[p.FilePart],
                 ) -> tuple[list[tuple[str, bytes]], list[tuple[p.FilePart, bytes]]]:
        """The command's bytes, decoded; ValueError for the first thing wrong in it."""
        for path in [item.path for item in files] + removed + [part.path for part in parts]:
            if problem := path_problem(path):
                raise ValueError(problem)
        whole = [(item.path, _decoded(item.path, item.data)) for item in files]
        pieces = []
        ends = dict(self.incoming.sizes)  # where each file's next part must start
        for part in parts:
            if part.path in self.incoming.refused:
                continue  # the rest of a file already refused: one error is enough
            data = _decoded(part.path, part.data)
            if part.offset != ends.get(part.path, 0):
                raise ValueError(f"a part of {part.path!r} starts at byte {part.offset}, not "
                                 f"{ends.get(part.path, 0)} where the part before ended")
            ends[part.path] = part.offset + len(data)
            if part.last:
                del ends[part.path]
            pieces.append((part, data))
        return whole, pieces

    def _place(self, staging: str, path: str) -> None:
        """Move a whole file into place at once (a link in the way is replaced, never
        written through), and count it as changed."""
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full) or self.root, exist_ok=True)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full)
        os.replace(staging, full)
        self.incoming.changed(path)

    def _finish(self) -> list[str]:
        """End the change: drop files whose last part never came, take the folder as
        known (what the service wrote is the folder as it knows it: not reported back),
        and give the paths the change wrote or removed."""
        self.incoming.drop_all(self.root, [])
        changed = self.incoming.paths
        self.incoming = Incoming()
        self.known = snapshot(self.root)
        self.importable()
        return changed

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
        batch = _Batch(max(self.event_max_bytes, EVENT_MIN_BYTES),
                       lambda: p.FilesWritten([], more=True))
        skipped: list[p.SkippedFile] = []
        for path, size in changed:
            if self.file_max_bytes is not None and size > self.file_max_bytes:
                skipped.append(p.SkippedFile(path, size))
                continue
            try:
                file = open(os.path.join(self.root, path), "rb")
            except OSError:
                continue
            try:
                with file:
                    # The file as it is now, which may have grown or shrunk since the look.
                    grown = yield from batch.add_file(path, size, file, self.file_max_bytes)
            except OSError:
                continue  # the parts sent stay incomplete: the service drops them
            if grown is not None:
                skipped.append(p.SkippedFile(path, grown))  # grew past the limit meanwhile
        yield from batch.add_removed(removed)
        for item in skipped:
            if batch.room(_json_bytes(item.path)) < 0 and not batch.empty:
                yield batch.take()
            batch.event.skipped.append(item)
            batch.used += _json_bytes(item.path) + _OVERHEAD_BYTES
        batch.event.more = False
        yield batch.event


#: Opens one file to give the kernel, to be read from its start (the caller closes it).
Opener = Callable[[], IO[bytes]]


def write_commands(files: Iterable[tuple[str, int, Opener]], removed: list[str],
                   max_bytes: int) -> Iterator[p.WriteFiles]:
    """The ``write_files`` commands that give a kernel ``files`` (``(path, size, open)``
    each) and remove ``removed``: each line at most ``max_bytes`` (at least
    :data:`EVENT_MIN_BYTES`), removals first, a large file in parts, ``more`` true on
    all but the last. Each file is opened and read one part at a time as the commands
    are taken, so no more than one command's bytes are held at once."""
    batch = _Batch(max(max_bytes, EVENT_MIN_BYTES), lambda: p.WriteFiles([], more=True))
    yield from batch.add_removed(removed)
    for path, size, open_file in files:
        with open_file() as file:
            yield from batch.add_file(path, size, file, None)
    batch.event.more = False
    yield batch.event


def _json_bytes(text: str) -> int:
    """Bytes ``text`` takes as a JSON string on the wire."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8"))


_M = TypeVar("_M", p.FilesWritten, p.WriteFiles)


class _Batch(Generic[_M]):
    """The message being filled (``files_written`` or ``write_files``), and how long
    its line is so far."""

    def __init__(self, limit: int, new: Callable[[], _M]) -> None:
        self.limit = limit
        self._new: Callable[[], _M] = new
        self.event: _M = new()
        self.used = _OVERHEAD_BYTES

    def _start(self) -> None:
        self.event = self._new()
        self.used = _OVERHEAD_BYTES

    @property
    def empty(self) -> bool:
        return self.used == _OVERHEAD_BYTES

    def room(self, entry: int) -> int:
        """Bytes of contents that fit after an entry of ``entry`` bytes (names, JSON),
        as raw bytes (base64 makes 4 of every 3)."""
        return (self.limit - self.used - entry - _OVERHEAD_BYTES) // 4 * 3

    def take(self) -> _M:
        full = self.event
        self._start()
        return full

    def add_removed(self, paths: list[str]) -> Iterator[_M]:
        """Add ``paths`` to the removed files, yielding each message filled."""
        for path in paths:
            if self.room(_json_bytes(path)) < 0 and not self.empty:
                yield self.take()
            self.event.removed.append(path)
            self.used += _json_bytes(path) + _OVERHEAD_BYTES

    def add_file(self, path: str, size: int, file: IO[bytes],
                 max_size: int | None) -> Generator[_M, None, int | None]:
        """Add the bytes of ``file`` (about ``size`` of them), whole or in parts over
        several messages, yielding each message filled; the size it reached if that
        passed ``max_size`` (its parts sent so far stay incomplete), else None. A read
        that fails raises, its parts sent so far incomplete."""
        name = _json_bytes(path) + _OVERHEAD_BYTES
        offset = 0
        carry = b""
        while True:
            room = self.room(name)
            # The rest of the file, or a part worth sending, must fit; else a new message.
            wanted = max(min(size - offset, PART_MIN_BYTES), len(carry))
            if not self.empty and room < wanted:
                yield self.take()
                room = self.room(name)
            data = carry + file.read(max(room - len(carry), 0))
            carry = file.read(1)
            if max_size is not None and offset + len(data) + len(carry) > max_size:
                return offset + len(data) + len(carry)
            text = base64.b64encode(data).decode("ascii")
            if offset == 0 and not carry:
                self.event.files.append(p.FileData(path, text))
            else:
                self.event.parts.append(p.FilePart(path, offset, text, not carry))
            self.used += name + len(text)
            offset += len(data)
            if not carry:
                return None
