"""The websocket of a server kernel (``/ws/kernels/<session>/``) through the real ASGI stack.

Connections go through ``playground.asgi.application`` (origin check, session
auth, routing) as daphne serves them, with the Redis channel layer; the kernel
runs in a real Celery worker process, whose frames cross Redis to the socket.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import connections

from playground.asgi import application
from serverkernels import conf, services
from serverkernels.consumers import BURST, CLOSE_ACCESS_ENDED, CLOSE_NOT_FOUND
from serverkernels.models import KernelSession
from sharing import services as sharing_services
from tests.factories import client_for, collaborator_make, notebook_make, user_make
from tests.serverkernels.workers import KernelWorker

pytestmark = [pytest.mark.subprocess, pytest.mark.django_db(transaction=True)]

APP = b"http://testserver"
# Long enough for a kernel to start on a loaded machine; frames end the waits.
EVENT_TIMEOUT = 60


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _cookie(user: AbstractUser) -> str:
    client = client_for(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _socket(session_id: str, cookie: str, after: int = 0) -> WebsocketCommunicator:
    headers = [(b"origin", APP)]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(
        application, f"/ws/kernels/{session_id}/?after={after}", headers=headers
    )


async def _frames_until(
    socket: WebsocketCommunicator, done: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = json.loads(await socket.receive_from(timeout=EVENT_TIMEOUT))
        frames.append(frame)
        if done(frame):
            return frames


def _is(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda frame: frame.get("event", {}).get("type") == kind


def _start(owner: AbstractUser) -> KernelSession:
    return services.kernel_start(user=owner, notebook=notebook_make(owner))


async def _db(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function`` on a thread of its own, whose database connection is closed after."""
    def call() -> Any:
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()
    return await asyncio.to_thread(call)


def _command(**fields: Any) -> str:
    return json.dumps(fields)


@pytest.mark.anyio
async def test_a_page_that_reconnects_gets_what_it_missed_exactly_once(
    workers: Callable[..., KernelWorker],
) -> None:
    await asyncio.to_thread(workers, slots=1)
    owner = await _db(user_make)
    session = await _db(_start, owner)
    cookie = await _db(_cookie, owner)

    socket = _socket(session.public_id, cookie)
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    await _frames_until(socket, _is("kernel_ready"))
    await socket.send_to(text_data=_command(type="create_cell", cell_id="a", code="1 + 1"))
    await socket.send_to(text_data=_command(type="run", cell_ids=["a"]))
    first = await _frames_until(socket, _is("run_completed"))
    seen = max(frame["seq"] for frame in first)
    await socket.disconnect()

    # While no page listens, the kernel goes on (another tab, or commands in flight).
    store = conf.store()
    await asyncio.to_thread(store.push_command, session.public_id,
                            _command(type="create_cell", cell_id="b", code="print('hi')\n40 + 2"))
    await asyncio.to_thread(store.push_command, session.public_id,
                            _command(type="run", cell_ids=["b"]))
    ran = await asyncio.to_thread(_wait_for_frame, session.public_id, '"ran":["b"]')

    socket = _socket(session.public_id, cookie, after=seen)
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    missed = await _frames_until(socket, lambda f: f["seq"] == ran)
    numbers = [frame["seq"] for frame in missed]
    assert numbers == list(range(seen + 1, ran + 1))
    outputs = [f["event"] for f in missed if f.get("event", {}).get("type") == "output"]
    assert [o["data"]["text/plain"] for o in outputs] == ["42"]
    # Live frames after the replay are new ones, never a replayed one again.
    await socket.send_to(text_data=_command(type="run", cell_ids=["a"]))
    live = await _frames_until(socket, _is("run_completed"))
    assert live[0]["seq"] == ran + 1
    await socket.disconnect()


def _wait_for_frame(session_id: str, needle: str) -> int:
    """The number of the first frame containing ``needle`` (read with XREAD as it comes)."""
    store = conf.store()
    last = "0"
    while True:
        found = store.redis.xread({store.key(session_id, "events"): last}, block=2000)
        for _, entries in found:
            for entry_id, fields in entries:
                last = entry_id
                if needle in fields["f"].replace(" ", ""):
                    return int(entry_id.split("-")[0])


@pytest.mark.anyio
async def test_bad_text_and_floods_get_protocol_errors_and_reach_no_kernel(kernel_env: Any) -> None:
    owner = await _db(user_make)
    session = await _db(_start, owner)  # queued: no worker in this test
    socket = _socket(session.public_id, await _db(_cookie, owner))
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    await _frames_until(socket, lambda f: f.get("session", {}).get("state") == "queued")
    store = conf.store()
    commands = store.key(session.public_id, "cmd")

    for bad, why in [("{nope", "not valid JSON"), ("[1]", "JSON object with a type"),
                     ('{"cell_id": "a"}', "JSON object with a type"),
                     ("x" * (2 * 1024 * 1024 + 1), "at most 2 MiB")]:
        await socket.send_to(text_data=bad)
        reply = json.loads(await socket.receive_from(timeout=EVENT_TIMEOUT))
        assert "seq" not in reply
        assert reply["event"]["type"] == "protocol_error" and why in reply["event"]["message"]
    assert await asyncio.to_thread(store.redis.xlen, commands) == 0

    # A flood: the burst passes, the rest is refused with a reason, one reply each.
    sent = int(BURST) + 100
    for number in range(sent):
        await socket.send_to(text_data=_command(type="run", cell_ids=[f"c{number}"]))
    # The sentinel: text the socket answers at once, after everything sent before it.
    await socket.send_to(text_data="{sentinel")
    refused = 0
    while True:
        reply = json.loads(await socket.receive_from(timeout=EVENT_TIMEOUT))
        if "not valid JSON" in reply["event"]["message"]:
            break
        assert "too many commands" in reply["event"]["message"]
        refused += 1
    kept = await asyncio.to_thread(store.redis.xlen, commands)
    assert kept + refused == sent
    assert int(BURST) <= kept < sent
    await socket.disconnect()


@pytest.mark.anyio
async def test_only_the_sessions_owner_joins_and_only_while_they_may_edit(kernel_env: Any) -> None:
    owner, stranger = await _db(user_make), await _db(user_make)
    collaborator = await _db(user_make)
    notebook = await _db(notebook_make, owner)
    link = await _db(collaborator_make, notebook, collaborator)
    # The collaborator's own session on the owner's notebook.
    session = await _db(
        services.kernel_start, user=collaborator, notebook=notebook)

    for who in (owner, stranger, None):
        cookie = "" if who is None else await _db(_cookie, who)
        socket = _socket(session.public_id, cookie)
        connected, code = await socket.connect(timeout=EVENT_TIMEOUT)
        assert (connected, code) == (False, CLOSE_NOT_FOUND)
        await _hang_up(socket)

    socket = _socket(session.public_id, await _db(_cookie, collaborator))
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    # Removed as a collaborator: the socket closes, naming why.
    await _db(sharing_services.share_link_revoke, link=link)
    while True:
        output = await socket.receive_output(timeout=EVENT_TIMEOUT)
        if output["type"] == "websocket.close":
            assert output["code"] == CLOSE_ACCESS_ENDED
            break
    await _hang_up(socket)


async def _hang_up(socket: WebsocketCommunicator) -> None:
    """What the server does when a closed client goes away: the consumer ends (and with
    it the thread that kept a database connection to check access)."""
    await socket.send_input({"type": "websocket.disconnect", "code": 1000})
    await socket.wait(timeout=EVENT_TIMEOUT)
