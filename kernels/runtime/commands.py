"""The queue of commands waiting for a kernel, shared by every transport.

Commands are applied one at a time, in order. While a run is in progress,
``set_ui_value`` commands pile up (a slider being dragged sends dozens a
second); when the kernel is free again, a run of consecutive ones at the head
of the queue is merged into one :class:`~kernels.runtime.kernel.UIValueBatch`
holding the latest value of each element, so the kernel runs the dependent
cells once instead of replaying a backlog of stale values. (Elements that
count every message, like a button's clicks, still see each one.)
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from kernels.runtime import protocol as p
from kernels.runtime.kernel import UIValueBatch

_CLOSED = object()


class CommandQueue:
    """FIFO of commands with ``set_ui_value`` coalescing.

    Call :meth:`put` from the event loop's thread (other threads use
    ``loop.call_soon_threadsafe``).
    """

    def __init__(self) -> None:
        self._items: deque[Any] = deque()
        self._ready = asyncio.Event()

    def put(self, command: Any) -> None:
        """Add a command (or ``None`` to mark the end of input)."""
        self._items.append(_CLOSED if command is None else command)
        self._ready.set()

    def __len__(self) -> int:
        return len(self._items)

    async def get(self) -> Any:
        """The next command, a merged :class:`UIValueBatch`, or ``None`` at the end."""
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        # Let commands that arrived while the kernel was busy land first.
        await asyncio.sleep(0)
        head = self._items.popleft()
        if head is _CLOSED:
            return None
        if not isinstance(head, p.SetUIValue):
            return head
        if not self._items or not isinstance(self._items[0], p.SetUIValue):
            return head
        values = {head.object_id: head.value}
        history = {head.object_id: [head.value]}
        while self._items and isinstance(self._items[0], p.SetUIValue):
            command = self._items.popleft()
            values.pop(command.object_id, None)  # keep arrival order of the latest values
            values[command.object_id] = command.value
            history.setdefault(command.object_id, []).append(command.value)
        return UIValueBatch(values, {k: v for k, v in history.items() if len(v) > 1})
