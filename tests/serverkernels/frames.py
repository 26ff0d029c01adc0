"""Reading a server kernel session's numbered frames from Redis, as a page would receive them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from serverkernels.store import Store


class Frames:
    """A session's numbered frames, read from its Redis stream as they come."""

    def __init__(self, store: Store, session_id: str) -> None:
        self.store = store
        self.session_id = session_id
        self.frames: list[dict[str, Any]] = []
        self._last = "0"

    def _read(self, block_ms: int) -> None:
        found = self.store.redis.xread(
            {self.store.key(self.session_id, "events"): self._last}, block=block_ms, count=500
        )
        for _, entries in found:
            for entry_id, fields in entries:
                self._last = entry_id
                self.frames.append(json.loads(fields["f"]))

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], start: int = 0,
                 timeout: float = 60) -> dict[str, Any]:
        """The first frame from index ``start`` on that matches; waits on the stream (XREAD)."""
        deadline = time.monotonic() + timeout
        checked = start
        while True:
            for frame in self.frames[checked:]:
                if predicate(frame):
                    return frame
            checked = max(checked, len(self.frames))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching frame; last: {self.frames[-8:]}")
            # Under redis-py's 5 s socket timeout.
            self._read(int(min(remaining, 2) * 1000) or 1)

    def events(self, start: int = 0) -> list[dict[str, Any]]:
        return [f["event"] for f in self.frames[start:] if "event" in f]


def event_of(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    def match(frame: dict[str, Any]) -> bool:
        event = frame.get("event")
        return (isinstance(event, dict) and event.get("type") == kind
                and all(event.get(k) == v for k, v in fields.items()))
    return match


def state_of(*states: str) -> Callable[[dict[str, Any]], bool]:
    return lambda frame: frame.get("session", {}).get("state") in states

