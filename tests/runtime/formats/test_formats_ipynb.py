"""Jupyter notebooks: import of real-looking files, export, and malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kernels.runtime.formats import NotebookFormatError, ipynb, pyfile
from kernels.runtime.notebook import Cell, CellConfig, Notebook

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> Notebook:
    return ipynb.loads((FIXTURES / name).read_text(encoding="utf-8"), source=name)


# --------------------------------------------------------------------------- import


def test_realistic_notebook_imports_cells_names_and_config() -> None:
    nb = load_fixture("analysis.ipynb")
    assert nb.header is None
    assert nb.cells == [
        Cell(
            code="# Sales analysis\n\nLoad the **quarterly** numbers and plot them.",
            kind="markdown",
            name="intro",
        ),
        Cell(
            code="# %matplotlib inline\nimport json\nimport matplotlib.pyplot as plt",
            name="imports",
        ),
        Cell(code="# !pip install -q polars\n# %pip install requests", name="3f1a9c2e"),
        Cell(code="# %%time\ntotal = sum(range(10**6))\ntotal", name="timing"),
        Cell(code="This raw text is passed through by nbconvert.", kind="markdown", name="raw-1"),
        # Its id repeats "imports", so it stays anonymous.
        Cell(
            code=(
                "data = json.loads('[3, 1, 2]')\n"
                "# data?\n"
                "# files = !ls\n"
                "if data:\n"
                "    pass  # %time sorted(data)\n"
                'query = """\n'
                "%not a magic, inside a string\n"
                '"""'
            ),
        ),
        Cell(code="# %%bash\n# echo hello\n#\n# ls -la", name="shell"),
        # "plot with spaces" is not a valid name; the collapsed input is kept.
        Cell(code="plt.plot(data)", config=CellConfig(hide_code=True)),
        Cell(
            code="## Notes\n\n%% this markdown line starts with two percent signs",
            kind="markdown",
            name="notes",
        ),
        Cell(code="", name="empty"),
    ]


def test_imported_code_cells_are_python_and_save_readably() -> None:
    nb = load_fixture("analysis.ipynb")
    for each in nb.cells:
        if each.kind == "code":
            compile(each.code, each.name or "?", "exec", dont_inherit=True)
    text = pyfile.dumps(nb)
    compile(text, "<notebook>", "exec", dont_inherit=True)
    assert "# %% name=timing\n# %%time\ntotal = sum(range(10**6))\n" in text
    assert pyfile.loads(text) == Notebook(cells=nb.cells, header=pyfile.DEFAULT_HEADER)


def test_nbformat_44_with_string_sources_and_no_ids() -> None:
    nb = load_fixture("legacy_v44.ipynb")
    assert nb.cells == [
        Cell(code="# Old notebook\nWritten before cell ids existed.", kind="markdown"),
        Cell(code="x = 41\nx + 1", config=CellConfig(hide_code=True)),  # tag hide-input
        Cell(code="# %%timeit -n 10\nsquares = [i * i for i in range(1000)]"),
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("%matplotlib inline", "# %matplotlib inline"),
        ("!pip install x", "# !pip install x"),
        ("%pip install x", "# %pip install x"),
        ("%%time\nx = 1", "# %%time\nx = 1"),
        ("%%time", "# %%time"),
        ("%%timeit -n 3\nf()\n%time g()", "# %%timeit -n 3\nf()\n# %time g()"),
        ("%%html\n<b>hi</b>\n\n%% x", "# %%html\n# <b>hi</b>\n#\n## %% x"),
        ("%%\nx", "## %%\n# x"),
        ("%% spaced", "## %% spaced"),
        ("files = !ls -la", "# files = !ls -la"),
        ("a, b = %sx echo", "# a, b = %sx echo"),
        ("len?", "# len?"),
        ("??np.load", "# ??np.load"),
        ("x = 1 % 2\ny = x != 3", "x = 1 % 2\ny = x != 3"),
        ("s = '''\n%not magic\n!not shell\n'''", "s = '''\n%not magic\n!not shell\n'''"),
        ("f(\n    %notmagic\n)", "f(\n    %notmagic\n)"),
        ("x = 'a' \\\n    '%b'", "x = 'a' \\\n    '%b'"),
        ("for i in r:\n    !echo $i", "for i in r:\n    pass  # !echo $i"),
        ("for i in r:\n    !echo $i\n    print(i)", "for i in r:\n    # !echo $i\n    print(i)"),
        ("# %% a real marker stays as it was", "# %% a real marker stays as it was"),
    ],
)
def test_ipython_syntax_is_commented_out(source: str, expected: str) -> None:
    assert ipynb.comment_out_magics(source) == expected


def test_magics_in_markdown_cells_are_left_alone() -> None:
    text = json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": "markdown", "metadata": {}, "source": "%matplotlib is a magic"}
            ],
        }
    )
    assert ipynb.loads(text).cells[0].code == "%matplotlib is a magic"


# --------------------------------------------------------------------------- export


def sample_notebook() -> Notebook:
    return Notebook(
        cells=[
            Cell(code="# Report", kind="markdown", name="intro", config=CellConfig(hide_code=True)),
            Cell(code="import math\nvalue = math.pi\n", name="load"),
            Cell(code="value * 2", config=CellConfig(disabled=True)),
            Cell(code="x = 1", name="dotted.name"),
            Cell(code="", name="cell-2"),  # the id the anonymous cell 2 would get
            Cell(code="await something()", name="wait"),
        ],
        header="# /// script\n# dependencies = []\n# ///\n" + pyfile.DEFAULT_HEADER,
    )


def test_export_is_valid_nbformat_45() -> None:
    data = json.loads(ipynb.dumps(sample_notebook()))
    assert data["nbformat"] == 4 and data["nbformat_minor"] == 5
    assert data["metadata"]["kernelspec"]["name"] == "python3"
    assert data["metadata"]["language_info"]["name"] == "python"
    ids = [each["id"] for each in data["cells"]]
    assert len(set(ids)) == len(ids)
    assert all(1 <= len(i) <= 64 and i.replace("-", "").replace("_", "").isalnum() for i in ids)
    for each in data["cells"]:
        assert set(each) >= {"cell_type", "id", "metadata", "source"}
        assert isinstance(each["source"], list)
        if each["cell_type"] == "code":
            assert each["outputs"] == [] and each["execution_count"] is None
        else:
            assert "outputs" not in each and "execution_count" not in each
    assert data["cells"][1]["source"] == ["import math\n", "value = math.pi\n"]


def test_export_uses_names_as_ids_and_keeps_config_in_metadata() -> None:
    data = json.loads(ipynb.dumps(sample_notebook()))
    cells = data["cells"]
    assert [each["id"] for each in cells] == [
        "intro",
        "load",
        "cell-2-2",
        "cell-3",
        "cell-2",
        "wait",
    ]
    assert cells[0]["metadata"] == {
        "jupyter": {"source_hidden": True},
        "playground": {"hide_code": True},
    }
    assert cells[1]["metadata"] == {}
    assert cells[2]["metadata"] == {"playground": {"disabled": True, "name": None}}
    assert cells[3]["metadata"] == {"playground": {"name": "dotted.name"}}


def test_export_then_import_restores_the_notebook() -> None:
    nb = sample_notebook()
    assert ipynb.loads(ipynb.dumps(nb)) == nb


def test_export_looks_like_jupyter_output() -> None:
    text = ipynb.dumps(Notebook(cells=[Cell(code="print('é')", name="a")]))
    assert text.endswith("}\n")
    assert text.startswith('{\n "cells": [\n  {\n   "cell_type": "code",')
    assert "é" in text  # not \u00e9


def test_text_that_is_not_valid_unicode_is_escaped() -> None:
    nb = Notebook(cells=[Cell(code="x = '\ud800'", name="a")])
    text = ipynb.dumps(nb)
    text.encode("utf-8")
    assert ipynb.loads(text) == nb


# --------------------------------------------------------------------------- malformed


def notebook_json(**changes: object) -> str:
    data: dict[str, object] = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": []}],
    }
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"nbformat": 4,', r"nb\.ipynb: not valid JSON \(line 1, column 16"),
        ("", r"not valid JSON \(line 1, column 1"),
        ("[1, 2]", "not a Jupyter notebook .the JSON is a list"),
        ('"text"', "the JSON is a string"),
        ('{"cells": []}', "no 'nbformat' key"),
        (notebook_json(nbformat=3), "nbformat 3 is not supported, only version 4"),
        (notebook_json(nbformat="4"), "nbformat '4' is not supported"),
        (notebook_json(cells=None), "no 'cells' list"),
        (notebook_json(cells={}), "'cells' is not a list"),
        (notebook_json(cells=[1]), "cell 0 is a number, not an object"),
        (notebook_json(cells=[{"source": "x"}]), "cell 0 has no 'cell_type' key"),
        (notebook_json(cells=[{"cell_type": "code"}]), "cell 0 has no 'source' key"),
        (
            notebook_json(cells=[{"cell_type": "code", "source": ["a", 1]}]),
            "cell 0: 'source' must be a string or a list of strings",
        ),
        (
            notebook_json(cells=[{"cell_type": "heading", "source": "x"}]),
            "cell 0 has unknown cell_type 'heading'",
        ),
    ],
)
def test_malformed_notebooks_raise_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(NotebookFormatError, match=message) as raised:
        ipynb.loads(text, source="nb.ipynb")
    assert str(raised.value).startswith("nb.ipynb: ")
    assert "\n" not in str(raised.value)


def test_foreign_metadata_of_the_wrong_shape_is_ignored() -> None:
    text = notebook_json(
        metadata={"playground": "nonsense"},
        cells=[
            {
                "cell_type": "code",
                "id": "a",
                "metadata": {"playground": [1], "jupyter": "x", "tags": "hide-input"},
                "source": "x = 1",
            },
            {"cell_type": "code", "id": 7, "metadata": None, "source": "y = 2"},
        ],
    )
    nb = ipynb.loads(text)
    assert nb.cells == [Cell(code="x = 1", name="a"), Cell(code="y = 2")]
    assert nb.header is None


def test_invalid_stored_header_is_dropped() -> None:
    for header in ("no newline", "# %% marker\n", 5):
        text = notebook_json(metadata={"playground": {"header": header}})
        assert ipynb.loads(text).header is None
