"""Fixtures for server kernel tests: a Redis prefix of the test's own, real kernel workers."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from serverkernels import conf, sandbox
from tests.django_fixtures import fresh_channel_layer  # noqa: F401
from tests.serverkernels.workers import KernelWorker, start_worker


@pytest.fixture
def kernel_env(settings: Any, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Server kernels on, under a Redis prefix of this test's own (removed after)."""
    prefix = f"pgk-test-{secrets.token_hex(4)}"
    settings.KERNELS_REDIS_PREFIX = prefix
    # A queue of the test's own too: no worker of another run takes its sessions.
    settings.KERNELS_CELERY_QUEUE = f"kernels-{prefix}"
    conf.store.cache_clear()
    database = connection.settings_dict
    env = {
        "DJANGO_SETTINGS_MODULE": "playground.settings.test",
        # The test's own database, where the worker reads the notebook's folder.
        "PLAYGROUND_TEST_DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "PLAYGROUND_TEST_REDIS_URL": settings.KERNELS_REDIS_URL,
        "KERNELS_REDIS_PREFIX": prefix,
        "KERNELS_CELERY_QUEUE": f"kernels-{prefix}",
    }
    yield env
    store = conf.store()
    keys = list(store.redis.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        store.redis.delete(*keys)
    conf.store.cache_clear()


@pytest.fixture
def workers(kernel_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., KernelWorker]]:
    """Start kernel workers (``workers(slots=2, **extra_env)``); all are stopped after the test."""
    started: list[KernelWorker] = []

    def start(slots: int = 2, **extra: str) -> KernelWorker:
        worker = start_worker({**kernel_env, **extra}, tmp_path / "workers", slots=slots)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if not worker.stopped:
            worker.stop()
    # A killed worker's kernels died with it; their cgroups stay until a worker starts.
    for worker in started:
        sandbox.remove_stale_cgroups(created_by=worker.pid)
