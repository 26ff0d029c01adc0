"""API endpoints of server kernels (mounted at /api/ by playground.api).

``POST /api/notebooks/{id}/kernel`` starts (or finds) the caller's kernel for a
notebook they may edit; ``GET /api/kernels/{session}`` is its state, with the
queue position while it waits; ``.../restart`` and ``.../shutdown`` do what they
say; ``.../outputs`` is each cell's last output, shown at once when a page opens
a session that ended (culled, lost). A session is its starter's alone: anyone
else gets 404, as for one that does not exist.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema

import notebooks.converters  # noqa: F401  (registers {urlsafe:...})
from accounts.auth import SIGNED_IN, SignedInRequest
from notebooks.api import errors
from notebooks.models import Notebook
from serverkernels import services
from serverkernels.models import KernelSession
from sharing.access import Action, NotebookNotFound, access_require
from sharing.api_access import notebook_route

router = Router(tags=["kernels"], auth=SIGNED_IN)


class KernelOut(Schema):
    session: str = Field(description="The session's id: its websocket is /ws/kernels/{session}/.")
    notebook: str
    state: str = Field(
        description="queued, starting, idle, running (a cell is running), lost (its worker "
        "stopped), culled (shut down when idle), stopped, dead (a limit stopped it: see message)."
    )
    message: str = Field(description="Why it ended, for people; empty while it runs.")
    position: int | None = Field(description="Place in the queue while queued (1 = next).")
    workers: int = Field(description="Kernel workers alive now (0: nothing can start).")
    last_seq: int = Field(description="Number of the last frame the session sent.")

    @staticmethod
    def of(view: services.KernelView) -> KernelOut:
        return KernelOut(
            session=view.session_id, notebook=view.notebook, state=view.state,
            message=view.message, position=view.position, workers=view.workers,
            last_seq=view.last_seq,
        )


class OutputsOut(Schema):
    outputs: dict[str, Any] = Field(
        description="cell id -> the last `output` or `cell_error` event the kernel sent for it."
    )


def _session(request: SignedInRequest, session_id: str) -> KernelSession:
    session = (KernelSession.objects.select_related("notebook")
               .filter(public_id=session_id, owner_id=request.user.pk).first())
    if session is None:
        raise NotebookNotFound()
    access_require(user=request.user, notebook=session.notebook, action=Action.WRITE)
    return session


@router.post("/notebooks/{urlsafe:public_id}/kernel", response={200: KernelOut, **errors(429)})
@notebook_route(Action.WRITE)
def kernel_start(request: SignedInRequest, notebook: Notebook) -> KernelOut:
    with services.kernels_reachable():
        session = services.kernel_start(user=request.user, notebook=notebook)
        return KernelOut.of(services.kernel_view(session))


@router.get("/kernels/{urlsafe:session_id}", response={200: KernelOut, **errors()})
def kernel_get(request: SignedInRequest, session_id: str) -> KernelOut:
    session = _session(request, session_id)
    with services.kernels_reachable():
        return KernelOut.of(services.kernel_view(session))


@router.post("/kernels/{urlsafe:session_id}/restart", response={200: KernelOut, **errors()})
def kernel_restart(request: SignedInRequest, session_id: str) -> KernelOut:
    session = _session(request, session_id)
    with services.kernels_reachable():
        services.kernel_restart(session)
        return KernelOut.of(services.kernel_view(session))


@router.post("/kernels/{urlsafe:session_id}/shutdown", response={200: KernelOut, **errors()})
def kernel_shutdown(request: SignedInRequest, session_id: str) -> KernelOut:
    session = _session(request, session_id)
    with services.kernels_reachable():
        services.kernel_shutdown(session)
        return KernelOut.of(services.kernel_view(session))


@router.get("/kernels/{urlsafe:session_id}/outputs", response={200: OutputsOut, **errors()})
def kernel_outputs(request: SignedInRequest, session_id: str) -> OutputsOut:
    session = _session(request, session_id)
    with services.kernels_reachable():
        return OutputsOut(outputs=services.kernel_last_outputs(session))
