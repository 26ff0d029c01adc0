"""Sending channel-layer group messages from synchronous code, in order, without waiting.

``async_to_sync(layer.group_send)`` starts an event loop (in a new thread) and opens
a Redis connection for every message: milliseconds each. Here one event loop per
process, in a daemon thread started on first use (and again after a fork), sends
every message through one queue, so the layer's connections are reused, the caller
does not wait, and messages reach Redis in the order they were sent (a server
kernel's numbered frames depend on it). The in-process layer of ``make run`` lives
in the server's own loop, so with it messages are sent there directly.

A failed send is logged, never raised: callers treat events as best effort (or keep
their own record, as server kernels keep a replay stream).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

Item = tuple[BaseChannelLayer, str, dict[str, Any], str]


class _Sender:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[Item] | None = None

    def _started(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue[Item]]:
        with self._lock:
            if self._loop is None or self._queue is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                queue: asyncio.Queue[Item] = asyncio.Queue()
                threading.Thread(
                    target=self._run, args=(loop, queue), name="channel-events", daemon=True
                ).start()
                self._loop, self._queue, self._pid = loop, queue, os.getpid()
            return self._loop, self._queue

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[Item]) -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(_drain(queue))

    def send(self, item: Item) -> None:
        loop, queue = self._started()
        loop.call_soon_threadsafe(queue.put_nowait, item)


async def _drain(queue: asyncio.Queue[Item]) -> None:
    while True:
        layer, group, message, what = await queue.get()
        try:
            await layer.group_send(group, message)
        except Exception as error:
            logger.warning("could not send %s: %s", what, error)


_sender = _Sender()


def group_send_soon(group: str, message: dict[str, Any], what: str) -> None:
    """Send ``message`` to ``group`` without waiting, after every message sent before it."""
    layer: BaseChannelLayer | None = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception as error:
            logger.warning("could not send %s: %s", what, error)
        return
    _sender.send((layer, group, message, what))
