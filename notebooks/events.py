"""Live notebook events for open editors, sent through the Channels layer.

Each notebook has a group, ``notebook.<public_id>``, that its editor pages join
over a websocket (``notebooks.consumers``). After a revision is committed, the
group hears ``revision.created``, so another tab or collaborator knows at once
that the version they edit is no longer current. Events are a courtesy: if the
channel layer (Redis) is down the save still stands, and the next save of a
stale tab gets its conflict anyway.

Events leave through ``web.channel_events`` (one event loop per process, in a
thread of its own): the save's request does not wait for them, and the layer's
connections are reused instead of being opened for every save (``async_to_sync``
would start a new loop, hence a new connection, each time: about 6 ms of a save,
bench/http.py).
"""

from __future__ import annotations

from typing import Any

from notebooks.models import Revision
from web.channel_events import group_send_soon


def notebook_group(public_id: str) -> str:
    return f"notebook.{public_id}"


def revision_created(revision: Revision, *, text_changed: bool = True) -> None:
    """Tell the notebook's open editors that ``revision`` is the current one now
    (``text_changed`` False: only its folder changed, docs/folders.md).

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
            "text_changed": text_changed,
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
    group_send_soon(notebook_group(public_id), message, what)
