"""Property tests: any notebook survives our formats, and every file we write compiles."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernels.runtime.formats import ipynb, pyfile
from kernels.runtime.notebook import CELL_NAME_RE, Cell, CellConfig, Notebook

# Lines chosen to hit every encoding decision; mixed with random text below.
TRICKY_LINES = [
    "",
    " ",
    "\t",
    "x = 1",
    "x = 1   ",
    "# %%",
    "# %% name=evil disabled",
    "# %%time",
    "%%",
    "%% md",
    "#%%",
    "  # %%",
    "await asyncio.sleep(0)",
    "async for item in source():",
    "async with lock:",
    "    pass",
    "    value = await fetch()",
    "def broken(:",
    "if True:",
    "'''",
    '"""',
    "s = '''",
    "x = '# %%'",
    "\\",
    "path = 'C:\\\\temp\\\\new'",
    'print("quotes \' and \\"")',
    "é ü 中文 🙂",
    "return 5",
    "yield 1",
    "from __future__ import annotations",
    "# -*- coding: latin-1 -*-",
    "\x0c",
    "\r",
    "\x00",
    "\ud800",
    "\u2028",
    "import json",
    "total",
]

line = st.one_of(st.sampled_from(TRICKY_LINES), st.text(max_size=12))
cell_text = st.lists(line, max_size=6).map("\n".join)
name = st.one_of(st.none(), st.from_regex(CELL_NAME_RE, fullmatch=True))
config = st.builds(CellConfig, disabled=st.booleans(), hide_code=st.booleans())
cell = st.builds(
    Cell, code=cell_text, kind=st.sampled_from(["code", "markdown"]), name=name, config=config
)

HEADERS = [
    pyfile.DEFAULT_HEADER,
    "",
    "# just a comment\n",
    '"""A docstring header."""\n\n',
    "# /// script\n# dependencies = []\n# ///\n" + pyfile.DEFAULT_HEADER,
    "#!/usr/bin/env python\n",
]


def unique_names(cells: list[Cell]) -> list[Cell]:
    seen: set[str] = set()
    for each in cells:
        if each.name in seen:
            each.name = None
        elif each.name is not None:
            seen.add(each.name)
    return cells


notebook = st.builds(
    Notebook,
    cells=st.lists(cell, min_size=1, max_size=6).map(unique_names),
    header=st.sampled_from(HEADERS),
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(notebook)
def test_pyfile_round_trips_and_always_compiles(nb: Notebook) -> None:
    text = pyfile.dumps(nb)
    assert pyfile.loads(text) == nb
    assert pyfile.dumps(pyfile.loads(text)) == text
    ast.parse(text)
    compile(text, "<notebook>", "exec", dont_inherit=True)
    text.encode("utf-8")
    markers = [each for each in text.split("\n") if pyfile.is_marker_line(each)]
    assert len(markers) == len(nb.cells)


@SETTINGS
@given(st.lists(cell, min_size=1, max_size=4).map(unique_names))
def test_pyfile_new_notebook_gets_default_header(cells: list[Cell]) -> None:
    loaded = pyfile.loads(pyfile.dumps(Notebook(cells=cells, header=None)))
    assert loaded.header == pyfile.DEFAULT_HEADER
    assert loaded.cells == cells


@SETTINGS
@given(notebook)
def test_ipynb_round_trip_only_comments_out_ipython_syntax(nb: Notebook) -> None:
    expected = [
        Cell(
            code=ipynb.comment_out_magics(pyfile.normalize_newlines(each.code))
            if each.kind == "code"
            else pyfile.normalize_newlines(each.code),
            kind=each.kind,
            name=each.name,
            config=each.config,
        )
        for each in nb.cells
    ]
    loaded = ipynb.loads(ipynb.dumps(nb))
    assert loaded.cells == expected
    assert loaded.header == nb.header


@SETTINGS
@given(cell_text)
def test_commented_magics_never_create_a_cell_marker(code: str) -> None:
    result = ipynb.comment_out_magics(code)
    new_markers = [each for each in result.split("\n") if pyfile.is_marker_line(each)]
    old_markers = [each for each in code.split("\n") if pyfile.is_marker_line(each)]
    assert len(new_markers) <= len(old_markers)
    assert ipynb.comment_out_magics(result) == result
