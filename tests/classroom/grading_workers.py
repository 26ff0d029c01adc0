"""Real Celery worker processes of the ``grading`` queue, for tests and the benchmark.

``start_grading_worker(env, log_dir)`` runs ``celery -A playground worker -Q <queue>``
with the given environment (the test's database, Redis prefix and queue) and returns
once the worker's heartbeat is in Redis: waiting on that event, never on the clock.
The returned ``KernelWorker`` (tests/serverkernels/workers.py) stops it by PID.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import redis

from tests.serverkernels.workers import KernelWorker, start_celery_worker


def start_grading_worker(
    env: Mapping[str, str], log_dir: Path, *, concurrency: int = 1, timeout: float = 60
) -> KernelWorker:
    prefix = env["KERNELS_REDIS_PREFIX"]
    client = redis.Redis.from_url(env["PLAYGROUND_TEST_REDIS_URL"], decode_responses=True)

    def beating(pid: int) -> str | None:
        keys = list(client.scan_iter(f"{prefix}:grading:worker:*:{pid}"))
        return keys[0].split(":worker:", 1)[1] if keys else None

    return start_celery_worker(
        env, log_dir, queue=env["GRADING_CELERY_QUEUE"], concurrency=concurrency,
        name="grading", ready=beating, timeout=timeout,
    )
