"""Running a whole notebook as a script: ``playground run`` and ``python notebook.py``.

Cells run once, in topological order, through the same kernel the editor
uses. Their stdout/stderr go straight to the terminal, each cell's output is
printed as text, and the exit status says whether every cell succeeded.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from kernels.runtime import protocol as p
from kernels.runtime.kernel import Kernel
from kernels.runtime.notebook import Notebook
from kernels.runtime.streams import STREAM_LIMIT_BYTES


@dataclass
class NotebookRun:
    """What happened in a run: outputs, streams and errors per cell id."""

    cell_ids: list[str]
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    streams: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # What the kernel did not send of a cell's streams (its stream_truncated events).
    truncated: dict[str, dict[str, p.StreamTruncated]] = field(default_factory=dict)
    errors: dict[str, p.CellError] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    unused_ui_values: list[str] = field(default_factory=list)  # --set names never created

    @property
    def failed(self) -> list[str]:
        """Cells that did not run successfully, in notebook order."""
        return [c for c in self.cell_ids if c in self.errors]


def _text_of(data: dict[str, Any]) -> str | None:
    for mime in ("text/plain", "text/markdown"):
        if mime in data:
            return str(data[mime])
    return f"<{', '.join(sorted(data))} output>" if data else None


def run_notebook(
    notebook: Notebook,
    *,
    path: str | None = None,
    on_event: Callable[[Any], None] | None = None,
    ui_values: dict[str, Any] | None = None,
    stream_limit_bytes: int | None = STREAM_LIMIT_BYTES,
) -> NotebookRun:
    """Run every cell of ``notebook`` once and collect what it produced.

    ``ui_values`` sets UI elements by the name of the variable holding them,
    as soon as the cell creating them has run (``--set name=value``).
    ``stream_limit_bytes`` caps what each cell's run keeps of its stdout and
    stderr, as in the browser (None: everything, for a terminal).
    """
    cell_ids = [notebook.cell_label(i) for i in range(len(notebook.cells))]
    result = NotebookRun(cell_ids)

    def sink(event: Any) -> None:
        if isinstance(event, p.Output):
            result.outputs[event.cell_id] = event.data
        elif isinstance(event, p.Stream):
            result.streams.setdefault(event.cell_id, []).append((event.name, event.text))
        elif isinstance(event, p.StreamTruncated):
            result.truncated.setdefault(event.cell_id, {})[event.name] = event
        elif isinstance(event, p.CellError):
            result.errors[event.cell_id] = event
        elif isinstance(event, p.CellStatus):
            result.statuses[event.cell_id] = event.status
            if event.status == "running":
                result.errors.pop(event.cell_id, None)
                result.streams.pop(event.cell_id, None)
                result.truncated.pop(event.cell_id, None)
        if on_event is not None:
            on_event(event)

    kernel = Kernel(sink, stream_limit_bytes=stream_limit_bytes)
    kernel.ui_overrides = dict(ui_values or {})
    if path is not None:
        kernel.extra_globals["__file__"] = os.path.abspath(path)

    async def go() -> None:
        for cell_id, cell in zip(cell_ids, notebook.cells, strict=True):
            await kernel.handle(p.CreateCell(cell_id, cell.code, cell.kind, cell.config))
        await kernel.handle(p.RunAll())

    asyncio.run(go())
    result.unused_ui_values = sorted(kernel.ui_overrides)
    return result


def run_in_terminal(
    notebook: Notebook, *, path: str | None = None, out: TextIO | None = None,
    err: TextIO | None = None, ui_values: dict[str, Any] | None = None,
) -> int:
    """Run ``notebook`` printing as it goes; return 0 if every cell succeeded, else 1."""
    out = out or sys.stdout
    err = err or sys.stderr

    # A cell may replace its output while it runs (a progress bar); the
    # terminal shows only the one it ends with.
    latest: dict[str, dict[str, Any]] = {}

    def show(event: Any) -> None:
        if isinstance(event, p.Stream):
            (out if event.name == "stdout" else err).write(event.text)
            (out if event.name == "stdout" else err).flush()
        elif isinstance(event, p.Output):
            latest[event.cell_id] = event.data
        elif isinstance(event, p.CellStatus) and event.status in ("idle", "errored"):
            text = _text_of(latest.pop(event.cell_id, {}))
            if text is not None:
                out.write(text + "\n")
                out.flush()
        elif isinstance(event, p.CellError) and event.kind != "ancestor-failed":
            err.write(f"error in cell {event.cell_id!r}: {event.message}\n")
            if event.traceback:
                err.write(event.traceback)
            err.flush()

    # A terminal takes everything a cell prints, as `python notebook.py` would.
    result = run_notebook(notebook, path=path, on_event=show, ui_values=ui_values,
                          stream_limit_bytes=None)
    failed = result.failed
    status = 0
    if result.unused_ui_values:
        names = ", ".join(repr(n) for n in result.unused_ui_values)
        err.write(f"--set: no UI element is assigned to {names} in this notebook\n")
        status = 1
    if failed:
        names = ", ".join(repr(c) for c in failed)
        err.write(f"{len(failed)} cell(s) did not run successfully: {names}\n")
        status = 1
    return status


def main(path: str) -> int:
    """Entry point used by a notebook file's ``__main__`` guard."""
    from kernels.runtime.formats import NotebookFormatError, load_notebook

    try:
        notebook = load_notebook(path)
    except NotebookFormatError as exc:
        sys.stderr.write(f"playground: {exc}\n")
        return 2
    return run_in_terminal(notebook, path=path)
