"""Diffs of notebooks cell by cell (``notebooks.cell_diffs``): what the history page shows."""

from __future__ import annotations

from kernels.runtime.formats import loads_notebook
from kernels.runtime.notebook import Cell, CellConfig, Notebook
from notebooks.cell_diffs import CellChange, notebook_diff
from notebooks.diffs import DiffLine
from tests.factories import code, notebook_text


def _shown(changes: list[CellChange]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(change.status, change.label, change.notes) for change in changes]


def _lines(change: CellChange) -> list[tuple[str, str]]:
    return [(line.kind, line.text) for line in change.lines]


def test_a_changed_cell_shows_its_own_lines_never_the_files_markup() -> None:
    old = loads_notebook(
        notebook_text(Cell("# Sales\nLast year's figures.", "markdown", "intro"), code("total = 10", "total")),
        "playground",
    )
    new = loads_notebook(
        notebook_text(Cell("# Sales\nThis year's figures.", "markdown", "intro"), code("total = 12", "total")),
        "playground",
    )

    changes = notebook_diff(old, new)

    assert _shown(changes) == [("changed", "Markdown cell 1", ()), ("changed", "Cell 2", ())]
    # Markdown as it was typed: no "# " comment prefix, no "# %%" marker, no header.
    assert _lines(changes[0]) == [
        ("context", "# Sales"),
        ("removed", "Last year's figures."),
        ("added", "This year's figures."),
    ]
    assert _lines(changes[1]) == [("removed", "total = 10"), ("added", "total = 12")]
    every_line = [line.text for change in changes for line in change.lines]
    assert not any(
        text.startswith(("# %%", "# ///", "if __name__", "@@")) for text in every_line
    )


def test_cells_are_matched_by_name_whatever_their_order() -> None:
    old = Notebook(cells=[
        Cell("import math", name="imports"),
        Cell("r = 2", name="radius"),
        Cell("area = math.pi * r ** 2", name="area"),
        Cell("print('old')", name="debug"),
    ])
    new = Notebook(cells=[
        Cell("import math", name="imports"),
        Cell("area = math.pi * r ** 2", name="area"),  # moved up, unchanged
        Cell("r = 3", name="radius"),  # edited
        Cell("area", name="show"),  # new
    ])

    changes = notebook_diff(old, new)

    assert _shown(changes) == [
        ("unchanged", "Cell 1", ()),
        ("moved", "Cell 2", ("moved",)),
        ("changed", "Cell 3", ()),
        ("added", "Cell 4", ()),
        ("removed", "Cell 4", ()),
    ]
    assert _lines(changes[2]) == [("removed", "r = 2"), ("added", "r = 3")]
    assert _lines(changes[3]) == [("added", "area")]
    assert _lines(changes[4]) == [("removed", "print('old')")]
    assert changes[4].summary == "print('old')"


def test_a_removed_cell_is_shown_where_it_stood() -> None:
    old = Notebook(cells=[Cell("a = 1", name="a"), Cell("b = 2", name="b"), Cell("c = 3", name="c")])
    new = Notebook(cells=[Cell("a = 1", name="a"), Cell("c = 3", name="c")])

    changes = notebook_diff(old, new)

    assert [(change.status, change.summary) for change in changes] == [
        ("unchanged", "a = 1"),
        ("removed", "b = 2"),
        ("unchanged", "c = 3"),
    ]


def test_anonymous_cells_are_matched_by_content_then_by_place() -> None:
    old = Notebook(cells=[Cell("x = 1"), Cell("y = 2"), Cell("z = 3")])
    new = Notebook(cells=[Cell("x = 1"), Cell("y = 20"), Cell("z = 3")])

    changes = notebook_diff(old, new)

    assert _shown(changes) == [
        ("unchanged", "Cell 1", ()),
        ("changed", "Cell 2", ()),
        ("unchanged", "Cell 3", ()),
    ]


def test_runs_of_unchanged_cells_are_one_entry_that_counts_them() -> None:
    cells = [Cell(f"v{i} = {i}", name=f"c{i}") for i in range(6)]
    edited = [*cells[:5], Cell("v5 = 50", name="c5")]

    changes = notebook_diff(Notebook(cells=cells), Notebook(cells=edited))

    assert [(change.status, change.position, change.count) for change in changes] == [
        ("unchanged", 1, 5),
        ("changed", 6, 1),
    ]


def test_kind_and_settings_changes_are_named() -> None:
    old = Notebook(cells=[Cell("Notes", name="n"), Cell("x = 1", name="x")])
    new = Notebook(cells=[
        Cell("Notes", kind="markdown", name="n"),
        Cell("x = 1", name="x", config=CellConfig(disabled=True, hide_code=True)),
    ])

    changes = notebook_diff(old, new)

    assert _shown(changes) == [
        ("changed", "Markdown cell 1", ("was code, now markdown",)),
        ("changed", "Cell 2", ("now disabled", "now code hidden")),
    ]
    assert changes[0].lines == ()


def test_hunks_say_which_line_of_the_cell_they_start_at() -> None:
    old_code = "\n".join(f"line{i}" for i in range(20))
    new_code = old_code.replace("line2\n", "line two\n").replace("line15", "line fifteen")

    [change] = notebook_diff(
        Notebook(cells=[Cell(old_code, name="a")]), Notebook(cells=[Cell(new_code, name="a")])
    )

    hunks = [line.text for line in change.lines if line.kind == "hunk"]
    assert hunks == ["⋯ line 13"]  # the first hunk starts at the top: no header
    assert DiffLine("removed", "line15") in change.lines


def test_an_empty_cell_and_a_long_first_line_get_a_short_summary() -> None:
    new = Notebook(cells=[Cell("\n\n", name="e"), Cell("x = '" + "y" * 500 + "'", name="l")])

    changes = notebook_diff(Notebook(cells=[]), new)

    assert changes[0].summary == "(empty)"
    assert len(changes[1].summary) == 80 and changes[1].summary.endswith("…")
