"""``import marimo as mo`` inside a notebook: marimo's public API on Playground's runtime.

Notebooks written for marimo run unmodified: ``mo.md``, ``mo.ui.*``, layouts,
``mo.stop``, ``mo.state``, ``mo.output``, ``mo.cache``, ``mo.status``... map onto
``kernels.ui`` elements and the kernel's rules, written here from marimo's
documented behaviour (docs.marimo.io, the API reference). The kernel serves this
module for ``import marimo`` in cells (:func:`kernels.runtime.marimo_hook.serve`),
ahead of a real marimo installed in the same environment, so one notebook behaves
the same in the browser, in ``playground run`` and on a server. A name not covered
yet raises :class:`NotSupported` (an ``AttributeError``) naming ``mo.<name>``.
docs/marimo.md lists what is covered and how it differs.
"""

from __future__ import annotations

from typing import Any

from kernels.marimo_compat import output, status, ui
from kernels.marimo_compat._display import (
    Html,
    accordion,
    as_html,
    callout,
    carousel,
    center,
    doc,
    download,
    hstack,
    icon,
    image,
    lazy,
    left,
    md,
    mermaid,
    plain_text,
    right,
    sidebar,
    stat,
    tree,
    vstack,
)
from kernels.marimo_compat._display import json_view as json
from kernels.marimo_compat._runtime import (
    app_meta,
    cache,
    capture_stderr,
    capture_stdout,
    cli_args,
    defs,
    lru_cache,
    notebook_dir,
    notebook_location,
    persistent_cache,
    query_params,
    redirect_stderr,
    redirect_stdout,
    refs,
    running_in_notebook,
    state,
    stop,
)
from kernels.marimo_compat._unsupported import NotSupported

# The marimo release whose documented API this layer follows.
__version__ = "0.25.2"

# ``mo.tabs`` is what older notebooks call ``mo.ui.tabs``.
tabs = ui.tabs

_HINTS = {
    "sql": "it needs DuckDB, a compiled package with no browser build here; query with "
    "pandas or polars in Python instead",
    "App": "cells run in Playground's kernel; a marimo file is imported as cells",
}


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotSupported(f"mo.{name}", _HINTS.get(name, ""))


__all__ = [
    "Html",
    "NotSupported",
    "accordion",
    "app_meta",
    "as_html",
    "cache",
    "callout",
    "capture_stderr",
    "capture_stdout",
    "carousel",
    "center",
    "cli_args",
    "defs",
    "doc",
    "download",
    "hstack",
    "icon",
    "image",
    "json",
    "lazy",
    "left",
    "lru_cache",
    "md",
    "mermaid",
    "notebook_dir",
    "notebook_location",
    "output",
    "persistent_cache",
    "plain_text",
    "query_params",
    "redirect_stderr",
    "redirect_stdout",
    "refs",
    "right",
    "running_in_notebook",
    "sidebar",
    "stat",
    "state",
    "status",
    "stop",
    "tabs",
    "tree",
    "ui",
    "vstack",
]
