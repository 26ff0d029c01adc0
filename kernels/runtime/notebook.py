"""The in-memory notebook model shared by every file format and the kernel.

A notebook is an ordered list of cells. Formats (``kernels.runtime.formats``)
turn files into this model and back; the kernel receives its cells through
the protocol. Nothing here runs code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

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
        """The name shown for cell ``index``: its own, or ``cell-<index>``."""
        return self.cells[index].name or f"cell-{index}"


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
