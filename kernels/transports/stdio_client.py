"""The other end of ``playground kernel --stdio``: a kernel process driven by commands.

:class:`StdioKernelClient` writes commands as JSON lines to a kernel process
and collects its events, each stamped with the time it was read, on a reader
thread. Tests wait on events (:meth:`~StdioKernelClient.wait_for`), benchmarks
read the stamps, and the server-kernel worker passes each event line on
(``on_line``). Lines are read with a bound: a process that writes a line longer
than ``max_line_bytes`` on its event channel (no honest kernel does; cells'
output is batched and capped by the kernel) is killed and ``overflowed`` is set.

Standard library only; CPython only (it starts processes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

#: The directory holding the ``kernels`` package.
SOURCE_ROOT = Path(__file__).resolve().parents[2]
#: A kernel process of this checkout's runtime.
DEFAULT_ARGV = (sys.executable, "-m", "kernels.runtime.cli", "kernel", "--stdio")
#: Far above any honest event line (outputs are capped by the kernel).
DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
STDERR_KEPT_BYTES = 64 * 1024

Event = dict[str, Any]
LineCallback = Callable[[float, str, Event], None]


def start_kernel_process(
    argv: Sequence[str] = DEFAULT_ARGV,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> subprocess.Popen[bytes]:
    """A kernel process with pipes for a client (by default this checkout's runtime)."""
    if env is None:
        env = {**os.environ, "PYTHONPATH": str(SOURCE_ROOT)}
    return subprocess.Popen(
        list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=dict(env), cwd=SOURCE_ROOT if cwd is None else cwd,
    )


class NoMatchingEvent(AssertionError):
    """No event matched before the timeout (the kernel hung or died)."""


class StdioKernelClient:
    """A kernel process plus a thread collecting its events."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        *,
        on_line: LineCallback | None = None,
        keep_events: bool = True,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    ) -> None:
        """Drive ``process``, started with binary pipes for stdin and stdout (see :meth:`start`).

        ``on_line(stamp, text, event)`` is called on the reader thread for each
        event, with the line as the kernel wrote it; ``keep_events=False`` keeps
        no list (a long-lived session).
        """
        if process.stdin is None or process.stdout is None:
            raise ValueError("the kernel process needs stdin and stdout pipes")
        self.process = process
        self.events: list[Event] = []
        self.stamps: list[float] = []
        self.raw_lines: list[str] = []
        self.overflowed = False
        self._on_line = on_line
        self._keep = keep_events
        self._max_line = max_line_bytes
        self._stderr_tail: deque[bytes] = deque()
        self._stderr_size = 0
        self._send_lock = threading.Lock()
        self._changed = threading.Condition()
        self._ended = False
        threading.Thread(target=self._read, name="kernel-events", daemon=True).start()
        if process.stderr is not None:
            threading.Thread(
                target=self._drain_stderr, args=(process.stderr,), name="kernel-stderr", daemon=True
            ).start()

    @classmethod
    def start(
        cls,
        argv: Sequence[str] = DEFAULT_ARGV,
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> StdioKernelClient:
        """Start a kernel process (by default this checkout's runtime on this Python)."""
        return cls(start_kernel_process(argv, env=env, cwd=cwd), **options)

    # -- reading

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            line = stdout.readline(self._max_line + 1)
            if not line:
                break
            if len(line) > self._max_line and not line.endswith(b"\n"):
                self.overflowed = True
                self.process.kill()
                break
            stamp = time.perf_counter()
            text = line.decode("utf-8", "replace").rstrip("\n")
            try:
                event = json.loads(text)
            except json.JSONDecodeError:
                event = {"type": "protocol_error", "message": "the kernel wrote a non-JSON line"}
            if self._on_line is not None:
                self._on_line(stamp, text, event)
            with self._changed:
                if self._keep:
                    self.raw_lines.append(text)
                    self.events.append(event)
                    self.stamps.append(stamp)
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def _drain_stderr(self, stream: IO[bytes]) -> None:
        fd = stream.fileno()
        for chunk in iter(lambda: os.read(fd, 65536), b""):
            self._stderr_tail.append(chunk)
            self._stderr_size += len(chunk)
            while self._stderr_size > STDERR_KEPT_BYTES and len(self._stderr_tail) > 1:
                self._stderr_size -= len(self._stderr_tail.popleft())

    @property
    def stderr_tail(self) -> str:
        """The end of what the process wrote to stderr (for error messages)."""
        return b"".join(self._stderr_tail).decode("utf-8", "replace")

    @property
    def ended(self) -> bool:
        """Whether the event channel has closed (the process exited or was killed)."""
        return self._ended

    # -- writing

    def send(self, **message: Any) -> float:
        """Write one command; the time it was written."""
        return self.send_raw(json.dumps(message))

    def send_raw(self, line: str) -> float:
        """Write one line as it is; the time it was written."""
        stdin = self.process.stdin
        assert stdin is not None
        data = (line + "\n").encode("utf-8")
        with self._send_lock:
            stamp = time.perf_counter()
            stdin.write(data)
            stdin.flush()
        return stamp

    def close_input(self) -> None:
        """Close the kernel's stdin (end of input: the kernel exits when idle)."""
        stdin = self.process.stdin
        assert stdin is not None
        with self._send_lock:
            stdin.close()

    # -- waiting

    def wait_for_index(
        self, predicate: Callable[[Event], bool], start: int = 0, timeout: float = 20
    ) -> tuple[int, float, Event]:
        """The first event from index ``start`` on that matches: (index, time read, event).

        Waits on the kernel's events; ``timeout`` is only how long a hung
        kernel may take to fail, so callers make it generous.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            checked = start
            while True:
                for index in range(checked, len(self.events)):
                    if predicate(self.events[index]):
                        return index, self.stamps[index], self.events[index]
                checked = max(checked, len(self.events))
                remaining = deadline - time.monotonic()
                if self._ended or remaining <= 0:
                    why = "the kernel's output ended" if self._ended else "timed out"
                    raise NoMatchingEvent(
                        f"no matching event ({why}); last events: {self.events[-10:]}; "
                        f"stderr: {self.stderr_tail[-2000:]}"
                    )
                self._changed.wait(remaining)

    def wait_for(
        self, predicate: Callable[[Event], bool], timeout: float = 20, start: int = 0
    ) -> Event:
        """The first event (from index ``start``) that matches."""
        return self.wait_for_index(predicate, start, timeout)[2]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 60) -> None:
        """Until ``condition()`` holds, checked each time an event arrives."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._ended:
                    raise NoMatchingEvent(
                        f"the condition never held; last events: {self.events[-10:]}"
                    )
                self._changed.wait(remaining)

    def run_and_wait(self, *cell_ids: str, timeout: float = 60) -> Event:
        """Run cells and wait for that run's ``run_completed``."""
        start = len(self.events)
        self.send(type="run", cell_ids=list(cell_ids))
        return self.wait_for(lambda e: e["type"] == "run_completed", timeout, start)

    def close(self, timeout: float = 10) -> int:
        """Shut the kernel down (``shutdown``, then kill if it lingers); its exit code."""
        if self.process.poll() is not None:
            return self.process.returncode
        try:
            self.send(type="shutdown")
        except (BrokenPipeError, ValueError):  # already closed
            pass
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.process.kill()
            self.process.wait()
