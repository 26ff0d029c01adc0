"""Running one cell: its namespace, its streams, its tracebacks.

Each run of a cell gets a fresh globals dict holding only the names it reads
(copied from the notebook's shared namespace) plus its own private names;
afterwards only the names it defines are copied back. So a cell cannot
reach names it does not declare by reading them, private ``_names`` never
leak, and functions defined in a cell keep seeing the values the cell ran
with.
"""

from __future__ import annotations

import builtins
import linecache
import sys
import traceback
from collections.abc import Callable
from typing import Any


def cell_filename(cell_id: str) -> str:
    """The pseudo file name a cell's code runs under (seen in tracebacks)."""
    return f"<cell {cell_id}>"


def register_source(cell_id: str, code: str) -> None:
    """Let tracebacks show a cell's source lines."""
    filename = cell_filename(cell_id)
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)


def forget_source(cell_id: str) -> None:
    """Drop a deleted cell's source from the traceback cache."""
    linecache.cache.pop(cell_filename(cell_id), None)


class StreamWriter:
    """A text stream that forwards what a cell writes as stdout/stderr events.

    Text is sent line by line as it is written (a partial line waits for its
    newline, an explicit ``flush()`` or the end of the cell), so progress
    printed with ``flush=True`` streams while ``print`` does not flood the
    transport with one event per argument.
    """

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, name: str, emit: Callable[[str, str], None]) -> None:
        self.name = name
        self._emit = emit
        self._pending: list[str] = []

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if "\n" in text:
            cut = text.rindex("\n") + 1
            pending = self._pending
            if pending:
                pending.append(text[:cut])
                self._emit(self.name, "".join(pending))
                pending.clear()
            else:
                self._emit(self.name, text[:cut])
            if cut < len(text):
                self._pending.append(text[cut:])
        elif text:
            self._pending.append(text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            self._emit(self.name, text)

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def fileno(self) -> int:
        import io

        raise io.UnsupportedOperation("cell output streams have no file descriptor")


class NoInput:
    """``sys.stdin`` while a cell runs: there is no terminal to read from."""

    encoding = "utf-8"

    def readline(self, *args: Any) -> str:
        raise EOFError("cells cannot read standard input; use a UI element instead")

    read = readline

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        import io

        raise io.UnsupportedOperation("cells have no standard input")


def base_namespace() -> dict[str, Any]:
    """What every cell's globals start with."""
    return {"__name__": "__main__", "__builtins__": builtins, "__doc__": None}


def format_exception(exc: BaseException, filename_prefix: str = "<cell ") -> str:
    """A traceback that starts at the first cell frame, hiding the kernel's own."""
    tb = exc.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(filename_prefix):
        tb = tb.tb_next
    if tb is None:
        tb = exc.__traceback__
    return "".join(traceback.format_exception(type(exc), exc, tb))


def in_cell_code(frame: Any) -> bool:
    """Whether a frame belongs to, or was called from, a cell's code."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<cell "):
            return True
        frame = frame.f_back
    return False


def set_streams(stdout: Any, stderr: Any, stdin: Any) -> tuple[Any, Any, Any]:
    """Swap ``sys`` streams, returning the previous ones."""
    previous = (sys.stdout, sys.stderr, sys.stdin)
    sys.stdout, sys.stderr, sys.stdin = stdout, stderr, stdin
    return previous
