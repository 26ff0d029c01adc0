"""The websocket an open notebook editor listens on: ``/ws/notebooks/<public_id>/``.

Only people who may read the notebook (signed in through the session) may join;
they hear ``revision.created`` as ``{"type": "revision", "revision": n, "author": ...,
"text_changed": bool}``
(see ``notebooks.events``). ``author`` is the saver's e-mail address for people who
edit the notebook too, and their public name for everyone else.

Access is asked again on every event, not only on joining: when ``access.changed``
arrives (a link revoked, a collaborator removed, the notebook made private or
trashed), or before a revision is passed on, a listener who may no longer read the
notebook is disconnected (close code 4403) and hears nothing more. Nothing is sent
from the browser to the server here: saves go through the JSON API.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notebooks.events import notebook_group
from notebooks.selectors import notebook_get
from sharing.access import NO_ACCESS, Access, Action, notebook_access

#: The close codes: never could read it (as for a notebook that does not exist), or no longer may.
CLOSE_NOT_FOUND = 4404
CLOSE_ACCESS_ENDED = 4403


@database_sync_to_async
def _access(user: Any, public_id: str) -> Access:
    notebook = notebook_get(public_id=public_id)
    if notebook is None or user is None or not user.is_authenticated:
        return NO_ACCESS
    return notebook_access(user=user, notebook=notebook)


class NotebookEventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.group = ""
        self.public_id = self.scope["url_route"]["kwargs"]["public_id"]
        if not (await self._current_access()).allows(Action.READ):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = notebook_group(self.public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _current_access(self) -> Access:
        return await _access(self.scope.get("user"), self.public_id)

    async def _leave(self) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = ""

    async def _still_reading(self) -> Access | None:
        """The listener's access, or None (and the socket closed) when it ended."""
        access = await self._current_access()
        if access.allows(Action.READ):
            return access
        await self._leave()
        await self.close(code=CLOSE_ACCESS_ENDED)
        return None

    async def access_changed(self, event: dict[str, Any]) -> None:
        await self._still_reading()

    async def revision_created(self, event: dict[str, Any]) -> None:
        access = await self._still_reading()
        if access is None:
            return
        edits_it = access.allows(Action.WRITE)
        await self.send_json(
            {
                "type": "revision",
                "revision": event["revision"],
                "author": event["author_email"] if edits_it else event["author_name"],
                "created_at": event["created_at"],
                # False when only the folder changed: the text being edited is current.
                "text_changed": event.get("text_changed", True),
            }
        )
