"""marimo notebooks: import of files in the exact style marimo writes, and hand-written ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernels.runtime.formats import NotebookFormatError, loads_notebook, marimo, pyfile
from kernels.runtime.notebook import Cell, CellConfig, Notebook

FIXTURES = Path(__file__).parent / "fixtures"


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_file_generated_by_marimo() -> None:
    # Written by marimo 0.25's own code generator.
    nb = marimo.loads(read_fixture("marimo_generated.py"))
    assert nb.header is None
    assert nb.cells == [
        Cell(code="import marimo as mo\nimport math", name="setup_imports"),
        Cell(
            code="# Sales report\n\nThis notebook *loads* data and plots it.",
            kind="markdown",
            config=CellConfig(hide_code=True),
        ),
        Cell(
            code=(
                "# load the data\ndata = [1, 2, 3]\n\n# comment before the end\n"
                "total = sum(data)\ntotal"
            ),
            name="load_data",
        ),
        Cell(code="def helper(x):\n    return x * 2", name="helper"),
        Cell(code="import asyncio\nawait asyncio.sleep(0)\nresult = 42"),
        Cell(code="x = (\n  1 +\n)", name="broken"),
        Cell(
            code='text = """\nline one\n    indented line\n"""\nprint(text)',
            config=CellConfig(disabled=True),
        ),
        Cell(code="class Point:\n    x: int = 0", name="Point"),
        Cell(code=""),
        Cell(
            code="for i in range(3):\n    print(i)",
            name="loop",
            config=CellConfig(disabled=True, hide_code=True),
        ),
        Cell(code='mo.md(f"The total is {total}")'),
    ]


def test_hand_written_file_with_setup_block_and_script_metadata() -> None:
    nb = marimo.loads(read_fixture("marimo_handwritten.py"))
    assert nb.header is not None
    assert nb.header.startswith('# /// script\n# requires-python = ">=3.12"\n')
    assert '"""A notebook about things."""\n\n' in nb.header
    assert nb.header.endswith(pyfile.DEFAULT_HEADER)
    assert nb.cells == [
        Cell(
            code=(
                "# Initialization code that runs before all other cells\n"
                "import polars as pl\nimport functools"
            ),
            name="setup",
            config=CellConfig(hide_code=True),
        ),
        Cell(
            code=(
                "@functools.cache\ndef double(x: int) -> int:\n"
                '    """Double it."""\n    return 2 * x\n    # trailing note'
            ),
            name="double",
        ),
        Cell(code="import marimo as mo"),
        Cell(
            code="# Things\n\nSome **bold** text with a [link](https://example.com).",
            kind="markdown",
        ),
        Cell(
            code='df = pl.DataFrame({"a": [1, 2, 3]})  # inline comment\nx = 1; y = 2',
            name="load_data",
        ),
        Cell(code="df.head()"),
        Cell(code="z = x + y"),
        Cell(code='summary = {\n    "rows": len(df),\n    "x": x,\n}', name="multi"),
        Cell(code="mo.md(f\"Rows: {summary['rows']}\")", config=CellConfig(hide_code=True)),
        Cell(code="# just a comment"),
        # The string is indented less than the body, so it is kept exactly.
        Cell(code='s = """\n  under-indented string\n    """\ns'),
    ]


def test_older_marimo_style_with_double_underscore_names() -> None:
    nb = marimo.loads(read_fixture("marimo_slider.py"))
    assert nb.cells == [
        Cell(code="import marimo as mo"),
        Cell(
            code="# Sliders\n\nDrag the slider; cells that read it run again.",
            kind="markdown",
            config=CellConfig(hide_code=True),
        ),
        Cell(code='slider = mo.ui.slider(1, 10, value=3, label="count")\nslider'),
        Cell(
            code="# one square per step\nvalues = [i**2 for i in range(slider.value)]\nvalues",
            name="squares",
        ),
        Cell(code='mo.md(f"The last square is **{values[-1]}**.")'),
    ]


@pytest.mark.parametrize(
    "fixture", ["marimo_generated.py", "marimo_handwritten.py", "marimo_slider.py"]
)
def test_marimo_files_are_detected_and_convert_to_our_format(fixture: str) -> None:
    text = read_fixture(fixture)
    assert marimo.is_marimo_source(text)
    nb = loads_notebook(text, "py")
    assert nb == marimo.loads(text)
    saved = pyfile.dumps(nb)
    compile(saved, fixture, "exec", dont_inherit=True)
    again = pyfile.loads(saved)
    assert again.cells == nb.cells
    assert pyfile.dumps(again) == saved


def test_async_cell_is_saved_with_the_async_flag() -> None:
    nb = marimo.loads(read_fixture("marimo_generated.py"))
    assert "# %% async\nasync def _cell():\n    import asyncio\n" in pyfile.dumps(nb)


@pytest.mark.parametrize(
    "text",
    [
        pyfile.DEFAULT_HEADER + "# %% name=demo\nimport marimo\napp = marimo.App()\n",
        "import marimo\n",  # no app
        "app = marimo.App()\n",  # no import
        "import marimo_extras\napp = marimo.App()\n",
        "    import marimo\napp = marimo.App()\n",
        "",
    ],
)
def test_other_python_is_not_mistaken_for_marimo(text: str) -> None:
    assert not marimo.is_marimo_source(text)


def test_import_alias_and_trailing_comment_are_detected() -> None:
    assert marimo.is_marimo_source("import marimo as mo  # app\napp = mo.App()\n")
    assert marimo.is_marimo_source("import marimo\r\n\r\napp = marimo.App()\r\n")


def marimo_file(*cells: str, preamble: str = "") -> str:
    body = "\n\n".join(cells)
    return (
        f'{preamble}import marimo\n\n__generated_with = "0.13.0"\napp = marimo.App()\n\n\n'
        f'{body}\n\n\nif __name__ == "__main__":\n    app.run()\n'
    )


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("@app.cell\ndef _():\n    x = 1\n    return (x,)", "x = 1"),
        ("@app.cell\ndef _():\n    x = 1\n    return x,", "x = 1"),
        (
            "@app.cell\ndef _():\n    x, y = 1, 2\n    return (\n        x,\n        y,\n    )",
            "x, y = 1, 2",
        ),
        ("@app.cell\ndef _():\n    return", ""),
        ("@app.cell\ndef _(): return", ""),
        ("@app.cell\ndef _(): x = 1; return (x,)", "x = 1"),
        ("@app.cell\ndef _():\n    import os\n\n    return (os,)", "import os"),
        ("@app.cell\ndef _():  # note\n    # first\n    a = 1\n    return", "# first\na = 1"),
        ("@app.cell\ndef _(\n    a,\n    b: 'x:y',\n):\n    c = a\n    return (c,)", "c = a"),
        (
            "@app.cell\ndef _():\n    if x:\n        return 1\n    y = 2",
            "if x:\n    return 1\ny = 2",
        ),
        (
            "@app.cell\ndef _():\n    x = 1\n    # trailing comment\n\n\n",
            "x = 1\n# trailing comment",
        ),
        ("@app.cell\ndef _():\n\tx = 1\n\ty = '''\n\tz\n\t'''\n\treturn", "x = 1\ny = '''\nz\n'''"),
        ("@app.cell\ndef _():\n    x = 1\n\n    y = 2\n    return", "x = 1\n\ny = 2"),
    ],
)
def test_cell_bodies(cell: str, code: str) -> None:
    nb = marimo.loads(marimo_file(cell))
    assert [each.code for each in nb.cells] == [code]


def test_decorator_kwargs_and_names() -> None:
    nb = marimo.loads(
        marimo_file(
            "@app.cell(hide_code=True, disabled=True, column=2)\ndef shown():\n    return",
            "@app.cell(disabled=False)\ndef shown():\n    return",
            "@app.cell\ndef données():\n    return",
            "@app.function(hide_code=True)\ndef f():\n    return 1",
            "@app.class_definition\n@dataclass\nclass A:\n    x: int",
            "@functools.cache\n@app.function\ndef g():\n    return 2",
        )
    )
    assert [(each.name, each.config) for each in nb.cells] == [
        ("shown", CellConfig(disabled=True, hide_code=True)),
        (None, CellConfig()),  # a repeated name is dropped
        (None, CellConfig()),  # not a valid cell name
        ("f", CellConfig(hide_code=True)),
        ("A", CellConfig()),
        ("g", CellConfig()),
    ]
    assert nb.cells[4].code == "@dataclass\nclass A:\n    x: int"
    assert nb.cells[5].code == "@functools.cache\ndef g():\n    return 2"


def test_unparsable_cells() -> None:
    nb = marimo.loads(
        marimo_file(
            'app._unparsable_cell(\n    r"""\n    x = (\n    """,\n    name="draft"\n)',
            'app._unparsable_cell(\n    """\n    s = \\"\\"\\"\n    """,\n    name="_"\n)',
            'app._unparsable_cell(r"""return +""", hide_code=True, disabled=True)',
        )
    )
    assert nb.cells == [
        Cell(code="x = (", name="draft"),
        Cell(code='s = """'),
        Cell(code="return +", config=CellConfig(disabled=True, hide_code=True)),
    ]


def test_setup_block_variants() -> None:
    nb = marimo.loads(
        marimo_file(
            "@app.cell\ndef _():\n    return",
            preamble="",
        ).replace(
            "app = marimo.App()\n",
            "app = marimo.App()\n\nwith app.setup:\n    # only a comment\n    pass\n",
        )
    )
    assert nb.cells[0] == Cell(code="# only a comment", name="setup")


def test_stray_top_level_statements_become_a_cell() -> None:
    text = marimo_file("@app.cell\ndef _():\n    return").replace(
        "app = marimo.App()\n", "import numpy as np\n# why\nCONSTANT = 3\napp = marimo.App()\n"
    )
    nb = marimo.loads(text)
    assert nb.cells[0] == Cell(code="import numpy as np\n# why\nCONSTANT = 3")


def test_a_guard_with_more_than_app_run_is_kept() -> None:
    text = marimo_file("@app.cell\ndef _():\n    return").replace(
        "    app.run()\n", "    app.run()\n    print('done')\n"
    )
    nb = marimo.loads(text)
    assert nb.cells[-1].code == "if __name__ == \"__main__\":\n    app.run()\n    print('done')"


def test_markdown_cells_only_when_nothing_else_is_in_them() -> None:
    nb = marimo.loads(
        marimo_file(
            '@app.cell\ndef _(mo):\n    mo.md("plain")\n    return',
            '@app.cell\ndef _(mo):\n    # a comment\n    mo.md("kept as code")\n    return',
            '@app.cell\ndef _(mo):\n    mo.md("a"); x = 1\n    return',
            '@app.cell\ndef _(mo):\n    title = mo.md("assigned")\n    return',
            '@app.cell\ndef _(mo):\n    mo.md("""\n        Indented\n          more\n    """)\n    return',
        )
    )
    assert [(each.kind, each.code) for each in nb.cells] == [
        ("markdown", "plain"),
        ("code", '# a comment\nmo.md("kept as code")'),
        ("code", 'mo.md("a"); x = 1'),
        ("code", 'title = mo.md("assigned")'),
        ("markdown", "Indented\n  more"),
    ]


def test_syntax_error_in_the_file_is_reported_with_its_line() -> None:
    text = marimo_file("@app.cell\ndef _(:\n    return")
    with pytest.raises(NotebookFormatError, match=r"^nb\.py: line 8: .*not valid Python"):
        marimo.loads(text, source="nb.py")


def test_empty_marimo_app() -> None:
    nb = marimo.loads(
        'import marimo\napp = marimo.App()\nif __name__ == "__main__":\n    app.run()\n'
    )
    assert nb == Notebook(cells=[], header=None)
