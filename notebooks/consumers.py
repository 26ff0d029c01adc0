"""The websocket an open notebook editor listens on: ``/ws/notebooks/<public_id>/``.

Only people who may read the notebook (signed in through the session) may join;
they hear ``revision.created`` as ``{"type": "revision", "revision": n, "author": ...}``
(see ``notebooks.events``). Nothing is sent from the browser to the server here:
saves go through the JSON API.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notebooks.events import notebook_group
from notebooks.selectors import notebook_get
from sharing.access import Action, notebook_access


@database_sync_to_async
def _may_read(user: Any, public_id: str) -> bool:
    notebook = notebook_get(public_id=public_id)
    if notebook is None or not user.is_authenticated:
        return False
    return notebook_access(user=user, notebook=notebook).allows(Action.READ)


class NotebookEventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.group = ""
        public_id = self.scope["url_route"]["kwargs"]["public_id"]
        if not await _may_read(self.scope.get("user"), public_id):
            await self.close(code=4404)
            return
        self.group = notebook_group(public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def revision_created(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "revision",
                "revision": event["revision"],
                "author": event["author"],
                "created_at": event["created_at"],
            }
        )
