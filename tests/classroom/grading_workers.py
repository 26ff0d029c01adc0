"""Real Celery worker processes of the ``grading`` queue, for tests and the benchmark.

``start_grading_worker(env, log_dir)`` runs ``celery -A playground worker -Q <queue>``
with the given environment (the test's database, Redis prefix and queue) and returns
once the worker's heartbeat is in Redis: waiting on that event, never on the clock.
The returned ``KernelWorker`` (tests/serverkernels/workers.py) stops it by PID.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import redis

from tests.serverkernels.workers import REPO_ROOT, KernelWorker


def start_grading_worker(
    env: Mapping[str, str], log_dir: Path, *, concurrency: int = 1, timeout: float = 60
) -> KernelWorker:
    prefix = env["KERNELS_REDIS_PREFIX"]
    client = redis.Redis.from_url(env["PLAYGROUND_TEST_REDIS_URL"], decode_responses=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"grading-{time.monotonic_ns()}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "playground",
                "worker",
                "-Q",
                env["GRADING_CELERY_QUEUE"],
                "--pool",
                "threads",
                "--concurrency",
                str(concurrency),
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
                "-n",
                f"grading-{time.monotonic_ns()}@%h",
            ],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = KernelWorker(process, log_path)
    deadline = time.monotonic() + timeout
    # The deadline only fails a worker that never starts.
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the grading worker exited:\n{worker.log()[-4000:]}")
        if keys := list(client.scan_iter(f"{prefix}:grading:worker:*:{process.pid}")):
            worker.worker_id = keys[0].split(":worker:", 1)[1]
            return worker
        time.sleep(0.05)
    worker.stop()
    raise RuntimeError(f"the grading worker did not start:\n{worker.log()[-4000:]}")
