"""The websocket of a server kernel session: ``/ws/kernels/<session>/?after=<seq>``.

Only the session's owner joins, and only while they may still edit its notebook
(asked again every second; when it ends the socket closes with 4403). The page
sends kernel protocol commands as JSON text, passed to the worker unchanged;
it hears numbered frames: ``{"seq": n, "event": <kernel event>}`` and
``{"seq": n, "session": {"state", "message"}}``. On connecting it gets every
frame after ``after`` first, then live ones, each exactly once; if frames it
missed are no longer kept it hears ``{"resync": true}`` first (reload the outputs).

Text that is not a JSON object with a ``type``, or over 2 MiB, gets a
``protocol_error`` frame (without a number: it concerns this socket only) and
goes nowhere; so do commands beyond 100 a second (a burst of 400 is allowed).
When Redis cannot be reached the page hears ``{"session": {"state": "unreachable",
"message"}}`` and the socket closes with 4503; nothing the user typed is involved.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any
from urllib.parse import parse_qs

import redis
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from serverkernels import conf, services
from serverkernels.models import KernelSession
from serverkernels.store import group_name
from sharing.access import Action, notebook_access

CLOSE_NOT_FOUND = 4404
CLOSE_ACCESS_ENDED = 4403
CLOSE_UNAVAILABLE = 4503
MAX_COMMAND_BYTES = 2 * 1024 * 1024
RATE_PER_SECOND = 100.0
BURST = 400.0


@database_sync_to_async
def _may_use(user: Any, session_id: str) -> bool:
    if user is None or not user.is_authenticated:
        return False
    session = KernelSession.objects.select_related("notebook").filter(public_id=session_id).first()
    if session is None or session.owner_id != user.pk:
        return False
    return notebook_access(user=user, notebook=session.notebook).allows(Action.WRITE)


def _seq(frame: str) -> int:
    # Frames are written by store.append_frame: '{"seq":<n>,...'.
    return int(frame[7 : frame.index(",", 7)])


def _error(message: str) -> str:
    return json.dumps({"event": {"type": "protocol_error", "message": message}})


class KernelConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.session_id: str = self.scope["url_route"]["kwargs"]["session_id"]
        self.group = ""
        self.sent = 0
        self.tokens = BURST
        self.filled = time.monotonic()
        self.watch: asyncio.Task[None] | None = None
        if not conf.enabled():
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        if not await _may_use(self.scope.get("user"), self.session_id):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.accept()
        self.group = group_name(self.session_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        query = parse_qs(self.scope.get("query_string", b"").decode("ascii", "replace"))
        try:
            after = max(0, int(query.get("after", ["0"])[0]))
        except ValueError:
            after = 0
        store = conf.store()
        try:
            frames, gap = await asyncio.to_thread(store.events_after, self.session_id, after)
        except redis.exceptions.RedisError:
            await self._unreachable()
            return
        self.sent = after
        if gap:
            await self.send(text_data='{"resync":true}')
        for seq, frame in frames:
            await self.send(text_data=frame)
            self.sent = seq
        self.watch = asyncio.create_task(self._watch())

    async def disconnect(self, code: int) -> None:
        if self.watch is not None:
            self.watch.cancel()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            # With Redis away the page already heard so; its presence expires on its own.
            with contextlib.suppress(redis.exceptions.RedisError):
                await asyncio.to_thread(
                    conf.store().client_left, self.session_id, self.channel_name
                )
            self.group = ""

    async def _watch(self) -> None:
        """Every second: mark the page present, notice a lost worker, re-ask access."""
        store = conf.store()
        while True:
            try:
                await asyncio.to_thread(store.client_seen, self.session_id, self.channel_name)
                await asyncio.to_thread(services.kernel_refresh, self.session_id)
            except redis.exceptions.RedisError:
                await self._unreachable()
                return
            if not await _may_use(self.scope.get("user"), self.session_id):
                await self.close(code=CLOSE_ACCESS_ENDED)
                return
            await asyncio.sleep(1.0)

    async def _unreachable(self) -> None:
        """Redis is away: say so (the page shows it and reconnects later), never hang."""
        await self.send(
            text_data=json.dumps(
                {"session": {"state": "unreachable", "message": services.UNREACHABLE}}
            )
        )
        await self.close(code=CLOSE_UNAVAILABLE)

    def _allowed_now(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.filled) * RATE_PER_SECOND)
        self.filled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send(text_data=_error("commands are JSON text, not binary frames"))
            return
        if len(text_data) > MAX_COMMAND_BYTES:
            await self.send(text_data=_error("a command may be at most 2 MiB"))
            return
        try:
            command = json.loads(text_data)
        except json.JSONDecodeError as exc:
            await self.send(text_data=_error(f"not valid JSON: {exc.msg} (column {exc.colno})"))
            return
        if not isinstance(command, dict) or not isinstance(command.get("type"), str):
            await self.send(text_data=_error("a command must be a JSON object with a type"))
            return
        if not self._allowed_now():
            await self.send(
                text_data=_error("too many commands: at most 100 a second; this one was dropped")
            )
            return
        try:
            await asyncio.to_thread(conf.store().push_command, self.session_id, text_data)
        except redis.exceptions.RedisError:
            await self._unreachable()

    async def kernel_frame(self, message: dict[str, Any]) -> None:
        frame = message["frame"]
        seq = _seq(frame)
        if seq <= self.sent:
            return
        self.sent = seq
        await self.send(text_data=frame)
