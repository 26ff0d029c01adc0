"""Writing marimo notebooks: the layout marimo writes, and round trips through it.

The layout is checked against text marimo 0.25's own code generator wrote for the
same cells (tests/host/test_marimo_round_trip.py asks marimo itself); here, which
runs under Pyodide too, the expected texts are written out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kernels.runtime.formats import dumps_notebook, loads_notebook, marimo, marimo_export, pyfile
from kernels.runtime.notebook import Cell, CellConfig, Notebook
from tests.growth import assert_linear_growth

FIXTURES = Path(__file__).parent / "fixtures"
HIDDEN = CellConfig(hide_code=True)
DISABLED = CellConfig(disabled=True)

FOOTER = '\n\nif __name__ == "__main__":\n    app.run()\n'


def exported(*cells: Cell, header: str | None = None) -> str:
    return marimo_export.dumps(Notebook(cells=list(cells), header=header))


def cell_blocks(text: str) -> str:
    """The part between ``app = marimo.App()`` and the ``__main__`` guard."""
    assert text.endswith(FOOTER), text
    return text.split("app = marimo.App()\n\n\n", 1)[1].removesuffix(FOOTER).rstrip("\n")


KINDS = Notebook(
    cells=[
        Cell("import math", name="setup", config=HIDDEN),
        Cell("# Sales\n\nSome *text*.", kind="markdown", config=HIDDEN),
        Cell("data = [1, 2, 3]\ntotal = sum(data)\ntotal", name="load"),
        Cell("import json\nimport os"),
        Cell("mean = total / len(data)\nprint(json.dumps(mean))"),
        Cell("import asyncio\nawait asyncio.sleep(0)", config=DISABLED),
        Cell("x = (\n  1 +\n)", name="broken"),
        Cell("def double(v):\n    return 2 * v", name="double"),
        Cell("class Point:\n    x: int = 0", name="Point", config=HIDDEN),
        Cell("def scaled(v):\n    return v * total", name="scaled"),
        Cell("double(os.sep) + scaled(Point.x)"),
        Cell(
            "a_very_long_variable_name_number_one = 1\n"
            "a_very_long_variable_name_number_two = 2\nanother_quite_long_name = 3"
        ),
        Cell(
            "a_very_long_variable_name_number_one + a_very_long_variable_name_number_two"
            " + another_quite_long_name",
            name="sum_them",
        ),
    ]
)

# What marimo 0.25.2's generate_filecontents writes for the same cells.
KINDS_TEXT = '''import marimo

__generated_with = "0.25.2"
app = marimo.App()

with app.setup(hide_code=True):
    import math


@app.cell(hide_code=True)
def _():
    # Added by Playground: marimo's markdown cells need mo.
    import marimo as mo

    return (mo,)


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Sales

    Some *text*.
    """)
    return


@app.cell
def load():
    data = [1, 2, 3]
    total = sum(data)
    total
    return data, total


@app.cell
def _():
    import json
    import os

    return json, os


@app.cell
def _(data, json, total):
    mean = total / len(data)
    print(json.dumps(mean))
    return


@app.cell(disabled=True)
async def _():
    import asyncio
    await asyncio.sleep(0)
    return


app._unparsable_cell(
    r"""
    x = (
      1 +
    )
    """,
    name="broken"
)


@app.function
def double(v):
    return 2 * v


@app.class_definition(hide_code=True)
class Point:
    x: int = 0


@app.cell
def scaled(total):
    def scaled(v):
        return v * total

    return (scaled,)


@app.cell
def _(os, scaled):
    double(os.sep) + scaled(Point.x)
    return


@app.cell
def _():
    a_very_long_variable_name_number_one = 1
    a_very_long_variable_name_number_two = 2
    another_quite_long_name = 3
    return (
        a_very_long_variable_name_number_one,
        a_very_long_variable_name_number_two,
        another_quite_long_name,
    )


@app.cell
def sum_them(
    a_very_long_variable_name_number_one,
    a_very_long_variable_name_number_two,
    another_quite_long_name,
):
    a_very_long_variable_name_number_one + a_very_long_variable_name_number_two + another_quite_long_name
    return


if __name__ == "__main__":
    app.run()
'''


def test_each_kind_of_cell_is_written_as_marimo_writes_it() -> None:
    text = marimo_export.dumps(KINDS)
    assert text == KINDS_TEXT
    assert dumps_notebook(KINDS, "marimo") == text
    assert marimo.is_marimo_source(text)
    compile(text, "exported.py", "exec", dont_inherit=True)


def test_our_notebook_comes_back_from_marimo_unchanged() -> None:
    # The cell importing mo for the markdown is dropped again.
    back = loads_notebook(marimo_export.dumps(KINDS), "py")
    assert back == KINDS


@pytest.mark.parametrize(
    "fixture", ["marimo_generated.py", "marimo_handwritten.py", "marimo_slider.py"]
)
def test_marimo_file_imported_and_exported_keeps_cells_names_code_and_markdown(
    fixture: str,
) -> None:
    nb = marimo.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    text = marimo_export.dumps(nb)
    assert marimo.loads(text) == nb
    # Exporting again changes nothing.
    assert marimo_export.dumps(marimo.loads(text)) == text


def test_a_file_marimo_wrote_comes_back_byte_for_byte() -> None:
    # Apart from the App's options, which our notebooks do not keep (and the fixture's
    # extra newline at the end).
    original = (FIXTURES / "marimo_generated.py").read_text(encoding="utf-8")
    text = marimo_export.dumps(marimo.loads(original))
    expected = original.replace('marimo.App(width="medium")', "marimo.App()").rstrip("\n") + "\n"
    assert text == expected


@pytest.mark.parametrize(
    ("defs", "returned"),
    [
        ("print(1)", "    return"),
        ("a = 1", "    return (a,)"),
        ("a = b = 1", "    return a, b"),
        ("a = b = c = 1", "    return a, b, c"),
    ],
)
def test_return_lists_the_definitions_other_cells_read(defs: str, returned: str) -> None:
    text = exported(Cell(defs), Cell("a + b + c"))
    first = cell_blocks(text).split("\n\n\n")[0]
    assert first.splitlines()[-1] == returned


def test_definitions_no_cell_reads_are_not_returned() -> None:
    blocks = cell_blocks(exported(Cell("a = 1\nunused = 2"), Cell("a")))
    assert blocks.split("\n\n\n")[0] == "@app.cell\ndef _():\n    a = 1\n    unused = 2\n    return (a,)"


def test_parameters_skip_builtins_unless_a_cell_redefines_them() -> None:
    blocks = cell_blocks(exported(Cell("print(len(x))"), Cell("x = [1]")))
    assert blocks.startswith("@app.cell\ndef _(x):\n")
    blocks = cell_blocks(exported(Cell("print(len(x))"), Cell("x = [1]\nlen = max")))
    assert blocks.startswith("@app.cell\ndef _(len, x):\n")


@pytest.mark.parametrize(
    # Not function names; names the file needs; a builtin, which the function's name
    # would hide from reusable definitions.
    "name", ["cell-3", "class", "a.b", "app", "marimo", "_", "print", None],
)
def test_names_that_cannot_be_function_names_are_written_as_underscore(name: str | None) -> None:
    text = exported(Cell("x = 1", name=name))
    assert "\ndef _():\n" in text
    assert marimo.loads(text).cells == [Cell("x = 1")]


def test_names_that_can_be_function_names_come_back() -> None:
    cells = [Cell("x = 1", name="kQfz"), Cell("y = x", name="_private"), Cell("x", name="load_2")]
    assert marimo.loads(exported(*cells)).cells == cells


def test_setup_cell_only_first_and_reading_nothing_from_other_cells() -> None:
    first = exported(Cell("# only comments", name="setup"), Cell("x = 1"))
    assert "with app.setup:\n    # only comments\n    pass\n" in first
    assert marimo.loads(first).cells[0] == Cell("# only comments", name="setup")

    reads_a_cell = exported(Cell("y = x + 1", name="setup"), Cell("x = 1"))
    assert "app.setup" not in reads_a_cell
    assert "@app.cell\ndef _(x):\n    y = x + 1\n" in reads_a_cell

    not_first = exported(Cell("x = 1"), Cell("import os", name="setup"))
    assert "app.setup" not in not_first
    assert "@app.cell\ndef _():\n    import os\n" in not_first

    awaits = exported(Cell("import asyncio\nawait asyncio.sleep(0)", name="setup"))
    assert "async with app.setup:\n" in awaits
    assert marimo.loads(awaits).cells[0].code == "import asyncio\nawait asyncio.sleep(0)"


def test_setup_definitions_are_not_parameters_nor_function_names() -> None:
    text = exported(Cell("import math", name="setup"), Cell("math.pi * r", name="area"))
    assert "@app.cell\ndef area(r):\n    math.pi * r\n    return\n" in text
    hiding = exported(Cell("import math", name="setup"), Cell("x = 1", name="math"))
    assert "@app.cell\ndef _():\n    x = 1\n" in hiding


ADDED_MO_CELL = (
    "@app.cell(hide_code=True)\ndef _():\n"
    "    # Added by Playground: marimo's markdown cells need mo.\n"
    "    import marimo as mo\n\n    return (mo,)\n"
)


def test_mo_is_imported_for_markdown_only_when_no_cell_defines_it() -> None:
    markdown = Cell("# Title", kind="markdown")
    assert cell_blocks(exported(markdown)).startswith(ADDED_MO_CELL)
    assert "import marimo as mo" not in exported(Cell("x = 1"))
    defines_mo = exported(markdown, Cell("import marimo as mo"))
    assert "Added by Playground" not in defines_mo
    assert "@app.cell\ndef _(mo):\n    mo.md(" in defines_mo
    in_setup = exported(Cell("import marimo as mo", name="setup"), markdown)
    assert "Added by Playground" not in in_setup
    assert "@app.cell\ndef _():\n    mo.md(" in in_setup


def test_the_added_mo_cell_stays_when_another_code_cell_uses_mo() -> None:
    text = exported(Cell("# Title", kind="markdown"), Cell("mo.ui.slider(1, 10)"))
    assert [cell.code for cell in marimo.loads(text).cells] == [
        marimo.MO_IMPORT_CELL, "# Title", "mo.ui.slider(1, 10)"
    ]
    # A cell a person wrote that way, with a name, is never dropped.
    named = Cell(marimo.MO_IMPORT_CELL, name="imports")
    assert marimo.loads(exported(named, Cell("# T", kind="markdown"))).cells[0] == named


@pytest.mark.parametrize(
    "text",
    [
        "# Math\n\n$\\alpha + \\beta$ and `\\n`",
        'He said """quoted""" and \\"escaped\\"',
        "tab\there, a bell \x07 and a trailing backslash \\",
        "line\n  indented in the middle\n\nlast",
    ],
)
def test_markdown_text_comes_back_exactly(text: str) -> None:
    cell = Cell(text, kind="markdown", name="notes", config=DISABLED)
    written = exported(cell)
    compile(written, "exported.py", "exec", dont_inherit=True)
    assert marimo.loads(written).cells == [cell]


def test_markdown_is_a_raw_string_unless_it_cannot_be() -> None:
    assert 'mo.md(r"""\n    $\\alpha$\n    """)' in exported(Cell("$\\alpha$", kind="markdown"))
    assert 'mo.md("""\n    a \\"\\"\\" b\n    """)' in exported(Cell('a """ b', kind="markdown"))


@pytest.mark.parametrize(
    "code",
    [
        'text = """\nno indent\n  two\n\n"""\nprint(text)',
        "x = 1\n\n\ny = 2\n# trailing comment",
        "if True:\n\tx = 1\nx",
        "s = '''\n  \n'''\nv = 1\n  \nv",
        "# only a comment",
        "",
    ],
)
def test_code_text_comes_back_exactly(code: str) -> None:
    cell = Cell(code, name="c")
    assert marimo.loads(exported(cell)).cells == [cell]


@pytest.mark.parametrize(
    "code",
    [
        "x = (",
        "from math import *",
        "from __future__ import annotations\ny: int = 1",
        "return 5",
        'text = """ and \\\\ backslash\nx = (',
    ],
)
def test_code_marimo_cannot_hold_as_a_function_is_an_unparsable_cell(code: str) -> None:
    cell = Cell(code, name="odd", config=HIDDEN)
    text = exported(cell)
    assert "app._unparsable_cell(\n" in text
    assert "column=None, disabled=False, hide_code=True, expand_output=False, name=\"odd\"" in text
    compile(text, "exported.py", "exec", dont_inherit=True)
    assert marimo.loads(text).cells == [cell]


def test_reusable_definitions_follow_marimos_rules() -> None:
    cells = [
        Cell("import functools", name="setup"),
        # Reads only the setup cell: reusable, other decorators kept.
        Cell("@functools.cache\ndef double(v):\n    return 2 * v", name="double"),
        # Reads a later reusable function in its body: still reusable.
        Cell("def quad(v):\n    return double(twice(v))", name="quad"),
        Cell("def twice(v):\n    return 2 * v", name="twice"),
        # Reads a variable of another cell: a cell.
        Cell("def shifted(v):\n    return v + offset", name="shifted"),
        Cell("offset = 1"),
        # A cell named otherwise keeps its name, so it stays a cell.
        Cell("def helper():\n    return 1", name="helpers"),
        # Reads a function that is not reusable.
        Cell("def uses(v):\n    return shifted(v)", name="uses"),
        # A decorator from a later cell runs at definition time: a cell.
        Cell("@later\ndef early():\n    return 1", name="early"),
        Cell("def later(f):\n    return f", name="later"),
        # Private names and trailing comments keep marimo from reusing them.
        Cell("def _hidden():\n    return 1", name="_hidden"),
        Cell("def commented():\n    return 1\n# note", name="commented"),
        Cell("class Shape:\n    sides = twice(2)\n\n    def area(self):\n        return offset",
             name="Shape"),
    ]
    text = exported(*cells)
    assert "@app.function\n@functools.cache\ndef double(v):" in text
    assert "@app.function\ndef quad(v):" in text
    assert "@app.function\ndef twice(v):" in text
    assert "@app.function\ndef later(f):" in text
    assert "@app.cell\ndef shifted(offset):\n    def shifted(v):" in text
    assert "@app.cell\ndef helpers():\n    def helper():" in text
    assert "@app.cell\ndef uses(shifted):\n" in text
    assert "@app.cell\ndef early():\n    @later\n" in text
    assert "@app.cell\ndef _hidden():\n" in text
    assert "@app.cell\ndef commented():\n" in text
    # The class body runs at definition time but reads only reusable names; a method
    # reads a cell's variable, so it is a cell.
    assert "@app.cell\ndef Shape(offset):\n" in text
    assert marimo.loads(text).cells == cells


def test_a_long_chain_of_reusable_functions() -> None:
    # Each reads the next one, defined further down: resolving them must not recurse.
    count = 3000
    cells = [
        Cell(f"def f{i}():\n    return f{i + 1}()", name=f"f{i}") for i in range(count)
    ] + [Cell(f"def f{count}():\n    return 0", name=f"f{count}")]
    text = exported(*cells)
    assert text.count("@app.function\n") == count + 1
    assert marimo.loads(text).cells == cells


def test_header_comments_become_the_preamble() -> None:
    script_block = '# /// script\n# dependencies = ["numpy"]\n# ///'
    ours = f'{script_block}\n{pyfile.DEFAULT_HEADER}'
    text = exported(Cell("x = 1"), header=ours)
    assert text.startswith(f"{script_block}\n\nimport marimo\n")
    assert "# /// playground" not in text
    # A preamble read from a marimo file comes back as it was.
    nb = marimo.loads(text)
    assert nb.header == f"{script_block}\n\n{pyfile.DEFAULT_HEADER}"
    assert marimo_export.dumps(nb) == text
    # Our default header, or none, gives none.
    assert exported(Cell("x = 1"), header=pyfile.DEFAULT_HEADER).startswith("import marimo\n")
    assert exported(Cell("x = 1")).startswith("import marimo\n")
    # A marker line would make readers take the file for ours: it goes.
    marked = exported(Cell("x = 1"), header='"""Doc."""\n# %% note\n')
    assert marked.startswith('"""Doc."""\n\nimport marimo\n')
    assert marimo.is_marimo_source(marked)


def test_empty_notebook() -> None:
    text = marimo_export.dumps(Notebook())
    # What marimo writes for no cells.
    assert text == (
        'import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n\n\n\n\n\n'
        'if __name__ == "__main__":\n    app.run()\n'
    )
    assert marimo.is_marimo_source(text)
    assert marimo.loads(text).cells == []


def test_export_time_grows_linearly_with_the_cells() -> None:
    def notebook(count: int) -> Notebook:
        cells = []
        for i in range(count):
            cells.append(Cell(f"def g{i}(v):\n    return g{i + 1}(v) + k", name=f"g{i}"))
            cells.append(Cell(f"v{i} = g{i}(1) + v{max(i - 1, 0)}"))
            cells.append(Cell(f"# Note {i}", kind="markdown"))
        return Notebook(cells=cells)

    scale = 40
    large = notebook(10 * scale)
    assert marimo.loads(marimo_export.dumps(large)).cells == large.cells
    assert_linear_growth(marimo_export.dumps, small=notebook(10), large=large, scale=scale)
