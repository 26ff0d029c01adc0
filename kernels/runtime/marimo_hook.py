"""How ``import marimo`` in a cell gets :mod:`kernels.marimo_compat`, even with marimo installed.

Python looks in ``sys.modules`` before any finder, so the kernel puts the layer
there under the name ``marimo`` while a cell runs (:func:`serve`). Where no real
marimo was imported before (the browser worker, ``playground kernel --stdio``,
``playground run``), the layer simply stays there. Where the host process
imported the real marimo itself (a benchmark comparing the two in one process),
the real one is put back after each cell, so only cells see the layer.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

_NAME = "marimo"
_MISSING = object()
#: Modules cells may import that the kernel provides itself: nothing to install for them.
SERVED_MODULES = frozenset({_NAME})


def _layer() -> ModuleType:
    import kernels.marimo_compat

    return kernels.marimo_compat


def serve(code: str) -> Any:
    """Make ``import marimo`` give the layer while the cell ``code`` runs.

    Returns what :func:`restore` needs. The layer is loaded the first time a cell's
    code names marimo; until then a notebook that never uses it pays nothing.
    """
    layer = sys.modules.get("kernels.marimo_compat")
    if layer is None:
        if _NAME not in code:
            return _MISSING
        layer = _layer()
    previous = sys.modules.get(_NAME, _MISSING)
    if previous is not layer:
        sys.modules[_NAME] = layer
    return previous


def restore(previous: Any) -> None:
    """Put back a real marimo the host had imported (leave the layer otherwise)."""
    if previous is not _MISSING and previous is not _layer():
        sys.modules[_NAME] = previous
