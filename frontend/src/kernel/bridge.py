"""The worker's Python side: the kernel behind postMessage, plus notebook files and imports.

Run once in the worker after the runtime is importable (worker.ts). The
protocol is the runtime's (kernels.runtime.protocol); this module only moves
JSON text between it and JavaScript, and answers the worker-control requests
(src/kernel/messages.ts) that need Python: parse/serialize notebook files and
find the imports a cell needs before it runs.

Blocking in a cell (``time.sleep``, ``input()``) needs no stack switching:
the worker blocks on memory shared with the page (``waits``, sync_buffer.ts),
and the page's interrupt ends the wait.
"""

import ast
import asyncio
import importlib
import importlib.util
import json
import math
import operator
import os
import random
import site
import sys
import time
import weakref
import zipfile

from kernels.runtime import protocol
from kernels.runtime.formats import (
    NotebookFormatError,
    dumps_notebook,
    loads_notebook,
    with_cell_names,
)
from kernels.runtime.kernel import Kernel
from kernels.runtime.marimo_hook import SERVED_MODULES
from kernels.runtime.notebook import Cell, CellConfig, Notebook


class _Call:
    """A JavaScript async function queued between commands (package installs, requests)."""

    def __init__(self, function):
        self.function = function


class Bridge:
    """One kernel and its command queue.

    ``post`` is a JavaScript function taking an event's JSON text; ``before``
    (optional) is called before each command is applied (the worker clears
    its interrupt buffer there); ``on_busy`` (optional) gets ``True`` when the
    queue starts working and ``False`` when it is empty again. ``waits``
    (worker.ts ``blockingWaits``; None without shared memory) blocks this
    worker for ``time.sleep`` and ``input()``.

    Commands go through :class:`~kernels.runtime.commands.CommandQueue`, the
    same queue as the stdio transport, drained by one consumer task: a burst
    of ``set_ui_value`` commands that piles up while a cell runs is merged
    into one batch, so a dragged slider does not replay a backlog of stale
    values. Interrupts do not queue (``interrupt``).
    """

    def __init__(self, post, before=None, on_busy=None, waits=None):
        self._post = post
        self._before = before
        self._on_busy = on_busy
        waits = waits or None  # JavaScript's null arrives as a false JsNull
        self._waits = waits
        self.kernel = Kernel(self._emit)
        self.kernel.ask_input = _cannot_wait_for_input if waits is None else self._ask_input
        time.sleep = _blocking_sleep(waits)
        # Imported here: after a snapshot restore the runtime's files are
        # unpacked only after this module runs (worker.ts).
        from kernels.runtime.commands import CommandQueue

        self.queue = CommandQueue()
        self._consumer = None
        self._busy = False

    def _emit(self, event):
        self._post(json.dumps(protocol.to_json(event), ensure_ascii=False, default=repr))

    def ready_json(self):
        return json.dumps(protocol.to_json(self.kernel.ready_event()))

    def put_json(self, text):
        """Queue one command given as JSON text; bad commands become protocol_error events."""
        try:
            command = protocol.command_from_json(json.loads(text))
        except (ValueError, protocol.ProtocolViolation) as exc:
            self._emit(protocol.ProtocolError(str(exc)))
            return
        if isinstance(command, protocol.Interrupt):
            self.interrupt()
            return
        self._put(command)

    def put_call(self, function):
        """Queue a JavaScript async function, awaited in turn with the commands."""
        self._put(_Call(function))

    def _put(self, item):
        self.queue.put(item)
        self._set_busy(True)
        if self._consumer is None or self._consumer.done():
            self._consumer = asyncio.ensure_future(self._consume())

    def _set_busy(self, busy):
        if busy != self._busy:
            self._busy = busy
            if self._on_busy is not None:
                self._on_busy(busy)

    async def _consume(self):
        while True:
            item = await self.queue.get()
            if item is None:
                return
            try:
                if isinstance(item, _Call):
                    result = item.function()
                    if hasattr(result, "__await__"):
                        await result
                else:
                    if self._before is not None:
                        self._before()
                    await self.kernel.handle(item)
            except KeyboardInterrupt:
                # The interrupt landed between cells (after the cell it was meant
                # for ended); the run is over either way.
                pass
            except Exception as exc:  # a bug: report it, keep serving
                self._emit(protocol.ProtocolError(f"the kernel failed: {exc!r}"))
            if len(self.queue) == 0:
                self._set_busy(False)

    async def handle_json(self, text):
        """Apply one command now, bypassing the queue (tests and tools)."""
        try:
            command = protocol.command_from_json(json.loads(text))
        except (ValueError, protocol.ProtocolViolation) as exc:
            self._emit(protocol.ProtocolError(str(exc)))
            return
        try:
            await self.kernel.handle(command)
        except KeyboardInterrupt:
            pass

    def interrupt(self):
        self.kernel.interrupt()

    def _ask_input(self, request):
        """The kernel's ``ask_input``: announce the request, then block until the page answers."""
        self._waits.expectReply()
        self._emit(request)
        answer = self._waits.readReply()
        if answer == "i":
            raise KeyboardInterrupt
        return None if answer == "e" else answer[1:]


# ------------------------------------------------------ time.sleep, input()

NOT_ISOLATED = (
    "this page is embedded in a page that is not cross-origin isolated, so Python "
    "cannot pause here"
)


def _cannot_wait_for_input(request):
    raise EOFError(
        f"input() cannot wait for an answer: {NOT_ISOLATED}. Open the notebook on its own "
        "page, or use a UI element instead (ui.text)"
    )


def _sleep_seconds(seconds):
    """``seconds`` checked as ``time.sleep`` checks it."""
    value = seconds if isinstance(seconds, float) else operator.index(seconds)
    if math.isnan(value):
        raise ValueError("Invalid value NaN (not a number)")
    if value < 0:
        raise ValueError("sleep length must be non-negative")
    return value


def _send_cell_output():
    """What the running cell printed goes out before it blocks (the kernel batches writes)."""
    for stream in (sys.stdout, sys.stderr):
        send_now = getattr(stream, "send_now", None)  # a cell's StreamWriter
        if send_now is not None:
            send_now()


def _blocking_sleep(waits):
    """``time.sleep`` for the worker, replacing Pyodide's (which needs stack switching).

    With shared memory it blocks the worker (``Atomics.wait``) and an interrupt
    ends it with ``KeyboardInterrupt``. Without, nothing can pause without
    spinning the CPU: it returns at once and says so on the cell's stderr, once
    per cell run.
    """
    if waits is not None:
        def sleep(seconds):
            deadline = time.monotonic() + _sleep_seconds(seconds)
            _send_cell_output()
            while (left := deadline - time.monotonic()) > 0:
                if waits.sleep(left * 1000):
                    raise KeyboardInterrupt
    else:
        told = weakref.WeakSet()  # the stderr streams (cell runs) already told

        def sleep(seconds):
            stream = sys.stderr
            if _sleep_seconds(seconds) == 0 or stream in told:
                return
            print(f"time.sleep() returned at once: {NOT_ISOLATED}. "
                  "Use `await asyncio.sleep(...)` instead.", file=stream)
            try:
                told.add(stream)
            except TypeError:  # not a cell's stream
                pass

    sleep.__doc__ = time.sleep.__doc__
    return sleep


def parse_notebook(text):
    """Our .py or a marimo .py -> JSON {"ok", "cells", "header"} (or {"ok": false, "error"})."""
    try:
        nb = with_cell_names(loads_notebook(text, "py", source="the shared notebook"))
    except (NotebookFormatError, SyntaxError, ValueError) as exc:
        return json.dumps({"ok": False, "error": str(exc)})
    cells = [
        {
            "name": cell.name,
            "code": cell.code,
            "kind": cell.kind,
            "config": {"disabled": cell.config.disabled, "hide_code": cell.config.hide_code},
        }
        for cell in nb.cells
    ]
    return json.dumps({"ok": True, "cells": cells, "header": nb.header})


def serialize_notebook(text):
    """JSON {"cells", "header"} -> JSON {"ok", "source"} in our .py format, or in marimo's
    when the JSON also has "format": "marimo" (share links: src/share/link.ts)."""
    data = json.loads(text)
    fmt = "marimo" if data.get("format") == "marimo" else "py"
    cells = [
        Cell(
            code=cell["code"],
            kind=cell["kind"],
            name=cell["name"],
            config=CellConfig(**cell["config"]),
        )
        for cell in data["cells"]
    ]
    try:
        try:
            source = dumps_notebook(Notebook(cells=cells, header=data.get("header")), fmt)
        except NotebookFormatError:
            # A header we cannot write back (e.g. from an imported file): use ours.
            source = dumps_notebook(Notebook(cells=cells, header=None), fmt)
    except NotebookFormatError as exc:
        return json.dumps({"ok": False, "error": str(exc)})
    return json.dumps({"ok": True, "source": source})


# ------------------------------------------------------------------ imports

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
_imports_cache = {}


def _guarded(handler_types):
    """Whether an ``except`` clause catches a failed import (then the import is optional)."""
    for node in handler_types:
        if node is None:  # bare except
            return True
        names = node.elts if isinstance(node, ast.Tuple) else [node]
        for name in names:
            if isinstance(name, ast.Name) and name.id in _IMPORT_ERRORS:
                return True
    return False


def _top_level_imports(code):
    """Top-level modules a cell imports, skipping relative ones and those guarded by try/except."""
    found = _imports_cache.get(code)
    if found is not None:
        return found
    try:
        tree = ast.parse(code)
    except SyntaxError:
        tree = None
    names = []

    def visit(node, optional):
        if isinstance(node, ast.Try | getattr(ast, "TryStar", ast.Try)):
            guarded = _guarded([h.type for h in node.handlers])
            for child in node.body:
                visit(child, optional or guarded)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, optional)
            return
        if not optional:
            if isinstance(node, ast.Import):
                names.extend(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.append(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child, optional)

    if tree is not None:
        visit(tree, False)
    found = list(dict.fromkeys(n for n in names if n and n != "__future__"))
    if len(_imports_cache) > 2000:
        _imports_cache.clear()
    _imports_cache[code] = found
    return found


def _importable(name):
    # `import marimo` is served by the kernel itself (kernels.runtime.marimo_hook).
    if name in sys.modules or name in SERVED_MODULES:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def unresolved_imports(text):
    """JSON [{"cell_id", "code"}] -> JSON {cell_id: [module names not importable now]}.

    Standard-library names count as importable unless they are missing (Pyodide
    unbundles a few, such as sqlite3, into packages of its own).
    """
    importlib.invalidate_caches()
    result = {}
    for cell in json.loads(text):
        missing = [name for name in _top_level_imports(cell["code"]) if not _importable(name)]
        if missing:
            result[cell["cell_id"]] = missing
    return json.dumps(result)


def stdlib_module(name):
    return name in sys.stdlib_module_names


# ------------------------------------------------------------ after restore

def install_wheel_file(path):
    """Unpack a wheel into site-packages (files a memory snapshot does not keep)."""
    with zipfile.ZipFile(path) as wheel:
        wheel.extractall(site.getsitepackages()[0])
    importlib.invalidate_caches()


def after_restore(env_json):
    """Make a restored snapshot look like a fresh interpreter of this page."""
    # Every restore would otherwise draw the same "random" numbers.
    random.seed()
    # The snapshot was made in Node with an explicit env; drop what Node added.
    os.environ.pop("_", None)
    os.environ.update(json.loads(env_json))


# ----------------------------------------------------------------- micropip

def patch_micropip():
    """Resolve relative file URLs of PEP 691 JSON indexes against the index URL.

    PEP 691 allows relative URLs (our /wheels/ proxy answers
    "/wheels/files/<name>"); micropip 0.11.1 joins them for HTML indexes only
    and then refuses "a non-remote location". Harmless once micropip does it.
    """
    from micropip import package_index

    original = package_index._select_parser
    json_type = "application/vnd.pypi.simple.v1+json"

    def select_parser(content_type, pkgname, index_base_url):
        if content_type.split(";")[0].strip() != json_type:
            return original(content_type, pkgname, index_base_url)

        def parse(data):
            project = json.loads(data) if isinstance(data, str | bytes) else data
            name, releases = package_index.ProjectInfo._parse_pep691_response(
                project, index_base_url=index_base_url
            )
            return package_index.ProjectInfo._compatible_only(name, releases)

        return parse

    package_index._select_parser = select_parser
