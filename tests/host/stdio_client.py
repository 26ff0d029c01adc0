"""A `playground kernel --stdio` process driven by tests: JSON lines in, events collected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class StdioKernel:
    """A kernel process plus a thread collecting its events."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kernels.runtime.cli", "kernel", "--stdio"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env, cwd=ROOT,
        )
        self.events: list[dict[str, Any]] = []
        self.raw_lines: list[str] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._cond:
                self.raw_lines.append(line)
                self.events.append(json.loads(line))
                self._cond.notify_all()

    def send(self, **message: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def send_raw(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching event; got {self.events[-10:]}")
                self._cond.wait(remaining)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 60) -> None:
        """Until ``condition()`` holds, checked each time an event arrives.

        Waits on the kernel's events, never on the clock: ``timeout`` is only how long a
        hung kernel may take to fail the test, so it is generous.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"the condition never held; got {self.events[-10:]}")
                self._cond.wait(remaining)

    def run_and_wait(self, *cell_ids: str) -> dict[str, Any]:
        count = sum(1 for e in self.events if e["type"] == "run_completed")
        self.send(type="run", cell_ids=list(cell_ids))
        self.wait_for(lambda e: e["type"] == "run_completed"
                      and sum(1 for x in self.events if x["type"] == "run_completed") > count)
        return [e for e in self.events if e["type"] == "run_completed"][-1]

    def close(self) -> int:
        if self.process.poll() is not None:
            return self.process.returncode
        try:
            self.send(type="shutdown")
        except BrokenPipeError:
            pass
        try:
            return self.process.wait(timeout=10)
        finally:
            self.process.kill()
