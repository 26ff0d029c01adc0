"""Our ``.py`` notebook format: layout, encodings, round trips and bad input."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kernels.runtime.formats import NotebookFormatError, pyfile
from kernels.runtime.notebook import Cell, CellConfig, Notebook

FIXTURES = Path(__file__).parent / "fixtures"


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def marker_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if pyfile.is_marker_line(line)]


def assert_valid_module(text: str) -> None:
    ast.parse(text)
    compile(text, "<notebook>", "exec", dont_inherit=True)


def roundtrip(nb: Notebook) -> tuple[str, Notebook]:
    text = pyfile.dumps(nb)
    assert_valid_module(text)
    loaded = pyfile.loads(text)
    assert pyfile.dumps(loaded) == text
    return text, loaded


def body_of(text: str, marker: str) -> str:
    """The lines after ``marker`` up to the next marker, joined."""
    lines = text.split("\n")
    start = lines.index(marker) + 1
    end = next((i for i in range(start, len(lines)) if pyfile.is_marker_line(lines[i])), len(lines))
    return "\n".join(lines[start:end])


# --------------------------------------------------------------------------- layout


def test_example_file_loads_into_the_expected_cells() -> None:
    nb = pyfile.loads(read_fixture("example.py"))
    assert nb.header == pyfile.DEFAULT_HEADER
    assert nb.cells == [
        Cell(code='import json\ndata = json.loads("[1, 2, 3]")', name="load"),
        Cell(
            code="# A title\n\nSome *markdown*.",
            kind="markdown",
            name="intro",
            config=CellConfig(hide_code=True),
        ),
        Cell(code="total = sum(data)\ntotal", name="total", config=CellConfig(disabled=True)),
    ]


@pytest.mark.parametrize("fixture", ["example.py", "tricky.py"])
def test_files_we_write_round_trip_byte_for_byte(fixture: str) -> None:
    text = read_fixture(fixture)
    assert pyfile.dumps(pyfile.loads(text)) == text
    assert_valid_module(text)


def test_new_notebook_gets_the_default_header() -> None:
    text = pyfile.dumps(Notebook(cells=[Cell(code="x = 1", name="a")]))
    assert text == pyfile.DEFAULT_HEADER + "# %% name=a\nx = 1\n"
    assert pyfile.loads(text).header == pyfile.DEFAULT_HEADER
    assert_valid_module(text)


def test_default_header_runs_the_script_entry_point_only_as_main() -> None:
    tree = ast.parse(pyfile.DEFAULT_HEADER)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.If)
    assert "kernels.runtime.script.main(__file__)" in pyfile.DEFAULT_HEADER
    assert pyfile.DEFAULT_HEADER.endswith("\n\n")


def test_cells_are_separated_by_one_blank_line() -> None:
    nb = Notebook(cells=[Cell(code="a = 1"), Cell(code="b = 2")], header="")
    assert pyfile.dumps(nb) == "# %%\na = 1\n\n# %%\nb = 2\n"


def test_marker_tokens_are_written_in_canonical_order() -> None:
    cell = Cell(
        code="%% not a marker",
        kind="markdown",
        name="x",
        config=CellConfig(disabled=True, hide_code=True),
    )
    text = pyfile.dumps(Notebook(cells=[cell], header=""))
    assert text.split("\n")[0] == "# %% [markdown] name=x disabled hide_code encoded"


@pytest.mark.parametrize(
    "code",
    ["", "\n", "x = 1\n", "x = 1\n\n\n", "\n\nx = 1", "   ", "# only a comment", "x = 1  "],
)
def test_blank_lines_and_trailing_whitespace_survive(code: str) -> None:
    nb = Notebook(cells=[Cell(code=code), Cell(code=code, name="b"), Cell(code=code)], header="")
    _, loaded = roundtrip(nb)
    assert loaded == nb


def test_markdown_lines_are_commented_and_empty_lines_become_a_bare_hash() -> None:
    nb = Notebook(cells=[Cell(code="# Title\n\n  indented\n", kind="markdown")], header="")
    text, loaded = roundtrip(nb)
    assert text == "# %% [markdown]\n# # Title\n#\n#   indented\n#\n"
    assert loaded == nb


def test_empty_markdown_cell() -> None:
    nb = Notebook(cells=[Cell(code="", kind="markdown")], header="")
    text, loaded = roundtrip(nb)
    assert text == "# %% [markdown]\n#\n"
    assert loaded == nb


# --------------------------------------------------------------------------- encodings


def test_top_level_await_is_stored_in_an_async_wrapper() -> None:
    code = "import asyncio\n\nawait asyncio.sleep(0)\nvalue = '''\n  kept\n'''"
    nb = Notebook(cells=[Cell(code=code, name="wait")])
    text, loaded = roundtrip(nb)
    assert "# %% name=wait async" in text
    assert body_of(text, "# %% name=wait async") == (
        "async def _cell():\n"
        "    import asyncio\n"
        "\n"
        "    await asyncio.sleep(0)\n"
        "    value = '''\n"
        "      kept\n"
        "    '''\n"
    )
    assert loaded.cells == nb.cells


@pytest.mark.parametrize(
    "code",
    [
        "async for item in source():\n    print(item)",
        "async with lock:\n    pass",
        "result = [x async for x in source()]",
    ],
)
def test_other_top_level_async_forms_are_wrapped(code: str) -> None:
    text, loaded = roundtrip(Notebook(cells=[Cell(code=code)]))
    assert marker_lines(text) == ["# %% async"]
    assert loaded.cells[0].code == code


def test_syntax_error_is_stored_as_one_string_literal() -> None:
    code = "def broken(:\n    pass\n"
    text, loaded = roundtrip(Notebook(cells=[Cell(code=code, name="draft")]))
    assert body_of(text, "# %% name=draft encoded") == repr(code) + "\n"
    assert loaded.cells[0].code == code


def test_marker_inside_a_string_does_not_split_the_cell() -> None:
    code = 'text = """\n# %% looks like a marker\n# %%\n"""'
    text, loaded = roundtrip(Notebook(cells=[Cell(code=code), Cell(code="y = 2")]))
    assert len(marker_lines(text)) == 2
    assert loaded.cells[0].code == code


def test_markdown_line_that_would_become_a_marker_is_encoded() -> None:
    for line in ("%%", "%% x", "%%"):
        nb = Notebook(cells=[Cell(code=f"before\n{line}\nafter", kind="markdown")], header="")
        text, loaded = roundtrip(nb)
        assert marker_lines(text) == ["# %% [markdown] encoded"]
        assert loaded == nb


def test_percent_percent_without_space_is_not_a_marker() -> None:
    nb = Notebook(cells=[Cell(code="%%time is fine", kind="markdown")], header="")
    text, loaded = roundtrip(nb)
    assert text == "# %% [markdown]\n# %%time is fine\n"
    assert loaded == nb


@pytest.mark.parametrize(
    "code",
    ["a = '\r'\r\nb = 1", "nul = '\x00'", "lone = '\ud800'", "x = 1\r", "# form\x0cfeed \u2028"],
)
def test_characters_a_line_cannot_carry_still_round_trip(code: str) -> None:
    nb = Notebook(cells=[Cell(code=code), Cell(code=code, kind="markdown")], header="")
    text, loaded = roundtrip(nb)
    text.encode("utf-8")
    assert loaded == nb


def test_future_import_stays_readable_only_where_python_allows_it() -> None:
    code = "from __future__ import annotations\nimport os"
    text, loaded = roundtrip(Notebook(cells=[Cell(code=code)], header="# a comment header\n"))
    assert "# %%\nfrom __future__ import annotations" in text
    text, loaded = roundtrip(Notebook(cells=[Cell(code=code)]))  # default header has code
    assert marker_lines(text) == ["# %% encoded"]
    assert loaded.cells[0].code == code
    nb = Notebook(cells=[Cell(code="x = 1"), Cell(code=code)], header="")
    text, loaded = roundtrip(nb)
    assert marker_lines(text)[1] == "# %% encoded"


def test_a_markdown_first_cell_does_not_block_a_future_import() -> None:
    nb = Notebook(
        cells=[
            Cell(code="Intro", kind="markdown"),
            Cell(code="from __future__ import annotations"),
        ],
        header="",
    )
    text, loaded = roundtrip(nb)
    assert marker_lines(text) == ["# %% [markdown]", "# %%"]
    assert loaded == nb


def test_encoding_declaration_on_line_two_is_not_written_verbatim() -> None:
    nb = Notebook(cells=[Cell(code="# -*- coding: latin-1 -*-\nx = 'é'")], header="")
    text, loaded = roundtrip(nb)
    assert marker_lines(text) == ["# %% encoded"]
    assert loaded == nb
    utf8 = Notebook(cells=[Cell(code="# -*- coding: utf-8 -*-\nx = 'é'")], header="")
    assert marker_lines(roundtrip(utf8)[0]) == ["# %%"]


def test_return_outside_a_function_is_encoded_so_the_file_still_compiles() -> None:
    text, loaded = roundtrip(Notebook(cells=[Cell(code="return 5")]))
    assert marker_lines(text) == ["# %% encoded"]
    assert loaded.cells[0].code == "return 5"


# --------------------------------------------------------------------------- reading


def test_python_file_without_markers_is_one_code_cell() -> None:
    script = read_fixture("plain_script.py")
    nb = pyfile.loads(script)
    assert nb.header == ""
    assert nb.cells == [Cell(code=script.removesuffix("\n"))]
    text, again = roundtrip(nb)
    assert text == "# %%\n" + script
    assert again == nb


def test_empty_file_is_one_empty_cell_with_the_default_header() -> None:
    for text in ("", "\n\n", "  \n"):
        nb = pyfile.loads(text)
        assert nb.cells == [Cell(code="")]
        assert nb.header is None


def test_notebook_without_cells_round_trips_with_the_default_header() -> None:
    nb = Notebook(cells=[], header=pyfile.DEFAULT_HEADER)
    text, loaded = roundtrip(nb)
    assert text == pyfile.DEFAULT_HEADER
    assert loaded == nb


def test_jupytext_percent_file_loads_and_unknown_tokens_are_ignored() -> None:
    text = read_fixture("jupytext_percent.py")
    nb = pyfile.loads(text)
    assert nb.header is not None and nb.header.startswith("# ---\n# jupyter:\n")
    assert nb.header.endswith("# ---\n\n")
    assert nb.cells == [
        Cell(code="# Exploration\n\nA notebook written by jupytext.", kind="markdown"),
        Cell(code="n = 10"),
        Cell(code="squares = [i * i for i in range(n)]\nsquares"),
        Cell(code="Done.", kind="markdown"),
    ]
    # Saving drops only the tokens we do not know.
    saved = pyfile.dumps(nb)
    assert marker_lines(saved) == ["# %% [markdown]", "# %%", "# %%", "# %% [markdown]"]
    assert pyfile.loads(saved) == nb


@pytest.mark.parametrize(
    ("line", "kind", "name", "config"),
    [
        ("# %%", "code", None, CellConfig()),
        ("# %% [md] name=a", "markdown", "a", CellConfig()),
        ("# %% [raw]", "markdown", None, CellConfig()),
        ("# %%  name=spaced   disabled", "code", "spaced", CellConfig(disabled=True)),
        ('# %% title="a disabled cell" hide_code', "code", None, CellConfig(hide_code=True)),
        ('# %% tags=["x", "name=y"] name=z', "code", "z", CellConfig()),
        ("# %% name=has space", "code", "has", CellConfig()),
        ("# %% name=bad/name", "code", None, CellConfig()),
        ("# %% name=", "code", None, CellConfig()),
        ("# %% it's unbalanced \"quote [bracket", "code", None, CellConfig()),
    ],
)
def test_marker_tokens(line: str, kind: str, name: str | None, config: CellConfig) -> None:
    cell = pyfile.loads(f"{line}\nbody\n").cells[0]
    assert (cell.kind, cell.name, cell.config) == (kind, name, config)


def test_lines_that_merely_resemble_markers_stay_in_the_cell() -> None:
    text = "# %%\nx = 1\n#%% vscode style\n # %% indented\n# %%time\n"
    nb = pyfile.loads(text)
    assert len(nb.cells) == 1
    assert nb.cells[0].code == "x = 1\n#%% vscode style\n # %% indented\n# %%time"


def test_duplicate_names_in_a_hand_edited_file_keep_the_first() -> None:
    nb = pyfile.loads("# %% name=a\nx = 1\n\n# %% name=a\ny = 2\n")
    assert [cell.name for cell in nb.cells] == ["a", None]


def test_windows_line_endings_load_like_unix_ones() -> None:
    text = read_fixture("example.py")
    assert pyfile.loads(text.replace("\n", "\r\n")) == pyfile.loads(text)


def test_hand_written_file_without_blank_separators() -> None:
    nb = pyfile.loads("# %%\na = 1\n# %% [markdown]\n# hi\n# %%\nb = 2")
    assert [cell.code for cell in nb.cells] == ["a = 1", "hi", "b = 2"]


def test_hand_edited_encoded_or_async_body_is_read_as_written() -> None:
    nb = pyfile.loads(
        "# %% encoded\nnot a literal(\n\n# %% encoded\n42\n\n# %% async\nx = 1\n\n"
        "# %% [markdown] encoded\n# plain markdown\n"
    )
    assert [cell.code for cell in nb.cells] == [
        "not a literal(",
        "42",
        "x = 1",
        "plain markdown",
    ]


def test_newer_format_version_is_refused_with_advice() -> None:
    text = read_fixture("example.py").replace("# version = 1", "# version = 2")
    with pytest.raises(NotebookFormatError, match=r"newer Playground.*version 2.*update"):
        pyfile.loads(text, source="nb.py")


# --------------------------------------------------------------------------- refusing


@pytest.mark.parametrize("name", ["has space", "", "-leading-dash", "x" * 65, "a\n"])
def test_invalid_cell_name_cannot_be_saved(name: str) -> None:
    with pytest.raises(NotebookFormatError, match="cell 0 has the name"):
        pyfile.dumps(Notebook(cells=[Cell(code="", name=name)]))


def test_duplicate_cell_names_cannot_be_saved() -> None:
    nb = Notebook(cells=[Cell(code="", name="a"), Cell(code=""), Cell(code="", name="a")])
    with pytest.raises(NotebookFormatError, match="cells 0 and 2 are both named 'a'"):
        pyfile.dumps(nb)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("# no newline", "must end with a newline"),
        ("# one\n# %% two\n", "contains a '# %%' line"),
        ("# one\r\n", "carriage return"),
    ],
)
def test_unsavable_headers(header: str, message: str) -> None:
    with pytest.raises(NotebookFormatError, match=message):
        pyfile.dumps(Notebook(cells=[Cell(code="")], header=header))


def test_unknown_cell_kind_cannot_be_saved() -> None:
    cell = Cell(code="")
    cell.kind = "sql"  # type: ignore[assignment]
    with pytest.raises(NotebookFormatError, match="unknown kind 'sql'"):
        pyfile.dumps(Notebook(cells=[cell]))


def test_cells_after_a_future_statement_still_compile() -> None:
    nb = Notebook(
        cells=[Cell(code="from __future__ import barry_as_FLUFL"), Cell(code="ok = 1 != 2")],
        header="",
    )
    _, loaded = roundtrip(nb)
    assert loaded == nb


def test_whole_file_check_falls_back_to_string_literals(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pyfile._compiles

    def whole_file_fails(source: str, *, top_level_await: bool = False) -> bool:
        if source.startswith("# %%"):  # the check of all cells together
            return False
        return real(source, top_level_await=top_level_await)

    monkeypatch.setattr(pyfile, "_compiles", whole_file_fails)
    nb = Notebook(
        cells=[
            Cell(code="from __future__ import annotations"),
            Cell(code="x = 1"),
            Cell(code="Text", kind="markdown"),
        ],
        header="",
    )
    text = pyfile.dumps(nb)
    assert marker_lines(text) == ["# %% encoded", "# %% encoded", "# %% [markdown] encoded"]
    assert pyfile.loads(text) == nb
