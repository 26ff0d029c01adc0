"""The stdio transport: the kernel protocol as JSON lines on stdin and stdout.

``playground kernel --stdio`` reads one JSON command per line and writes one
JSON event per line. A reader thread parses commands so that ``interrupt``
acts at once, even while a cell is busy: it cancels an awaiting cell and
sends SIGINT to the main thread, whose handler raises ``KeyboardInterrupt``
only if a cell's code is on the stack. Everything else is the shared
:class:`~kernels.transports.session.Session` loop.

A cell's ``input()`` blocks the main thread: the kernel sends ``input_request``
and waits on an :class:`InputWaiter`, to which the reader thread hands the
``input_reply`` (an ``interrupt`` wakes it with ``KeyboardInterrupt``, the end
of stdin or ``shutdown`` with end of input).

Cells must not corrupt the channel: while the kernel runs, file descriptor 1
points at stderr and events go to a private duplicate of the original stdout.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TextIO

from kernels.runtime import protocol as p
from kernels.runtime.execution import in_cell_code
from kernels.transports.session import Session


class InputWaiter:
    """Hands an ``input_reply`` read by one thread to a cell waiting in ``input()`` in another.

    :meth:`ask` is the kernel's ``ask_input``: it sends the request only once it
    is ready for the reply, so a quick client cannot answer too early.
    """

    def __init__(self, emit: Callable[[p.Message], None]) -> None:
        self._emit = emit
        self._ready = threading.Condition()
        self._waiting: str | None = None  # the cell waiting for a line
        self._reply: p.InputReply | None = None
        self._interrupted = False
        self._closed = False

    def ask(self, request: p.InputRequest) -> str | None:
        with self._ready:
            if self._closed:
                return None
            self._waiting, self._reply, self._interrupted = request.cell_id, None, False
        try:
            self._emit(request)
            with self._ready:
                while self._reply is None and not self._interrupted and not self._closed:
                    self._ready.wait()
                if self._interrupted:
                    raise KeyboardInterrupt
                if self._reply is None or self._reply.eof:
                    return None
                return self._reply.text
        finally:
            with self._ready:
                self._waiting = None

    def reply(self, reply: p.InputReply) -> bool:
        """Give ``reply`` to the waiting cell; False when no cell is waiting."""
        with self._ready:
            if self._waiting is None:
                return False
            if reply.cell_id != self._waiting:
                self._emit(p.ProtocolError(
                    f"cell {reply.cell_id!r} is not waiting for input (cell "
                    f"{self._waiting!r} is), so the reply was dropped", reply.type,
                ))
                return True
            self._reply = reply
            self._ready.notify_all()
            return True

    def interrupt(self) -> bool:
        """Wake a waiting cell with ``KeyboardInterrupt``; False when none was waiting."""
        with self._ready:
            if self._waiting is None or self._reply is not None:
                return False
            self._interrupted = True
            self._ready.notify_all()
            return True

    def close(self) -> None:
        """No more input will come: a waiting cell, and any later one, gets end of input."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()


def _private_stdout() -> TextIO:
    """A stream on a duplicate of fd 1, with fd 1 redirected to stderr."""
    try:
        fd = os.dup(1)
        os.dup2(2, 1)
    except OSError:
        return sys.stdout
    return open(fd, "w", encoding="utf-8", buffering=1, closefd=True)


def serve(stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run a kernel on stdin/stdout until EOF or a ``shutdown`` command."""
    return asyncio.run(_serve(stdin or sys.stdin, stdout or _private_stdout()))


async def _serve(stdin: TextIO, out: TextIO) -> int:
    def send(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    session = Session(send, threadsafe=True)
    kernel = session.kernel
    inputs = InputWaiter(session.emit)
    kernel.ask_input = inputs.ask
    main_thread = threading.main_thread().ident

    def interrupt_busy_code() -> None:
        # A cell waiting for input wakes up interrupted; others get SIGINT.
        if not inputs.interrupt() and main_thread is not None:
            signal.pthread_kill(main_thread, signal.SIGINT)

    session.interrupt_busy_code = interrupt_busy_code
    session.take_input_reply = inputs.reply
    session.on_shutdown = inputs.close

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if kernel.running and in_cell_code(frame):
            raise KeyboardInterrupt

    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    # A parent that blocks SIGINT in the thread that started us (a Celery worker's
    # pool thread does) passes that mask on through exec: interrupts would never land.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    def read_commands() -> None:
        for line in stdin:
            line = line.strip()
            if line:
                session.receive(line)
        inputs.close()
        session.put(None)

    reader = threading.Thread(target=read_commands, name="kernel-stdin", daemon=True)
    session.emit(session.ready())
    reader.start()
    try:
        await session.finished()
    finally:
        signal.signal(signal.SIGINT, previous_handler)
    return 0
