"""Edits to the notebook's structure and what they change about running it.

Each test here was written against a deliberate break of the code it guards
(docs/testing.md, "Break it on purpose"): the edges of a cell whose reads changed,
the order of a cell created at an index or moved to the end, and the disabled
cells above a cell that is run on its own.
"""

from __future__ import annotations

import pytest

from kernels.runtime import protocol as p
from kernels.runtime.analysis import analyze_cell
from kernels.runtime.graph import DataflowGraph
from tests.runtime.kernel_driver import Driver, errors, ran, stdout, text

# -- the graph: an edit that changes only what a cell reads --------------------------


def test_the_graph_replaces_the_edges_of_a_cell_whose_reads_changed():
    graph = DataflowGraph()
    graph.set_cell("a", analyze_cell("x = 1"))
    graph.set_cell("b", analyze_cell("y = 2"))
    graph.set_cell("c", analyze_cell("z = x"))
    assert graph.edges() == {("a", "c")}

    # Same definitions (z), different reads: x is no longer read, y is.
    changed = graph.set_cell("c", analyze_cell("z = y"))

    assert changed is True
    assert graph.edges() == {("b", "c")}
    assert graph.parents("c") == {"b"}
    assert graph.children("a") == set() and graph.children("b") == {"c"}
    assert graph.readers.get("x") is None and graph.readers["y"] == {"c"}


def test_the_graph_keeps_a_cell_whose_names_did_not_change():
    graph = DataflowGraph()
    graph.set_cell("a", analyze_cell("x = 1"))
    graph.set_cell("c", analyze_cell("z = x"))

    # Other code, same names: nothing about the graph changed.
    assert graph.set_cell("c", analyze_cell("z = x * 2")) is False
    assert graph.edges() == {("a", "c")}


def test_a_cell_edited_to_read_another_name_follows_its_new_input_only():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = 2"), ("c", "z = x * 10\nz"))
    d.run_all()
    d.update("c", "z = y * 10\nz")  # its definitions (z) stay the same
    assert text(d.run("c"), "c") == "20"

    # Its old input changes: it no longer runs.
    d.update("a", "x = 5")
    assert ran(d.run("a")) == ["a"]
    # Its new input changes: it runs, with the new value.
    d.update("b", "y = 7")
    events = d.run("b")
    assert ran(events) == ["b", "c"]
    assert text(events, "c") == "70"
    assert d.ns["z"] == 70


# -- the order cells run in: created at an index, moved to the end --------------------


def _printing(*cell_ids: str) -> list[tuple[str, str]]:
    """Independent cells that each print their id: only notebook order orders them."""
    return [(cell_id, f"print({cell_id!r})") for cell_id in cell_ids]


def test_a_cell_created_at_an_index_runs_in_that_place():
    d = Driver()
    d.cells(*_printing("first", "second", "third"))
    d.create("new", "print('new')", index=1)

    events = d.run_all()

    assert ran(events) == ["first", "new", "second", "third"]
    assert d.kernel.order == ["first", "new", "second", "third"]
    assert stdout(events, "new") == "new\n"


def test_a_cell_created_at_the_start_runs_first():
    d = Driver()
    d.cells(*_printing("first", "second"))
    d.create("new", "print('new')", index=0)

    assert ran(d.run_all()) == ["new", "first", "second"]


@pytest.mark.parametrize("index", [2, 3, 99])
def test_a_cell_moved_to_the_last_position_runs_last(index: int):
    """2 is the last index of three cells; larger ones mean the end too."""
    d = Driver()
    d.cells(*_printing("first", "second", "third"))

    d.send(p.MoveCell("first", index))

    assert d.kernel.order == ["second", "third", "first"]
    assert ran(d.run_all()) == ["second", "third", "first"]


def test_a_cell_moved_into_the_middle_runs_there():
    d = Driver()
    d.cells(*_printing("first", "second", "third", "fourth"))

    d.send(p.MoveCell("fourth", 1))

    assert ran(d.run_all()) == ["first", "fourth", "second", "third"]


def test_order_only_breaks_ties_dependencies_still_come_first():
    d = Driver()
    d.cells(("uses", "print(value)"), ("makes", "value = 3"))
    d.send(p.MoveCell("makes", 1))  # already after its reader in the notebook
    d.create("early", "print('early')", index=0)

    events = d.run_all()

    assert ran(events) == ["early", "makes", "uses"]
    assert stdout(events, "uses") == "3\n"


# -- a cell run on its own below a disabled cell ---------------------------------------


def test_running_the_child_of_a_disabled_cell_on_its_own_does_not_run_it():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x + 1\nprint('b ran')"))
    d.run_all()
    d.update("a", config=p.CellConfig(disabled=True))

    events = d.run("b")

    assert ran(events) == []
    assert d.status("b") == "disabled"
    assert stdout(events, "b") == ""
    assert not errors(events)
    completed = [e for e in events if isinstance(e, p.RunCompleted)]
    assert completed and completed[-1].ran == [] and completed[-1].failed == []


def test_a_child_created_under_a_disabled_cell_does_not_run_on_its_own():
    d = Driver()
    d.create("a", "x = 1", config=p.CellConfig(disabled=True))
    d.create("b", "y = x + 1\nprint('b ran')")

    events = d.run("b")

    assert ran(events) == []
    assert d.status("b") == "disabled"
    assert not errors(events), "a disabled parent is not a failure (no NameError either)"


def test_a_grandchild_of_a_disabled_cell_does_not_run_on_its_own():
    """Disabled cells and all their descendants do not run (docs/protocol.md)."""
    d = Driver()
    d.create("a", "x = 1", config=p.CellConfig(disabled=True))
    d.cells(("b", "y = x + 1"), ("c", "z = y + 1\nprint('c ran')"))

    events = d.run("c")

    assert ran(events) == []
    assert d.status("c") == "disabled"
    assert not errors(events)


def test_an_edited_child_of_a_disabled_cell_does_not_feed_its_own_children():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x + 1"), ("c", "z = y + 1\nprint('c ran')"))
    d.run_all()
    d.update("a", config=p.CellConfig(disabled=True))
    d.update("b", "y = x + 2")  # b is now stale, still below the disabled a

    events = d.run("c")

    assert ran(events) == []
    assert d.status("c") == "disabled"


def test_the_child_runs_again_once_its_parent_is_enabled():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x + 1\ny"))
    d.run_all()
    d.update("a", config=p.CellConfig(disabled=True))
    assert ran(d.run("b")) == []

    events = d.update("a", config=p.CellConfig(disabled=False))

    assert ran(events) == ["a", "b"]
    assert text(events, "b") == "2"
    assert d.status("b") == "idle"


# -- configuration changes, lazily -------------------------------------------------------


def _statuses(events: list) -> list[tuple[str, str]]:
    return [(e.cell_id, e.status) for e in events if isinstance(e, p.CellStatus)]


def test_a_config_change_that_keeps_a_cell_enabled_runs_nothing():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x"))
    d.run_all()

    assert d.update("a", config=p.CellConfig(hide_code=True)) == []
    assert d.kernel.cells["a"].config.hide_code is True


def test_enabling_a_cell_lazily_makes_it_and_its_descendants_stale_not_those_disabled_on_their_own():
    d = Driver(lazy=True)
    d.cells(("a", "x = 1"), ("b", "y = x"), ("c", "z = y"))
    d.update("c", config=p.CellConfig(disabled=True))
    d.run_all()
    d.update("a", config=p.CellConfig(disabled=True))

    events = d.update("a", config=p.CellConfig(disabled=False))

    assert _statuses(events) == [("a", "stale"), ("b", "stale")]
    assert ran(events) == []
    assert ran(d.send(p.RunStale())) == ["a", "b"]
    assert d.status("c") == "disabled"


def test_deleting_a_cell_lazily_marks_its_descendants_stale_without_running_them():
    d = Driver(lazy=True)
    d.cells(("a", "x = 1"), ("b", "y = x"), ("c", "z = y"), ("other", "w = 1"))
    d.run_all()

    events = d.delete("a")

    assert events == [
        p.Variables([], ["x"]), p.CellStatus("b", "stale"), p.CellStatus("c", "stale"),
    ]


# -- edits that only take effect when a cell runs -----------------------------------------


def test_an_edit_that_only_changes_what_a_cell_reads_can_close_a_cycle():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x"))
    d.run_all()
    d.update("a", "x = y")  # same definitions, new reads: a and b now feed each other

    events = d.run("a")

    assert {cell_id: e.kind for cell_id, e in errors(events).items()} == {"a": "cycle", "b": "cycle"}
    assert ran(events) == []


def test_a_syntax_error_edited_into_another_reports_the_new_one():
    d = Driver()
    d.cells(("a", "x = ("))
    d.run_all()
    d.update("a", "x = )")

    assert errors(d.run("a"))["a"].message == "unmatched ')' (line 1, column 5)"


def test_a_syntax_error_fixed_into_code_without_names_runs():
    d = Driver()
    d.cells(("a", "("))
    d.run_all()
    d.update("a", "1 + 1")  # defines and reads nothing, as the broken code did

    events = d.run("a")

    assert ran(events) == ["a"] and not errors(events)
    assert text(events, "a") == "2"


def test_an_edited_descendant_runs_with_the_code_the_user_sees():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x"), ("c", "print(z)"))
    d.run_all()
    d.update("b", "y = x\nz = x * 10")  # b now also feeds c

    events = d.run("a")

    assert ran(events) == ["a", "b", "c"]
    assert stdout(events, "c") == "10\n"
    assert ran(d.run("a")) == ["a", "b", "c"], "and the next run is an ordinary one"


def test_an_edited_descendant_with_a_syntax_error_reports_it_when_its_parent_runs():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x"))
    d.run_all()
    d.update("b", "y = (")

    events = d.run("a")

    assert ran(events) == ["a"]
    assert errors(events)["b"].kind == "syntax"


def test_moving_a_cell_renumbers_the_cells_an_error_names():
    d = Driver()
    d.cells(("one", "d = 1"), ("two", "d = 2"), ("other", "print(1)"))
    assert errors(d.run_all())["one"].message.startswith("'d' is defined in cells 1 and 2;")

    d.send(p.MoveCell("other", 0))

    assert errors(d.run("one"))["one"].message.startswith("'d' is defined in cells 2 and 3;")


def test_a_cell_below_a_cycle_is_refused_without_walking_the_cycle_forever():
    d = Driver()
    d.cells(("z", "print(t)"), ("m", "t = u"), ("x", "u = v"), ("y", "v = u"))
    d.run_all()
    d.run_all()

    events = d.run("z")

    assert errors(events)["z"].kind == "ancestor-failed"
    assert ran(events) == []


def test_a_disabled_cell_is_found_above_a_stale_parent_among_many_idle_ones():
    d = Driver()
    idle = [(f"i{n}", f"i{n} = {n}") for n in range(8)]
    d.cells(*idle)
    d.run_all()
    d.create("d", "d = 1", config=p.CellConfig(disabled=True))
    # `r` reads the disabled `d` and every idle cell; `q` reads only `r`.
    d.create("r", "r = d + " + " + ".join(cell_id for cell_id, _ in idle))
    d.create("q", "q = r\nprint('q ran')")

    events = d.run("q")

    assert ran(events) == [] and not errors(events)
    assert d.status("q") == "disabled"


def test_a_cell_created_and_deleted_between_two_runs_leaves_the_next_run_whole():
    # The graph errors the kernel keeps must be worked out again after a delete, even
    # when the cells' labels are the same as at the last run.
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "print(x)"))
    d.run_all()
    d.create("extra", "y = 2")
    d.delete("extra")

    events = d.run_all()

    assert ran(events) == ["a", "b"] and not errors(events)
    assert stdout(events, "b") == "1\n"


# -- names a cell kept while it was disabled and edited ----------------------------------


def test_enabling_a_cell_edited_while_disabled_leaves_another_cells_name_alone():
    d = Driver()
    d.cells(("a", "s = 1"))
    d.run_all()
    d.update("a", config=p.CellConfig(disabled=True))
    d.update("a", "t = 2")
    d.run("a")  # disabled: it does not run, and keeps the name it defined (s)
    d.create("b", "s = 5")
    d.create("c", "print(s * 2)")
    assert stdout(d.run("b"), "c") == "10\n"

    events = d.update("a", config=p.CellConfig(disabled=False))

    assert "a" in ran(events)
    assert d.ns["s"] == 5 and d.ns["t"] == 2
    assert not errors(d.run("c"))
    assert stdout(d.run("c"), "c") == "10\n"


def test_a_cell_created_disabled_disables_the_cells_that_now_read_its_names():
    d = Driver()
    d.cells(("d", "y = len('ab')"), ("c", "z = y"), ("b", "print(z)"))
    d.run_all()
    d.create("e", "len = None", config=p.CellConfig(disabled=True))

    assert [d.status(c) for c in ("e", "d", "c", "b")] == ["disabled"] * 4
    d.update("c", "z = y * 2")
    events = d.run("b")

    assert ran(events) == []
    assert d.status("b") == "disabled"
    assert stdout(events, "b") == ""
