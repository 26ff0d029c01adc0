"""The dataflow graph (``kernels/runtime/graph.py``): run order, cycles and what its errors say.

Each test here kills mutants that survived the kernel's tests (docs/testing.md,
"Mutation testing"): the graph's own order when cells come and go, a cell between
its two parents, a cycle below a chain or next to a deleted cell, and the words and
order of its error messages, which users read in a cell's error.
"""

from __future__ import annotations

from kernels.runtime import protocol as p
from kernels.runtime.analysis import CellAnalysis, analyze_cell
from kernels.runtime.graph import DataflowGraph, build_graph, graph_report, run_order
from kernels.runtime.notebook import Cell, Notebook
from tests.runtime.kernel_driver import Driver, errors, ran, stdout

# -- order --------------------------------------------------------------------------


def test_a_cell_removed_and_set_again_goes_after_the_others():
    graph = build_graph([("a", "print('a')"), ("b", "print('b')")])

    graph.remove_cell("a")
    graph.set_cell("a", analyze_cell("print('a')"))

    assert graph.topological(["a", "b"]) == ["b", "a"]


def test_deleting_a_markdown_cell_which_the_graph_never_had_leaves_the_rest_running():
    d = Driver()
    d.create("notes", "# Notes", kind="markdown")
    d.cells(("a", "x = 1"), ("b", "print(x)"))

    assert d.delete("notes") == []

    assert ran(d.run_all()) == ["a", "b"]


def test_cells_in_a_cycle_come_last_in_notebook_order_not_by_id():
    graph = build_graph([("z", "a = b"), ("y", "b = a"), ("x", "print('free')")])

    assert graph.topological(["z", "y", "x"]) == ["x", "z", "y"]


def test_a_cell_reading_a_name_it_defines_is_not_its_own_parent_or_child():
    # analyze_cell leaves a cell's own definitions out of its reads; the graph does
    # not rely on that: a cell never feeds itself, so it never waits for itself.
    graph = DataflowGraph()
    graph.set_cell("a", CellAnalysis(frozenset({"x"}), frozenset({"x"})))
    graph.set_cell("b", CellAnalysis(frozenset(), frozenset({"x"})))

    assert graph.parents("a") == set() and graph.children("a") == {"b"}
    assert graph.edges() == {("a", "b")}
    assert graph.descendants(["a"]) == {"b"}


def test_a_cell_between_its_two_parents_runs_after_both():
    d = Driver()
    d.cells(("first", "a = 1"), ("sum", "print(a + b)"), ("last", "b = 2"))

    events = d.run_all()

    assert ran(events) == ["first", "last", "sum"]
    assert stdout(events, "sum") == "3\n"


def test_a_cell_created_at_the_end_after_a_move_runs_last():
    d = Driver()
    d.cells(("first", "print('first')"), ("second", "print('second')"))
    d.send(p.MoveCell("first", 1))

    d.create("new", "print('new')")

    assert ran(d.run_all()) == ["second", "first", "new"]


def test_a_cell_created_at_the_end_after_a_delete_runs_last():
    d = Driver()
    d.cells(("first", "print('first')"), ("gone", "print('gone')"), ("second", "print('second')"))
    d.delete("gone")

    d.create("new", "print('new')")

    assert ran(d.run_all()) == ["first", "second", "new"]


# -- cycles -------------------------------------------------------------------------


def _cycle_errors(events: list) -> dict[str, list[str]]:
    return {cell_id: e.cells for cell_id, e in errors(events).items() if e.kind == "cycle"}


def test_a_cycle_below_a_chain_is_found():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x"), ("c", "u = v"), ("d", "v = u"))

    events = d.run_all()

    assert _cycle_errors(events) == {"c": ["d"], "d": ["c"]}
    assert ran(events) == ["a", "b"]


def test_a_cycle_is_still_refused_after_an_unrelated_cell_is_deleted():
    d = Driver()
    d.cells(("unrelated", "w = 1"), ("c", "u = v"), ("d", "v = u"))
    assert _cycle_errors(d.run_all()) == {"c": ["d"], "d": ["c"]}

    d.delete("unrelated")

    assert _cycle_errors(d.run_all()) == {"c": ["d"], "d": ["c"]}


def test_a_cycle_error_names_only_the_variables_of_the_cycle():
    d = Driver()
    # `left` also reads `z` from a cell outside the cycle, and the builtin print.
    d.cells(("outside", "z = 1"), ("left", "x = y + z\nprint(x)"), ("right", "y = x"))

    events = d.run_all()

    assert errors(events)["left"].message == (
        "cells 'x' and 'y' depend on each other through 'x' and 'y', so none of them runs. "
        "Move the shared computation into one cell, or rename a variable to break the cycle."
    )
    assert errors(events)["right"].message == errors(events)["left"].message
    assert ran(events) == ["outside"]


# -- multiple definitions -------------------------------------------------------------


def test_a_name_defined_twice_says_where_and_what_to_do():
    d = Driver()
    d.cells(("one", "total = 1"), ("two", "total = 2"))

    events = d.run_all()

    assert errors(events)["one"].message == (
        "'total' is defined in cells 1 and 2; a name may be defined in only one "
        "cell, so none of them runs. Rename it in all but one, or make it private to each "
        "cell with a leading underscore ('_total')."
    )
    assert errors(events)["one"].cells == ["two"] and errors(events)["two"].cells == ["one"]


def test_two_clashing_names_of_one_cell_report_the_first_alphabetically():
    d = Driver()
    # `b` enters the graph before `a`: the error must not depend on that order.
    d.cells(("one", "b = 1"), ("two", "a = 1\nb = 2"))
    d.update("one", "a = 0\nb = 1")

    events = d.run("one")

    assert errors(events)["one"].message.startswith("'a' is defined in cells 1 and 2;")
    assert errors(events)["two"].message == errors(events)["one"].message


def test_the_cells_defining_a_name_are_listed_in_notebook_order():
    # Cell ids are "0".."10" in the report: as text, "10" sorts before "2".
    codes = [f"v{index} = {index}" for index in range(11)]
    codes[2] = codes[10] = "x = 0"
    notebook = Notebook(cells=[Cell(code=code) for code in codes])

    report = graph_report(notebook)

    assert [(e["kind"], e["cells"]) for e in report["errors"]] == [("multiple-definitions", [2, 10])]
    # Cells are named by their number (1-based) when their names clash.
    assert report["errors"][0]["message"].startswith("'x' is defined in cells 3 and 11;")


def test_a_markdown_cell_keeps_its_place_in_the_run_order_whatever_its_text_reads_like():
    # "results" would read the name `results` as code; as markdown it reads nothing.
    notebook = Notebook(cells=[Cell(code="results", kind="markdown"), Cell(code="results = 1")])

    assert run_order(notebook) == [0, 1]
