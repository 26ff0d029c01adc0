"""Kernels started ahead of need: each worker process keeps a few sandboxed kernels ready.

Starting a kernel is mostly the interpreter starting in its sandbox (a few hundred
milliseconds). A worker with ``KERNEL_POOL_SIZE`` > 0 starts that many kernels
before anyone asks, so a session (or a restart) takes one that is already up and
only waits for Redis. A pooled kernel is used once: whoever takes it gets a fresh
interpreter, and the pool starts another in its place.

Pooled kernels are started by the pool's own thread, which lives as long as the
worker process (the sandbox dies with the thread that started it). Until a session
takes a kernel, the lines it writes (its ``kernel_ready``) are kept by a
:class:`Relay`, which hands them over in order when the session attaches.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kernels.transports.stdio_client import StdioKernelClient
from serverkernels import sandbox
from serverkernels.extras import ExtrasConfig, KernelExtras

log = logging.getLogger(__name__)

Line = tuple[float, str, dict[str, Any]]
LineCallback = Callable[[float, str, dict[str, Any]], None]
Notify = Callable[[dict[str, Any]], None]


class Relay:
    """Where a kernel's lines and install notices go: kept until a session attaches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: list[Line] = []
        self._on_line: LineCallback | None = None
        self._notify: Notify | None = None
        self.ready = threading.Event()

    def line(self, stamp: float, text: str, event: dict[str, Any]) -> None:
        with self._lock:
            if event.get("type") == "kernel_ready":
                self.ready.set()
            if self._on_line is None:
                self._kept.append((stamp, text, event))
                return
            self._on_line(stamp, text, event)

    def notice(self, notice: dict[str, Any]) -> None:
        if self._notify is not None:
            self._notify(notice)

    def attach(self, on_line: LineCallback, notify: Notify) -> None:
        """From now on lines go to ``on_line``, starting with those kept so far."""
        with self._lock:
            for kept in self._kept:
                on_line(*kept)
            self._kept.clear()
            self._on_line, self._notify = on_line, notify


@dataclass
class Started:
    """A kernel process with its client, its extras directory and where its lines go."""

    kernel: sandbox.SandboxedProcess
    client: StdioKernelClient
    extras: KernelExtras | None
    relay: Relay

    def alive(self) -> bool:
        return self.kernel.poll() is None and not self.client.ended

    def discard(self) -> None:
        if not self.client.ended:
            try:
                self.client.close(timeout=5)
            except OSError:
                pass
        self.kernel.cleanup()
        if self.extras is not None:
            self.extras.cleanup()


def start_kernel(
    *, limits: sandbox.Limits, runtime_root: Any, python: str | None,
    allow_unsandboxed: bool, extras: ExtrasConfig | None,
) -> Started:
    """A sandboxed kernel whose lines go to a fresh :class:`Relay`."""
    relay = Relay()
    kwargs: dict[str, Any] = {}
    if python:
        kwargs["python"] = python
    kernel_extras = None
    if extras is not None:
        # Each kernel its own, from an empty directory: a restart starts without extras.
        kernel_extras = KernelExtras(extras, python=python or sys.executable, notify=relay.notice)
        kwargs["extras"] = kernel_extras.directory
    kernel = sandbox.spawn(
        sandbox.KERNEL_ARGS, runtime_root=runtime_root, limits=limits,
        allow_unsandboxed=allow_unsandboxed, **kwargs,
    )
    client = StdioKernelClient(kernel.popen, on_line=relay.line, keep_events=False,
                               max_line_bytes=limits.output_bytes_per_run)
    return Started(kernel, client, kernel_extras, relay)


class KernelPool:
    """Up to ``size`` kernels started ahead, refilled by a thread of the pool's own."""

    def __init__(self, size: int, start: Callable[[], Started]) -> None:
        self.size = size
        self._start = start
        self._ready: list[Started] = []
        self._changed = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        self._thread = threading.Thread(target=self._fill, name="kernel-pool", daemon=True)
        self._thread.start()

    def ready_count(self) -> int:
        with self._changed:
            return len(self._ready)

    def take(self) -> Started | None:
        """A kernel that has said ``kernel_ready``, or None (the caller starts one itself)."""
        with self._changed:
            while self._ready:
                started = self._ready.pop(0)
                self._changed.notify_all()
                if started.relay.ready.is_set() and started.alive():
                    return started
                self._discard_later(started)
            return None

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            ready, self._ready = self._ready, []
            self._changed.notify_all()
        for started in ready:
            started.discard()

    def _discard_later(self, started: Started) -> None:
        threading.Thread(target=started.discard, daemon=True).start()

    def _fill(self) -> None:
        while True:
            with self._changed:
                while not self._stopped and len(self._ready) >= self.size:
                    self._changed.wait()
                if self._stopped:
                    return
            try:
                started = self._start()
            except Exception:  # no sandbox here, a full disk: sessions start their own
                log.exception("could not start a kernel ahead of need")
                with self._changed:
                    self._changed.wait(30)
                continue
            started.relay.ready.wait(60)
            with self._changed:
                if self._stopped:
                    started.discard()
                    return
                self._ready.append(started)
