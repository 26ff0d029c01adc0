"""The in-memory notebook model shared by every file format and the kernel.

A notebook is an ordered list of cells. Formats (``kernels.runtime.formats``)
turn files into this model and back; the kernel receives its cells through
the protocol. Nothing here runs code.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

CellKind = Literal["code", "markdown"]

#: Cell names are short identifiers so they fit on a marker line and in URLs.
CELL_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$")


@dataclass
class CellConfig:
    """Per-cell settings saved in the notebook file."""

    disabled: bool = False
    hide_code: bool = False


@dataclass
class Cell:
    """One cell: its source, its kind, an optional stable name and its config.

    ``code`` never ends with the newline that separates it from the next cell.
    ``name`` is ``None`` for an anonymous cell (a hand-written file may have
    some); tools that create cells give them a name.
    """

    code: str
    kind: CellKind = "code"
    name: str | None = None
    config: CellConfig = field(default_factory=CellConfig)


@dataclass
class Notebook:
    """An ordered list of cells plus the file's header text, kept verbatim.

    ``header`` is whatever a file holds before its first cell (for our ``.py``
    format: the metadata block and the ``__main__`` guard); ``None`` means
    "use the format's default header when saving".
    """

    cells: list[Cell] = field(default_factory=list)
    header: str | None = None

    def cell_label(self, index: int) -> str:
        """The file name of cell ``index``: its own, or ``cell-<index>``.

        This is the cell's identity in files and in ``playground run``; what
        people read about a cell (errors, the page) is :func:`cell_labels`.
        """
        return self.cells[index].name or f"cell-{index}"


#: How many defined names a cell's label lists before "+N" (``a, b, c +4``).
LABEL_NAMES = 3
#: The longest markdown heading a label shows, in characters ("…" included).
LABEL_HEADING_CHARS = 40

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_FENCE_RE = re.compile(r"^ {0,3}(?:```|~~~)")
_HEADING_RE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES_RE = re.compile(r"(?:^|[ \t]+)#+$")
_POSITION_LABEL_RE = re.compile(r"^cell \d+$")


def _names_label(defs: Iterable[str]) -> str | None:
    names = [name for name in defs if not name.startswith("_")]
    if not names:
        return None
    shown = ", ".join(names[:LABEL_NAMES])
    more = len(names) - LABEL_NAMES
    return f"{shown} +{more}" if more > 0 else shown


def _heading_label(markdown: str) -> str | None:
    fenced = False
    for line in _LINE_BREAK_RE.split(markdown):
        if _FENCE_RE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING_RE.match(line)
        if match is None:
            continue
        text = _CLOSING_HASHES_RE.sub("", match.group(1) or "").strip(" \t")
        if not text or _POSITION_LABEL_RE.match(text):
            continue
        if len(text) > LABEL_HEADING_CHARS:
            text = text[: LABEL_HEADING_CHARS - 1] + "…"
        return text
    return None


def cell_labels(cells: Iterable[tuple[CellKind, str, Iterable[str]]]) -> list[str]:
    """What people call each cell: ``(kind, code, defs)`` in notebook order -> labels.

    A code cell is called by the names it defines (``base``, ``x, y``,
    ``a, b, c +4``; private ``_names`` left out; in the order given, which the
    kernel sorts), a markdown cell by its first ``#`` heading (outside code
    fences, at most :data:`LABEL_HEADING_CHARS` characters), any other cell
    by its 1-based position (``cell 3``), and so is every cell whose label
    another cell would have too. The page computes the same labels from
    ``cell_analysis`` (frontend/src/cells/labels.ts; the rule is in
    docs/protocol.md): change both together.
    """
    preferred: list[str | None] = []
    for kind, code, defs in cells:
        preferred.append(_heading_label(code) if kind == "markdown" else _names_label(defs))
    counts = Counter(label for label in preferred if label is not None)
    return [
        label if label is not None and counts[label] == 1 else f"cell {index + 1}"
        for index, label in enumerate(preferred)
    ]


def cell_reference(labels: Sequence[str]) -> str:
    """Cells by their labels in a sentence: ``cell 'base'``, ``cell 3``, ``cells 'x, y' and 3``."""
    def one(label: str, prefix: str) -> str:
        if _POSITION_LABEL_RE.match(label):
            return label if prefix else label.removeprefix("cell ")
        return f"{prefix}'{label}'"

    if len(labels) == 1:
        return one(labels[0], "cell ")
    return "cells " + join_words([one(label, "") for label in labels])


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def drop_repeated_names(cells: list[Cell]) -> list[Cell]:
    """Keep each name on its first cell only (hand-edited files may repeat one)."""
    seen: set[str] = set()
    for cell in cells:
        if cell.name is None:
            continue
        if cell.name in seen:
            cell.name = None
        else:
            seen.add(cell.name)
    return cells


def notebook_file_json(notebook: Notebook) -> dict[str, Any]:
    """The notebook as the playground's NotebookFile (frontend/src/kernel/messages.ts)."""
    return {
        "header": None,
        "cells": [
            {
                "name": cell.name,
                "code": cell.code,
                "kind": cell.kind,
                "config": {"disabled": cell.config.disabled, "hide_code": cell.config.hide_code},
            }
            for cell in notebook.cells
        ],
    }
