"""A submitted notebook as the staff review it: its cells, labelled, as text."""

from __future__ import annotations

from dataclasses import dataclass

from kernels.runtime.formats import NotebookFormatError, loads_notebook


@dataclass(frozen=True)
class ReviewCell:
    label: str  # the cell's name in the file (what comments attach to)
    kind: str
    code: str


def notebook_cells_for_review(text: str) -> list[ReviewCell]:
    """The cells of a submission; a file that does not parse is one cell of raw text."""
    try:
        notebook = loads_notebook(text, "playground", source="the submission")
    except NotebookFormatError:
        return [ReviewCell(label="file", kind="code", code=text)]
    return [
        ReviewCell(label=notebook.cell_label(index), kind=cell.kind, code=cell.code)
        for index, cell in enumerate(notebook.cells)
    ]
