"""Reading and writing notebooks takes time linear in the text, whatever it holds.

Each test builds the same adversarial shape at two sizes, checks what is read from
the large one, and compares the times (``tests/growth.py``): work that re-scans the
rest of the text per line, cell or bracket grows with the square of the size and
fails. Sizes stay small enough for Pyodide.
"""

from __future__ import annotations

import sys

import pytest

from kernels.runtime.formats import ipynb, marimo, pyfile, script
from kernels.runtime.notebook import Cell, Notebook
from tests.growth import assert_linear_growth

SCALE = 100

MARIMO_PROLOGUE = "import marimo\n\napp = marimo.App()\n\n\n"


def test_marker_lines_with_unclosed_brackets() -> None:
    def text(size: int) -> str:
        return f"# %% name=first hide_code {'[' * size}\nx = 1\n"

    nb = pyfile.loads(text(300 * SCALE))
    assert [(cell.name, cell.config.hide_code, cell.code) for cell in nb.cells] == [
        ("first", True, "x = 1")
    ]
    assert_linear_growth(pyfile.loads, small=text(300), large=text(300 * SCALE), scale=SCALE)


def test_header_with_metadata_blocks_that_never_close() -> None:
    def text(lines: int) -> str:
        return "# /// playground\n" * lines + "# %% name=a\nx = 1\n"

    nb = pyfile.loads(text(20 * SCALE))
    assert nb.header == "# /// playground\n" * (20 * SCALE)
    assert [(cell.name, cell.code) for cell in nb.cells] == [("a", "x = 1")]
    assert_linear_growth(pyfile.loads, small=text(20), large=text(20 * SCALE), scale=SCALE)


def test_encoded_cell_that_is_an_f_string_with_many_fields() -> None:
    # Not a plain literal, so it is read as written, never parsed: CPython 3.12+ parses
    # an f-string in time proportional to its fields times the text after them.
    def text(fields: int) -> str:
        return "# %% encoded\nf'" + "{a}" * fields + "x" * (200 * fields) + "'\n"

    nb = pyfile.loads(text(100 * SCALE))
    assert nb.cells[0].code == text(100 * SCALE).removeprefix("# %% encoded\n").removesuffix("\n")
    assert_linear_growth(pyfile.loads, small=text(100), large=text(100 * SCALE), scale=SCALE)


def test_script_export_of_a_header_with_script_blocks_that_never_close() -> None:
    def notebook(lines: int) -> Notebook:
        return Notebook(cells=[Cell(code="x = 1")], header="# /// script\n" * lines)

    exported = script.dumps(notebook(20 * SCALE))
    assert "# /// script" not in exported and exported.endswith("# --- cell cell-0\nx = 1\n")
    assert_linear_growth(script.dumps, small=notebook(20), large=notebook(20 * SCALE), scale=SCALE)


def test_marimo_notebook_with_many_cells_before_a_long_string() -> None:
    # The work per cell must not grow with the rest of the file, here made long by a
    # string (one token, cheap to read). (Copying the later lines per cell, as the
    # reader once did, costs too little per line to show below megabytes.)
    def text(cells: int) -> str:
        cell = "@app.cell\ndef _():\n    x = 1\n    return (x,)\n\n\n"
        last = '@app.cell\ndef _():\n    text = """' + "\n" * (cells * 200) + '"""\n    return\n'
        return MARIMO_PROLOGUE + cell * cells + last

    nb = marimo.loads(text(10 * SCALE))
    assert len(nb.cells) == 10 * SCALE + 1
    assert {cell.code for cell in nb.cells[:-1]} == {"x = 1"}
    assert nb.cells[-1].code == 'text = """' + "\n" * (10 * SCALE * 200) + '"""'
    assert_linear_growth(marimo.loads, small=text(10), large=text(10 * SCALE), scale=SCALE)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="f-strings nest this deep from 3.12")
def test_marimo_notebook_with_deeply_nested_multiline_f_strings() -> None:
    # Every nested string spans all the lines: each line must be looked at once, not
    # once per string around it. (A top-level statement, so little else is done per line.)
    def text(depth: int) -> str:
        value = 'f"""{x}' + "\n" * (depth * 500) + '"""'
        for _ in range(depth - 1):
            value = 'f"""{' + value + '}"""'
        return MARIMO_PROLOGUE + f"y = {value}\n"

    depth = 100
    nb = marimo.loads(text(depth))
    assert [cell.code for cell in nb.cells] == [text(depth).removeprefix(MARIMO_PROLOGUE).strip()]
    # Both the lines and the nesting grow `depth` times.
    assert_linear_growth(marimo.loads, small=text(1), large=text(depth), scale=depth)


def test_jupyter_cell_with_many_stacked_cell_magics() -> None:
    def source(magics: int) -> str:
        return "%%time\n" * magics + "x = 1"

    commented = ipynb.comment_out_magics(source(50 * SCALE))
    assert commented == "# %%time\n" * (50 * SCALE) + "x = 1"
    assert_linear_growth(
        ipynb.comment_out_magics, small=source(50), large=source(50 * SCALE), scale=SCALE
    )
