"""Server kernels' settings, read once per process: the store, the fair queue, the host."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings

from serverkernels import sandbox
from serverkernels.host import HostConfig
from serverkernels.scheduler import FairQueue
from serverkernels.store import Store

UNAVAILABLE = (
    "Server kernels are off on this server: it has no Redis and no kernel workers "
    "(see deploy/README.md). Notebooks run in your browser."
)


def enabled() -> bool:
    return bool(settings.KERNELS_REDIS_URL)


@functools.cache
def store() -> Store:
    url = settings.KERNELS_REDIS_URL
    if not url:
        raise RuntimeError(UNAVAILABLE)
    return Store.from_url(url, prefix=settings.KERNELS_REDIS_PREFIX)


def fair_queue() -> FairQueue:
    return FairQueue(store(), settings.KERNELS_PER_USER)


def limits() -> sandbox.Limits:
    return sandbox.Limits(**settings.KERNEL_LIMITS)


def host_config() -> HostConfig:
    return HostConfig(
        limits=limits(),
        runtime_root=Path(settings.BASE_DIR),
        idle_seconds=settings.KERNEL_IDLE_SECONDS,
        max_age_seconds=settings.KERNEL_MAX_AGE_SECONDS,
        allow_unsandboxed=settings.KERNEL_ALLOW_UNSANDBOXED,
        python=settings.KERNEL_PYTHON or None,
    )
