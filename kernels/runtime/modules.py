"""Modules of the notebook's folder: which cells import them, and forgetting them.

A helper module (``helpers.py`` beside the notebook) is imported by cells like
any module, so Python caches it in ``sys.modules``. When the file changes, the
kernel forgets the cached module (and its submodules) and re-runs the cells
whose code imports it, which then import the new version (``files_changed`` in
docs/protocol.md). Standard library only: it runs in Pyodide too.
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
from collections.abc import Iterable


def module_names(paths: Iterable[str]) -> set[str]:
    """Names of the modules Python would import from these ``.py`` paths (relative to
    the working directory): ``helpers.py`` -> helpers, ``lib/__init__.py`` -> lib,
    ``lib/io.py`` -> lib.io."""
    names = set()
    for path in paths:
        if not path.endswith(".py"):
            continue
        parts = path[: -len(".py")].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        if parts and all(part.isidentifier() for part in parts):
            names.add(".".join(parts))
    return names


def imported_modules(code: str) -> set[str]:
    """Every absolute module name ``code`` imports, with its parent packages."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            # ``from lib import io`` may import the submodule lib.io.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    with_parents = set(found)
    for name in found:
        parts = name.split(".")
        with_parents.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return with_parents


def imports_any(code: str, modules: set[str]) -> bool:
    """Whether ``code`` imports one of ``modules`` or a submodule of one."""
    for name in imported_modules(code):
        if name in modules or any(name.startswith(m + ".") for m in modules):
            return True
    return False


def forget_modules(paths: Iterable[str], root: str | None = None) -> set[str]:
    """Drop from ``sys.modules`` the modules loaded from these files under ``root``
    (the working directory), with their submodules; return their names."""
    root = os.path.realpath(root or os.getcwd())
    files = {os.path.realpath(os.path.join(root, path)) for path in paths}
    names = module_names(paths)
    dropped = set()
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        loaded_here = origin is not None and os.path.realpath(origin) in files
        if loaded_here or any(name == n or name.startswith(n + ".") for n in names
                              if _from_folder(module, root)):
            del sys.modules[name]
            dropped.add(name)
    importlib.invalidate_caches()
    return dropped


def _from_folder(module: object, root: str) -> bool:
    origin: str | None = getattr(module, "__file__", None)
    if origin is None:
        paths: list[str] = list(getattr(module, "__path__", None) or [])
        return any(os.path.realpath(p).startswith(root + os.sep) for p in paths)
    return os.path.realpath(origin).startswith(root + os.sep)
