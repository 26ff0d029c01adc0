"""Real Celery worker processes of the ``kernels`` queue, for tests and benchmarks.

``start_worker(env)`` runs ``celery -A playground worker -Q kernels --pool threads``
as a subprocess with the given environment (the same Redis, prefix and settings
module as the service under test) and returns once the worker advertises its
slots in Redis: waiting on that event, never on the clock. ``stop()`` ends it
(warm shutdown, TERM); ``kill()`` sends SIGKILL, as a crashed machine would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class KernelWorker:
    process: subprocess.Popen[bytes]
    log_path: Path
    worker_id: str = ""
    stopped: bool = field(default=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stopped = True

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no goodbye in Redis."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.stopped = True


def start_worker(
    env: Mapping[str, str], log_dir: Path, *, slots: int = 2, timeout: float = 60
) -> KernelWorker:
    """A worker with ``slots`` slots, returned once it has advertised them in Redis."""
    import redis

    prefix = env.get("KERNELS_REDIS_PREFIX", "pgk")
    url = env.get("KERNELS_REDIS_URL") or env["PLAYGROUND_TEST_REDIS_URL"]
    client = redis.Redis.from_url(url, decode_responses=True)
    before = set(client.hkeys(f"{prefix}:workers"))
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"celery-{time.monotonic_ns()}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "playground", "worker",
             "-Q", env.get("KERNELS_CELERY_QUEUE", "kernels"),
             "--pool", "threads", "--concurrency", str(slots), "--without-gossip",
             "--without-mingle", "-l", "info", "-n", f"kernels-{time.monotonic_ns()}@%h"],
            cwd=REPO_ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )
    worker = KernelWorker(process, log_path)
    deadline = time.monotonic() + timeout
    # Waits on Redis (the worker's own advertisement), polling since Redis has no
    # notification for a hash field; the deadline only fails a worker that never starts.
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the kernel worker exited:\n{worker.log()[-4000:]}")
        fresh = set(client.hkeys(f"{prefix}:workers")) - before
        mine = [w for w in fresh if w.endswith(f":{process.pid}")]
        if mine:
            worker.worker_id = mine[0]
            return worker
        time.sleep(0.05)
    worker.stop()
    raise RuntimeError(f"the kernel worker did not start:\n{worker.log()[-4000:]}")
