"""The websocket of a server kernel (``/ws/kernels/<session>/``) through the real ASGI stack.

Connections go through ``playground.asgi.application`` (origin check, session
auth, routing) as daphne serves them, with the Redis channel layer; the kernel
runs in a real Celery worker process, whose frames cross Redis to the socket.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import connections

from playground.asgi import application
from serverkernels import conf, consumers, services
from serverkernels.consumers import (
    BURST,
    CLOSE_ACCESS_ENDED,
    CLOSE_NOT_FOUND,
    CLOSE_UNAVAILABLE,
    MAX_COMMAND_BYTES,
)
from serverkernels.models import KernelSession
from sharing import services as sharing_services
from tests.factories import client_for, collaborator_make, notebook_make, user_make
from tests.real_services import free_port
from tests.serverkernels.workers import KernelWorker

pytestmark = [pytest.mark.subprocess, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("fresh_channel_layer")]

APP = b"http://testserver"
# Long enough for a kernel to start on a loaded machine; frames end the waits.
EVENT_TIMEOUT = 60


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _cookie(user: AbstractUser) -> str:
    client = client_for(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _socket(session_id: str, cookie: str, after: int | str | None = 0) -> WebsocketCommunicator:
    headers = [(b"origin", APP)]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    query = "" if after is None else f"?after={after}"
    return WebsocketCommunicator(application, f"/ws/kernels/{session_id}/{query}", headers=headers)


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
    await asyncio.to_thread(
        store.push_command,
        session.public_id,
        _command(type="create_cell", cell_id="b", code="print('hi')\n40 + 2"),
    )
    await asyncio.to_thread(
        store.push_command, session.public_id, _command(type="run", cell_ids=["b"])
    )
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
    # Stopped, so that the worker has nothing left to finish when the test stops it.
    await _db(services.kernel_shutdown, session)
    await _frames_until(socket, lambda f: f.get("session", {}).get("state") == "stopped")
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


REFUSED = "too many commands: at most 100 a second; this one was dropped"


class _Clock:
    """The consumer's clock, moved by the test: the rate is counted against it, not waited for."""

    def __init__(self, now: float) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    clock = _Clock(1000.0)
    monkeypatch.setattr(consumers, "time", clock)
    return clock


@pytest.mark.anyio
async def test_bad_text_and_floods_get_protocol_errors_and_reach_no_kernel(
    kernel_env: Any, clock: _Clock
) -> None:
    owner = await _db(user_make)
    session = await _db(_start, owner)  # queued: no worker in this test
    socket = _socket(session.public_id, await _db(_cookie, owner))
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    await _frames_until(socket, lambda f: f.get("session", {}).get("state") == "queued")
    store = conf.store()
    commands = store.key(session.public_id, "cmd")

    for bad, why in [
        ("{nope", "not valid JSON: Expecting property name enclosed in double quotes (column 2)"),
        ("[1]", "a command must be a JSON object with a type"),
        ('{"cell_id": "a"}', "a command must be a JSON object with a type"),
        ('{"type": 1}', "a command must be a JSON object with a type"),
        (b'{"type": "run"}', "commands are JSON text, not binary frames"),
        (_padded(MAX_COMMAND_BYTES + 1), "a command may be at most 2 MiB"),
    ]:
        if isinstance(bad, bytes):
            await socket.send_to(bytes_data=bad)
        else:
            await socket.send_to(text_data=bad)
        reply = json.loads(await socket.receive_from(timeout=EVENT_TIMEOUT))
        assert reply == {"event": {"type": "protocol_error", "message": why}}
    assert await asyncio.to_thread(store.redis.xlen, commands) == 0

    # A flood: the burst passes, the rest is refused with a reason, one reply each.
    sent = int(BURST) + 100
    passed = await _passed(
        socket, [_command(type="run", cell_ids=[f"c{number}"]) for number in range(sent)]
    )
    assert passed == int(BURST)
    assert await asyncio.to_thread(store.redis.xlen, commands) == passed
    # Exactly 2 MiB is a command like any other.
    clock.now += 1.0
    assert await _passed(socket, [_padded(MAX_COMMAND_BYTES)]) == 1
    assert await asyncio.to_thread(store.redis.xlen, commands) == passed + 1
    await socket.disconnect()


def _padded(length: int) -> str:
    """A command that is ``length`` characters of JSON text."""
    head = _command(type="run", cell_ids=[], pad="")
    return head[:-2] + "x" * (length - len(head)) + head[-2:]


async def _passed(socket: WebsocketCommunicator, commands: list[str]) -> int:
    """Send ``commands``; how many the socket passed on (it refuses the others, one reply each)."""
    for command in commands:
        await socket.send_to(text_data=command)
    # The sentinel: text the socket answers at once, after everything sent before it.
    await socket.send_to(text_data="{sentinel")
    refused = 0
    while True:
        reply = json.loads(await socket.receive_from(timeout=EVENT_TIMEOUT))
        if reply["event"]["message"].startswith("not valid JSON"):
            return len(commands) - refused
        assert reply == {"event": {"type": "protocol_error", "message": REFUSED}}
        refused += 1


@pytest.mark.anyio
async def test_commands_come_back_at_100_a_second_up_to_a_burst_of_400(
    kernel_env: Any, clock: _Clock
) -> None:
    owner = await _db(user_make)
    session = await _db(_start, owner)
    socket = _socket(session.public_id, await _db(_cookie, owner))
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    await _frames_until(socket, lambda f: f.get("session", {}).get("state") == "queued")

    def run(count: int) -> list[str]:
        return [_command(type="run", cell_ids=["a"])] * count

    assert await _passed(socket, run(int(BURST) + 1)) == int(BURST)
    clock.now += 1.0
    assert await _passed(socket, run(150)) == 100
    clock.now += 0.5
    assert await _passed(socket, run(60)) == 50
    # Idle for long: the burst again, never more.
    clock.now += 60.0
    assert await _passed(socket, run(int(BURST) + 50)) == int(BURST)
    await socket.disconnect()


def _frames_add(session_id: str, count: int) -> int:
    """``count`` kernel frames after the session's; the number of the last."""
    store = conf.store()
    seq = 0
    for number in range(count):
        seq, _ = store.append_frame(
            session_id, json.dumps({"event": {"type": "stdout", "text": f"line {number}"}})
        )
    return seq


async def _numbers_until(socket: WebsocketCommunicator, last: int) -> list[Any]:
    """The frames' numbers (or the frame itself when it has none) up to frame ``last``."""
    frames = await _frames_until(socket, lambda frame: frame.get("seq") == last)
    return [frame.get("seq", frame) for frame in frames]


@pytest.mark.anyio
async def test_a_page_hears_the_frames_after_the_number_it_gives_and_from_the_first_otherwise(
    kernel_env: Any,
) -> None:
    owner = await _db(user_make)
    session = await _db(_start, owner)  # frame 1: queued
    cookie = await _db(_cookie, owner)
    last = await asyncio.to_thread(_frames_add, session.public_id, 11)
    assert last == 12

    everything = list(range(1, last + 1))
    for after, expected in [
        (0, everything),
        (9, [10, 11, 12]),
        (11, [12]),
        (-4, everything),
        ("nine", everything),
        ("", everything),
        (None, everything),
        ("é", everything),
    ]:
        socket = _socket(session.public_id, cookie, after=after)
        assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
        assert await _numbers_until(socket, last) == expected, after
        await socket.disconnect()


@pytest.mark.anyio
async def test_a_page_that_missed_frames_no_longer_kept_hears_resync_first(kernel_env: Any) -> None:
    owner = await _db(user_make)
    session = await _db(_start, owner)
    cookie = await _db(_cookie, owner)
    last = await asyncio.to_thread(_frames_add, session.public_id, 11)
    store = conf.store()
    events = store.key(session.public_id, "events")
    await asyncio.to_thread(store.redis.xtrim, events, maxlen=3, approximate=False)

    resync = {"resync": True}
    for after, expected in [
        (0, [resync, 10, 11, 12]),
        (8, [resync, 10, 11, 12]),
        (9, [10, 11, 12]),
    ]:
        socket = _socket(session.public_id, cookie, after=after)
        assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
        assert await _numbers_until(socket, last) == expected, after
        await socket.disconnect()

    # None kept at all: resync, then live frames as they come.
    await asyncio.to_thread(store.redis.delete, events)
    socket = _socket(session.public_id, cookie, after=5)
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    assert json.loads(await socket.receive_from(timeout=EVENT_TIMEOUT)) == resync
    await asyncio.to_thread(_frame_publish, session.public_id)
    assert await _numbers_until(socket, last + 1) == [last + 1]
    await socket.disconnect()


def _frame_publish(session_id: str, text: str = "live") -> tuple[int, str]:
    """A new frame, kept and sent to the session's pages as the worker does."""
    seq, frame = conf.store().append_frame(
        session_id, json.dumps({"event": {"type": "stdout", "text": text}})
    )
    services.publish(session_id, frame)
    return seq, frame


@pytest.mark.anyio
async def test_a_frame_the_page_already_has_is_not_sent_again(kernel_env: Any) -> None:
    owner = await _db(user_make)
    session = await _db(_start, owner)
    cookie = await _db(_cookie, owner)
    last = await asyncio.to_thread(_frames_add, session.public_id, 11)
    store = conf.store()
    kept, _ = await asyncio.to_thread(store.events_after, session.public_id, 0)
    replayed = dict(kept)
    socket = _socket(session.public_id, cookie)
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    assert await _numbers_until(socket, last) == list(range(1, last + 1))

    # Frames that reach the page twice (replayed while also live): passed on once.
    for seq in (last, 3):
        await asyncio.to_thread(services.publish, session.public_id, replayed[seq])
    live, frame = await asyncio.to_thread(_frame_publish, session.public_id)
    assert json.loads(await socket.receive_from(timeout=EVENT_TIMEOUT)) == json.loads(frame)
    assert live == last + 1
    await asyncio.to_thread(services.publish, session.public_id, frame)
    _, after = await asyncio.to_thread(_frame_publish, session.public_id, "after")
    assert await socket.receive_from(timeout=EVENT_TIMEOUT) == after
    await socket.disconnect()


@pytest.mark.anyio
async def test_with_server_kernels_off_the_socket_closes_with_4503(settings: Any) -> None:
    owner = await _db(user_make)
    settings.KERNELS_REDIS_URL = ""
    socket = _socket("a-session-id", await _db(_cookie, owner))
    assert await socket.connect(timeout=EVENT_TIMEOUT) == (False, CLOSE_UNAVAILABLE)
    await _hang_up(socket)


UNREACHABLE = {"session": {"state": "unreachable", "message": services.UNREACHABLE}}


@pytest.mark.anyio
async def test_when_redis_is_away_the_page_is_told_and_the_socket_closes_with_4503(
    kernel_env: Any, settings: Any
) -> None:
    owner = await _db(user_make)
    session = await _db(_start, owner)
    cookie = await _db(_cookie, owner)
    working = settings.KERNELS_REDIS_URL

    def redis_away() -> None:
        settings.KERNELS_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
        conf.store.cache_clear()

    try:
        # Away when the page connects.
        redis_away()
        socket = _socket(session.public_id, cookie)
        assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
        assert json.loads(await socket.receive_from(timeout=EVENT_TIMEOUT)) == UNREACHABLE
        assert await socket.receive_output(timeout=EVENT_TIMEOUT) == {
            "type": "websocket.close",
            "code": CLOSE_UNAVAILABLE,
        }
        await _hang_up(socket)

        # Away when the page sends a command: the command goes nowhere, the page is told.
        settings.KERNELS_REDIS_URL = working
        conf.store.cache_clear()
        socket = _socket(session.public_id, cookie)
        assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
        await _frames_until(socket, lambda f: f.get("session", {}).get("state") == "queued")
        redis_away()
        await socket.send_to(text_data=_command(type="run", cell_ids=["a"]))
        assert json.loads(await socket.receive_from(timeout=EVENT_TIMEOUT)) == UNREACHABLE
        assert await socket.receive_output(timeout=EVENT_TIMEOUT) == {
            "type": "websocket.close",
            "code": CLOSE_UNAVAILABLE,
        }
        await _hang_up(socket)
    finally:
        settings.KERNELS_REDIS_URL = working
        conf.store.cache_clear()
    store = conf.store()
    assert await asyncio.to_thread(store.redis.xlen, store.key(session.public_id, "cmd")) == 0


@pytest.mark.anyio
async def test_a_connected_page_keeps_the_session_seen_and_hears_when_it_is_lost(
    kernel_env: Any,
) -> None:
    owner = await _db(user_make)
    session = await _db(_start, owner)
    cookie = await _db(_cookie, owner)
    store = conf.store()
    # Starting, yet no worker ever claimed it: lost once a page (or the API) looks.
    await asyncio.to_thread(store.update, session.public_id, state="starting")
    assert await asyncio.to_thread(store.clients, session.public_id) == 0

    socket = _socket(session.public_id, cookie)
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    frames = await _frames_until(socket, lambda f: "session" in f and f["seq"] > 1)
    assert frames[-1]["session"] == {"state": "lost", "message": services.LOST_NO_WORKER}
    assert await asyncio.to_thread(store.clients, session.public_id) == 1
    await socket.disconnect()
    assert await asyncio.to_thread(store.clients, session.public_id) == 0


@pytest.mark.anyio
async def test_a_redis_error_while_watching_is_said_and_closes_with_4503(kernel_env: Any) -> None:
    owner = await _db(user_make)
    session = await _db(_start, owner)
    cookie = await _db(_cookie, owner)
    store = conf.store()
    # The pages' presence is a hash: a string there makes Redis refuse to mark this one.
    await asyncio.to_thread(store.redis.set, store.key(session.public_id, "clients"), "x")
    socket = _socket(session.public_id, cookie)
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    frames = await _frames_until(socket, lambda f: "seq" not in f)
    assert frames[-1] == UNREACHABLE
    assert await socket.receive_output(timeout=EVENT_TIMEOUT) == {
        "type": "websocket.close",
        "code": CLOSE_UNAVAILABLE,
    }
    await _hang_up(socket)


class _AccessChecks:
    """The consumer's access check, counted (the real one answers), so that a test can act
    after a given check and know the answer it hears comes from a later one."""

    def __init__(self, real: Callable[[Any, str], Awaitable[bool]]) -> None:
        self.real = real
        self.count = 0
        self.changed = asyncio.Condition()

    async def __call__(self, user: Any, session_id: str) -> bool:
        allowed = await self.real(user, session_id)
        async with self.changed:
            self.count += 1
            self.changed.notify_all()
        return allowed

    async def until(self, count: int) -> None:
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(lambda: self.count >= count), EVENT_TIMEOUT
            )


@pytest.mark.anyio
async def test_only_the_sessions_owner_joins_and_only_while_they_may_edit(
    kernel_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = _AccessChecks(consumers._may_use)
    monkeypatch.setattr(consumers, "_may_use", checks)
    owner, stranger = await _db(user_make), await _db(user_make)
    collaborator = await _db(user_make)
    notebook = await _db(notebook_make, owner)
    link = await _db(collaborator_make, notebook, collaborator)
    # The collaborator's own session on the owner's notebook.
    session = await _db(services.kernel_start, user=collaborator, notebook=notebook)

    for who in (owner, stranger, None):
        cookie = "" if who is None else await _db(_cookie, who)
        socket = _socket(session.public_id, cookie)
        connected, code = await socket.connect(timeout=EVENT_TIMEOUT)
        assert (connected, code) == (False, CLOSE_NOT_FOUND)
        await _hang_up(socket)

    socket = _socket(session.public_id, await _db(_cookie, collaborator))
    checked = checks.count
    assert (await socket.connect(timeout=EVENT_TIMEOUT))[0]
    # Asked on joining and once since: the close below comes from asking again later.
    await checks.until(checked + 2)
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
