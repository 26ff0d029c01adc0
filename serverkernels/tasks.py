"""Celery tasks of the ``kernels`` queue, and the worker's heartbeat (its free slots).

``host_session`` holds one worker slot for the whole life of one start of a
session (serverkernels.host does the work). Tasks are acknowledged when they
start, so a worker killed with SIGKILL does not get its sessions delivered again:
they are marked lost (heartbeat expiry) and the person restarts them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from celery import shared_task, signals
from django.conf import settings

from serverkernels import conf, sandbox, services
from serverkernels.folders import SessionFolder
from serverkernels.host import SessionHost
from serverkernels.pool import KernelPool, start_kernel

log = logging.getLogger(__name__)

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
_stop_beating = threading.Event()
#: Set at the start of a warm shutdown: every hosted session ends (serverkernels.host).
_draining = threading.Event()
_pool: KernelPool | None = None


@shared_task(name="serverkernels.host_session", ignore_result=True, acks_late=False)
def host_session(session_id: str, epoch: int) -> str:
    host = SessionHost(conf.store(), session_id, epoch, WORKER_ID, conf.host_config(),
                       services.publish, pool=_pool, draining=_draining,
                       folder=SessionFolder())
    outcome = "not claimed"
    try:
        outcome = host.run()
        return outcome
    finally:
        if outcome != "not claimed":
            services.session_ended(session_id)


def _beat(slots: int) -> None:
    """Every second: advertise the slots, mark other workers' dead sessions lost, admit."""
    store = conf.store()
    while True:
        try:
            store.worker_beat(WORKER_ID, slots, _pool.ready_count() if _pool else 0)
            for session_id in conf.fair_queue().admitted_sessions():
                services.kernel_refresh(session_id)
            services.admit()
        except Exception:  # Redis away for a moment: the next beat tries again
            log.exception("worker heartbeat failed")
        if _stop_beating.wait(1.0):
            return


def consumes(sender: object, queue: str) -> bool:
    """Whether the worker that became ready consumes ``queue`` (its ``-Q``)."""
    app = getattr(sender, "app", None)
    queues = getattr(getattr(getattr(app, "amqp", None), "queues", None), "consume_from", None)
    return queues is not None and queue in queues


@signals.worker_ready.connect
def _advertise(sender: object = None, **kwargs: object) -> None:
    # A worker of another queue (grading) has no kernel slots to offer.
    if not conf.enabled() or not consumes(sender, settings.KERNELS_CELERY_QUEUE):
        return
    controller = getattr(sender, "controller", None)
    slots = int(getattr(controller, "concurrency", 0) or 1)
    # Groups of kernels whose worker was killed (SIGKILL leaves no time to clean up).
    sandbox.remove_stale_cgroups()
    if missing := sandbox.probe().unenforced():
        log.warning("kernel limits this host cannot enforce: %s", "; ".join(missing))
    global _pool
    if settings.KERNEL_POOL_SIZE > 0:
        config = conf.host_config()
        _pool = KernelPool(settings.KERNEL_POOL_SIZE, lambda: start_kernel(
            limits=config.limits, runtime_root=config.runtime_root, python=config.python,
            allow_unsandboxed=config.allow_unsandboxed, extras=config.extras,
        ))
        _pool.run()
    threading.Thread(target=_beat, args=(slots,), name="kernel-worker-beat", daemon=True).start()


@signals.worker_shutting_down.connect
def _drain(**kwargs: object) -> None:
    # A warm shutdown waits for running tasks, and a session's task runs until the
    # session ends: without this a deploy would wait on every open notebook.
    _draining.set()


@signals.worker_shutdown.connect
def _withdraw(**kwargs: object) -> None:
    _stop_beating.set()
    if _pool is not None:
        _pool.stop()
    if conf.enabled():
        conf.store().worker_gone(WORKER_ID)
