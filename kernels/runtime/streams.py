"""A cell run's stream output on its way out: few events, and a cap on what is sent.

A loop of a million ``print`` calls must not become a million ``stream`` events
(each one crosses the transport and is drawn by the page), nor hundreds of
megabytes sent to a page that would choke on them. :class:`StreamBatcher`
stands between a cell's ``sys.stdout``/``sys.stderr``
(:class:`~kernels.runtime.execution.StreamWriter`) and the kernel's ``emit``:

* Text written is kept in order (stdout and stderr interleaved as written) and
  sent as one ``stream`` event per run of same-stream text when the batch holds
  :data:`BATCH_CHARS` characters, or when the cell ends a line (or flushes)
  and the previous send is at least :data:`BATCH_SECONDS` old. So the first line after a quiet spell
  goes out at once (output printed just before a long computation shows), and
  a burst goes out about 20 times a second. There is no thread: a cell that
  computes without writing holds what it wrote in the last 50 ms until it
  ends another line, awaits (a timer on the event loop sends it), asks for input,
  shows an output, or ends; the kernel sends the batch before any other event
  of the cell.
* A run sends at most ``limit_bytes`` (:data:`STREAM_LIMIT_BYTES`, UTF-8,
  stdout and stderr together), cut at a line end (inside a line only when the
  first line alone is longer than the cap). Past the cap nothing more is
  sent or kept, only counted; when the run ends, one
  ``stream_truncated`` event per stream that lost text says how many bytes and
  lines were dropped.

Pure standard library, no thread and no real event loop needed, so it runs
alike under CPython and Pyodide.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import monotonic as monotonic  # exported: execution.py and tests use streams.monotonic
from typing import TYPE_CHECKING

from kernels.runtime.protocol import StreamName

if TYPE_CHECKING:
    from kernels.runtime.execution import StreamWriter

# The stream text one cell's run may send, in UTF-8 bytes (stdout and stderr together).
STREAM_LIMIT_BYTES = 2 * 1024 * 1024

# A batch is sent once it holds this many characters...
BATCH_CHARS = 64 * 1024
# ...or when the cell ends a line (or flushes) and the previous send is at least this old (s).
BATCH_SECONDS = 0.05

# StreamBatcher.timer when there is no event loop to set a timer on.
_NO_TIMER = object()

# (name, text): send one stream event.
SendText = Callable[[StreamName, str], None]
# (name, dropped_bytes, dropped_lines, limit_bytes): send one stream_truncated event.
SendTruncated = Callable[[StreamName, int, int, int], None]


def utf8_size(text: str) -> int:
    """How many bytes ``text`` takes in UTF-8 (lone surrogates count as 3)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _utf8_prefix(text: str, size: int) -> str:
    """The longest start of ``text`` that fits in ``size`` UTF-8 bytes."""
    if text.isascii():
        return text[:size]
    return text.encode("utf-8", "surrogatepass")[:size].decode("utf-8", "ignore")


class _Dropped:
    """What one stream lost past the cap."""

    __slots__ = ("bytes", "newlines", "open_line")

    def __init__(self) -> None:
        self.bytes = 0
        self.newlines = 0
        self.open_line = False  # the last text dropped did not end its line

    def count(self, text: str) -> None:
        self.bytes += utf8_size(text)
        self.newlines += text.count("\n")
        self.open_line = not text.endswith("\n")

    @property
    def lines(self) -> int:
        return self.newlines + (1 if self.open_line else 0)


class StreamBatcher:
    """One cell run's stream text: batched into few events, capped at ``limit_bytes``.

    The run's two :class:`~kernels.runtime.execution.StreamWriter` keep what is
    written and decide when a batch is due (they read the clock on each line
    they end, against :attr:`sent_at`); this keeps the order between them
    (:meth:`switch_to`), sends (:meth:`send_now`: one event per run of
    same-stream text) and applies the cap. :meth:`close` ends the run: what
    waits goes out, then the ``stream_truncated`` notices. Text written after
    ``close`` (by a thread the cell started) is sent at once, under the same cap.
    ``limit_bytes`` None sends everything (a terminal run).
    """

    def __init__(
        self, send: SendText, truncated: SendTruncated | None = None, *,
        limit_bytes: int | None = STREAM_LIMIT_BYTES,
    ) -> None:
        self._send = send
        self._truncated = truncated
        self._limit = limit_bytes
        self._sent_bytes = 0
        # The writer that wrote last: its text is not in the batch yet.
        self.writer: StreamWriter | None = None
        # When the last batch went out (-inf: the next line goes at once).
        self.sent_at = float("-inf")
        # A pending timer that sends the batch if the cell awaits, or _NO_TIMER.
        self.timer: asyncio.TimerHandle | object | None = None
        self._name: StreamName = "stdout"  # the stream of the text in ``_parts``, if any
        self._parts: list[str] = []
        self._batches: list[tuple[StreamName, str]] = []  # earlier runs of another stream's text
        self._size = 0  # characters in the batch
        self._full = False  # the cap is reached: only count from now on
        self._dropped: dict[StreamName, _Dropped] = {}
        self._closed = False

    def switch_to(self, writer: StreamWriter) -> None:
        """``writer`` writes now: the previous writer's whole lines join the batch first."""
        previous, self.writer = self.writer, writer
        if previous is not None and previous.take(whole_lines=True):
            self.send_now()

    def add(self, name: StreamName, text: str) -> bool:
        """Put text in the batch; True when the batch should go out now (it is large)."""
        if self._full:
            self._drop(name, text)
            return False
        if name != self._name:
            if self._parts:
                self._batches.append((self._name, "".join(self._parts)))
                self._parts = []
            self._name = name
        self._parts.append(text)
        self._size += len(text)
        return self._size >= BATCH_CHARS or self._closed

    def send_now(self) -> None:
        """Send the batch, with the whole lines the current writer holds, in order."""
        if self.timer is not None:
            if isinstance(self.timer, asyncio.TimerHandle):
                self.timer.cancel()
            self.timer = None
        if self.writer is not None:
            self.writer.take(whole_lines=True)
        self.sent_at = monotonic()
        if not self._size:
            return
        batches = self._batches
        if self._parts:
            batches.append((self._name, "".join(self._parts)))
            self._parts = []
        self._batches = []
        self._size = 0
        for name, text in batches:
            if self._full:
                self._drop(name, text)
            else:
                self._send_capped(name, text)

    def close(self) -> None:
        """The run is over: send what waits, then say what the cap dropped."""
        self.send_now()
        self._closed = True
        self.sent_at = float("-inf")
        if self._truncated is not None and self._limit is not None:
            for name, dropped in self._dropped.items():
                self._truncated(name, dropped.bytes, dropped.lines, self._limit)
            self._dropped = {}

    def start_timer(self) -> None:
        """Send the batch in BATCH_SECONDS if the cell awaits meanwhile (no loop: nothing to do)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.timer = _NO_TIMER  # until the next send: do not look again for each line
            return
        self.timer = loop.call_later(BATCH_SECONDS, self._on_timer)

    def _on_timer(self) -> None:
        self.timer = None
        self.send_now()

    def _send_capped(self, name: StreamName, text: str) -> None:
        if self._limit is None:
            self._send(name, text)
            return
        size = utf8_size(text)
        room = self._limit - self._sent_bytes
        if size <= room:
            self._sent_bytes += size
            self._send(name, text)
            return
        head = _utf8_prefix(text, room)
        line_end = head.rfind("\n")
        if line_end >= 0:
            head = head[:line_end + 1]
        elif self._sent_bytes:
            head = ""  # end on the last whole line sent; only a first line is cut inside
        if head:
            self._sent_bytes += utf8_size(head)
            self._send(name, head)
        self._full = True
        self._drop(name, text[len(head):])

    def _drop(self, name: StreamName, text: str) -> None:
        if not text:
            return
        dropped = self._dropped.get(name)
        if dropped is None:
            dropped = self._dropped[name] = _Dropped()
        dropped.count(text)
