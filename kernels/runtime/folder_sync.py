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
import os
import shutil
from dataclasses import dataclass, field

from kernels.runtime import protocol as p

#: Bytes of file contents one ``files_written`` carries at most, all files together;
#: past it files are listed as skipped (the service says so to the person).
SEND_MAX_BYTES = 8 * 1024 * 1024


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
    send_max_bytes: int = SEND_MAX_BYTES
    known: Snapshot = field(default_factory=dict)

    def start(self) -> None:
        self.known = snapshot(self.root)

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
        return [path for path, _ in decoded] + list(removed)

    def changes(self) -> p.FilesWritten | None:
        """The files written since the last look (None: nothing), and look again."""
        now = snapshot(self.root)
        changed = sorted(path for path, seen in now.items() if self.known.get(path) != seen)
        removed = sorted(path for path in self.known if path not in now)
        if not changed and not removed:
            return None
        sent: list[p.FileData] = []
        skipped: list[p.SkippedFile] = []
        budget = self.send_max_bytes
        for path in changed:
            size = now[path][0]
            if size > budget:
                skipped.append(p.SkippedFile(path, size))
                continue
            try:
                with open(os.path.join(self.root, path), "rb") as file:
                    data = file.read(budget + 1)
            except OSError:
                continue
            if len(data) > budget:
                skipped.append(p.SkippedFile(path, len(data)))
                continue
            budget -= len(data)
            sent.append(p.FileData(path, base64.b64encode(data).decode("ascii")))
        self.known = now
        return p.FilesWritten(sent, removed, skipped)
