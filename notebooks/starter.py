"""The starter notebook: what a new notebook and a first visit to /play open.

Three short cells that teach the product: markdown, a UI element whose value
lives in Python with a cell that reacts to it, and how packages come in (as a
comment, so opening it downloads nothing). One definition for both places: the
dashboard's "New notebook" writes it, and /play gets it in its page config.
"""

from __future__ import annotations

from typing import Any

from kernels.runtime.formats import dumps_notebook
from kernels.runtime.notebook import Cell, Notebook, notebook_file_json

_INTRO = """# Welcome to Playground

Python runs right here in your browser, and cells form a dataflow graph: move the \
slider and every cell that reads it runs again. **Shift-Enter** runs a cell; `?` \
lists the keys."""

_CONTROLS = """from kernels import ui

n = ui.slider(1, 20, value=10, label="How many squares")
n"""

_SQUARES = """# Pure-Python packages from PyPI install when a cell imports them:
# import humanize; humanize.intcomma(10**6)
squares = [i * i for i in range(1, n.value + 1)]
sum(squares)"""


def starter_notebook() -> Notebook:
    return Notebook(cells=[
        Cell(code=_INTRO, kind="markdown", name="intro"),
        Cell(code=_CONTROLS, name="controls"),
        Cell(code=_SQUARES, name="squares"),
    ])


def starter_text() -> str:
    """The starter in our .py format, as a new notebook's first revision."""
    return dumps_notebook(starter_notebook(), "playground")


def starter_file() -> dict[str, Any]:
    """The starter as the playground's NotebookFile JSON (frontend/src/kernel/messages.ts)."""
    return notebook_file_json(starter_notebook())
