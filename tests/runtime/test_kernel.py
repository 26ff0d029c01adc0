"""Reactive execution as a user sees it: what runs, in which order, with which state."""

from __future__ import annotations

import pytest

from kernels.runtime import protocol as p
from kernels.runtime import streams
from tests.runtime.kernel_driver import Driver, errors, outputs, ran, stdout, text


def test_running_a_cell_runs_its_descendants_in_topological_order():
    d = Driver()
    # Deliberately out of file order: c reads b, b reads a.
    d.cells(("c", "z = y * 10\nz"), ("b", "y = x + 1\ny"), ("a", "x = 1"), ("other", "w = 5"))
    d.run_all()
    events = d.update("a", "x = 2") + d.run("a")
    assert ran(events) == ["a", "b", "c"]
    assert text(events, "c") == "30"
    assert d.ns["z"] == 30 and "other" not in ran(events)


def test_diamond_runs_each_cell_once_after_both_parents():
    d = Driver()
    d.cells(("top", "a = 1"), ("left", "b = a + 1"), ("right", "c = a + 2"),
            ("bottom", "d = b + c\nd"))
    events = d.run_all()
    assert ran(events).index("bottom") > max(ran(events).index("left"),
                                             ran(events).index("right"))
    events = d.run("top")
    assert sorted(ran(events)) == ["bottom", "left", "right", "top"]
    assert len(ran(events)) == 4
    assert text(events, "bottom") == "5"


def test_independent_cells_run_in_notebook_order():
    d = Driver()
    d.cells(("first", "print('1')"), ("second", "print('2')"), ("third", "print('3')"))
    assert ran(d.run_all()) == ["first", "second", "third"]
    d.send(p.MoveCell("third", 0))
    assert ran(d.run_all()) == ["third", "first", "second"]


def test_editing_a_cell_removes_names_it_no_longer_defines():
    d = Driver()
    d.cells(("a", "x = 1\nold = 2"), ("b", "y = x"))
    d.run_all()
    assert d.ns["old"] == 2
    d.update("a", "x = 5")
    assert d.status("a") == "stale"
    assert d.ns["old"] == 2, "an edit only takes effect when the cell runs"
    d.run("a")
    assert "old" not in d.ns
    assert d.ns["y"] == 5


def test_deleting_a_cell_removes_its_names_and_reruns_dependents():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x + 1"), ("c", "z = y"))
    d.run_all()
    events = d.delete("a")
    assert "x" not in d.ns and "y" not in d.ns and "z" not in d.ns
    assert ran(events) == ["b"]
    errs = errors(events)
    assert "NameError" in errs["b"].message
    assert errs["c"].kind == "ancestor-failed"
    removed = [e for e in events if isinstance(e, p.Variables)]
    assert "x" in removed[0].removed


def test_failing_cell_stops_only_its_descendants():
    d = Driver()
    d.cells(("a", "x = 1"), ("bad", "y = x / 0"), ("child", "z = y + 1"),
            ("grandchild", "w = z"), ("unrelated", "u = x + 100\nu"))
    events = d.run_all()
    errs = errors(events)
    assert errs["bad"].kind == "exception"
    assert errs["bad"].message == "ZeroDivisionError: division by zero"
    assert errs["bad"].line == 1
    assert "ZeroDivisionError" in errs["bad"].traceback
    assert "kernel.py" not in errs["bad"].traceback, "kernel frames are hidden"
    assert errs["child"].kind == "ancestor-failed"
    assert "an ancestor failed" in errs["child"].message
    assert errs["grandchild"].kind == "ancestor-failed"
    assert text(events, "unrelated") == "101"
    assert d.status("child") == "errored"
    assert "y" not in d.ns and "z" not in d.ns
    completed = events[-1]
    assert isinstance(completed, p.RunCompleted)
    assert completed.failed == ["bad", "child", "grandchild"]


def test_failed_cell_loses_names_it_defined_before_failing():
    d = Driver()
    d.cells(("a", "x = 1\nraise ValueError('boom')"))
    d.run_all()
    assert "x" not in d.ns


def test_fixing_a_failed_cell_runs_the_blocked_descendants():
    d = Driver()
    d.cells(("a", "x = 1 / 0"), ("b", "y = x + 1\ny"))
    d.run_all()
    d.update("a", "x = 1")
    events = d.run("a")
    assert ran(events) == ["a", "b"]
    assert text(events, "b") == "2"


def test_running_a_child_of_a_failed_cell_reports_the_ancestor():
    d = Driver()
    d.cells(("a", "x = 1 / 0"), ("b", "y = x + 1"))
    d.run_all()
    events = d.run("b")
    assert errors(events)["b"].kind == "ancestor-failed"
    assert errors(events)["b"].cells == ["a"]


def test_multiple_definitions_stop_every_defining_cell_and_their_readers():
    d = Driver()
    d.cells(("one", "x = 1"), ("reader", "y = x"))
    d.run_all()
    assert d.ns["y"] == 1
    d.create("two", "x = 2")
    events = d.run("two")
    errs = errors(events)
    assert errs["one"].kind == errs["two"].kind == "multiple-definitions"
    assert "'x'" in errs["two"].message and errs["two"].cells == ["one"]
    assert errs["reader"].kind == "ancestor-failed"
    assert "x" not in d.ns and "y" not in d.ns
    # Deleting the duplicate makes the remaining definition valid again.
    events = d.delete("two")
    assert ran(events) == ["one", "reader"]
    assert d.ns["y"] == 1


def test_cycle_is_reported_and_nothing_in_it_runs():
    d = Driver()
    d.cells(("a", "x = y + 1"), ("b", "y = x + 1"), ("c", "z = 3"))
    events = d.run_all()
    errs = errors(events)
    assert errs["a"].kind == errs["b"].kind == "cycle"
    assert "a" not in ran(events) and "b" not in ran(events)
    assert d.ns["z"] == 3


def test_syntax_error_reports_line_and_column():
    d = Driver()
    d.cells(("a", "x = 1\ny = (2 +\n"))
    err = errors(d.run_all())["a"]
    assert err.kind == "syntax"
    assert err.line == 2 and err.column is not None
    assert "line 2" in err.message


def test_compile_time_error_is_a_syntax_error():
    d = Driver()
    d.cells(("a", "return 5"))
    err = errors(d.run_all())["a"]
    assert err.kind == "syntax" and "outside function" in err.message


def test_import_star_is_refused_with_advice():
    d = Driver()
    d.cells(("a", "from math import *"))
    err = errors(d.run_all())["a"]
    assert err.kind == "import-star"
    assert "explicitly" in err.message
    assert "pi" not in d.ns


def test_private_names_stay_in_their_cell():
    d = Driver()
    d.cells(("a", "_tmp = 1\nx = _tmp + 1"), ("b", "_tmp = 100\ny = _tmp"),
            ("c", "def f():\n    return _tmp\nz = f()"))
    events = d.run_all()
    assert not errors(events)["c"].kind == "multiple-definitions"
    assert d.ns["x"] == 2 and d.ns["y"] == 100
    assert "_tmp" not in d.ns
    assert "NameError" in errors(events)["c"].message


def test_functions_see_the_names_their_cell_read():
    d = Driver()
    d.cells(("a", "factor = 3"), ("b", "def scale(v):\n    return v * factor"),
            ("c", "scale(2)"))
    events = d.run_all()
    assert text(events, "c") == "6"
    d.update("a", "factor = 10")
    events = d.run("a")
    assert ran(events) == ["a", "b", "c"]
    assert text(events, "c") == "20"


def test_cells_only_see_names_they_read():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "globals().get('x', 'hidden')"))
    events = d.run_all()
    assert text(events, "b") == "'hidden'"


def test_last_expression_is_the_output_and_none_gives_no_output():
    d = Driver()
    d.cells(("a", "x = 41\nx + 1"), ("b", "q = 3\nNone"), ("c", "print('hi')"), ("d", "y = 1"))
    events = d.run_all()
    out = outputs(events)
    assert out["a"] == {"text/plain": "42"}
    assert out["c"] == {} and out["d"] == {}


def test_a_cell_with_several_statements_runs_them_all_before_its_output():
    d = Driver()
    d.cells(("a", "x = 1\ny = x + 1\nz = y + 1\nx + y + z"))
    assert text(d.run_all(), "a") == "6"


def test_annotations_in_a_cell_are_objects_not_strings():
    # The runtime's own `from __future__ import annotations` must not reach cells.
    d = Driver()
    d.cells(("a", "def f(x: int) -> str:\n    return str(x)\nf.__annotations__['x'] is int"),
            ("b", "class Point:\n    x: float\nPoint.__annotations__"))
    events = d.run_all()
    assert text(events, "a") == "True"
    assert text(events, "b") == "{'x': <class 'float'>}"


def test_stdout_and_stderr_are_captured_per_cell():
    d = Driver()
    d.cells(("a", "import sys\nprint('out a')\nprint('err a', file=sys.stderr)"),
            ("b", "print('out b', end='')"))
    events = d.run_all()
    assert stdout(events, "a") == "out a\n"
    assert stdout(events, "b") == "out b"
    streams = [(e.cell_id, e.name, e.text) for e in events if isinstance(e, p.Stream)]
    assert ("a", "stderr", "err a\n") in streams


def test_stream_chunks_arrive_while_the_cell_runs(monkeypatch: pytest.MonkeyPatch):
    # Each flushed write comes after a quiet spell longer than the batching delay.
    ticks = iter(range(0, 10_000, 1))
    monkeypatch.setattr(streams, "monotonic", lambda: float(next(ticks)))
    d = Driver()
    d.cells(("a", "for i in range(3):\n    print(i, end='', flush=True)\n"))
    events = d.run_all()
    chunks = [e.text for e in events if isinstance(e, p.Stream)]
    assert chunks == ["0", "1", "2"]
    running = next(i for i, e in enumerate(events)
                   if isinstance(e, p.CellStatus) and e.status == "running")
    idle = next(i for i, e in enumerate(events)
                if isinstance(e, p.CellStatus) and e.status == "idle")
    stream_positions = [i for i, e in enumerate(events) if isinstance(e, p.Stream)]
    assert all(running < i < idle for i in stream_positions)


def test_base_exceptions_never_kill_the_kernel():
    d = Driver()
    d.cells(("exit", "import sys\nsys.exit(3)"), ("kbd", "raise KeyboardInterrupt"),
            ("custom", "class Stop(BaseException):\n    pass\nraise Stop()"),
            ("fine", "ok = True\nok"))
    events = d.run("exit") + d.run("kbd") + d.run("custom")
    errs = errors(events)
    assert errs["exit"].kind == "exit" and "sys.exit(3)" in errs["exit"].message
    assert errs["kbd"].kind == "interrupted"
    assert errs["custom"].kind == "exception" and "Stop" in errs["custom"].message
    # The kernel keeps working afterwards.
    assert text(d.run("fine"), "fine") == "True"


def test_input_is_refused_clearly():
    d = Driver()
    d.cells(("a", "input('name? ')"))
    err = errors(d.run_all())["a"]
    assert "EOFError" in err.message and "UI element" in err.message


def test_top_level_await_works():
    d = Driver()
    d.cells(("a", "async def get():\n    return 21\nvalue = await get()"),
            ("b", "value * 2"),
            ("c", "async def agen():\n    yield 1\n    yield 2\n"
                  "total = 0\nasync for v in agen():\n    total += v\ntotal"))
    events = d.run_all()
    assert text(events, "b") == "42"
    assert text(events, "c") == "3"


def test_disabled_cell_and_its_descendants_do_not_run():
    d = Driver()
    d.create("a", "x = 1", config=p.CellConfig(disabled=True))
    d.cells(("b", "y = x + 1"), ("c", "z = 5"))
    events = d.run_all()
    assert "a" not in ran(events) and "b" not in ran(events)
    assert d.status("a") == "disabled" and d.status("b") == "disabled"
    assert d.ns["z"] == 5
    # Enabling runs it (eager mode) and then its descendants.
    events = d.update("a", config=p.CellConfig(disabled=False))
    assert ran(events) == ["a", "b"]
    assert d.ns["y"] == 2


def test_disabling_marks_descendants_disabled_without_running():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x"))
    d.run_all()
    events = d.update("a", config=p.CellConfig(disabled=True))
    assert not ran(events)
    assert d.status("a") == d.status("b") == "disabled"


def test_lazy_mode_marks_descendants_stale_and_run_stale_runs_them():
    d = Driver(lazy=True)
    d.cells(("a", "x = 1"), ("b", "y = x + 1"), ("c", "z = y + 1"), ("u", "u = 0"))
    d.run_all()
    d.update("a", "x = 10")
    events = d.run("a")
    assert ran(events) == ["a"]
    assert d.status("b") == d.status("c") == "stale"
    assert d.ns["y"] == 2, "stale cells keep their last values until run"
    events = d.send(p.RunStale())
    assert ran(events) == ["b", "c"]
    assert d.ns["z"] == 12
    assert d.status("c") == "idle"


def test_lazy_mode_toggled_by_set_config():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = x"))
    d.run_all()
    d.send(p.SetConfig(lazy=True))
    d.update("a", "x = 2")
    assert ran(d.run("a")) == ["a"]
    assert d.status("b") == "stale"


def test_interrupt_cancels_the_queued_cells():
    d = Driver()
    # The first cell interrupts itself the way a transport would, mid-run.
    d.cells(("a", "x = 1"), ("b", "raise KeyboardInterrupt"), ("c", "y = x + 1"),
            ("d", "z = 3"))
    d.kernel.interrupt()  # not running: ignored
    events = d.run_all()
    errs = errors(events)
    assert errs["b"].kind == "interrupted"
    completed = events[-1]
    assert completed.interrupted is True
    assert d.status("c") == "stale" and d.status("d") == "stale"
    assert "y" not in d.ns and "z" not in d.ns
    # The kernel is usable afterwards and run_stale finishes the job.
    d.update("b", "pass")
    events = d.send(p.RunStale())
    assert set(ran(events)) >= {"b", "c", "d"}
    assert d.ns["z"] == 3


def test_unknown_cell_gives_a_protocol_error_and_changes_nothing():
    d = Driver()
    d.cells(("a", "x = 1"))
    events = d.run("nope")
    assert len(events) == 1 and isinstance(events[0], p.ProtocolError)
    assert "nope" in events[0].message
    events = d.create("a", "x = 2")
    assert isinstance(events[0], p.ProtocolError)
    assert d.kernel.cells["a"].code == "x = 1"


def test_markdown_cells_never_run():
    d = Driver()
    d.create("md", "# Title", kind="markdown")
    d.cells(("a", "x = 1"))
    assert ran(d.run_all()) == ["a"]


def test_variables_event_lists_only_what_changed():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "y = [1, 2, 3]"))
    d.run_all()
    events = d.update("a", "x = 2") + d.run("a")
    variables = [e for e in events if isinstance(e, p.Variables)]
    assert len(variables) == 1
    names = {v.name: v for v in variables[0].updated}
    assert set(names) == {"x"}
    assert names["x"].type == "int" and names["x"].summary == "2" and names["x"].cell_id == "a"


def test_cell_analysis_event_on_edit():
    d = Driver()
    events = d.create("a", "import math\nr = math.sqrt(n)")
    info = next(e for e in events if isinstance(e, p.CellAnalysisInfo))
    assert info.defs == ["math", "r"] and info.refs == ["n"]


def test_builtin_shadowing_creates_an_edge():
    d = Driver()
    d.cells(("a", "len = lambda v: 99"), ("b", "len([1])"))
    events = d.run_all()
    assert text(events, "b") == "99"
    d.update("a", "len = lambda v: 7")
    events = d.run("a")
    assert ran(events) == ["a", "b"] and text(events, "b") == "7"


def test_set_ui_value_for_unknown_element_is_a_protocol_error():
    d = Driver()
    events = d.send(p.SetUIValue("missing", 3))
    assert isinstance(events[0], p.ProtocolError) and "missing" in events[0].message
