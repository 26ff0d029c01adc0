"""The session loop every transport shares, driven in process on a real event loop.

The carriers around it are tested as real processes (tests/host: stdio) and in
Chromium (tests/browser: the Web Worker); this file holds what the loop itself
promises: bad text gets one protocol error and nothing else, an interrupt is
never queued behind the cell it must stop, a burst of UI changes is merged,
queued calls keep their turn, and the session ends on ``shutdown`` or the end of
input.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import Callable
from typing import Any

from kernels.transports.session import QueuedCall, Session

Event = dict[str, Any]


class Recorder:
    """The ``send`` end: every event's JSON text, decoded, plus a way to wait for one."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.changed = asyncio.Event()

    def __call__(self, text: str) -> None:
        self.events.append(json.loads(text))
        self.changed.set()

    async def wait_for(self, predicate: Callable[[Event], bool], start: int = 0) -> Event:
        while True:
            for event in self.events[start:]:
                if predicate(event):
                    return event
            self.changed.clear()
            await self.changed.wait()


def command(**fields: Any) -> str:
    return json.dumps(fields)


def run(test: Callable[[], Any]) -> Any:
    """The scenario on an event loop of its own, in a thread of its own: the test run's
    main thread may already run one (Playwright's sync API keeps one for the session)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(test(), 60)).result()


def completed(event: Event) -> bool:
    return event["type"] == "run_completed"


def test_malformed_text_gets_one_protocol_error_and_changes_nothing() -> None:
    async def scenario() -> list[Event]:
        sent = Recorder()
        session = Session(sent)
        session.receive(command(type="create_cell", cell_id="a", code="x = 1"))
        for bad in ("{not json", "[1, 2]", command(type="no_such_command"),
                    command(type="create_cell", cell_id=5, code="y = 2")):
            session.receive(bad)
        session.receive(command(type="run", cell_ids=["a"]))
        await sent.wait_for(completed)
        assert session.kernel.globals["x"] == 1
        assert "y" not in session.kernel.globals
        return sent.events

    events = run(scenario)
    problems = [e for e in events if e["type"] == "protocol_error"]
    assert len(problems) == 4
    assert "not valid JSON" in problems[0]["message"]
    assert "JSON object" in problems[1]["message"]
    assert "no_such_command" in problems[2]["message"]
    assert "cell_id" in problems[3]["message"]
    assert [e["cell_id"] for e in events if e["type"] == "cell_status" and e["status"] == "running"] == ["a"]


def test_interrupt_acts_at_once_on_a_cell_that_awaits() -> None:
    async def scenario() -> tuple[Event, list[Event]]:
        sent = Recorder()
        session = Session(sent)
        session.receive(command(type="create_cell", cell_id="slow",
                                code="import asyncio\nawait asyncio.sleep(3600)"))
        session.receive(command(type="create_cell", cell_id="after", code="z = 3"))
        session.receive(command(type="run", cell_ids=["slow"]))
        await sent.wait_for(lambda e: e["type"] == "cell_status" and e["status"] == "running")
        # Queued behind the sleeping cell this would never be read; it must act now.
        session.receive(command(type="interrupt"))
        done = await sent.wait_for(completed)
        session.receive(command(type="run", cell_ids=["after"]))
        await sent.wait_for(lambda e: completed(e) and e["ran"] == ["after"])
        assert session.kernel.globals["z"] == 3
        return done, sent.events

    done, events = run(scenario)
    assert done["interrupted"] is True
    assert any(e["type"] == "cell_error" and e["cell_id"] == "slow" for e in events)


def test_a_burst_of_ui_changes_while_busy_runs_the_reader_once_with_the_last_value() -> None:
    async def scenario() -> list[Event]:
        sent = Recorder()
        session = Session(sent)
        gate = asyncio.Event()
        session.kernel.globals["gate"] = gate
        session.receive(command(type="create_cell", cell_id="make",
                                code="from kernels import ui\ns = ui.slider(0, 100)"))
        session.receive(command(type="create_cell", cell_id="read", code="s.value * 2"))
        session.receive(command(type="create_cell", cell_id="hold", code="await gate.wait()"))
        session.receive(command(type="run_all"))
        await sent.wait_for(lambda e: e["type"] == "cell_status" and e["cell_id"] == "hold"
                            and e["status"] == "running")
        start = len(sent.events)
        for value in range(1, 21):
            session.receive(command(type="set_ui_value", object_id="make:0", value=value))
        gate.set()
        await sent.wait_for(lambda e: e["type"] == "output" and e["cell_id"] == "read"
                            and e["data"].get("text/plain") == "40", start)
        return sent.events[start:]

    events = run(scenario)
    reads = [e for e in events if e["type"] == "output" and e["cell_id"] == "read"]
    assert [e["data"]["text/plain"] for e in reads] == ["40"]


def test_queued_calls_keep_their_turn_and_busy_is_reported() -> None:
    async def scenario() -> tuple[list[str], list[bool]]:
        order: list[str] = []
        busy: list[bool] = []
        sent = Recorder()
        session = Session(sent, on_busy=busy.append, before_command=lambda: order.append("before"))
        session.receive(command(type="create_cell", cell_id="a", code="1"))

        async def step() -> None:
            order.append(f"call sees a={session.kernel.cells['a'].code}")

        session.put(QueuedCall(step))
        session.receive(command(type="update_cell", cell_id="a", code="2"))
        session.put(QueuedCall(lambda: order.append("plain call")))
        session.receive(command(type="run", cell_ids=["a"]))
        await sent.wait_for(completed)
        while busy[-1]:
            sent.changed.clear()
            await asyncio.sleep(0)
        return order, busy

    order, busy = run(scenario)
    assert order == ["before", "call sees a=1", "before", "plain call", "before"]
    assert busy == [True, False]


def test_a_failing_step_is_reported_and_the_session_keeps_serving() -> None:
    async def scenario() -> list[Event]:
        sent = Recorder()
        session = Session(sent)

        def broken() -> None:
            raise RuntimeError("boom")

        session.put(QueuedCall(broken))
        session.receive(command(type="create_cell", cell_id="a", code="x = 1"))
        session.receive(command(type="run", cell_ids=["a"]))
        await sent.wait_for(completed)
        return sent.events

    events = run(scenario)
    assert [e["message"] for e in events if e["type"] == "protocol_error"] == [
        "the kernel failed: RuntimeError('boom')"
    ]


def test_shutdown_and_end_of_input_end_the_session() -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        told: list[str] = []
        session = Session(Recorder())
        session.on_shutdown = lambda: told.append("shutdown")
        session.receive(command(type="shutdown"))
        await session.finished()
        closed = session.kernel.closed

        other = Session(Recorder())
        other.receive(command(type="create_cell", cell_id="a", code="1"))
        other.put(None)
        await other.finished()
        return closed, told == ["shutdown"], other.kernel.closed

    closed, told, other_closed = run(scenario)
    assert closed and told
    assert other_closed is False  # the end of input ends the loop, not the kernel's state
