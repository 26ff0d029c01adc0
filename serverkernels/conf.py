"""Server kernels' settings, read once per process: the store, the fair queue, the host."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings

from serverkernels import sandbox
from serverkernels.extras import ExtrasConfig
from serverkernels.host import HostConfig
from serverkernels.scheduler import FairQueue
from serverkernels.store import Store

UNAVAILABLE = (
    "Server kernels are off on this server: it has no Redis and no kernel workers "
    "(see deploy/README.md). Notebooks run in your browser."
)


def enabled() -> bool:
    return bool(settings.SERVER_KERNELS and settings.KERNELS_REDIS_URL)


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
        extras=extras_config(),
    )


def extras_config() -> ExtrasConfig | None:
    """Installing what server kernels' cells import (serverkernels.extras); None when off."""
    if not settings.KERNEL_WHEELS_INDEX_URL:
        return None
    return ExtrasConfig(
        index_url=settings.KERNEL_WHEELS_INDEX_URL,
        max_bytes=settings.KERNEL_EXTRAS_MAX_BYTES,
        install_seconds=settings.KERNEL_EXTRAS_INSTALL_SECONDS,
    )
