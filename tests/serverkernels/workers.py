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
from collections.abc import Callable, Mapping
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

    def stop(self, timeout: float = 30) -> bool:
        """Warm shutdown (SIGTERM); SIGKILL after ``timeout``. Whether it exited by itself."""
        clean = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                clean = False
                self.process.kill()
                self.process.wait()
        self.stopped = True
        return clean

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no goodbye in Redis."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.stopped = True


def start_celery_worker(
    env: Mapping[str, str],
    log_dir: Path,
    *,
    queue: str,
    concurrency: int,
    name: str,
    ready: Callable[[int], str | None],
    timeout: float = 60,
) -> KernelWorker:
    """``celery -A playground worker -Q queue`` with ``env``, returned once ``ready(pid)``
    gives the worker's id (read off Redis, where a started worker announces itself)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}-{time.monotonic_ns()}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "playground", "worker",
             "-Q", queue, "--pool", "threads", "--concurrency", str(concurrency),
             "--without-gossip", "--without-mingle", "-l", "info",
             "-n", f"{name}-{time.monotonic_ns()}@%h"],
            cwd=REPO_ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )
    worker = KernelWorker(process, log_path)
    deadline = time.monotonic() + timeout
    # Waits on Redis (the worker's own announcement), polling since Redis has no
    # notification for it; the deadline only fails a worker that never starts.
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {name} worker exited:\n{worker.log()[-4000:]}")
        if worker_id := ready(process.pid):
            worker.worker_id = worker_id
            return worker
        time.sleep(0.05)
    worker.stop()
    raise RuntimeError(f"the {name} worker did not start:\n{worker.log()[-4000:]}")


def start_worker(
    env: Mapping[str, str], log_dir: Path, *, slots: int = 2, timeout: float = 60
) -> KernelWorker:
    """A worker with ``slots`` slots, returned once it has advertised them in Redis."""
    import redis

    prefix = env.get("KERNELS_REDIS_PREFIX", "pgk")
    url = env.get("KERNELS_REDIS_URL") or env["PLAYGROUND_TEST_REDIS_URL"]
    client = redis.Redis.from_url(url, decode_responses=True)
    before = set(client.hkeys(f"{prefix}:workers"))

    def advertised(pid: int) -> str | None:
        fresh = set(client.hkeys(f"{prefix}:workers")) - before
        return next((w for w in fresh if w.endswith(f":{pid}")), None)

    return start_celery_worker(
        env, log_dir, queue=env.get("KERNELS_CELERY_QUEUE", "kernels"), concurrency=slots,
        name="kernels", ready=advertised, timeout=timeout,
    )
