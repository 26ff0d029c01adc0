"""The Web Worker transport: the kernel behind postMessage, under Pyodide.

worker.ts imports this module (it is in the runtime wheel and preloaded in the
memory snapshot) and makes one :class:`WorkerSession`, which is the shared
:class:`~kernels.transports.session.Session` loop plus what a worker needs of
its own: steps of JavaScript queued between commands (installing a cell's
imports), and blocking in a cell without stack switching.

Blocking in a cell (``time.sleep``, ``input()``) blocks the worker on memory
shared with the page (``waits``, sync_buffer.ts), and the page's interrupt
ends the wait. Python busy in a cell is stopped by the page writing to
Pyodide's interrupt buffer, so an ``interrupt`` needs nothing more here than
cancelling what the cell awaits.

Also here: what the worker does once at boot (unpack the runtime's files after
a snapshot restore, reseed, micropip's fix). Requests that only read or write
notebook files are in :mod:`kernels.transports.worker_requests`.
"""

from __future__ import annotations

import importlib
import json
import math
import operator
import os
import random
import site
import sys
import time
import weakref
import zipfile
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, SupportsIndex

from kernels.runtime import protocol
from kernels.transports.session import QueuedCall, Session


class BlockingWaits(Protocol):
    """worker.ts ``blockingWaits``: waits on the memory shared with the page."""

    def sleep(self, ms: float) -> bool:
        """Block up to ``ms``; True when an interrupt ended the wait."""

    def expectReply(self) -> None:
        """Arm the reply slot before the input request goes out."""

    def readReply(self) -> str:
        """Block until the page answers: "i" interrupted, "e" end of input, "t<text>"."""


class WorkerSession:
    """The worker's kernel: commands as JSON text in, events as JSON text out.

    ``post`` takes one event's JSON text; ``before`` is called before each
    command is applied (the worker clears its interrupt buffer there);
    ``on_busy`` gets True when the queue starts working and False when it is
    empty again. ``waits`` (None without shared memory) blocks this worker for
    ``time.sleep`` and ``input()``.
    """

    def __init__(
        self,
        post: Callable[[str], None],
        before: Callable[[], None] | None = None,
        on_busy: Callable[[bool], None] | None = None,
        waits: BlockingWaits | None = None,
    ) -> None:
        waits = waits or None  # JavaScript's null arrives as a false JsNull
        self._waits = waits
        self.session = Session(post, before_command=before, on_busy=on_busy)
        self.kernel = self.session.kernel
        self.kernel.ask_input = _cannot_wait_for_input if waits is None else self._ask_input
        time.sleep = _blocking_sleep(waits)

    def ready_json(self) -> str:
        return json.dumps(protocol.to_json(self.session.ready()))

    def put_json(self, text: str) -> None:
        """Take one command as JSON text (an ``interrupt`` acts at once)."""
        self.session.receive(text)

    def put_call(self, function: Callable[[], Awaitable[object] | object]) -> None:
        """Queue a JavaScript async function, awaited in turn with the commands."""
        self.session.put(QueuedCall(function))

    def interrupt(self) -> None:
        self.session.interrupt()

    def _ask_input(self, request: protocol.InputRequest) -> str | None:
        """The kernel's ``ask_input``: announce the request, then block until the page answers."""
        assert self._waits is not None
        self._waits.expectReply()
        self.session.emit(request)
        answer = self._waits.readReply()
        if answer == "i":
            raise KeyboardInterrupt
        return None if answer == "e" else answer[1:]


# ------------------------------------------------------ time.sleep, input()

NOT_ISOLATED = (
    "this page is embedded in a page that is not cross-origin isolated, so Python "
    "cannot pause here"
)


def _cannot_wait_for_input(request: protocol.InputRequest) -> str | None:
    raise EOFError(
        f"input() cannot wait for an answer: {NOT_ISOLATED}. Open the notebook on its own "
        "page, or use a UI element instead (ui.text)"
    )


def _sleep_seconds(seconds: float | SupportsIndex) -> float:
    """``seconds`` checked as ``time.sleep`` checks it."""
    value = seconds if isinstance(seconds, float) else operator.index(seconds)
    if math.isnan(value):
        raise ValueError("Invalid value NaN (not a number)")
    if value < 0:
        raise ValueError("sleep length must be non-negative")
    return value


def _send_cell_output() -> None:
    """What the running cell printed goes out before it blocks (the kernel batches writes)."""
    for stream in (sys.stdout, sys.stderr):
        send_now = getattr(stream, "send_now", None)  # a cell's StreamWriter
        if send_now is not None:
            send_now()


def _blocking_sleep(waits: BlockingWaits | None) -> Callable[[float | SupportsIndex], None]:
    """``time.sleep`` for the worker, replacing Pyodide's (which needs stack switching).

    With shared memory it blocks the worker (``Atomics.wait``) and an interrupt
    ends it with ``KeyboardInterrupt``. Without, nothing can pause without
    spinning the CPU: it returns at once and says so on the cell's stderr, once
    per cell run.
    """
    if waits is not None:
        def sleep(seconds: float | SupportsIndex) -> None:
            deadline = time.monotonic() + _sleep_seconds(seconds)
            _send_cell_output()
            while (left := deadline - time.monotonic()) > 0:
                if waits.sleep(left * 1000):
                    raise KeyboardInterrupt
    else:
        # The stderr streams (cell runs) already told.
        told: weakref.WeakSet[Any] = weakref.WeakSet()

        def sleep(seconds: float | SupportsIndex) -> None:
            stream = sys.stderr
            if _sleep_seconds(seconds) == 0 or stream in told:
                return
            print(f"time.sleep() returned at once: {NOT_ISOLATED}. "
                  "Use `await asyncio.sleep(...)` instead.", file=stream)
            try:
                told.add(stream)
            except TypeError:  # not a cell's stream
                pass

    sleep.__doc__ = time.sleep.__doc__
    return sleep


# ------------------------------------------------------------ after restore

def install_wheel_file(path: str) -> None:
    """Unpack a wheel into site-packages (files a memory snapshot does not keep)."""
    with zipfile.ZipFile(path) as wheel:
        wheel.extractall(site.getsitepackages()[0])
    importlib.invalidate_caches()


def after_restore(env_json: str) -> None:
    """Make a restored snapshot look like a fresh interpreter of this page."""
    # Every restore would otherwise draw the same "random" numbers.
    random.seed()
    # The snapshot was made in Node with an explicit env; drop what Node added.
    os.environ.pop("_", None)
    os.environ.update(json.loads(env_json))


# ----------------------------------------------------------------- micropip

def patch_micropip() -> None:
    """Resolve relative file URLs of PEP 691 JSON indexes against the index URL.

    PEP 691 allows relative URLs (our /wheels/ proxy answers
    "/wheels/files/<name>"); micropip 0.11.1 joins them for HTML indexes only
    and then refuses "a non-remote location". Harmless once micropip does it.
    """
    from micropip import package_index  # type: ignore[import-not-found]  # Pyodide only

    original = package_index._select_parser
    json_type = "application/vnd.pypi.simple.v1+json"

    def select_parser(content_type: str, pkgname: str, index_base_url: str) -> Any:
        if content_type.split(";")[0].strip() != json_type:
            return original(content_type, pkgname, index_base_url)

        def parse(data: Any) -> Any:
            project = json.loads(data) if isinstance(data, str | bytes) else data
            name, releases = package_index.ProjectInfo._parse_pep691_response(
                project, index_base_url=index_base_url
            )
            return package_index.ProjectInfo._compatible_only(name, releases)

        return parse

    package_index._select_parser = select_parser
