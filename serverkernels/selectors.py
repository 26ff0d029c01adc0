"""Reading server kernel sessions for pages: the staff's list of live kernels."""

from __future__ import annotations

import time
from dataclasses import dataclass

from serverkernels import conf, services
from serverkernels.models import KernelSession
from serverkernels.store import LIVE_STATES


@dataclass(frozen=True)
class LiveKernel:
    session: KernelSession
    state: str
    age_seconds: float
    memory_bytes: int
    worker: str
    position: int | None


def live_kernels() -> list[LiveKernel]:
    """Every session that holds or waits for a kernel now, oldest first."""
    queue = conf.fair_queue()
    positions = queue.positions()
    ids = queue.admitted_sessions() | set(positions)
    sessions = KernelSession.objects.select_related("owner", "notebook").filter(public_id__in=ids)
    now = time.time()
    found = []
    for session in sessions:
        state = services.kernel_refresh(session.public_id)
        if state is None or (state.state not in LIVE_STATES and state.state != "queued"):
            continue
        found.append(LiveKernel(
            session=session, state=state.state, age_seconds=max(0.0, now - state.started),
            memory_bytes=state.memory, worker=state.worker,
            position=positions.get(session.public_id),
        ))
    return sorted(found, key=lambda kernel: -kernel.age_seconds)
