"""The reactive kernel: notebook state, and the rules for what runs when.

A :class:`Kernel` receives protocol commands through :meth:`Kernel.handle`
and reports everything through one ``emit`` callback, so any transport
(stdio, Web Worker, websocket, in-process tests) drives it the same way.

Rules it keeps:

* A cell's code enters the dataflow graph when the cell is created or runs
  (an edited cell is ``stale`` until it runs). Running a cell first removes every name it defined,
  then runs it and every descendant in topological order (lazy mode marks
  descendants ``stale`` instead).
* A cell that fails, or cannot run (syntax error, a name defined in two
  cells, a cycle, ``import *``), loses its names, and its descendants do not
  run: they report "an ancestor failed". Unrelated cells go on.
* Disabled cells and their descendants do not run.
* Deleting a cell removes its names and re-runs (or marks stale) the cells
  that read them.
* Any ``BaseException`` from a cell (``KeyboardInterrupt``, ``SystemExit``,
  ...) stops that cell only; an interrupt also cancels the cells queued behind
  it, which are left ``stale``.
* Setting a UI element's value re-runs exactly the cells reading the variable
  that holds it, never the cell that created it. ``ui.stop()`` ends a cell
  quietly: it defines nothing and its descendants wait (``stale``).
* Setting a state (``mo.state``'s setter) runs, once the current run is over,
  the cells reading the variable that holds its getter, except the cell that
  set it (unless the state allows self loops) and readers that already ran
  after the change; then the readers of states those set, until none changes.
"""

from __future__ import annotations

import asyncio
import os
import platform
import time
from collections.abc import Callable
from typing import Any

from kernels.runtime import marimo_hook, modules
from kernels.runtime import protocol as p
from kernels.runtime.analysis import CellAnalysis, CompiledCell, analyze_cell
from kernels.runtime.execution import (
    CellInput,
    StreamWriter,
    base_namespace,
    cell_filename,
    forget_source,
    format_exception,
    register_source,
    set_streams,
)
from kernels.runtime.folder_sync import FolderWatch, WriteRefused
from kernels.runtime.graph import DataflowGraph, GraphError
from kernels.runtime.notebook import CellConfig, CellKind, cell_labels, cell_reference
from kernels.runtime.outputs import mimebundle, summarise
from kernels.runtime.streams import STREAM_LIMIT_BYTES, StreamBatcher
from kernels.ui._core import (
    StopCell,
    UIContext,
    UIElement,
    UIRegistry,
    UIValueError,
    contains_element,
    enter_context,
    exit_context,
    output_items_display,
)

Emit = Callable[[Any], None]


class UIValueBatch:
    """Several ``set_ui_value`` commands merged by a transport's queue (latest value wins).

    Not a protocol message: transports build it from queued ``set_ui_value``
    commands so a burst of changes costs one run. ``history`` keeps every
    value of an element sent more than once, in order, for elements that
    count each message (a button's clicks).
    """

    def __init__(
        self, values: dict[str, Any], history: dict[str, list[Any]] | None = None
    ) -> None:
        self.values = values
        self.history = history or {}

_EMPTY = CellAnalysis(frozenset(), frozenset())
_MISSING = object()


class KernelCommandError(Exception):
    """A command that cannot be applied (unknown cell, duplicate id, ...)."""


class _Cell:
    """The kernel's state for one cell."""

    __slots__ = (
        "analysis", "cell_id", "code", "config", "defined", "kind", "registered",
        "registered_code", "stale", "status",
    )

    def __init__(self, cell_id: str, code: str, kind: CellKind, config: CellConfig) -> None:
        self.cell_id = cell_id
        self.code = code
        self.kind = kind
        self.config = config
        self.analysis: CellAnalysis = _EMPTY  # of ``code``, compiled
        self.registered: CellAnalysis = _EMPTY  # what the graph knows and runs
        self.registered_code: str | None = None
        self.defined: tuple[str, ...] = ()  # names this cell put in the namespace
        self.stale = False
        self.status: p.CellStatusName = "idle"


class Kernel:
    """One notebook's runtime state; drive it with :meth:`handle`."""

    def __init__(
        self, emit: Emit, *, lazy: bool = False,
        stream_limit_bytes: int | None = STREAM_LIMIT_BYTES,
    ) -> None:
        self.emit = emit
        self.lazy = lazy
        # The stream text one cell's run may send (None: no cap; docs/protocol.md).
        self.stream_limit_bytes = stream_limit_bytes
        self.globals: dict[str, Any] = {}
        self.cells: dict[str, _Cell] = {}
        self.order: list[str] = []
        self.graph = DataflowGraph()
        self.closed = False
        self.running = False
        self.extra_globals: dict[str, Any] = {}  # e.g. __file__ in script mode
        self.ui = UIRegistry()
        # Script mode's `--set name=value`: applied when the element is created.
        self.ui_overrides: dict[str, Any] = {}
        self._graph_errors: dict[str, GraphError] | None = {}
        # What people call each cell (notebook.cell_labels), for messages; None: to
        # recompute. _error_labels: the labels the cached graph errors were worded with.
        self._labels: dict[str, str] | None = None
        self._error_labels: dict[str, str] | None = None
        self._known_invalid: set[str] = set()
        self._interrupt_requested = False
        self._cell_task: asyncio.Future[Any] | None = None
        # How a cell's input() reaches the user, set by transports that can wait for
        # an answer while a cell runs: send the request, block until the matching
        # input_reply, return its text (None: end of input), raise KeyboardInterrupt
        # when interrupted. None: input() raises EOFError (docs/protocol.md).
        self.ask_input: Callable[[p.InputRequest], str | None] | None = None
        # Values whose readers must run once the current run is over (states that were
        # set): (value, cell that made it, cell that changed it or None, re-run that one,
        # the number of the last cell run started before the change).
        self._changed: list[tuple[Any, str, str | None, bool, int]] = []
        self._run_number = 0
        self._last_run: dict[str, int] = {}  # cell id -> number of its last run
        self._handlers: dict[type, Callable[[Any], Any]] = {
            p.CreateCell: self._create_cell,
            p.UpdateCell: self._update_cell,
            p.DeleteCell: self._delete_cell,
            p.MoveCell: self._move_cell,
            p.Run: self._run,
            p.RunStale: self._run_stale,
            p.RunAll: self._run_all,
            p.SetUIValue: self._set_ui_value,
            UIValueBatch: self._set_ui_batch,
            p.Interrupt: self._interrupt_command,
            p.SetConfig: self._set_config,
            p.Shutdown: self._shutdown,
            p.InputReply: self._input_reply,
            p.FilesChanged: self._files_changed,
            p.WriteFiles: self._write_files,
        }
        #: With ``watch_files`` on: what each run writes in the working directory.
        self._watch: FolderWatch | None = None
        #: Without: what takes ``write_files`` (a change may span several commands).
        self._writer: FolderWatch | None = None

    # -- entry points --------------------------------------------------------

    def ready_event(self) -> p.KernelReady:
        """The event a transport sends when the kernel starts."""
        from kernels.runtime import __version__

        return p.KernelReady(
            version=__version__,
            python=f"{platform.python_implementation()} {platform.python_version()}",
        )

    async def handle(self, command: Any) -> None:
        """Apply one command; problems with the command itself become ``protocol_error``."""
        handler = self._handlers.get(type(command))
        if handler is None:
            self.emit(p.ProtocolError(f"not a command: {command!r}"))
            return
        try:
            await handler(command)
        except KernelCommandError as exc:
            self.emit(p.ProtocolError(str(exc), getattr(command, "type", None)))

    def interrupt(self) -> None:
        """Ask the running cell to stop (safe to call from another thread).

        A cell awaiting something is cancelled here; a cell busy in Python
        code needs a ``KeyboardInterrupt`` from the transport (a signal in
        CPython, the interrupt buffer in Pyodide).
        """
        if not self.running:
            return
        self._interrupt_requested = True
        task = self._cell_task
        if task is not None and not task.done():
            task.get_loop().call_soon_threadsafe(task.cancel)

    # -- notebook structure ------------------------------------------------

    def _cell(self, cell_id: str) -> _Cell:
        cell = self.cells.get(cell_id)
        if cell is None:
            raise KernelCommandError(f"there is no cell with id {cell_id!r}")
        return cell

    def _set_status(self, cell: _Cell, status: p.CellStatusName) -> None:
        cell.status = status
        self.emit(p.CellStatus(cell.cell_id, status))

    def _analyse(self, cell: _Cell) -> None:
        if cell.kind != "code":
            self._labels = None  # a markdown cell's label is its heading
            return
        old_defs = cell.analysis.defs
        cell.analysis = analyze_cell(cell.code, cell_filename(cell.cell_id))
        if cell.analysis.defs != old_defs:
            self._labels = None
        self.emit(p.CellAnalysisInfo(
            cell.cell_id, sorted(cell.analysis.defs), sorted(cell.analysis.refs)
        ))

    async def _create_cell(self, command: p.CreateCell) -> None:
        if command.cell_id in self.cells:
            raise KernelCommandError(f"a cell with id {command.cell_id!r} already exists")
        cell = _Cell(command.cell_id, command.code, command.kind, command.config)
        self.cells[cell.cell_id] = cell
        self._labels = None
        index = command.index
        if index is None or index >= len(self.order):
            # The graph places a newly registered cell after every other one.
            self.order.append(cell.cell_id)
        else:
            self.order.insert(max(index, 0), cell.cell_id)
            self.graph.set_order(self.order)
        self._analyse(cell)
        if cell.kind == "code":
            # A new cell's code joins the graph at once (loading a notebook
            # creates every cell); later edits wait until the cell runs.
            self._register(cell)
            if cell.config.disabled:
                # As disabling an existing cell does: whatever now reads its names (a cell
                # created disabled may define a name others read, even a builtin's) is
                # disabled below it.
                below = self.graph.topological(self.graph.descendants([cell.cell_id]))
                for cell_id in [cell.cell_id, *below]:
                    self._set_status(self.cells[cell_id], "disabled")
            elif cell.code.strip():
                cell.stale = True
                self._set_status(cell, "stale")

    async def _update_cell(self, command: p.UpdateCell) -> None:
        cell = self._cell(command.cell_id)
        if command.code is not None and command.code != cell.code:
            cell.code = command.code
            self._analyse(cell)
            if cell.kind == "code" and not cell.config.disabled:
                cell.stale = True
                self._set_status(cell, "stale")
        if command.config is not None:
            was_disabled = cell.config.disabled
            cell.config = command.config
            if cell.kind != "code" or was_disabled == cell.config.disabled:
                return
            affected = self.graph.topological(
                self.graph.descendants([cell.cell_id]) if cell.cell_id in self.graph.analyses
                else ()
            )
            if cell.config.disabled:
                for cell_id in [cell.cell_id, *affected]:
                    self._set_status(self.cells[cell_id], "disabled")
                return
            cell.stale = True
            self._set_status(cell, "stale")
            for cell_id in affected:
                other = self.cells[cell_id]
                if other.status == "disabled" and not other.config.disabled:
                    other.stale = True
                    self._set_status(other, "stale")
            if not self.lazy:
                await self._execute([cell.cell_id])

    async def _delete_cell(self, command: p.DeleteCell) -> None:
        cell = self._cell(command.cell_id)
        registered = cell.cell_id in self.graph.analyses
        children = self.graph.children(cell.cell_id) if registered else set()
        removed = self._forget_names(cell)
        del self.cells[cell.cell_id]
        self.order.remove(cell.cell_id)
        self._labels = None
        self.graph.remove_cell(cell.cell_id)
        self.graph.set_order(self.order)
        forget_source(cell.cell_id)
        self._graph_errors = None
        if removed:
            self.emit(p.Variables([], sorted(removed)))
        # The children's inputs are gone: run them (or mark them stale) so
        # what they show matches memory.
        if self.lazy:
            for cell_id in self.graph.topological(children | self.graph.descendants(children)):
                self._mark_stale(self.cells[cell_id])
            children = set()
        await self._execute(children)

    async def _move_cell(self, command: p.MoveCell) -> None:
        self._cell(command.cell_id)
        self.order.remove(command.cell_id)
        self.order.insert(max(0, min(command.index, len(self.order))), command.cell_id)
        self.graph.set_order(self.order)
        self._labels = None

    async def _set_config(self, command: p.SetConfig) -> None:
        if command.lazy is not None:
            self.lazy = command.lazy
        if command.watch_files is not None:
            before = self._watch or self._writer
            self._watch = FolderWatch(os.getcwd()) if command.watch_files else None
            if self._watch is not None:
                self._watch.start()
                if before is not None:
                    self._watch.incoming = before.incoming  # a write_files change under way
            self._writer = None if self._watch is not None else before
        if self._watch is not None and command.watch_event_bytes is not None:
            self._watch.event_max_bytes = command.watch_event_bytes
        if self._watch is not None and command.watch_file_max_bytes is not None:
            self._watch.file_max_bytes = command.watch_file_max_bytes

    async def _set_ui_value(self, command: p.SetUIValue) -> None:
        await self._set_ui_batch(UIValueBatch({command.object_id: command.value}))

    async def _set_ui_batch(self, batch: UIValueBatch) -> None:
        roots: set[str] = set()
        changed: list[UIElement[Any]] = []
        for object_id, value in batch.values.items():
            element = self.ui.get(object_id)
            if element is None:
                self.emit(p.ProtocolError(
                    f"there is no UI element with id {object_id!r} (its cell may have re-run "
                    "or been deleted)", "set_ui_value", object_id,
                ))
                continue
            values = [value]
            if not element._merge_messages:
                values = batch.history.get(object_id, values)
            applied = False
            for each in values:
                try:
                    element._update(each)
                except UIValueError as exc:
                    self.emit(p.ProtocolError(f"{element!r}: {exc}", "set_ui_value", object_id))
                    continue
                except Exception as exc:  # an on_change callback failed
                    self.emit(p.ProtocolError(
                        f"{element!r}: its on_change function raised {type(exc).__name__}: "
                        f"{exc}", "set_ui_value", object_id,
                    ))
                    continue
                applied = True
            if applied:
                changed.append(element)
                roots |= self._readers_of_element(element)
        await self._execute(roots)
        for element in changed:
            element._after_run()

    def _readers_of_element(self, element: UIElement[Any]) -> set[str]:
        """Cells reading a variable that holds ``element`` (never the cell creating it)."""
        top = element
        while top._parent is not None:
            top = top._parent
        return self._readers_of_value(element, top._cell_id)

    def _readers_of_value(self, value: Any, made_by: str | None) -> set[str]:
        """Cells reading a variable that cell ``made_by`` defined and that holds ``value``."""
        cell = self.cells.get(made_by or "")
        if cell is None:
            return set()
        readers: set[str] = set()
        namespace = self.globals
        for name in cell.defined:
            if contains_element(namespace.get(name), value):
                readers |= self.graph.readers.get(name, set())
        readers.discard(cell.cell_id)
        return readers

    def _value_changed(
        self, value: Any, made_by: str, changed_by: str | None, rerun_changer: bool
    ) -> None:
        """A state was set: its readers run once the current run is over (``UIContext``)."""
        self._changed.append((value, made_by, changed_by, rerun_changer, self._run_number))

    def _take_changed_readers(self) -> set[str]:
        """The cells to run for the values that changed, forgetting the changes.

        A reader that already ran after the change (later in the same run) is not
        run again; the cell that made the change is not either, unless it asked to
        (a state with ``allow_self_loops``).
        """
        roots: set[str] = set()
        for value, made_by, changed_by, rerun_changer, when in self._changed:
            for reader in self._readers_of_value(value, made_by):
                if reader == changed_by and not rerun_changer:
                    continue
                if self._last_run.get(reader, -1) > when:
                    continue
                roots.add(reader)
        self._changed.clear()
        return roots

    def _apply_ui_overrides(self, cell: _Cell) -> None:
        for name in cell.defined:
            if name not in self.ui_overrides:
                continue
            element = self.globals[name]
            if not isinstance(element, UIElement):
                raise UIValueError(f"'{name}' is not a UI element, so it cannot be set")
            try:
                element._update(self.ui_overrides.pop(name))
            except UIValueError as exc:
                raise UIValueError(f"cannot set {name!r} to that value: {exc}") from None

    async def _interrupt_command(self, command: p.Interrupt) -> None:
        self.interrupt()

    async def _input_reply(self, command: p.InputReply) -> None:
        # Transports hand replies to the waiting cell; one that gets here was late.
        raise KernelCommandError(
            f"cell {command.cell_id!r} is not waiting for input (it may have ended or been "
            "interrupted), so the reply was dropped"
        )

    def _asker(self, cell_id: str) -> Callable[[str, bool], str | None] | None:
        ask = self.ask_input
        if ask is None:
            return None
        return lambda prompt, password: ask(p.InputRequest(cell_id, prompt, password))

    async def _shutdown(self, command: p.Shutdown) -> None:
        self.closed = True

    # -- running -------------------------------------------------------------

    async def _run(self, command: p.Run) -> None:
        for cell_id in command.cell_ids:
            self._cell(cell_id)
        await self._execute([c for c in command.cell_ids if self.cells[c].kind == "code"])

    async def _run_stale(self, command: p.RunStale) -> None:
        await self._execute([c for c in self.order if self.cells[c].stale])

    async def _run_all(self, command: p.RunAll) -> None:
        await self._execute([c for c in self.order if self.cells[c].kind == "code"])

    async def _write_files(self, command: p.WriteFiles) -> None:
        # A change may come over several commands (``more``): the same watch (or, with
        # no watch, the same writer) takes them all, and announces it after the last.
        if self._watch is None and self._writer is None:
            self._writer = FolderWatch(os.getcwd())
        watch = self._watch or self._writer
        assert watch is not None
        try:
            paths = watch.write(command.files, command.removed, command.parts,
                                more=command.more)
        except WriteRefused as exc:
            if exc.changed:
                await self._files_changed(p.FilesChanged(exc.changed))
            raise KernelCommandError(f"write_files: {exc}") from None
        if paths is not None:
            await self._files_changed(p.FilesChanged(paths))

    async def _files_changed(self, command: p.FilesChanged) -> None:
        # The next import of a changed helper module reads the new file ...
        modules.forget_modules(command.paths)
        names = modules.module_names(command.paths)
        importers = [
            cell_id for cell_id in self.order
            if self.cells[cell_id].kind == "code" and not self.cells[cell_id].config.disabled
            and modules.imports_any(self.cells[cell_id].code, names)
        ]
        if not importers:
            return
        # ... and the cells that import it run again (lazy: are marked stale).
        if self.lazy:
            affected = set(importers) | self.graph.descendants(importers)
            for cell_id in self.order:
                if cell_id in affected:
                    self._mark_stale(self.cells[cell_id])
            return
        await self._execute(importers)

    def _register(self, cell: _Cell) -> None:
        """Put the cell's current code into the graph."""
        if cell.registered_code == cell.code and cell.cell_id in self.graph.analyses:
            return
        analysis = cell.analysis
        cell.registered = analysis
        cell.registered_code = cell.code
        register_source(cell.cell_id, cell.code)
        if self.graph.set_cell(cell.cell_id, analysis) or analysis.error is not None:
            self._graph_errors = None
        elif self._graph_errors is not None:
            self._graph_errors.pop(cell.cell_id, None)  # a fixed syntax error

    def cell_labels(self) -> dict[str, str]:
        """What people call each cell, by id (``notebook.cell_labels``; the page agrees)."""
        if self._labels is None:
            cells = [self.cells[cell_id] for cell_id in self.order]
            labels = cell_labels((c.kind, c.code, sorted(c.analysis.defs)) for c in cells)
            self._labels = dict(zip(self.order, labels, strict=True))
        return self._labels

    def _errors_by_cell(self) -> dict[str, GraphError]:
        labels = self.cell_labels()
        if labels is not self._error_labels and labels != self._error_labels:
            self._graph_errors = None  # their messages name cells by label
        if self._graph_errors is None:
            found: dict[str, GraphError] = {}
            for error in self.graph.errors(labels.__getitem__):
                for cell_id in error.cells:
                    found.setdefault(cell_id, error)
            self._graph_errors = found
        self._error_labels = labels
        return self._graph_errors

    def _forget_names(self, cell: _Cell) -> set[str]:
        """Remove the names a cell defined from memory; return them.

        A name the cell defined when it last ran but another cell defines now (the
        cell was edited and not run since, e.g. while disabled) belongs to that other
        cell: its value stays.
        """
        removed = set()
        namespace = self.globals
        definers = self.graph.definers
        for name in cell.defined:
            owners = definers.get(name)
            if owners and cell.cell_id not in owners:
                continue
            if namespace.pop(name, _MISSING) is not _MISSING:
                removed.add(name)
        cell.defined = ()
        return removed

    def _below_disabled(self, cell_id: str) -> bool:
        """Whether a cell is disabled, or is below a disabled cell, so its names are not current.

        Disabling a cell marks its descendants ``disabled``, but a cell created or edited
        below it since is ``stale``: the walk goes on up through such cells. A cell that
        ran fine (``idle``) had no disabled ancestor then, and disabling one since would
        have marked it, so the walk stops there (a run of a long chain stays linear).
        """
        cell = self.cells[cell_id]
        if cell.status == "idle":
            return False
        seen = {cell_id}
        pending = [cell_id]
        while pending:
            cell = self.cells[pending.pop()]
            if cell.status == "disabled":  # a disabled cell always has this status
                return True
            if cell.status == "idle":
                continue
            for parent in self.graph.parents(cell.cell_id):
                if parent not in seen:
                    seen.add(parent)
                    pending.append(parent)
        return False

    def _mark_stale(self, cell: _Cell) -> None:
        if not cell.stale:
            cell.stale = True
            self._set_status(cell, "stale")

    async def _execute(self, roots: Any) -> None:
        """Run ``roots`` and their descendants (or mark those stale, when lazy).

        Then the readers of states set meanwhile, and theirs, until nothing changes
        (or the user interrupts).
        """
        await self._execute_once(roots)
        while self._changed and not self._interrupt_requested:
            await self._execute_once(self._take_changed_readers())
        self._changed.clear()

    async def _execute_once(self, roots: Any) -> None:
        started = time.perf_counter()
        graph = self.graph
        roots = set(roots)
        for cell_id in roots:
            self._register(self.cells[cell_id])
        # Cells whose validity changed with this edit must run (or stop) too.
        errors = self._errors_by_cell()
        invalid_now = set(errors)
        changed = (invalid_now ^ self._known_invalid) & graph.analyses.keys()
        self._known_invalid = invalid_now
        roots |= changed
        if self.lazy:
            to_run = roots
            for cell_id in graph.topological(graph.descendants(to_run) - to_run):
                self._mark_stale(self.cells[cell_id])
        else:
            to_run = roots | graph.descendants(roots)
            # Descendants run with the code the user sees.
            for cell_id in list(to_run):
                self._register(self.cells[cell_id])
            if self._graph_errors is None:
                errors = self._errors_by_cell()
                self._known_invalid = set(errors)
                to_run |= graph.descendants(to_run)
        plan = graph.topological(to_run)
        if not plan:
            return
        for cell_id in plan:
            self._set_status(self.cells[cell_id], "queued")
        self._interrupt_requested = False
        self.running = True
        ran: list[str] = []
        failed: set[str] = set()
        disabled: set[str] = set()
        stopped: set[str] = set()
        updated: dict[str, str] = {}
        removed: set[str] = set()
        interrupted = False
        try:
            for position, cell_id in enumerate(plan):
                if self._interrupt_requested:
                    interrupted = True
                    for rest in plan[position:]:
                        rest_cell = self.cells[rest]
                        rest_cell.stale = True
                        self._set_status(rest_cell, "stale")
                    break
                cell = self.cells[cell_id]
                outcome = await self._step(cell, errors, failed, disabled, stopped, removed)
                if outcome == "ran":
                    ran.append(cell_id)
                    for name in cell.defined:
                        updated[name] = cell_id
                elif outcome == "interrupted":
                    ran.append(cell_id)
                    failed.add(cell_id)
                    interrupted = self._interrupt_requested = True
                elif outcome == "failed":
                    ran.append(cell_id)
                    failed.add(cell_id)
                elif outcome == "blocked":
                    failed.add(cell_id)
                elif outcome == "stopped":
                    ran.append(cell_id)
                    stopped.add(cell_id)
                elif outcome == "waiting":
                    stopped.add(cell_id)
        finally:
            self.running = False
            self._cell_task = None
        removed -= updated.keys()
        if updated or removed:
            infos = []
            for name, cell_id in updated.items():
                type_name, summary = summarise(self.globals[name])
                infos.append(p.VariableInfo(name, type_name, summary, cell_id))
            self.emit(p.Variables(infos, sorted(removed)))
        if self._watch is not None:
            for written in self._watch.changes():
                self.emit(written)
        self.emit(p.RunCompleted(
            ran=ran,
            failed=[c for c in plan if c in failed],
            interrupted=interrupted,
            duration_ms=(time.perf_counter() - started) * 1000,
        ))

    async def _step(
        self, cell: _Cell, errors: dict[str, GraphError], failed: set[str],
        disabled: set[str], stopped: set[str], removed: set[str],
    ) -> str:
        """Decide what happens to one planned cell, and do it."""
        cell_id = cell.cell_id
        error = errors.get(cell_id)
        if error is not None:
            removed |= self._forget_names(cell)
            others = [c for c in error.cells if c != cell_id]
            # A syntax error or `import *` is the cell's own: its message needs no cell name.
            own = cell.registered.error
            own = own if own is not None and own.kind == error.kind else None
            self.emit(p.CellError(
                cell_id, error.kind, own.message if own else error.message,
                line=own.line if own else None,
                column=own.column if own else None,
                cells=others,
            ))
            cell.stale = False
            self._set_status(cell, "errored")
            return "blocked"
        parents = self.graph.parents(cell_id)
        # Issue 16: a parent outside this run may be stale below a disabled cell (created or
        # edited there since): _below_disabled looks up through such parents too.
        if cell.config.disabled or any(q in disabled or self._below_disabled(q) for q in parents):
            disabled.add(cell_id)
            self._set_status(cell, "disabled")
            return "disabled"
        bad = sorted(
            (q for q in parents if q in failed or self.cells[q].status == "errored"),
            key=self.graph.position.__getitem__,
        )
        if bad:
            removed |= self._forget_names(cell)
            labels = self.cell_labels()
            self.emit(p.CellError(
                cell_id, "ancestor-failed",
                f"an ancestor failed: {cell_reference([labels[b] for b in bad])} did not run "
                "successfully, so this cell was not run; fix "
                f"{'that cell' if len(bad) == 1 else 'those cells'} first",
                cells=bad,
            ))
            cell.stale = False
            self._set_status(cell, "errored")
            return "blocked"
        if any(q in stopped for q in parents):
            # A parent stopped itself (ui.stop): wait for it, quietly.
            removed |= self._forget_names(cell)
            self.emit(p.Output(cell_id, {}))
            cell.stale = True
            self._set_status(cell, "stale")
            return "waiting"
        removed |= self._forget_names(cell)
        return await self._run_cell(cell)

    async def _run_cell(self, cell: _Cell) -> str:
        cell_id = cell.cell_id
        compiled = cell.registered.compiled
        assert compiled is not None
        self._set_status(cell, "running")
        cell.stale = False
        namespace = base_namespace()
        if self.extra_globals:
            namespace.update(self.extra_globals)
        source = self.globals
        for name in cell.registered.refs:
            value = source.get(name, _MISSING)
            if value is not _MISSING:
                namespace[name] = value
        emit = self.emit

        def write(name: p.StreamName, text: str) -> None:
            emit(p.Stream(cell_id, name, text))

        def truncated(
            name: p.StreamName, dropped_bytes: int, dropped_lines: int, limit: int
        ) -> None:
            emit(p.StreamTruncated(cell_id, name, dropped_bytes, dropped_lines, limit))

        streams = StreamBatcher(write, truncated, limit_bytes=self.stream_limit_bytes)
        stdout, stderr = StreamWriter("stdout", streams), StreamWriter("stderr", streams)
        previous = set_streams(stdout, stderr, CellInput(stdout, self._asker(cell_id)))
        # `import marimo` in the cell gets the compatibility layer (kernels.marimo_compat).
        real_marimo = marimo_hook.serve(cell.code)
        self.ui.forget_cell(cell_id)

        def send_output(data: dict[str, Any]) -> None:
            stdout.send_now()
            emit(p.Output(cell_id, data))

        self._run_number += 1
        self._last_run[cell_id] = self._run_number
        context = UIContext(cell_id, self.ui, send_output, self._value_changed)
        context.defs, context.refs = cell.registered.defs, cell.registered.refs
        ui_token = enter_context(context)
        value = None
        ended_by: BaseException | None = None
        try:
            if compiled.is_async:
                value = await self._run_async(compiled, namespace)
            else:
                exec(compiled.body, namespace)
                if compiled.last is not None:
                    value = eval(compiled.last, namespace)
        except BaseException as exc:  # handled below, once what the cell printed is sent
            ended_by = exc
        finally:
            exit_context(ui_token)
            set_streams(*previous)
            marimo_hook.restore(real_marimo)
            stdout.flush()
            stderr.flush()
            streams.close()
        if ended_by is not None:
            return self._ended_early(cell, ended_by)
        defined = []
        for name in cell.registered.defs:
            if name in namespace:
                source[name] = namespace[name]
                defined.append(name)
        cell.defined = tuple(defined)
        if self.ui_overrides:
            try:
                self._apply_ui_overrides(cell)
            except UIValueError as exc:
                return self._fail(cell, "exception", f"UIValueError: {exc}", "", "failed")
        try:
            # What the cell put in its output area stays, unless it ends with a value.
            shown = value if value is not None or context.output_items is None else (
                output_items_display(context.output_items)
            )
            data = mimebundle(shown)
        except BaseException as exc:
            data = {"text/plain": f"(the output could not be displayed: {exc!r})"}
        emit(p.Output(cell_id, data))
        self._set_status(cell, "idle")
        return "ran"

    def _ended_early(self, cell: _Cell, exc: BaseException) -> str:
        """A cell's code raised: it stopped itself (``ui.stop``), was interrupted, or failed."""
        if isinstance(exc, StopCell):
            self.emit(p.Output(cell.cell_id, mimebundle(exc.output)))
            self._set_status(cell, "idle")
            return "stopped"
        if isinstance(exc, KeyboardInterrupt) or (
            isinstance(exc, asyncio.CancelledError) and self._interrupt_requested
        ):
            return self._fail(cell, "interrupted", "interrupted by the user", "", "interrupted")
        if isinstance(exc, SystemExit):
            message = (f"the cell called sys.exit({exc.code!r}); the kernel keeps running"
                       if exc.code is not None else "the cell called sys.exit(); "
                       "the kernel keeps running")
            return self._fail(cell, "exit", message, "", "failed")
        return self._fail_exception(cell, exc)

    async def _run_async(self, compiled: CompiledCell, namespace: dict[str, Any]) -> Any:
        async def body() -> Any:
            result = eval(compiled.body, namespace)
            if asyncio.iscoroutine(result):
                await result
            if compiled.last is None:
                return None
            value = eval(compiled.last, namespace)
            if asyncio.iscoroutine(value):
                value = await value
            return value

        try:
            in_task = asyncio.current_task() is not None
        except RuntimeError:  # no event loop at all
            in_task = False
        if not in_task:  # driven step by step (tests, simple embedders): nothing to cancel
            return await body()
        task = asyncio.ensure_future(body())
        self._cell_task = task
        try:
            return await task
        finally:
            self._cell_task = None

    def _fail_exception(self, cell: _Cell, exc: BaseException) -> str:
        text = format_exception(exc)
        line = None
        tb = exc.__traceback__
        filename = cell_filename(cell.cell_id)
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return self._fail(cell, "exception", message, text, "failed", line)

    def _fail(
        self, cell: _Cell, kind: p.CellErrorKind, message: str, traceback_text: str, outcome: str,
        line: int | None = None,
    ) -> str:
        cell.defined = ()
        self.emit(p.CellError(cell.cell_id, kind, message, traceback_text, line))
        self._set_status(cell, "errored")
        return outcome
