"""Celery tasks of the ``grading`` queue, and the grading workers' heartbeat.

Start a grading worker with ``celery -A playground worker -Q grading --pool threads
--concurrency N`` (deploy/README.md). Each ``grade_next`` message means "a run was
queued": the task takes whichever run is next (students taking turns), so the order
is the grading queue's, not the broker's. Work lives in ``classroom.grading``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from celery import shared_task, signals
from django.conf import settings

from classroom import grading
from serverkernels.tasks import consumes

log = logging.getLogger(__name__)

WORKER_ID = f"grading:{socket.gethostname()}:{os.getpid()}"
_stop = threading.Event()


@shared_task(name="classroom.grade_next", ignore_result=True, acks_late=False)
def grade_next() -> str:
    return grading.grade_next(worker=WORKER_ID, stop=_stop, keep_warm=True)


def _beat() -> None:
    """Every second: say this worker is alive, and requeue runs whose worker died."""
    while True:
        try:
            grading.worker_alive(WORKER_ID)
            grading.reap()
        except Exception:  # Redis or the database away for a moment: next beat
            log.exception("grading heartbeat failed")
        if _stop.wait(1.0):
            return


@signals.worker_ready.connect
def _start(sender: object = None, **kwargs: object) -> None:
    if grading.enabled() and consumes(sender, settings.GRADING_CELERY_QUEUE):
        threading.Thread(target=_beat, name="grading-beat", daemon=True).start()


@signals.worker_shutdown.connect
def _stop_beat(**kwargs: object) -> None:
    _stop.set()
