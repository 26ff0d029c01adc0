"""The session loop shared by every transport: text in, events out, one command at a time.

A :class:`Session` owns a :class:`~kernels.runtime.kernel.Kernel` and its
:class:`~kernels.runtime.commands.CommandQueue`. A transport hands it each
command as JSON text (:meth:`Session.receive`) and gives it a function that
sends one event's JSON text (``send``). The session

- decodes the text, answering anything malformed with a ``protocol_error``
  event and nothing else;
- acts on ``interrupt`` at once, never queued behind the cell it must stop
  (the transport adds how it stops Python code that is busy: a signal, or the
  interrupt buffer in Pyodide);
- hands an ``input_reply`` to a cell waiting in ``input()`` when the transport
  can wait (stdio), since that cell blocks the queue;
- queues everything else, merging bursts of ``set_ui_value``, and applies it
  with one consumer task, in order.

:meth:`Session.receive` may be called from another thread when the session was
made with ``threadsafe=True`` (stdio's reader thread); queueing then goes
through the event loop with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kernels.runtime import protocol as p
from kernels.runtime.commands import CommandQueue
from kernels.runtime.kernel import Kernel


@dataclass(frozen=True)
class QueuedCall:
    """A step of the transport's own, run in turn with the commands (e.g. installing imports)."""

    function: Callable[[], Awaitable[object] | object]


def encode(event: p.Message) -> str:
    """One event as the JSON text every transport carries."""
    return json.dumps(p.to_json(event), ensure_ascii=False, default=repr)


def decode(text: str) -> p.Command:
    """One command from its JSON text.

    Raises :class:`~kernels.runtime.protocol.ProtocolViolation` when it is malformed.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise p.ProtocolViolation(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    return p.command_from_json(data)


class Session:
    """One kernel behind a transport: decode, interrupt, queue, apply, encode."""

    def __init__(
        self,
        send: Callable[[str], None],
        *,
        threadsafe: bool = False,
        before_command: Callable[[], None] | None = None,
        on_busy: Callable[[bool], None] | None = None,
    ) -> None:
        """``send`` takes one event's JSON text; ``before_command`` runs before each command is
        applied; ``on_busy`` gets True when the queue starts working and False when it is empty."""
        self._send = send
        self._send_lock = threading.Lock()
        self._loop = asyncio.get_running_loop() if threadsafe else None
        self._before_command = before_command
        self._on_busy = on_busy
        self.kernel = Kernel(self.emit)
        self.queue = CommandQueue()
        self._consumer: asyncio.Future[None] | None = None
        self._busy = False
        self._finished: asyncio.Event | None = None
        #: How the transport stops Python code busy in a cell (after the kernel
        #: has cancelled anything the cell awaits). None: nothing more to do.
        self.interrupt_busy_code: Callable[[], None] | None = None
        #: Gives an ``input_reply`` to a cell blocked in ``input()``; True when taken.
        self.take_input_reply: Callable[[p.InputReply], bool] | None = None
        #: Called when ``shutdown`` arrives, before it is queued.
        self.on_shutdown: Callable[[], None] | None = None

    # -- events out

    def emit(self, event: p.Message) -> None:
        """Send one event (safe from any thread)."""
        text = encode(event)
        with self._send_lock:
            self._send(text)

    def ready(self) -> p.KernelReady:
        return self.kernel.ready_event()

    # -- commands in

    def receive(self, text: str) -> None:
        """Take one command as JSON text; malformed text gets a ``protocol_error`` event."""
        try:
            command = decode(text)
        except p.ProtocolViolation as exc:
            self.emit(p.ProtocolError(str(exc)))
            return
        self.dispatch(command)

    def dispatch(self, command: p.Command) -> None:
        """Act on a decoded command: interrupts and awaited input replies now, the rest queued."""
        if isinstance(command, p.Interrupt):
            self.interrupt()
            return
        if (
            isinstance(command, p.InputReply)
            and self.take_input_reply is not None
            and self.take_input_reply(command)
        ):
            return
        if isinstance(command, p.Shutdown) and self.on_shutdown is not None:
            self.on_shutdown()
        self.put(command)

    def put(self, item: p.Command | QueuedCall | None) -> None:
        """Queue a command or a call (``None``: no more input; the session ends)."""
        if self._loop is not None and not _on_loop(self._loop):
            self._loop.call_soon_threadsafe(self._put_now, item)
        else:
            self._put_now(item)

    def interrupt(self) -> None:
        """Stop the running cell, if any (safe from any thread)."""
        if not self.kernel.running:
            return
        self.kernel.interrupt()
        if self.interrupt_busy_code is not None:
            self.interrupt_busy_code()

    async def finished(self) -> None:
        """Until the input has ended (``put(None)``) or the kernel has shut down."""
        await self._done().wait()

    def _done(self) -> asyncio.Event:
        if self._finished is None:
            self._finished = asyncio.Event()
        return self._finished

    # -- the consumer

    def _put_now(self, item: p.Command | QueuedCall | None) -> None:
        self.queue.put(item)
        if item is not None:
            self._set_busy(True)
        if self._consumer is None or self._consumer.done():
            self._consumer = asyncio.ensure_future(self._consume())

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            if self._on_busy is not None:
                self._on_busy(busy)

    async def _consume(self) -> None:
        ended = False
        try:
            while not self.kernel.closed:
                item = await self.queue.get()
                if item is None:
                    ended = True
                    return
                await self._apply(item)
                if len(self.queue) == 0:
                    self._set_busy(False)
        finally:
            self._set_busy(False)
            if ended or self.kernel.closed:
                self._done().set()

    async def _apply(self, item: object) -> None:
        try:
            if isinstance(item, QueuedCall):
                result = item.function()
                if hasattr(result, "__await__"):
                    await result  # a JavaScript promise under Pyodide
            else:
                if self._before_command is not None:
                    self._before_command()
                await self.kernel.handle(item)
        except KeyboardInterrupt:
            # The interrupt landed between cells (after the cell it was meant
            # for ended); the run is over either way.
            pass
        except Exception as exc:  # a bug in the kernel: report it, keep serving
            self.emit(p.ProtocolError(f"the kernel failed: {exc!r}"))


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
