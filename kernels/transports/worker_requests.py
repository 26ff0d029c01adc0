"""Worker requests that need Python but no kernel: notebook files and a cell's imports.

The page asks its worker (src/kernel/messages.ts) to parse and write notebook
files (also the "formats" worker, which never runs notebook code) and, before a
run, which modules the cells import that are not importable yet, so that they
can be installed first. Each function takes and returns JSON text.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import sys
from typing import Literal

from kernels.runtime.formats import (
    NotebookFormatError,
    dumps_notebook,
    loads_notebook,
    with_cell_names,
)
from kernels.runtime.marimo_hook import SERVED_MODULES
from kernels.runtime.notebook import Cell, CellConfig, Notebook


def parse_notebook(text: str) -> str:
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


def serialize_notebook(text: str) -> str:
    """JSON {"cells", "header"} -> JSON {"ok", "source"} in our .py format, or in marimo's
    when the JSON also has "format": "marimo" (share links: src/share/link.ts)."""
    data = json.loads(text)
    fmt: Literal["marimo", "py"] = "marimo" if data.get("format") == "marimo" else "py"
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
_imports_cache: dict[str, list[str]] = {}


def _guarded(handler_types: list[ast.expr | None]) -> bool:
    """Whether an ``except`` clause catches a failed import (then the import is optional)."""
    for node in handler_types:
        if node is None:  # bare except
            return True
        names = node.elts if isinstance(node, ast.Tuple) else [node]
        for name in names:
            if isinstance(name, ast.Name) and name.id in _IMPORT_ERRORS:
                return True
    return False


def _top_level_imports(code: str) -> list[str]:
    """Top-level modules a cell imports, skipping relative ones and those guarded by try/except."""
    found = _imports_cache.get(code)
    if found is not None:
        return found
    try:
        tree = ast.parse(code)
    except SyntaxError:
        tree = None
    names: list[str] = []

    def visit(node: ast.AST, optional: bool) -> None:
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


def top_level_imports(code: str) -> list[str]:
    """Top-level modules a cell imports, as the installer sees them (a copy of the cached list).

    Also used by a server kernel's worker (serverkernels/extras.py), which installs
    for a kernel in another interpreter and so judges "importable" itself.
    """
    return list(_top_level_imports(code))


def _importable(name: str) -> bool:
    # `import marimo` is served by the kernel itself (kernels.runtime.marimo_hook).
    if name in sys.modules or name in SERVED_MODULES:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def unresolved_imports(text: str) -> str:
    """JSON [{"cell_id", "code"}] -> JSON {cell_id: [module names not importable now]}.

    Standard-library names count as importable unless they are missing (Pyodide
    unbundles a few, such as sqlite3, into packages of its own).
    """
    importlib.invalidate_caches()
    result: dict[str, list[str]] = {}
    for cell in json.loads(text):
        missing = [name for name in _top_level_imports(cell["code"]) if not _importable(name)]
        if missing:
            result[cell["cell_id"]] = missing
    return json.dumps(result)


def stdlib_module(name: str) -> bool:
    return name in sys.stdlib_module_names
