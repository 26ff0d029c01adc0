"""The names files may have in a notebook's folder, and the checks on a whole folder.

A path is relative, with ``/`` between folders. Python sees it under the notebook's
working directory in the browser (Emscripten's file system) and in the server
sandbox (a Linux directory), so a name must mean the same file in both and can
never reach outside the folder.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from folders.errors import InvalidPath

PATH_MAX_CHARACTERS = 1024
PART_MAX_BYTES = 255
DEPTH_MAX = 16


def path_clean(path: str) -> str:
    """``path`` as the folder stores it (Unicode NFC), or ``InvalidPath`` saying why not."""
    shown = repr(path[:80])
    if not path or not path.strip():
        raise InvalidPath("A file needs a name.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        raise InvalidPath(f"The name {shown} holds a control character (such as NUL or a "
                          "line break); file names cannot.")
    if "\\" in path:
        raise InvalidPath(f"The name {shown} holds a backslash; use / between folders.")
    if path.startswith("/"):
        raise InvalidPath(f"The name {shown} starts with /: names are relative to the "
                          "notebook's folder.")
    path = unicodedata.normalize("NFC", path)
    if len(path) > PATH_MAX_CHARACTERS:
        raise InvalidPath(f"The name is {len(path):,} characters long; at most "
                          f"{PATH_MAX_CHARACTERS:,} are allowed.")
    parts = path.split("/")
    if len(parts) > DEPTH_MAX:
        raise InvalidPath(f"The name {shown} is {len(parts)} folders deep; at most "
                          f"{DEPTH_MAX} are allowed.")
    for part in parts:
        if part in ("", ".", ".."):
            raise InvalidPath(f"The name {shown} has an empty, '.' or '..' part; each part "
                              "between slashes must be a name.")
        if part != part.strip():
            raise InvalidPath(f"The name {shown} has a part that starts or ends with a "
                              "space.")
        if len(part.encode("utf-8")) > PART_MAX_BYTES:
            raise InvalidPath(f"A part of the name {shown} is longer than {PART_MAX_BYTES} "
                              "bytes.")
    return path


def under(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` itself or inside it."""
    return path == folder or path.startswith(folder + "/")


def folder_check(paths: Iterable[str]) -> None:
    """``InvalidPath`` if one name is a file and also a folder of another."""
    names = set(paths)
    for path in names:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in names:
                raise InvalidPath(f"{folder!r} is a file, so it cannot also be a folder "
                                  f"holding {path!r}. Rename one of them.")
