"""Live notebook events for open editors, sent through the Channels layer.

Each notebook has a group, ``notebook.<public_id>``, that its editor pages join
over a websocket (``notebooks.consumers``). After a revision is committed, the
group hears ``revision.created``, so another tab or collaborator knows at once
that the version they edit is no longer current. Events are a courtesy: if the
channel layer (Redis) is down the save still stands, and the next save of a
stale tab gets its conflict anyway.

With Redis, events leave from one event loop per process, in a thread of its own:
the save's request does not wait for them, and the layer's connections are reused
instead of being opened for every save (``async_to_sync`` would start a new loop,
hence a new connection, each time: about 6 ms of a save, bench/http.py). The
in-process layer of ``make run`` lives in the server's own loop, so there the
event is sent from it as before.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Coroutine
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer

from notebooks.models import Revision

logger = logging.getLogger(__name__)


def notebook_group(public_id: str) -> str:
    return f"notebook.{public_id}"


class _Sender:
    """An event loop in a daemon thread, started on first use in each process (after fork)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="notebook-events", daemon=True
                ).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def submit(self, coroutine: Coroutine[Any, Any, None], what: str) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop())
        future.add_done_callback(lambda done: _log_failure(done, what))


def _log_failure(done: Any, what: str) -> None:
    if not done.cancelled() and done.exception() is not None:
        # The save is committed; a lost notice only costs a later conflict.
        logger.warning("could not announce %s: %s", what, done.exception())


_sender = _Sender()


def revision_created(revision: Revision) -> None:
    """Tell the notebook's open editors that ``revision`` is the current one now.

    The group hears the author's address and public name; each websocket passes on
    the one its listener may see (``notebooks.consumers``).
    """
    from accounts.selectors import user_public_name

    _group_send(
        revision.notebook.public_id,
        {
            "type": "revision.created",
            "revision": revision.number,
            "author_email": getattr(revision.author, "email", "") or "",
            "author_name": user_public_name(user=revision.author),
            "created_at": revision.created_at.isoformat(),
        },
        str(revision),
    )


def access_changed(public_id: str) -> None:
    """Who may read the notebook may have changed: every listener checks its own access.

    Sent after a link is revoked, a collaborator removed, the visibility changed, or
    the notebook trashed or deleted, so that someone who lost access stops hearing
    about it at once (their websocket is closed).
    """
    _group_send(public_id, {"type": "access.changed"}, f"an access change of {public_id}")


def _group_send(public_id: str, message: dict[str, Any], what: str) -> None:
    layer: BaseChannelLayer | None = get_channel_layer()
    if layer is None:
        return
    group = notebook_group(public_id)
    if isinstance(layer, InMemoryChannelLayer):
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception as error:
            logger.warning("could not announce %s: %s", what, error)
        return
    _sender.submit(layer.group_send(group, message), what)
