"""Where a server kernel session lives while it runs: Redis, shared by web and worker processes.

Everything about a live session is under ``<prefix>:s:<id>``:

- ``...:state`` (hash): ``state`` (queued, starting, idle, running, lost, culled,
  stopped, dead), ``message`` (why it ended, for people), ``owner``, ``notebook``,
  ``epoch`` (which start this is: a task for an older epoch does nothing),
  ``worker``, ``started`` / ``admitted`` / ``activity`` (Unix times), ``memory``.
- ``...:cmd`` (stream): commands from the browser, as the kernel protocol's JSON
  text, read by the worker that hosts the session; plus ``control`` entries
  (restart, shutdown) written by the service.
- ``...:events`` (stream): every event the session sent, with its sequence number
  as the entry id (``<seq>-0``), so a websocket that reconnects asks for what
  came after the last number it saw. Live delivery is the channel layer's group
  (:func:`group_name`); this stream is the replay.
- ``...:outputs`` (hash): each cell's last output or error event, shown at once
  when the session is reopened after it ended.
- ``...:alive`` (key with a 3 s expiry): refreshed every second by the hosting
  worker. A session that should be up and has no ``alive`` key is lost.
- ``...:claim:<epoch>``: the worker that took this start (SET NX), so a task
  delivered twice never starts a second kernel.
- ``...:clients`` (hash): websocket channel -> expiry time, the connected pages.

Workers advertise themselves in ``<prefix>:workers`` (hash: id -> JSON with
slots and an expiry time). The fair queue (:mod:`serverkernels.scheduler`) keeps
its own keys under ``<prefix>:q:``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import redis

#: States in which a session holds (or is about to hold) a kernel.
LIVE_STATES = frozenset({"starting", "idle", "running"})
#: States after which the session can be started again (restart).
ENDED_STATES = frozenset({"lost", "culled", "stopped", "dead"})
ALIVE_SECONDS = 3
#: Events kept for replay; far more than a minute of any honest session.
EVENTS_KEPT = 20_000
#: A started session no worker has taken after this long is lost.
UNCLAIMED_SECONDS = 60
SESSION_KEYS_TTL = 7 * 24 * 3600


# INCR the session's counter and XADD the frame under it, in one step.
_APPEND_FRAME = """
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
local frame = '{"seq":' .. seq .. ',' .. ARGV[1]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], seq .. '-0', 'f', frame)
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {seq, frame}
"""


def group_name(session_id: str) -> str:
    """The channel-layer group of a session's websockets."""
    return f"kernel.{session_id}"


@dataclass(frozen=True)
class SessionState:
    """A session as the service sees it at one moment."""

    session_id: str
    state: str
    message: str
    owner: int | None
    notebook: str
    epoch: int
    worker: str
    started: float
    activity: float
    memory: int

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state, "message": self.message}


class Store:
    """Redis keys of server kernel sessions (thread-safe: redis-py pools connections)."""

    def __init__(self, client: redis.Redis, prefix: str = "pgk") -> None:
        # Any: redis-py types every reply as bytes | str, whatever decode_responses says
        # (this client is made with decode_responses=True: replies are str).
        self.redis: Any = client
        self.prefix = prefix
        self._append = client.register_script(_APPEND_FRAME)

    @classmethod
    def from_url(cls, url: str, prefix: str = "pgk") -> Store:
        return cls(redis.Redis.from_url(url, decode_responses=True), prefix)

    def key(self, session_id: str, part: str) -> str:
        return f"{self.prefix}:s:{session_id}:{part}"

    # -- state

    def create(self, session_id: str, *, owner: int, notebook: str) -> None:
        now = time.time()
        self.redis.hset(self.key(session_id, "state"), mapping={
            "state": "queued", "message": "", "owner": owner, "notebook": notebook,
            "epoch": 0, "worker": "", "started": now, "activity": now, "memory": 0,
        })
        self.redis.expire(self.key(session_id, "state"), SESSION_KEYS_TTL)

    def get(self, session_id: str) -> SessionState | None:
        raw = self.redis.hgetall(self.key(session_id, "state"))
        if not raw:
            return None
        return SessionState(
            session_id=session_id,
            state=raw.get("state", "lost"),
            message=raw.get("message", ""),
            owner=int(raw["owner"]) if raw.get("owner") else None,
            notebook=raw.get("notebook", ""),
            epoch=int(raw.get("epoch", 0)),
            worker=raw.get("worker", ""),
            started=float(raw.get("started", 0)),
            activity=float(raw.get("activity", 0)),
            memory=int(raw.get("memory", 0)),
        )

    def update(self, session_id: str, **fields: str | int | float) -> None:
        self.redis.hset(self.key(session_id, "state"), mapping=fields)

    def set_state_if(
        self, session_id: str, expected: Iterable[str], state: str, message: str = "",
        epoch: int | None = None,
    ) -> bool:
        """Move to ``state`` only from one of ``expected`` (and, if given, at ``epoch``)."""
        key = self.key(session_id, "state")
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    current = pipe.hmget(key, "state", "epoch")
                    if current[0] not in set(expected):
                        pipe.unwatch()
                        return False
                    if epoch is not None and int(current[1] or 0) != epoch:
                        pipe.unwatch()
                        return False
                    pipe.multi()
                    pipe.hset(key, mapping={"state": state, "message": message})
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue

    def new_epoch(self, session_id: str) -> int:
        """A new start of the session: commands of the previous one are dropped."""
        epoch = int(self.redis.hincrby(self.key(session_id, "state"), "epoch", 1))
        self.redis.delete(self.key(session_id, "cmd"))
        return epoch

    def claim(self, session_id: str, epoch: int, worker: str) -> bool:
        """Take start ``epoch`` for ``worker``; False when it was taken already or is stale."""
        state = self.get(session_id)
        if state is None or state.epoch != epoch or state.state != "starting":
            return False
        taken = self.redis.set(
            self.key(session_id, f"claim:{epoch}"), worker, nx=True, ex=SESSION_KEYS_TTL
        )
        if not taken:
            return False
        self.update(session_id, worker=worker)
        self.beat(session_id)
        return True

    def claimed(self, session_id: str, epoch: int) -> bool:
        return bool(self.redis.exists(self.key(session_id, f"claim:{epoch}")))

    # -- liveness

    def beat(self, session_id: str, memory: int | None = None) -> None:
        self.redis.set(self.key(session_id, "alive"), "1", ex=ALIVE_SECONDS)
        if memory is not None:
            self.update(session_id, memory=memory)

    def alive(self, session_id: str) -> bool:
        return bool(self.redis.exists(self.key(session_id, "alive")))

    def worker_beat(self, worker: str, slots: int, pooled: int = 0) -> None:
        """``worker`` is alive with ``slots`` slots and ``pooled`` kernels started ahead."""
        self.redis.hset(f"{self.prefix}:workers", worker, json.dumps(
            {"slots": slots, "pooled": pooled, "until": time.time() + ALIVE_SECONDS}))

    def pooled_kernels(self) -> dict[str, int]:
        """Live workers: id -> kernels they keep started ahead."""
        live = self.live_workers()
        return {worker: int(json.loads(raw).get("pooled", 0))
                for worker, raw in self.redis.hgetall(f"{self.prefix}:workers").items()
                if worker in live}

    def worker_gone(self, worker: str) -> None:
        self.redis.hdel(f"{self.prefix}:workers", worker)

    def live_workers(self) -> dict[str, int]:
        """Workers whose heartbeat is current: id -> slots (stale entries are removed)."""
        now = time.time()
        live: dict[str, int] = {}
        for worker, raw in self.redis.hgetall(f"{self.prefix}:workers").items():
            entry = json.loads(raw)
            if entry["until"] >= now:
                live[worker] = int(entry["slots"])
            else:
                self.redis.hdel(f"{self.prefix}:workers", worker)
        return live

    # -- commands

    def push_command(self, session_id: str, text: str) -> None:
        self.redis.xadd(self.key(session_id, "cmd"), {"c": text}, maxlen=10_000, approximate=True)

    def push_control(self, session_id: str, action: str) -> None:
        self.redis.xadd(self.key(session_id, "cmd"), {"control": action})

    def read_commands(
        self, session_id: str, after: str, block_ms: int
    ) -> list[tuple[str, Mapping[str, str]]]:
        """Entries of the command stream after id ``after`` (waits up to ``block_ms``)."""
        found = self.redis.xread({self.key(session_id, "cmd"): after}, block=block_ms, count=200)
        return [(entry_id, fields) for _, entries in found for entry_id, fields in entries]

    # -- events

    def last_seq(self, session_id: str) -> int:
        return int(self.redis.get(self.key(session_id, "seq")) or 0)

    def append_frame(self, session_id: str, body: str) -> tuple[int, str]:
        """Number and keep one frame for replay: ``body`` is a JSON object's text without
        its ``seq``; the frame is that object with ``"seq": n`` first. Atomic, so any
        process may add frames (the worker its events, the service a lost state)."""
        seq, frame = self._append(
            keys=[self.key(session_id, "seq"), self.key(session_id, "events")],
            args=[body[1:], EVENTS_KEPT, SESSION_KEYS_TTL],
        )
        return int(seq), str(frame)

    def events_after(self, session_id: str, seq: int) -> tuple[list[tuple[int, str]], bool]:
        """Frames with a sequence number above ``seq``, and whether any in between were trimmed."""
        entries = self.redis.xrange(self.key(session_id, "events"), min=f"({seq}-0")
        frames = [(int(entry_id.split("-")[0]), fields["f"]) for entry_id, fields in entries]
        gap = bool(frames) and frames[0][0] != seq + 1
        if not frames and seq < self.last_seq(session_id):
            gap = True
        return frames, gap

    # -- last outputs

    def keep_output(self, session_id: str, cell_id: str, event_text: str | None) -> None:
        key = self.key(session_id, "outputs")
        if event_text is None:
            self.redis.hdel(key, cell_id)
        else:
            self.redis.hset(key, cell_id, event_text)
            self.redis.expire(key, SESSION_KEYS_TTL)

    def last_outputs(self, session_id: str) -> dict[str, Any]:
        return {cell: json.loads(text)
                for cell, text in self.redis.hgetall(self.key(session_id, "outputs")).items()}

    # -- connected pages

    def client_seen(self, session_id: str, channel: str, seconds: int = 30) -> None:
        self.redis.hset(self.key(session_id, "clients"), channel, time.time() + seconds)
        self.redis.expire(self.key(session_id, "clients"), SESSION_KEYS_TTL)

    def client_left(self, session_id: str, channel: str) -> None:
        self.redis.hdel(self.key(session_id, "clients"), channel)

    def clients(self, session_id: str) -> int:
        now = time.time()
        return sum(1 for until in self.redis.hvals(self.key(session_id, "clients"))
                   if float(until) >= now)
