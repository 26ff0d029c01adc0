"""Live notebook events for open editors, sent through the Channels layer.

Each notebook has a group, ``notebook.<public_id>``, that its editor pages join
over a websocket (``notebooks.consumers``). After a revision is committed, the
group hears ``revision.created``, so another tab or collaborator knows at once
that the version they edit is no longer current. Events are a courtesy: if the
channel layer (Redis) is down the save still stands, and the next save of a
stale tab gets its conflict anyway.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from notebooks.models import Revision

logger = logging.getLogger(__name__)


def notebook_group(public_id: str) -> str:
    return f"notebook.{public_id}"


def revision_created(revision: Revision) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {
        "type": "revision.created",
        "revision": revision.number,
        "author": getattr(revision.author, "email", "") or "",
        "created_at": revision.created_at.isoformat(),
    }
    try:
        async_to_sync(layer.group_send)(notebook_group(revision.notebook.public_id), message)
    except Exception as error:  # the save is committed; a lost notice only costs a later conflict
        logger.warning("could not announce %s: %s", revision, error)
