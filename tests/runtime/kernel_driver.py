"""A synchronous driver for the kernel in tests, usable under CPython and Pyodide.

Pyodide's event loop cannot block, so commands are driven by stepping their
coroutines directly; cells in these tests therefore await only things that
complete without a real event loop (timers are tested in tests/cli).
"""

from __future__ import annotations

from typing import Any

from kernels.runtime import protocol as p
from kernels.runtime.kernel import Kernel


def drive(coroutine: Any) -> Any:
    """Run a coroutine that never suspends on a real event loop."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    raise AssertionError("the command waited on the event loop")


class Driver:
    """Sends commands to an in-process kernel and keeps every event."""

    def __init__(self, *, lazy: bool = False) -> None:
        self.events: list[Any] = []
        self.kernel = Kernel(self.events.append, lazy=lazy)

    def send(self, command: Any) -> list[Any]:
        start = len(self.events)
        drive(self.kernel.handle(command))
        return self.events[start:]

    def create(self, cell_id: str, code: str, **kwargs: Any) -> list[Any]:
        return self.send(p.CreateCell(cell_id, code, **kwargs))

    def cells(self, *pairs: tuple[str, str]) -> None:
        for cell_id, code in pairs:
            self.create(cell_id, code)

    def update(self, cell_id: str, code: str | None = None, **kwargs: Any) -> list[Any]:
        return self.send(p.UpdateCell(cell_id, code, **kwargs))

    def run(self, *cell_ids: str) -> list[Any]:
        return self.send(p.Run(list(cell_ids)))

    def run_all(self) -> list[Any]:
        return self.send(p.RunAll())

    def delete(self, cell_id: str) -> list[Any]:
        return self.send(p.DeleteCell(cell_id))

    @property
    def ns(self) -> dict[str, Any]:
        return self.kernel.globals

    def status(self, cell_id: str) -> str:
        return self.kernel.cells[cell_id].status


def ran(events: list[Any]) -> list[str]:
    """Cells that started running, in order."""
    return [e.cell_id for e in events if isinstance(e, p.CellStatus) and e.status == "running"]


def outputs(events: list[Any]) -> dict[str, dict[str, Any]]:
    return {e.cell_id: e.data for e in events if isinstance(e, p.Output)}


def errors(events: list[Any]) -> dict[str, Any]:
    return {e.cell_id: e for e in events if isinstance(e, p.CellError)}


def stdout(events: list[Any], cell_id: str) -> str:
    return "".join(
        e.text for e in events
        if isinstance(e, p.Stream) and e.cell_id == cell_id and e.name == "stdout"
    )


def text(events: list[Any], cell_id: str) -> str | None:
    data = outputs(events).get(cell_id)
    return None if data is None else data.get("text/plain")
