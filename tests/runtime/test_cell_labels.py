"""Cells are named by what they define: labels, and the kernel's messages that use them."""

from __future__ import annotations

import pytest

from kernels.runtime import protocol as p
from kernels.runtime.analysis import analyze_cell
from kernels.runtime.graph import graph_report
from kernels.runtime.notebook import Cell, Notebook, cell_labels, cell_reference
from tests.runtime.cell_label_cases import LABEL_CASES
from tests.runtime.kernel_driver import Driver, errors


def labels_of(cells: list[tuple[str, str]]) -> list[str]:
    return cell_labels(
        (kind, code, sorted(analyze_cell(code).defs) if kind == "code" else [])
        for kind, code in cells
    )


@pytest.mark.parametrize(("cells", "expected"), LABEL_CASES.values(), ids=LABEL_CASES.keys())
def test_cell_labels(cells, expected):
    assert labels_of(cells) == expected


@pytest.mark.parametrize(("cells", "expected"), LABEL_CASES.values(), ids=LABEL_CASES.keys())
def test_the_kernel_labels_cells_as_files_do(cells, expected):
    d = Driver()
    for index, (kind, code) in enumerate(cells):
        d.create(f"id{index}", code, kind=kind)
    assert list(d.kernel.cell_labels().values()) == expected


@pytest.mark.parametrize(
    ("labels", "text"),
    [
        (["base"], "cell 'base'"),
        (["cell 3"], "cell 3"),
        (["x, y", "cell 3"], "cells 'x, y' and 3"),
        (["a", "b", "cell 7"], "cells 'a', 'b' and 7"),
    ],
)
def test_cell_reference(labels, text):
    assert cell_reference(labels) == text


def test_an_ancestor_failed_names_the_parent_by_what_it_defines():
    d = Driver()
    d.cells(("zEsS", "base = 1 / 0"), ("kid", "base * 2"))
    error = errors(d.run_all())["kid"]
    assert error.kind == "ancestor-failed"
    assert error.message == (
        "an ancestor failed: cell 'base' did not run successfully, so this cell was not "
        "run; fix that cell first"
    )
    assert "zEsS" not in error.message
    assert error.cells == ["zEsS"], "the ids stay in `cells`, for links"


def test_a_cell_without_names_is_named_by_its_position():
    notebook = Notebook(cells=[
        Cell(code="base = 1", name="zEsS"), Cell(code="# notes", kind="markdown"),
        Cell(code="print(base)\nbase +* 2", name="Xy12"),
    ])
    (error,) = graph_report(notebook)["errors"]
    # The third cell defines nothing: it is "cell 3" (1-based, markdown cells count).
    assert error["message"] == "cell 3: invalid syntax (line 2, column 7)"

    d = Driver()
    d.cells(("zEsS", "base = 1"), ("q", "print(base)"), ("Xy12", "base * 2"))
    assert d.kernel.cell_labels() == {"zEsS": "base", "q": "cell 2", "Xy12": "cell 3"}


def test_several_failed_parents_in_notebook_order():
    d = Driver()
    d.cells(("zz", "b = 1 / 0"), ("aa", "a = 1 / 0"), ("kid", "a + b"))
    error = errors(d.run_all())["kid"]
    assert error.message.startswith("an ancestor failed: cells 'b' and 'a' did not run")
    assert error.message.endswith("fix those cells first")
    assert error.cells == ["zz", "aa"]


def test_multiple_definitions_and_cycles_use_labels():
    d = Driver()
    d.cells(("Ab12", "x = 1"), ("Cd34", "y = 2"), ("Ef56", "x = 3"))
    errs = errors(d.run_all())
    assert errs["Ab12"].message.startswith("'x' is defined in cells 1 and 3; ")
    assert errs["Ab12"].cells == ["Ef56"]

    d = Driver()
    d.cells(("Gh78", "first = second"), ("Ij90", "second = first"))
    errs = errors(d.run_all())
    assert errs["Gh78"].message.startswith(
        "cells 'first' and 'second' depend on each other through 'first' and 'second'"
    )
    assert "Gh78" not in errs["Gh78"].message


def test_labels_follow_edits_moves_and_deletes():
    d = Driver()
    d.cells(("aaaa", "1"), ("bbbb", "base = 1"), ("cccc", "base + 1"))
    d.run_all()
    assert d.kernel.cell_labels() == {"aaaa": "cell 1", "bbbb": "base", "cccc": "cell 3"}
    d.send(p.MoveCell("cccc", 0))
    assert d.kernel.cell_labels() == {"cccc": "cell 1", "aaaa": "cell 2", "bbbb": "base"}
    d.update("bbbb", "base = 1 / 0\nrate = 2")
    events = d.run("bbbb")
    assert "cell 'base, rate'" in errors(events)["cccc"].message
    d.delete("aaaa")
    assert d.kernel.cell_labels() == {"cccc": "cell 1", "bbbb": "base, rate"}


def test_graph_error_messages_follow_the_labels():
    d = Driver()
    d.cells(("k1", "x = 1"), ("k2", "x = 2"))
    assert errors(d.run_all())["k1"].message.startswith("'x' is defined in cells 1 and 2;")
    d.create("k0", "zero = 0", index=0)
    assert errors(d.run_all())["k1"].message.startswith("'x' is defined in cells 2 and 3;")


def test_a_syntax_error_says_its_line_once_without_naming_its_own_cell():
    d = Driver()
    d.cells(("Qw12", "total = 1\nsecond = 1 +* 2"))
    error = errors(d.run_all())["Qw12"]
    assert error.kind == "syntax"
    assert error.message == "invalid syntax (line 2, column 13)"
    assert (error.line, error.column) == (2, 13)
    assert error.message.count("line") == 1


def test_an_import_star_error_points_at_the_statement():
    d = Driver()
    d.cells(("St01", "x = 1\nfrom os import *"))
    error = errors(d.run_all())["St01"]
    assert error.kind == "import-star"
    assert error.message.count("line 2") == 1 and "St01" not in error.message
    assert (error.line, error.column) == (2, 1)


@pytest.mark.parametrize(
    ("code", "line", "column"),
    [
        # Columns count characters (code points), not UTF-8 bytes: é is one column.
        pytest.param("s = 'é'; return 5", 1, 10, id="compiler-error"),
        pytest.param("s = 'é' +* 2", 1, 10, id="parser-error"),
        pytest.param("if True:\n  é = 1; from os import *", 2, 10, id="nested-import-star"),
    ],
)
def test_error_columns_count_characters(code, line, column):
    error = analyze_cell(code).error
    assert error is not None
    assert (error.line, error.column) == (line, column)
    assert f"column {column}" in error.message or error.message.count("line") == 1
