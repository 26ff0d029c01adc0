"""What one run of a server kernel wrote, put together from its ``files_written`` events.

The kernel sends a run's files over as many events as its line bound needs (the
last one has ``more`` false), a large file in ``parts`` (kernels/runtime/folder_sync.py).
:class:`WrittenCollector` writes each file's bytes to a temporary file as they come
(in memory while small, on disk past :data:`SPOOL_MEMORY_BYTES`) with its sha256,
so the worker never holds more than one event and a few small files, and hands over
the whole run once its last event is in. A file whose bytes did not all come (the
kernel died, or the file changed while it was sent) is never handed over as a file:
it is named, so nothing half-written reaches the folder. No Django here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any

#: A file is kept in memory up to this size, on disk past it.
SPOOL_MEMORY_BYTES = 1024 * 1024


@dataclass
class WrittenFile:
    """One whole file a run wrote: its bytes (read from the start) and their sha256."""

    path: str
    file: IO[bytes]
    size: int
    sha256: str


@dataclass
class Written:
    """Everything one run wrote. Call :meth:`close` when done with the files."""

    files: list[WrittenFile] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: ``(path, size)``: larger than the folder's file size limit, so not sent or kept.
    too_large: list[tuple[str, int]] = field(default_factory=list)
    #: Files whose bytes did not all come (changed while sent, or more than a run may send).
    incomplete: list[str] = field(default_factory=list)

    def close(self) -> None:
        for item in self.files:
            item.file.close()


class _Spool:
    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)
        self.digest = hashlib.sha256()
        self.size = 0

    def add(self, data: bytes) -> None:
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)

    def done(self, path: str) -> WrittenFile:
        self.file.seek(0)
        return WrittenFile(path, self.file, self.size, self.digest.hexdigest())


class WrittenCollector:
    """Takes a kernel's ``files_written`` events; gives each run's :class:`Written`.

    ``file_max_bytes``: a file past it is dropped and named as too large (the kernel,
    told the same limit, does not send one). ``run_max_bytes``: all files of one run
    together; past it the rest are dropped and named (an honest kernel cannot write
    more than its working directory holds).
    """

    def __init__(self, *, file_max_bytes: int, run_max_bytes: int) -> None:
        self.file_max_bytes = file_max_bytes
        self.run_max_bytes = run_max_bytes
        self._run = Written()
        self._growing: dict[str, _Spool] = {}
        self._dropped: set[str] = set()
        self._received = 0

    def add(self, event: dict[str, Any]) -> Written | None:
        """Take one ``files_written`` event; after the run's last one, the whole run
        (the collector then starts over for the next)."""
        run = self._run
        for item in event.get("files") or []:
            if isinstance(item, dict):
                self._bytes(str(item.get("path")), 0, item.get("data"), last=True)
        for item in event.get("parts") or []:
            if isinstance(item, dict):
                self._bytes(str(item.get("path")), item.get("offset"), item.get("data"),
                            last=item.get("last") is True)
        run.removed += [path for path in event.get("removed") or [] if isinstance(path, str)]
        for item in event.get("skipped") or []:
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                self._drop(item["path"])
                size = item.get("size")
                run.too_large.append((item["path"], size if isinstance(size, int) else 0))
        if event.get("more") is True:
            return None
        for path in sorted(self._growing):
            self._drop(path)
            run.incomplete.append(path)
        self._run, self._dropped, self._received = Written(), set(), 0
        return run

    def discard(self) -> None:
        """Forget a run cut short (the kernel stopped before its last event)."""
        for spool in self._growing.values():
            spool.file.close()
        self._growing.clear()
        self._run.close()
        self._run, self._dropped, self._received = Written(), set(), 0

    def _bytes(self, path: str, offset: object, data: object, *, last: bool) -> None:
        if path in self._dropped:
            return
        spool = self._growing.get(path)
        expected = spool.size if spool is not None else 0
        try:
            if not isinstance(data, str) or offset != expected:
                raise ValueError
            decoded = base64.b64decode(data, validate=True)
        except (ValueError, binascii.Error):
            self._drop(path)
            self._run.incomplete.append(path)
            return
        self._received += len(decoded)
        if expected + len(decoded) > self.file_max_bytes:
            self._drop(path)
            self._run.too_large.append((path, expected + len(decoded)))
            return
        if self._received > self.run_max_bytes:
            self._drop(path)
            self._run.incomplete.append(path)
            return
        if spool is None:
            spool = self._growing[path] = _Spool()
        spool.add(decoded)
        if last:
            self._run.files.append(self._growing.pop(path).done(path))

    def _drop(self, path: str) -> None:
        """Keep none of ``path``'s bytes in this run, and take no more."""
        self._dropped.add(path)
        spool = self._growing.pop(path, None)
        if spool is not None:
            spool.file.close()
        kept = [item for item in self._run.files if item.path == path]
        for item in kept:
            item.file.close()
        self._run.files = [item for item in self._run.files if item.path != path]
