"""Starting, stopping and watching server kernels: what the API, the websocket and the worker call.

Only someone who may edit a notebook starts a kernel on it, and a session is its
starter's alone (nobody else's page joins it). A person has one session per
notebook: starting again returns the one that exists unless it has ended, and
restarting an ended one (lost, culled, stopped, dead) queues it again.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.models import User

from notebooks.errors import NotebookError
from notebooks.models import Notebook
from serverkernels import conf
from serverkernels.models import KernelSession
from serverkernels.store import (
    ENDED_STATES,
    LIVE_STATES,
    UNCLAIMED_SECONDS,
    SessionState,
    group_name,
)
from sharing.access import Action, access_require
from web.channel_events import group_send_soon


class KernelsUnavailable(NotebookError):
    status = 503
    code = "kernels_unavailable"


@dataclass(frozen=True)
class KernelView:
    """A session as its page shows it."""

    session_id: str
    notebook: str
    state: str
    message: str
    position: int | None
    workers: int
    last_seq: int


UNREACHABLE = (
    "The server kernels' service cannot be reached right now (its Redis is down). "
    "Nothing you typed is lost; try again in a moment, or run in the browser."
)


def _require_enabled() -> None:
    if not conf.enabled():
        raise KernelsUnavailable(conf.UNAVAILABLE)


@contextlib.contextmanager
def kernels_reachable() -> Iterator[None]:
    """Turns Redis being away into a clear 503 instead of a server error."""
    try:
        yield
    except redis.exceptions.RedisError as exc:
        raise KernelsUnavailable(UNREACHABLE) from exc


def publish(session_id: str, frame: str) -> None:
    """Deliver a numbered frame to the session's connected pages (in order, not waiting)."""
    group_send_soon(group_name(session_id), {"type": "kernel.frame", "frame": frame},
                    f"a frame of kernel {session_id}")


def _announce(session_id: str, state: str, message: str) -> None:
    store = conf.store()
    _, frame = store.append_frame(
        session_id, '{"session":' + _json({"state": state, "message": message}) + "}"
    )
    publish(session_id, frame)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _send_task(session_id: str) -> None:
    from serverkernels.tasks import host_session

    store = conf.store()
    state = store.get(session_id)
    if state is None:
        return
    store.update(session_id, state="starting", message="", admitted=time.time())
    host_session.apply_async(args=[session_id, state.epoch], queue=settings.KERNELS_CELERY_QUEUE)


def admit() -> list[str]:
    """Hand waiting sessions to workers while slots are free."""
    admitted = conf.fair_queue().admit(_send_task)
    for session_id in admitted:
        _announce(session_id, "starting", "")
    return admitted


def _queue(session: KernelSession) -> None:
    store = conf.store()
    store.new_epoch(session.public_id)
    store.update(session.public_id, state="queued", message="", started=time.time(),
                 activity=time.time())
    conf.fair_queue().enqueue(session.public_id, session.owner_id)
    _announce(session.public_id, "queued", "")
    admit()


def kernel_start(*, user: User, notebook: Notebook) -> KernelSession:
    """The person's server kernel for ``notebook``: the running one, or a new one, queued."""
    _require_enabled()
    access_require(user=user, notebook=notebook, action=Action.WRITE)
    existing = (KernelSession.objects.filter(owner_id=user.pk, notebook=notebook)
                .order_by("-created_at").first())
    if existing is not None:
        state = kernel_refresh(existing.public_id)
        if state is not None and state.state not in ENDED_STATES:
            return existing
        session = existing
    else:
        session = KernelSession.objects.create(owner=user, notebook=notebook)
        state = None
    if state is None:  # new, or its live state expired from Redis
        conf.store().create(session.public_id, owner=session.owner_id,
                            notebook=notebook.public_id)
    _queue(session)
    return session


def kernel_restart(session: KernelSession) -> None:
    """A fresh kernel: the running one restarts in place; an ended session is queued again."""
    _require_enabled()
    state = kernel_refresh(session.public_id)
    if state is None or state.state in ENDED_STATES:
        if state is None:
            conf.store().create(session.public_id, owner=session.owner_id,
                                notebook=session.notebook.public_id)
        _queue(session)
    elif state.state == "queued":
        return
    else:
        conf.store().push_control(session.public_id, "restart")


def kernel_shutdown(session: KernelSession) -> None:
    """Stop the session's kernel (or take it out of the queue)."""
    _require_enabled()
    store = conf.store()
    state = kernel_refresh(session.public_id)
    if state is None or state.state in ENDED_STATES:
        return
    if state.state == "queued":
        conf.fair_queue().withdraw(session.public_id, session.owner_id)
        store.update(session.public_id, state="stopped", message="The kernel was shut down.")
        _announce(session.public_id, "stopped", "The kernel was shut down.")
        return
    store.push_control(session.public_id, "shutdown")


def session_ended(session_id: str) -> None:
    """A session gave up its slot (the worker's task ended, or it was found lost)."""
    state = conf.store().get(session_id)
    if state is not None and state.owner is not None:
        conf.fair_queue().release(session_id, state.owner)
    admit()


LOST_NO_WORKER = "No kernel worker took this session. Restart it to try again."
LOST_WORKER_DIED = (
    "The server running this kernel stopped. Its last outputs are kept; restart it to "
    "run the notebook again."
)


def kernel_refresh(session_id: str) -> SessionState | None:
    """The session's state, after marking it lost if its worker stopped beating."""
    store = conf.store()
    state = store.get(session_id)
    if state is None or state.state not in LIVE_STATES:
        return state
    if store.claimed(session_id, state.epoch):
        if store.alive(session_id):
            return state
        message = LOST_WORKER_DIED
    else:
        admitted = float(store.redis.hget(store.key(session_id, "state"), "admitted") or 0)
        if time.time() - admitted < UNCLAIMED_SECONDS:
            return state
        message = LOST_NO_WORKER
    if store.set_state_if(session_id, LIVE_STATES, "lost", message, epoch=state.epoch):
        # The slot first: whoever hears "lost" may restart it at once.
        session_ended(session_id)
        _announce(session_id, "lost", message)
    return store.get(session_id)


def kernel_view(session: KernelSession) -> KernelView:
    state = kernel_refresh(session.public_id)
    store = conf.store()
    position = conf.fair_queue().positions().get(session.public_id)
    return KernelView(
        session_id=session.public_id,
        notebook=session.notebook.public_id,
        state=state.state if state else "stopped",
        message=state.message if state else "",
        position=position if state is not None and state.state == "queued" else None,
        workers=len(store.live_workers()),
        last_seq=store.last_seq(session.public_id),
    )


def kernel_last_outputs(session: KernelSession) -> dict[str, Any]:
    """Each cell's last output or error event, as the kernel sent it."""
    return conf.store().last_outputs(session.public_id)
