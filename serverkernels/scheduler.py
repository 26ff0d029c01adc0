"""Who gets the next free kernel slot: a fair queue in Redis.

Each owner's waiting sessions form a FIFO list; owners with waiting sessions
take turns in a ring (round robin), so one person starting many sessions does
not delay anyone else's first. An owner holds at most ``per_user_cap`` admitted
sessions (starting or running); the whole service at most the slots that live
workers advertise (:meth:`Store.live_workers`). Admitting a session hands it to
``send`` (which sends the Celery task); the caller's process does that inside a
short Redis lock, so two web processes never admit past the capacity.

Positions are 1-based ranks in the order sessions would be admitted if slots
freed one at a time: the ring's turns, each owner's oldest first.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator

from serverkernels.store import Store


class FairQueue:
    def __init__(self, store: Store, per_user_cap: int) -> None:
        self.store = store
        self.redis = store.redis  # Any, like the store's: replies are str
        self.cap = per_user_cap
        self.q = f"{store.prefix}:q"

    def _waiting(self, owner: str) -> str:
        return f"{self.q}:waiting:{owner}"

    def _admitted(self, owner: str) -> str:
        return f"{self.q}:admitted:{owner}"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        token = uuid.uuid4().hex
        lock = f"{self.q}:lock"
        # Admission takes a few Redis round trips; a holder that died (a worker stopped
        # mid-admission) blocks the others for at most this second, well within a
        # heartbeat's validity.
        while not self.redis.set(lock, token, nx=True, px=1000):
            # Held by another process for a few Redis round trips at most.
            time.sleep(0.005)
        try:
            yield
        finally:
            if self.redis.get(lock) == token:
                self.redis.delete(lock)

    def enqueue(self, session_id: str, owner: int) -> None:
        with self._locked():
            self.redis.rpush(self._waiting(str(owner)), session_id)
            if str(owner) not in self.redis.lrange(f"{self.q}:ring", 0, -1):
                self.redis.rpush(f"{self.q}:ring", str(owner))

    def release(self, session_id: str, owner: int) -> None:
        """The session gave its slot back (it ended). A new start of it may already wait."""
        with self._locked():
            self.redis.srem(self._admitted(str(owner)), session_id)
            self.redis.srem(f"{self.q}:admitted", session_id)

    def withdraw(self, session_id: str, owner: int) -> None:
        """The session no longer waits (stopped while queued)."""
        with self._locked():
            self.redis.lrem(self._waiting(str(owner)), 0, session_id)

    def admitted_sessions(self) -> set[str]:
        return set(self.redis.smembers(f"{self.q}:admitted"))

    def admitted_count(self) -> int:
        return int(self.redis.scard(f"{self.q}:admitted"))

    def running_of(self, owner: int) -> int:
        return int(self.redis.scard(self._admitted(str(owner))))

    def admit(self, send: Callable[[str], None]) -> list[str]:
        """Admit waiting sessions while slots are free; each goes to ``send``."""
        admitted: list[str] = []
        with self._locked():
            free = sum(self.store.live_workers().values()) - self.admitted_count()
            progress = True
            while free > 0 and progress:
                progress = False
                for owner in self.redis.lrange(f"{self.q}:ring", 0, -1):
                    if free <= 0:
                        break
                    if self.redis.scard(self._admitted(owner)) >= self.cap:
                        continue
                    session_id = self.redis.lpop(self._waiting(owner))
                    if session_id is None:
                        self.redis.lrem(f"{self.q}:ring", 0, owner)
                        continue
                    self.redis.sadd(self._admitted(owner), session_id)
                    self.redis.sadd(f"{self.q}:admitted", session_id)
                    # This owner had a turn: to the back of the ring.
                    self.redis.lrem(f"{self.q}:ring", 0, owner)
                    if self.redis.llen(self._waiting(owner)):
                        self.redis.rpush(f"{self.q}:ring", owner)
                    admitted.append(session_id)
                    free -= 1
                    progress = True
                    send(session_id)
        return admitted

    def positions(self) -> dict[str, int]:
        """Every waiting session's place in the line (1 = next)."""
        ring = self.redis.lrange(f"{self.q}:ring", 0, -1)
        lines = {owner: self.redis.lrange(self._waiting(owner), 0, -1) for owner in ring}
        order: list[str] = []
        depth = 0
        while True:
            row = [lines[owner][depth] for owner in ring if depth < len(lines[owner])]
            if not row:
                break
            order.extend(row)
            depth += 1
        return {session_id: index + 1 for index, session_id in enumerate(order)}

