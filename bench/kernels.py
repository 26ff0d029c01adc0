"""Server kernels against the floor: start, run → first output, interrupt, throughput.

    python bench/kernels.py            # 20 starts, 200 runs, 20 interrupts, 3 x throughput
    python bench/kernels.py --quick    # a few of each (smoke test, about 25 s)
    python bench/kernels.py --redis-url redis://127.0.0.1:6379/14

Side by side in one run, on the same notebook, a server kernel session (a bubblewrap
sandbox hosted by a real Celery worker of the ``kernels`` queue, commands through the
session's Redis stream, events back numbered through Redis) and the floor: a
``playground kernel --stdio`` process driven directly with the shared stdio client
(kernels/transports/stdio_client.py, which stamps each event when it is read).

The web side is driven as ``serverkernels.services.kernel_start`` drives it, minus
the database row: the session's Redis state (``Store.create``, ``new_epoch``), the
fair queue, the ``queued`` frame, then ``services.admit()``, which sends the Celery
task. Workers are real processes (tests/serverkernels/workers.py) on the same Redis
database, under a key prefix of this run's own.

(a) cold start: from queueing a session (a worker up with ``KERNEL_POOL_SIZE=0``,
    a free slot, no kernel started) to its ``kernel_ready`` frame; beside it a
    plain kernel process and a sandboxed one (``sandbox.spawn``) started directly.
(b) warm start: the same with a worker that keeps one kernel started ahead
    (``KERNEL_POOL_SIZE=1``, serverkernels/pool.py), waiting for the pool to refill
    before each start; and a restart in place, from the ``restart`` control to the
    new ``kernel_ready`` frame, split at the ``starting`` frame (old kernel stopped).
(c) run → first output: cell ``b`` (``n = next(ticks)`` / ``n * 2``) run on its
    own, from writing the ``run`` command to its ``output`` event: on the server as
    read from the session's event stream (XREAD) and as heard on its channel-layer
    group (what the websocket consumer forwards to the page), against the floor and
    against the same kernel in its sandbox driven directly (what the worker adds
    apart from the sandbox); the three take turns, one run each.
(d) interrupt: ``while True: pass`` running, from writing ``interrupt`` to the
    ``run_completed`` event, the same three paths.
(e) throughput: N sessions at once, each running ``b`` K times one run after
    another (the next run is sent when the previous one's ``run_completed``
    arrives), with 1 worker process of N slots and with 2 workers of N/2 slots
    each (the same slots in total); runs per second and the CPU time the worker
    processes spent per run, and the same N kernels driven directly as the floor.
    Configurations alternate over the repeats.

Every measured run is checked: ``b``'s output must be twice its run count, a
started kernel must run ``1 + 1`` to ``2``, a restarted one must have forgotten
the names of the old one, an interrupt must end the loop cell's run as
interrupted. A wrong answer fails the bench (exit status 1); timing never does:
the targets (warm start p95 <= 0.5 s, cold start p95 <= 2 s, overhead over the
floor <= 10 ms at p50, interrupt p95 <= 200 ms, scaling from 1 to 2 workers >=
1.6x) print as met / NOT MET. Redis keys of the run are deleted and the workers
stopped by their process ids at the end, also when the bench fails. The Celery
queue's name is fixed, so a run holds its Redis database (database 14 of
127.0.0.1:6379 by default) with a lock key; a second run waits for the first.

The last line is ``warm_start_p95_s=X cold_start_p95_s=X overhead_ms=X
interrupt_p95_ms=X scaling=X`` (warm start: a kernel started ahead; overhead: the
server's p50 through the group minus the floor's p50; scaling: runs per second
with 2 workers / with 1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import queue
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# bench/ off the path: this file would shadow the `kernels` package (and bench/http.py
# the standard library's http package).
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != REPO_ROOT / "bench"]
sys.path.insert(0, str(REPO_ROOT))

from bench.percentiles import percentile  # noqa: E402
from kernels.transports.stdio_client import (  # noqa: E402 - after the path fix above
    NoMatchingEvent,
    StdioKernelClient,
)
from serverkernels import sandbox  # noqa: E402 - no Django in these two
from serverkernels.host import HostConfig  # noqa: E402
from serverkernels.store import ALIVE_SECONDS  # noqa: E402
from tests.production_stack import redis_server  # noqa: E402
from tests.serverkernels.frames import state_of  # noqa: E402
from tests.serverkernels.workers import KernelWorker, start_worker  # noqa: E402

# The Redis database of this bench's sessions and Celery queue (tests use 9, bench/http.py 8):
# the ``kernels`` queue's name is fixed, so a database of its own keeps other runs' workers
# from taking this run's tasks.
REDIS_DB = 14
TARGET_WARM_P95_S = 0.5
TARGET_COLD_P95_S = 2.0
TARGET_OVERHEAD_MS = 10.0
TARGET_INTERRUPT_P95_MS = 200.0
TARGET_SCALING = 1.6
WARM_UP = 3
# How long a wait for a frame or event may take before the kernel counts as hung.
TIMEOUT = 60.0
# Held while a run uses the database (expires if the run dies); a second run waits.
LOCK_KEY = "bench-kernels:lock"
LOCK_SECONDS = 30
LOCK_WAIT_SECONDS = 600

SETUP_CELLS = {"a": "import itertools\nticks = itertools.count(1)", "b": "n = next(ticks)\nn * 2"}
LOOP_CELL = "while True:\n    pass"


class BenchFailed(RuntimeError):
    """A kernel gave a wrong answer, hung or never started; the message says which."""


@dataclass(frozen=True)
class Counts:
    cold_starts: int
    restarts: int
    runs: int
    interrupts: int
    sessions: int
    session_runs: int
    repeats: int


FULL = Counts(cold_starts=20, restarts=20, runs=200, interrupts=20, sessions=4,
              session_runs=100, repeats=3)
QUICK = Counts(cold_starts=3, restarts=3, runs=20, interrupts=3, sessions=2,
               session_runs=12, repeats=1)


def _output_text(event: dict[str, Any]) -> str:
    return str(event.get("data", {}).get("text/plain", ""))


def _event(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    """A predicate on kernel events: this type, these fields."""
    return lambda event: (event.get("type") == kind
                          and all(event.get(name) == value for name, value in fields.items()))


def _is_output(cell_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: event.get("type") == "output" and event.get("cell_id") == cell_id


def _frame_event(predicate: Callable[[dict[str, Any]], bool]) -> Callable[[dict[str, Any]], bool]:
    """A predicate on kernel events, applied to frames that carry one."""
    return lambda frame: isinstance(frame.get("event"), dict) and predicate(frame["event"])


# ---------------------------------------------------------------------------
# Reading a session's frames
# ---------------------------------------------------------------------------


class FrameReader:
    """A session's numbered frames from its Redis stream (XREAD), each stamped when read."""

    def __init__(self, store: Any, session_id: str) -> None:
        self.store = store
        self.key = store.key(session_id, "events")
        self.frames: list[dict[str, Any]] = []
        self.stamps: list[float] = []
        self.last = "0"

    def absorb(self, entries: list[tuple[str, dict[str, str]]], stamp: float) -> None:
        for entry_id, fields in entries:
            self.last = entry_id
            self.frames.append(json.loads(fields["f"]))
            self.stamps.append(stamp)

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], start: int = 0
    ) -> tuple[int, float, dict[str, Any]]:
        """The first matching frame from index ``start`` on: (index, time read, frame)."""
        deadline = time.monotonic() + TIMEOUT
        checked = start
        while True:
            for index in range(checked, len(self.frames)):
                if predicate(self.frames[index]):
                    return index, self.stamps[index], self.frames[index]
            checked = max(checked, len(self.frames))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchFailed(f"no matching frame; the last ones: {self.frames[-6:]}")
            read_streams([self], block_ms=int(min(remaining, 2) * 1000) or 1)


def read_streams(readers: list[FrameReader], block_ms: int) -> None:
    """One XREAD over the readers' streams (waits up to ``block_ms`` for the first frame)."""
    by_key = {reader.key: reader for reader in readers}
    found = readers[0].store.redis.xread(
        {reader.key: reader.last for reader in readers}, block=block_ms, count=500
    )
    stamp = time.perf_counter()
    for key, entries in found:
        by_key[key].absorb(entries, stamp)


class GroupListener:
    """A session's channel-layer group, heard as its websocket consumer hears it.

    An event loop in a thread of its own joins the group with a channel of its own
    (the consumer's ``group_add``) and stamps each ``kernel.frame`` message when it
    is received.
    """

    def __init__(self, store: Any, session_id: str) -> None:
        from serverkernels.store import group_name

        self.redis = store.redis
        self.group = group_name(session_id)
        self.frames: list[dict[str, Any]] = []
        self.stamps: list[float] = []
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="group-listener", daemon=True
        )
        self._thread.start()
        self._channel = ""
        self._listening: asyncio.Task[None] | None = None
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(TIMEOUT)

    async def _start(self) -> None:
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        assert layer is not None
        self._channel = await layer.new_channel()
        await layer.group_add(self.group, self._channel)
        self._listening = asyncio.create_task(self._listen(layer, self._channel))

    async def _listen(self, layer: Any, channel: str) -> None:
        try:
            while True:
                message = await layer.receive(channel)
                stamp = time.perf_counter()
                with self._changed:
                    self.frames.append(json.loads(message["frame"]))
                    self.stamps.append(stamp)
                    self._changed.notify_all()
        finally:
            await layer.group_discard(self.group, channel)

    async def _stop(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening

    def stamp_of(self, seq: int, start: int = 0) -> float:
        """When the frame numbered ``seq`` was heard (waits for it)."""
        deadline = time.monotonic() + TIMEOUT
        with self._changed:
            checked = start
            while True:
                for index in range(checked, len(self.frames)):
                    if self.frames[index]["seq"] == seq:
                        return self.stamps[index]
                checked = max(checked, len(self.frames))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BenchFailed(f"frame {seq} never reached the group {self.group}")
                self._changed.wait(remaining)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIMEOUT)
        # channels_redis keeps a key per receiving client without an expiry: remove ours.
        client = self._channel.split("!")[0]
        keys = list(self.redis.scan_iter(f"*{client}*", count=1000)) if client else []
        if keys:
            self.redis.delete(*keys)


# ---------------------------------------------------------------------------
# The two sides
# ---------------------------------------------------------------------------


class Service:
    """The web side of server kernels (the store, the fair queue, admission), in this process."""

    def __init__(self, prefix: str) -> None:
        from serverkernels import conf, services

        self.conf = conf
        self.services = services
        self.store = conf.store()
        self.prefix = prefix
        self.sessions: list[ServerSession] = []
        self._owners = 0

    def session(self) -> ServerSession:
        """A new session (its Redis state; no kernel yet), of an owner of its own."""
        self._owners += 1
        session_id = f"{self.prefix}-{self._owners}"
        self.store.create(session_id, owner=self._owners, notebook=f"bench-{self._owners}")
        session = ServerSession(self, session_id, self._owners, FrameReader(self.store, session_id))
        self.sessions.append(session)
        return session

    def announce(self, session_id: str, state: str) -> None:
        _, frame = self.store.append_frame(
            session_id, '{"session":' + json.dumps({"state": state, "message": ""}) + "}"
        )
        self.services.publish(session_id, frame)

    def admitted(self) -> set[str]:
        return set(self.conf.fair_queue().admitted_sessions())

    def wait_released(self, session_ids: set[str]) -> None:
        """Until none of the sessions holds a slot (their tasks ended)."""
        deadline = time.monotonic() + TIMEOUT
        # Polled: a slot is freed by a set removal in Redis, which sends no notification.
        while self.admitted() & session_ids:
            if time.monotonic() > deadline:
                raise BenchFailed(f"sessions never gave their slots back: {session_ids}")
            time.sleep(0.01)

    def worker_of(self, session: ServerSession) -> str:
        state = self.store.get(session.session_id)
        return state.worker if state is not None else ""

    def forget(self) -> None:
        """Stop every session of the run (their hosts end within half a second)."""
        for session in self.sessions:
            with contextlib.suppress(Exception):
                self.store.push_control(session.session_id, "shutdown")


@dataclass
class ServerSession:
    service: Service
    session_id: str
    owner: int
    reader: FrameReader
    ticks: int = 0  # runs of cell b so far: the next one shows 2 * (ticks + 1)

    def queue(self) -> float:
        """Queue a start as ``services._queue`` does, then admit; the time it began."""
        store, service = self.service.store, self.service
        began = time.perf_counter()
        store.new_epoch(self.session_id)
        store.update(self.session_id, state="queued", message="", started=time.time(),
                     activity=time.time())
        service.conf.fair_queue().enqueue(self.session_id, self.owner)
        service.announce(self.session_id, "queued")
        service.services.admit()
        # A worker's heartbeat admits too, and may have taken it a moment before.
        if self.session_id not in service.admitted():
            raise BenchFailed(
                f"{self.session_id} was not admitted at once (no free slot?): workers "
                f"{store.live_workers()}, admitted {sorted(service.admitted())}")
        return began

    def send(self, **command: Any) -> float:
        """Write one command to the session's stream, as the websocket consumer does."""
        sent = time.perf_counter()
        self.service.store.push_command(self.session_id, json.dumps(command))
        return sent

    def wait_ready(self, start: int = 0) -> float:
        """When the kernel's ready frame was read, after the state ``idle`` that follows it."""
        index, stamp, _ = self.reader.wait_for(_frame_event(_event("kernel_ready")), start)
        self.reader.wait_for(state_of("idle", "dead"), index)
        state = self.service.store.get(self.session_id)
        if state is None or state.state != "idle":
            raise BenchFailed(f"{self.session_id} did not start: {state}")
        return stamp

    def run_cell(self, cell_id: str, code: str) -> dict[str, Any]:
        """Create a cell and run it (untimed); its output event."""
        start = len(self.reader.frames)
        self.send(type="create_cell", cell_id=cell_id, code=code)
        self.send(type="run", cell_ids=[cell_id])
        index, _, frame = self.reader.wait_for(_frame_event(_is_output(cell_id)), start)
        self.reader.wait_for(state_of("idle"), index)
        return dict(frame["event"])

    def set_up(self) -> None:
        start = len(self.reader.frames)
        for cell_id, code in SETUP_CELLS.items():
            self.send(type="create_cell", cell_id=cell_id, code=code)
        self.send(type="run", cell_ids=["a"])
        index, _, frame = self.reader.wait_for(_frame_event(_is_output("b")), start)
        _check_tick(self, frame["event"])
        self.reader.wait_for(state_of("idle"), index)

    def shut_down(self) -> None:
        start = len(self.reader.frames)
        self.service.store.push_control(self.session_id, "shutdown")
        self.reader.wait_for(state_of("stopped"), start)
        self.service.wait_released({self.session_id})


class FloorKernel:
    """A kernel process driven directly over stdio, the same notebook: ``playground kernel
    --stdio``, or with ``sandboxed`` the same kernel in its sandbox, started as a worker
    starts it (``sandbox.spawn``)."""

    def __init__(
        self,
        on_line: Callable[[float, str, dict[str, Any]], None] | None = None,
        *,
        sandboxed: HostConfig | None = None,
    ) -> None:
        self.began = time.perf_counter()
        self.process: sandbox.SandboxedProcess | None = None
        if sandboxed is None:
            self.client = StdioKernelClient.start(on_line=on_line)
        else:
            self.process = sandbox.spawn(sandbox.KERNEL_ARGS, runtime_root=sandboxed.runtime_root,
                                         limits=sandboxed.limits)
            self.client = StdioKernelClient(self.process.popen, on_line=on_line)
        self.ticks = 0

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], start: int = 0
    ) -> tuple[int, float, dict[str, Any]]:
        try:
            return self.client.wait_for_index(predicate, start, timeout=TIMEOUT)
        except NoMatchingEvent as exc:
            raise BenchFailed(str(exc)) from None

    def set_up(self) -> None:
        start = len(self.client.events)
        for cell_id, code in SETUP_CELLS.items():
            self.client.send(type="create_cell", cell_id=cell_id, code=code)
        self.client.send(type="run", cell_ids=["a"])
        index, _, event = self.wait_for(_is_output("b"), start)
        _check_tick(self, event)
        self.wait_for(_event("run_completed"), index)

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.process is not None:
                self.process.cleanup()


def _check_tick(kernel: ServerSession | FloorKernel, event: dict[str, Any]) -> None:
    """Cell b's output must be twice the number of its runs so far."""
    kernel.ticks += 1
    if _output_text(event) != str(2 * kernel.ticks):
        raise BenchFailed(f"run {kernel.ticks} of cell b showed {_output_text(event)!r}, "
                          f"not {2 * kernel.ticks}")


# ---------------------------------------------------------------------------
# Workers and cleanup
# ---------------------------------------------------------------------------


class Workers:
    """Real kernel workers of this run; stopped by their process ids."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.running: list[KernelWorker] = []

    def start(self, slots: int, pool: int = 0) -> KernelWorker:
        env = {**self.env, "KERNEL_POOL_SIZE": str(pool)}
        worker = start_worker(env, self.log_dir, slots=slots)
        self.running.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.running:
            worker.stop()
        for worker in self.running:
            # Groups of kernels a killed worker left behind.
            sandbox.remove_stale_cgroups(created_by=worker.pid)
        self.running = []

    def logs(self) -> str:
        return "\n".join(worker.log()[-3000:] for worker in self.running)


def _configure(redis_url: str, prefix: str) -> dict[str, str]:
    """Settings of this process and the workers: test settings, this Redis, this prefix."""
    env = {
        "DJANGO_SETTINGS_MODULE": "playground.settings.test",
        "PLAYGROUND_TEST_REDIS_URL": redis_url,
        "KERNELS_REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "KERNELS_REDIS_PREFIX": prefix,
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


def _delete_keys(service: Service, existing: set[str]) -> int:
    """This run's keys: the sessions', their groups', and what the workers' Celery made."""
    redis = service.store.redis
    patterns = [f"{service.prefix}:*", f"asgi:*{service.prefix}-*", "_kombu.*", "kernels",
                "unacked*", "*.reply.celery.pidbox"]
    keys = {key for pattern in patterns for key in redis.scan_iter(pattern, count=1000)}
    ours = sorted(key for key in keys if key.startswith(service.prefix) or key not in existing)
    if ours:
        redis.delete(*ours)
    return len(ours)


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def _floor_start(sandboxed: HostConfig | None) -> float:
    """Seconds from starting a kernel process to its ``kernel_ready``; it must run 1 + 1."""
    floor = FloorKernel(sandboxed=sandboxed)
    try:
        index, ready, _ = floor.wait_for(_event("kernel_ready"))
        floor.client.send(type="create_cell", cell_id="c", code="1 + 1")
        floor.client.send(type="run", cell_ids=["c"])
        _, _, event = floor.wait_for(_is_output("c"), index)
    finally:
        floor.close()
    if _output_text(event) != "2":
        raise BenchFailed(f"a kernel process ran 1 + 1 to {_output_text(event)!r}")
    return ready - floor.began


def measure_cold_starts(service: Service, count: int) -> dict[str, list[float]]:
    """Seconds to ``kernel_ready``: a queued server session, a sandboxed and a plain process."""
    config = service.conf.host_config()
    results: dict[str, list[float]] = {"server": [], "sandbox": [], "plain": []}
    for number in range(WARM_UP + count):
        plain = _floor_start(None)
        sandboxed = _floor_start(config)

        session = service.session()
        began = session.queue()
        ready = session.wait_ready()
        if (shown := _output_text(session.run_cell("c", "1 + 1"))) != "2":
            raise BenchFailed(f"a server kernel ran 1 + 1 to {shown!r}")
        session.shut_down()
        if number >= WARM_UP:
            results["plain"].append(plain)
            results["sandbox"].append(sandboxed)
            results["server"].append(ready - began)
    return results


def measure_warm_starts(service: Service, worker: KernelWorker, count: int) -> list[float]:
    """Seconds from queueing a session to ``kernel_ready`` when the worker has a kernel ready."""
    results: list[float] = []
    store = service.store
    for number in range(WARM_UP + count):
        # Wait until a heartbeat written after the last start says the pool holds a
        # kernel again (a beat is a second old at most; polling Redis for it).
        since = time.time()
        while True:
            raw = store.redis.hget(f"{store.prefix}:workers", worker.worker_id)
            beat = json.loads(raw) if raw else {}
            if beat.get("pooled", 0) >= 1 and beat.get("until", 0) - ALIVE_SECONDS > since:
                break
            time.sleep(0.05)
        session = service.session()
        began = session.queue()
        ready = session.wait_ready()
        if (shown := _output_text(session.run_cell("c", "1 + 1"))) != "2":
            raise BenchFailed(f"a server kernel ran 1 + 1 to {shown!r}")
        session.shut_down()
        if number >= WARM_UP:
            results.append(ready - began)
    return results


def measure_restarts(service: Service, count: int) -> dict[str, list[float]]:
    """Seconds from a ``restart`` control to the new ``kernel_ready``; the ``starting`` frame."""
    session = service.session()
    session.queue()
    session.wait_ready()
    results: dict[str, list[float]] = {"ready": [], "stopped": []}
    for number in range(WARM_UP + count):
        session.run_cell("m", f"marker = {number}")
        start = len(session.reader.frames)
        sent = time.perf_counter()
        session.service.store.push_control(session.session_id, "restart")
        _, stopped, _ = session.reader.wait_for(state_of("starting"), start)
        ready = session.wait_ready(start)
        if (shown := _output_text(session.run_cell("c", "'marker' in globals()"))) != "False":
            raise BenchFailed(f"the restarted kernel still knows the old names ({shown})")
        if number >= WARM_UP:
            results["ready"].append(ready - sent)
            results["stopped"].append(stopped - sent)
    session.shut_down()
    return results


@dataclass
class Latencies:
    floor: list[float] = field(default_factory=list)
    sandbox: list[float] = field(default_factory=list)
    stream: list[float] = field(default_factory=list)
    group: list[float] = field(default_factory=list)


def _server_run(session: ServerSession, listener: GroupListener) -> tuple[float, float]:
    """Run cell b once: ms to its output from the stream and from the group."""
    reader = session.reader
    start, heard = len(reader.frames), len(listener.frames)
    sent = session.send(type="run", cell_ids=["b"])
    index, read, frame = reader.wait_for(_frame_event(_is_output("b")), start)
    _check_tick(session, frame["event"])
    group = listener.stamp_of(frame["seq"], heard)
    reader.wait_for(state_of("idle"), index)
    return (read - sent) * 1000, (group - sent) * 1000


def _floor_run(floor: FloorKernel) -> float:
    start = len(floor.client.events)
    sent = floor.client.send(type="run", cell_ids=["b"])
    index, read, event = floor.wait_for(_is_output("b"), start)
    _check_tick(floor, event)
    floor.wait_for(_event("run_completed"), index)
    return (read - sent) * 1000


def _server_interrupt(session: ServerSession, listener: GroupListener) -> tuple[float, float]:
    reader = session.reader
    start = len(reader.frames)
    session.send(type="run", cell_ids=["loop"])
    reader.wait_for(_frame_event(_event("cell_status", cell_id="loop", status="running")), start)
    reader.wait_for(state_of("running"), start)
    time.sleep(0.05)  # well inside the loop (untimed)
    heard = len(listener.frames)
    sent = session.send(type="interrupt")
    index, read, frame = reader.wait_for(_frame_event(_event("run_completed")), start)
    _check_interrupted(frame["event"])
    group = listener.stamp_of(frame["seq"], heard)
    reader.wait_for(state_of("idle"), index)
    return (read - sent) * 1000, (group - sent) * 1000


def _floor_interrupt(floor: FloorKernel) -> float:
    start = len(floor.client.events)
    floor.client.send(type="run", cell_ids=["loop"])
    floor.wait_for(_event("cell_status", cell_id="loop", status="running"), start)
    time.sleep(0.05)
    sent = floor.client.send(type="interrupt")
    _, read, event = floor.wait_for(_event("run_completed"), start)
    _check_interrupted(event)
    return (read - sent) * 1000


def _check_interrupted(event: dict[str, Any]) -> None:
    if not event.get("interrupted") or event.get("failed") != ["loop"]:
        raise BenchFailed(f"the interrupt did not end the loop's run: {event}")


def measure_runs_and_interrupts(
    service: Service, runs: int, interrupts: int
) -> tuple[Latencies, Latencies]:
    """Run → first output and interrupt → run_completed: server, floor and sandboxed floor."""
    session = service.session()
    session.queue()
    session.wait_ready()
    listener = GroupListener(service.store, session.session_id)
    floor = FloorKernel()
    boxed = FloorKernel(sandboxed=service.conf.host_config())
    try:
        for kernel in (floor, boxed):
            kernel.wait_for(_event("kernel_ready"))
            kernel.set_up()
        session.set_up()
        outputs, stops = Latencies(), Latencies()

        def run_server() -> None:
            stream, group = _server_run(session, listener)
            outputs.stream.append(stream)
            outputs.group.append(group)

        turns: list[Callable[[], None]] = [
            run_server,
            lambda: outputs.floor.append(_floor_run(floor)),
            lambda: outputs.sandbox.append(_floor_run(boxed)),
        ]
        for number in range(WARM_UP + runs):
            # Each path goes first in turn, so none always runs right after another.
            for turn in turns[number % 3:] + turns[:number % 3]:
                turn()
        for series in (outputs.floor, outputs.sandbox, outputs.stream, outputs.group):
            del series[:WARM_UP]

        session.send(type="create_cell", cell_id="loop", code=LOOP_CELL)
        for kernel in (floor, boxed):
            kernel.client.send(type="create_cell", cell_id="loop", code=LOOP_CELL)
        for number in range(1 + interrupts):
            stream, group = _server_interrupt(session, listener)
            floor_ms, boxed_ms = _floor_interrupt(floor), _floor_interrupt(boxed)
            if number >= 1:
                stops.stream.append(stream)
                stops.group.append(group)
                stops.floor.append(floor_ms)
                stops.sandbox.append(boxed_ms)
        # The kernels live on after the interrupts: b still counts.
        _server_run(session, listener)
        _floor_run(floor)
        _floor_run(boxed)
    finally:
        listener.close()
        floor.close()
        boxed.close()
    session.shut_down()
    return outputs, stops


@dataclass(frozen=True)
class Throughput:
    runs_per_second: float
    worker_cpu_ms: float  # CPU of the worker processes (their threads, not the kernels) per run
    driver_cpu_ms: float  # CPU of this process (driver, stdio clients' readers) per run
    spread: tuple[int, ...] = ()  # sessions per worker


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process so far (its threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Drive:
    """N kernels, each running cell b again as soon as its last run completed."""

    def __init__(self, count: int) -> None:
        self.count = count

    def send_run(self, index: int) -> None:
        raise NotImplementedError

    def events(self) -> list[tuple[int, dict[str, Any]]]:
        """Kernel events that arrived since the last call, as (kernel index, event)."""
        raise NotImplementedError

    def kernel(self, index: int) -> ServerSession | FloorKernel:
        raise NotImplementedError

    def measure(self, runs: int, pids: list[int]) -> Throughput:
        """Every kernel runs b ``runs`` times; the rate and the CPU the processes ``pids``
        and this one spent per run."""
        workers_before = sum(_cpu_seconds(pid) for pid in pids)
        own_before = time.process_time()
        seconds = self._drive(runs)
        total = self.count * runs
        return Throughput(
            runs_per_second=total / seconds,
            worker_cpu_ms=(sum(_cpu_seconds(pid) for pid in pids) - workers_before) / total * 1e3,
            driver_cpu_ms=(time.process_time() - own_before) / total * 1e3,
        )

    def _drive(self, runs: int) -> float:
        done = [0] * self.count
        shown = [False] * self.count
        began = time.perf_counter()
        for index in range(self.count):
            self.send_run(index)
        while min(done) < runs:
            for index, event in self.events():
                if event.get("type") == "output" and event.get("cell_id") == "b":
                    _check_tick(self.kernel(index), event)
                    shown[index] = True
                elif event.get("type") == "run_completed":
                    if event.get("failed") or not shown[index]:
                        raise BenchFailed(f"a run of b failed or showed nothing: {event}")
                    shown[index] = False
                    done[index] += 1
                    if done[index] < runs:
                        self.send_run(index)
        return time.perf_counter() - began


class _DriveServer(_Drive):
    def __init__(self, sessions: list[ServerSession]) -> None:
        super().__init__(len(sessions))
        self.sessions = sessions
        self.seen = [len(s.reader.frames) for s in sessions]

    def send_run(self, index: int) -> None:
        self.sessions[index].send(type="run", cell_ids=["b"])

    def kernel(self, index: int) -> ServerSession:
        return self.sessions[index]

    def events(self) -> list[tuple[int, dict[str, Any]]]:
        deadline = time.monotonic() + TIMEOUT
        found: list[tuple[int, dict[str, Any]]] = []
        while not found:
            if time.monotonic() > deadline:
                raise BenchFailed("no kernel sent anything for a minute")
            read_streams([s.reader for s in self.sessions], block_ms=2000)
            for index, session in enumerate(self.sessions):
                frames = session.reader.frames
                found += [(index, f["event"]) for f in frames[self.seen[index]:] if "event" in f]
                self.seen[index] = len(frames)
        return found


class _DriveFloor(_Drive):
    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.arrived: queue.Queue[tuple[int, dict[str, Any]]] = queue.Queue()
        self.kernels = [FloorKernel(on_line=self._collector(index)) for index in range(count)]

    def _collector(self, index: int) -> Callable[[float, str, dict[str, Any]], None]:
        return lambda stamp, text, event: self.arrived.put((index, event))

    def send_run(self, index: int) -> None:
        self.kernels[index].client.send(type="run", cell_ids=["b"])

    def kernel(self, index: int) -> FloorKernel:
        return self.kernels[index]

    def events(self) -> list[tuple[int, dict[str, Any]]]:
        try:
            found = [self.arrived.get(timeout=TIMEOUT)]
        except queue.Empty:
            raise BenchFailed("no kernel sent anything for a minute") from None
        while not self.arrived.empty():
            found.append(self.arrived.get_nowait())
        return found


def throughput_server(service: Service, workers: Workers, count: int, runs: int) -> Throughput:
    """Runs per second of ``count`` sessions at once; how many each worker hosted."""
    sessions = [service.session() for _ in range(count)]
    for session in sessions:
        session.queue()
    for session in sessions:
        session.wait_ready()
        session.set_up()
    per_worker: dict[str, int] = {}
    for session in sessions:
        worker = service.worker_of(session)
        per_worker[worker] = per_worker.get(worker, 0) + 1
    result = _DriveServer(sessions).measure(runs, [worker.pid for worker in workers.running])
    for session in sessions:
        service.store.push_control(session.session_id, "shutdown")
    for session in sessions:
        session.reader.wait_for(state_of("stopped"))
    service.wait_released({s.session_id for s in sessions})
    spread = tuple(sorted(per_worker.values(), reverse=True))
    return Throughput(result.runs_per_second, result.worker_cpu_ms, result.driver_cpu_ms, spread)


def throughput_floor(count: int, runs: int) -> Throughput:
    drive = _DriveFloor(count)
    try:
        for kernel in drive.kernels:
            kernel.wait_for(_event("kernel_ready"))
            kernel.set_up()
        while not drive.arrived.empty():
            drive.arrived.get_nowait()
        return drive.measure(runs, [])
    finally:
        for kernel in drive.kernels:
            kernel.close()


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _row(label: str, values: list[float], scale: float, unit: str, digits: int) -> str:
    p50, p95 = statistics.median(values) * scale, percentile(values, 0.95) * scale
    return (f"| {label} | {len(values)} | {p50:.{digits}f} {unit} | {p95:.{digits}f} {unit} | "
            f"{max(values) * scale:.{digits}f} {unit} |")


def _table_head(first: str) -> None:
    print(f"| {first} | n | p50 | p95 | max |")
    print("| --- | ---: | ---: | ---: | ---: |")


def run(counts: Counts, redis_url: str, log_dir: Path) -> str:
    """Every measurement; the last line."""
    prefix = f"pgkbench{secrets.token_hex(3)}"
    env = _configure(redis_url, prefix)
    service = Service(prefix)
    with _database_held(service.store.redis):
        existing = set(service.store.redis.scan_iter("*", count=1000))
        workers = Workers(env, log_dir)
        try:
            return _measure(service, workers, counts)
        except BaseException:
            print(f"worker logs (ends):\n{workers.logs()}", file=sys.stderr)
            raise
        finally:
            service.forget()
            workers.stop_all()
            _delete_keys(service, existing)


@contextlib.contextmanager
def _database_held(redis: Any) -> Iterator[None]:
    """This run alone on the Redis database: the Celery queue's name is fixed (``kernels``),
    so another run's workers on it would take this run's tasks. A second run waits."""
    token = secrets.token_hex(8)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not redis.set(LOCK_KEY, token, nx=True, ex=LOCK_SECONDS):
        if deadline - time.monotonic() > LOCK_WAIT_SECONDS - 1:
            print("waiting for another run of this bench on the same Redis database",
                  file=sys.stderr)
        if time.monotonic() > deadline:
            raise BenchFailed(f"another run has held {LOCK_KEY} for {LOCK_WAIT_SECONDS} s")
        time.sleep(1)
    done = threading.Event()

    def keep() -> None:
        while not done.wait(LOCK_SECONDS / 3):
            redis.expire(LOCK_KEY, LOCK_SECONDS)

    keeper = threading.Thread(target=keep, name="bench-lock", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        done.set()
        keeper.join()
        if redis.get(LOCK_KEY) == token:
            redis.delete(LOCK_KEY)


def _measure(service: Service, workers: Workers, counts: Counts) -> str:
    slots = counts.sessions
    workers.start(slots)
    print(f"(a) cold start: queued -> kernel_ready, a worker up with a free slot, "
          f"one start at a time ({counts.cold_starts} starts after {WARM_UP} warm-ups)\n")
    cold = measure_cold_starts(service, counts.cold_starts)
    _table_head("start")
    print(_row("server session: queue, Celery task, sandbox, kernel", cold["server"], 1, "s", 3))
    print(_row("the same in its sandbox (`sandbox.spawn`), directly", cold["sandbox"], 1, "s", 3))
    print(_row("floor: `playground kernel --stdio`", cold["plain"], 1, "s", 3))
    dispatch = statistics.median(cold["server"]) - statistics.median(cold["sandbox"])
    print(f"\nserver - sandboxed floor, difference of medians: {dispatch * 1000:.0f} ms "
          "(queue, admission, Celery, claim, frames)\n")

    workers.stop_all()
    pooled = workers.start(slots, pool=1)
    print(f"(b) warm start: queued -> kernel_ready, the worker keeping one kernel started "
          f"ahead (KERNEL_POOL_SIZE=1), refilled before each start ({counts.cold_starts} "
          "starts)\n")
    warm = measure_warm_starts(service, pooled, counts.cold_starts)
    _table_head("start")
    print(_row("server session taking a kernel started ahead", warm, 1, "s", 3))
    print()
    print(f"restart in place, `restart` control -> kernel_ready ({counts.restarts} restarts; "
          "the pool refills between them only when it has had the time)\n")
    restarts = measure_restarts(service, counts.restarts)
    _table_head("restart")
    print(_row("control -> `starting` (old kernel stopped)", restarts["stopped"], 1, "s", 3))
    print(_row("control -> kernel_ready", restarts["ready"], 1, "s", 3))
    print()

    outputs, stops = measure_runs_and_interrupts(service, counts.runs, counts.interrupts)
    print(f"(c) run -> first output, cell `n = next(ticks); n * 2`, {counts.runs} runs "
          "each, taking turns\n")
    _table_head("path")
    print(_row("floor: `playground kernel --stdio`", outputs.floor, 1, "ms", 2))
    print(_row("the same in its sandbox, driven directly", outputs.sandbox, 1, "ms", 2))
    print(_row("server: event stream (XREAD)", outputs.stream, 1, "ms", 2))
    print(_row("server: channel-layer group (the websocket's feed)", outputs.group, 1, "ms", 2))
    floor_p50 = statistics.median(outputs.floor)
    overhead = statistics.median(outputs.group) - floor_p50
    stream_overhead = statistics.median(outputs.stream) - floor_p50
    print(f"\noverhead over the floor at p50: {overhead:.2f} ms through the group, "
          f"{stream_overhead:.2f} ms on the stream\n")

    print(f"(d) interrupt -> run_completed, `while True: pass` ({counts.interrupts} each)\n")
    _table_head("path")
    print(_row("floor: `playground kernel --stdio`", stops.floor, 1, "ms", 2))
    print(_row("the same in its sandbox, driven directly", stops.sandbox, 1, "ms", 2))
    print(_row("server: event stream (XREAD)", stops.stream, 1, "ms", 2))
    print(_row("server: channel-layer group", stops.group, 1, "ms", 2))
    print()

    results: dict[str, list[Throughput]] = {"one": [], "two": [], "floor": []}
    for repeat in range(counts.repeats):
        if repeat:
            workers.stop_all()
            workers.start(slots)
        results["one"].append(
            throughput_server(service, workers, counts.sessions, counts.session_runs))
        workers.stop_all()
        workers.start(slots // 2)
        workers.start(slots - slots // 2)
        results["two"].append(
            throughput_server(service, workers, counts.sessions, counts.session_runs))
        results["floor"].append(throughput_floor(counts.sessions, counts.session_runs))
    rate = {name: statistics.median(r.runs_per_second for r in found)
            for name, found in results.items()}
    scaling = rate["two"] / rate["one"]
    print(f"(e) throughput: {counts.sessions} sessions at once, {counts.session_runs} runs of "
          f"b each, one after another (median of {counts.repeats}; {os.cpu_count()} cores "
          "for everything: workers, kernels, Redis, this driver)\n")
    print("| kernels driven by | runs/s | / floor | worker CPU per run | driver CPU per run |")
    print("| --- | ---: | ---: | ---: | ---: |")
    labels = {
        "one": f"1 worker process, {slots} slots",
        "two": f"2 worker processes, {slots // 2} + {slots - slots // 2} slots",
        "floor": f"floor: {counts.sessions} x `playground kernel --stdio`",
    }
    for name, label in labels.items():
        worker_cpu = statistics.median(r.worker_cpu_ms for r in results[name])
        driver_cpu = statistics.median(r.driver_cpu_ms for r in results[name])
        worker_column = "-" if name == "floor" else f"{worker_cpu:.1f} ms"
        print(f"| {label} | {rate[name]:.0f} | {rate[name] / rate['floor']:.3f} | "
              f"{worker_column} | {driver_cpu:.2f} ms |")
    spread = ", ".join("+".join(map(str, r.spread)) for r in results["two"])
    print(f"\nsessions per worker with 2 workers: {spread}; "
          f"scaling 2 workers / 1: {scaling:.2f}\n")

    warm_p95 = percentile(warm, 0.95)
    cold_p95 = percentile(cold["server"], 0.95)
    interrupt_p95 = percentile(stops.group, 0.95)
    print("| target | measured | |")
    print("| --- | ---: | --- |")
    print(f"| warm start p95 <= {TARGET_WARM_P95_S} s (a kernel started ahead) "
          f"| {warm_p95:.3f} s | {_met(warm_p95 <= TARGET_WARM_P95_S)} |")
    print(f"| cold start p95 <= {TARGET_COLD_P95_S} s | {cold_p95:.3f} s "
          f"| {_met(cold_p95 <= TARGET_COLD_P95_S)} |")
    print(f"| run -> first output overhead p50 <= {TARGET_OVERHEAD_MS} ms | {overhead:.2f} ms "
          f"| {_met(overhead <= TARGET_OVERHEAD_MS)} |")
    print(f"| interrupt p95 <= {TARGET_INTERRUPT_P95_MS:.0f} ms | {interrupt_p95:.1f} ms "
          f"| {_met(interrupt_p95 <= TARGET_INTERRUPT_P95_MS)} |")
    print(f"| scaling 1 -> 2 workers >= {TARGET_SCALING}x | {scaling:.2f}x "
          f"| {_met(scaling >= TARGET_SCALING)} |")
    print()
    return (f"warm_start_p95_s={warm_p95:.3f} cold_start_p95_s={cold_p95:.3f} "
            f"overhead_ms={overhead:.2f} interrupt_p95_ms={interrupt_p95:.1f} "
            f"scaling={scaling:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few of each (smoke test)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_KERNELS_REDIS_URL"),
                        help=f"Redis for sessions and the queue (default: database {REDIS_DB} "
                             "of 127.0.0.1:6379, else a throw-away redis-server)")
    args = parser.parse_args(argv)
    counts = QUICK if args.quick else FULL
    load = os.getloadavg()[0]
    print(f"Server kernels against `playground kernel --stdio` ({sys.implementation.name} "
          f"{sys.version.split()[0]}, {os.cpu_count()} cores, load average {load:.1f})\n")
    with redis_server(REDIS_DB, args.redis_url) as url, tempfile.TemporaryDirectory() as log_dir:
        try:
            last = run(counts, url, Path(log_dir))
        except BenchFailed as exc:
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
    print(f"load average at the end: {os.getloadavg()[0]:.1f}\n")
    print(last)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
