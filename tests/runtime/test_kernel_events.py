"""The events the kernel sends, exactly: statuses, errors, variables and run summaries.

The page, the CLI and ``playground kernel --stdio`` show these events as they come
(docs/protocol.md), so the tests here compare whole events, not only the cells that
ran: a status the page never hears, a failure missing from ``run_completed``, a name
gone from memory but not from the variables panel are all visible to a user. Written
against the survivors of mutation testing (docs/testing.md, "Mutation testing").
"""

from __future__ import annotations

import dataclasses
import platform
import time
from types import SimpleNamespace

from kernels.runtime import __version__
from kernels.runtime import protocol as p
from kernels.runtime.kernel import Kernel
from tests.runtime.kernel_driver import Driver, drive, errors, outputs, ran, stdout, text


def without_analysis(events: list) -> list:
    """The events of a run, with the run's duration (timing) set to 0."""
    kept = []
    for event in events:
        if isinstance(event, p.CellAnalysisInfo):
            continue
        if isinstance(event, p.RunCompleted):
            event = dataclasses.replace(event, duration_ms=0.0)
        kept.append(event)
    return kept


def statuses(events: list) -> list[tuple[str, str]]:
    return [(e.cell_id, e.status) for e in events if isinstance(e, p.CellStatus)]


def completed(events: list) -> p.RunCompleted:
    (event,) = [e for e in events if isinstance(e, p.RunCompleted)]
    return event


def variables(events: list) -> list[p.Variables]:
    return [e for e in events if isinstance(e, p.Variables)]


# -- one run, every outcome ------------------------------------------------------------

EVERY_OUTCOME = (
    ("ok", "x = 1"),
    ("bad", "z = x\nraise ValueError('no')"),
    ("child", "w = z"),  # its parent fails
    ("dup1", "d = 1"),  # `d` is defined twice
    ("dup2", "d = 2"),
    ("gate", "from kernels import ui\nui.stop(True, 'wait')\ns = 1"),  # stops itself
    ("after", "t = s + 1"),  # waits for the gate
    ("after2", "u = t * 2"),  # waits too, one further down
    ("exit", "import sys\nsys.exit()"),
)


def test_one_run_reports_every_outcome_as_it_happens():
    d = Driver()
    d.cells(*EVERY_OUTCOME)

    events = without_analysis(d.run_all())

    multiple = (
        "'d' is defined in cells 4 and 5; a name may be defined in only one cell, so none of "
        "them runs. Rename it in all but one, or make it private to each cell with a leading "
        "underscore ('_d')."
    )
    assert events == [
        *[p.CellStatus(cell_id, "queued") for cell_id, _ in EVERY_OUTCOME],
        p.CellStatus("ok", "running"),
        p.Output("ok", {}),
        p.CellStatus("ok", "idle"),
        p.CellStatus("bad", "running"),
        p.CellError(
            "bad", "exception", "ValueError: no",
            'Traceback (most recent call last):\n  File "<cell bad>", line 2, in <module>\n'
            "    raise ValueError('no')\nValueError: no\n",
            line=2,
        ),
        p.CellStatus("bad", "errored"),
        p.CellError(
            "child", "ancestor-failed",
            "an ancestor failed: cell 'z' did not run successfully, so this cell was not run; "
            "fix that cell first",
            cells=["bad"],
        ),
        p.CellStatus("child", "errored"),
        p.CellError("dup1", "multiple-definitions", multiple, cells=["dup2"]),
        p.CellStatus("dup1", "errored"),
        p.CellError("dup2", "multiple-definitions", multiple, cells=["dup1"]),
        p.CellStatus("dup2", "errored"),
        p.CellStatus("gate", "running"),
        p.Output("gate", {"text/plain": "'wait'"}),
        p.CellStatus("gate", "idle"),
        p.Output("after", {}),
        p.CellStatus("after", "stale"),
        p.Output("after2", {}),
        p.CellStatus("after2", "stale"),
        p.CellStatus("exit", "running"),
        p.CellError("exit", "exit", "the cell called sys.exit(); the kernel keeps running"),
        p.CellStatus("exit", "errored"),
        p.Variables([p.VariableInfo("x", "int", "1", "ok")], []),
        p.RunCompleted(
            ran=["ok", "bad", "gate", "exit"],
            failed=["bad", "child", "dup1", "dup2", "exit"],
            interrupted=False,
        ),
    ]


def test_only_the_cells_waiting_on_a_stop_stay_stale_for_run_stale():
    d = Driver()
    d.cells(*EVERY_OUTCOME)
    d.run_all()

    events = d.send(p.RunStale())

    # Failed and refused cells are not stale: they ran, or were told why they cannot.
    assert [cell_id for cell_id, status in statuses(events) if status == "queued"] == [
        "after", "after2",
    ]


def test_a_run_takes_at_least_as_long_as_its_cells_and_no_longer_than_the_command():
    d = Driver()
    d.cells(("work", "import time\n_start = time.perf_counter()\nwhile time.perf_counter() - _start < 0.01:\n"
                     "    pass\nspent = time.perf_counter() - _start"))
    before = time.perf_counter()
    events = d.run_all()
    whole = time.perf_counter() - before

    duration_ms = completed(events).duration_ms
    assert d.ns["spent"] * 1000 <= duration_ms <= whole * 1000


def test_the_duration_of_a_run_is_its_time_from_command_to_summary_in_milliseconds(monkeypatch):
    from kernels.runtime import kernel as kernel_module

    readings = [10.0, 10.25]  # the run's start and end, on a clock the test controls
    monkeypatch.setattr(
        kernel_module, "time", SimpleNamespace(perf_counter=lambda: readings.pop(0))
    )
    d = Driver()
    d.cells(("a", "x = 1"))

    events = d.run_all()

    assert completed(events).duration_ms == 250.0 and readings == []


def test_the_kernel_says_it_is_running_only_while_a_cell_runs():
    # Transports pass Stop on to a cell's code (a signal, Pyodide's interrupt buffer)
    # only while this holds: a Stop at any other time must not reach the next cell.
    d = Driver()
    d.kernel.extra_globals["kernel"] = d.kernel
    assert not d.kernel.running
    d.cells(("look", "during = kernel.running"))

    d.run_all()

    assert d.ns["during"]
    assert not d.kernel.running


# -- names leaving memory ----------------------------------------------------------------


def test_cells_refused_for_a_clash_lose_their_names_and_say_so():
    d = Driver()
    d.cells(("a", "x = 1"))
    d.run_all()
    d.create("b", "x = 2")

    events = d.run("b")

    assert variables(events) == [p.Variables([], ["x"])]
    assert "x" not in d.ns


def test_a_failing_cell_and_the_cells_below_it_lose_their_names_and_say_so():
    d = Driver()
    d.cells(("p", "p = 1"), ("c", "c = p"))
    d.run_all()
    d.update("p", "p = 1 / 0")

    events = d.run("p")

    assert variables(events) == [p.Variables([], ["c", "p"])]


def test_cells_waiting_on_a_stop_lose_their_names_and_say_so():
    d = Driver()
    d.cells(("g", "g = 1"), ("w", "w = g"))
    d.run_all()
    d.update("g", "from kernels import ui\nui.stop(True)\ng = 1")

    events = d.run("g")

    assert variables(events) == [p.Variables([], ["g", "w"])]


def test_a_cell_that_stops_defining_a_name_reports_it_removed():
    d = Driver()
    d.cells(("a", "x = 1\nold = 2"))
    d.run_all()
    d.update("a", "x = 5")

    events = d.run("a")

    assert variables(events) == [p.Variables([p.VariableInfo("x", "int", "5", "a")], ["old"])]


def test_deleting_a_cell_reports_its_names_removed():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "print('b')"))
    d.run_all()

    events = d.delete("a")

    assert variables(events) == [p.Variables([], ["x"])]


# -- how a cell ended ------------------------------------------------------------------------


def test_an_interrupted_cell_is_reported_as_failed_and_the_run_as_interrupted():
    d = Driver()
    d.cells(("a", "x = 1"), ("b", "raise KeyboardInterrupt"), ("c", "y = x + 1"))

    events = d.run_all()

    assert errors(events)["b"] == p.CellError("b", "interrupted", "interrupted by the user")
    assert completed(events) == dataclasses.replace(
        p.RunCompleted(ran=["a", "b"], failed=["b"], interrupted=True),
        duration_ms=completed(events).duration_ms,
    )


def test_an_exception_without_a_message_is_named_alone():
    d = Driver()
    d.cells(("a", "raise ValueError"))
    assert errors(d.run_all())["a"].message == "ValueError"


def test_a_cancelled_error_the_cell_raises_itself_is_an_exception_not_an_interrupt():
    d = Driver()
    d.cells(("a", "import asyncio\nraise asyncio.CancelledError()"), ("b", "print('b')"))

    events = d.run_all()

    assert errors(events)["a"].kind == "exception"
    assert errors(events)["a"].message == "CancelledError"
    assert completed(events).interrupted is False
    assert stdout(events, "b") == "b\n"


def test_a_traceback_shows_the_cells_own_lines():
    d = Driver()
    d.cells(("a", "def g():\n    raise RuntimeError('deep')\ng()"))

    error = errors(d.run_all())["a"]

    assert "    raise RuntimeError('deep')\n" in error.traceback
    assert error.line == 2


def test_a_cell_in_a_cycle_reports_the_cycle_not_its_own_import_star():
    d = Driver()
    d.cells(("a", "from os import *\nx = y"), ("b", "y = x"))

    error = errors(d.run_all())["a"]

    assert (error.kind, error.line, error.column, error.cells) == ("cycle", None, None, ["b"])
    assert error.message.startswith("cells 'x' and 'y' depend on each other")


def test_an_output_that_cannot_be_displayed_says_why():
    d = Driver()
    d.cells(("a", "class Odd:\n    def __getattr__(self, name):\n        raise LookupError(name)\nOdd()"))

    assert outputs(d.run_all())["a"] == {
        "text/plain": "(the output could not be displayed: LookupError('_repr_mimebundle_'))"
    }


def test_a_last_expression_that_awaits_is_the_output():
    d = Driver()
    d.cells(("a", "async def get():\n    return 21\nawait get()"))
    assert text(d.run_all(), "a") == "21"


# -- the kernel itself ---------------------------------------------------------------------


def test_the_ready_event_names_the_runtime_and_the_python():
    kernel = Kernel(lambda event: None)
    python = f"{platform.python_implementation()} {platform.python_version()}"
    assert kernel.ready_event() == p.KernelReady(version=__version__, python=python)


def test_a_kernel_runs_eagerly_unless_asked_to_be_lazy():
    events: list = []
    kernel = Kernel(events.append)
    for cell_id, code in (("a", "x = 1"), ("b", "y = x + 1")):
        drive(kernel.handle(p.CreateCell(cell_id, code)))
    drive(kernel.handle(p.Run(["a"])))
    assert ran(events) == ["a", "b"]


def test_shutdown_closes_the_kernel():
    d = Driver()
    assert d.kernel.closed is False
    d.send(p.Shutdown())
    assert d.kernel.closed is True


def test_something_that_is_not_a_command_is_a_protocol_error():
    d = Driver()
    assert d.send("hello") == [p.ProtocolError("not a command: 'hello'")]


def test_a_cell_id_used_twice_is_refused_by_name():
    d = Driver()
    d.cells(("a", "x = 1"))
    assert d.create("a", "x = 2") == [
        p.ProtocolError("a cell with id 'a' already exists", "create_cell")
    ]


def test_a_late_input_reply_is_refused_and_says_why():
    d = Driver()
    d.cells(("a", "x = 1"))
    assert d.send(p.InputReply("a", "hello")) == [
        p.ProtocolError(
            "cell 'a' is not waiting for input (it may have ended or been interrupted), so the "
            "reply was dropped",
            "input_reply",
        )
    ]


def test_creating_and_editing_a_cell_describe_its_names():
    d = Driver()
    events = d.create("a", "import math\nr = math.sqrt(n)")
    assert events == [
        p.CellAnalysisInfo("a", ["math", "r"], ["n"]),
        p.CellStatus("a", "stale"),
    ]
    assert d.update("a", "s = 1") == [p.CellAnalysisInfo("a", ["s"], []), p.CellStatus("a", "stale")]


def test_new_cells_are_stale_until_run_unless_there_is_nothing_to_run():
    d = Driver()
    d.create("notes", "# Notes", kind="markdown")
    d.create("empty", "")
    d.create("a", "x = 1")
    assert d.status("notes") == d.status("empty") == "idle"
    assert d.status("a") == "stale"

    events = d.send(p.RunStale())

    assert ran(events) == ["a"]


def test_an_edited_markdown_cell_is_not_stale():
    d = Driver()
    d.create("notes", "# Notes", kind="markdown")
    d.cells(("a", "x = 1"))
    d.run_all()

    assert d.update("notes", "# New title") == []
    assert ran(d.send(p.RunStale())) == []


def test_script_globals_reach_every_cell():
    d = Driver()
    d.kernel.extra_globals["__file__"] = "/home/me/notebook.py"
    d.cells(("a", "__file__"))
    assert text(d.run_all(), "a") == "'/home/me/notebook.py'"


def test_an_interrupt_while_a_cell_runs_leaves_the_cells_after_it_stale():
    d = Driver()
    # The cell asks for the interrupt itself, as a transport's thread would mid-run.
    d.kernel.extra_globals["kernel"] = d.kernel
    d.cells(("a", "x = 1"), ("b", "kernel.interrupt()\ny = x"), ("c", "z = y"))
    for _ in range(2):  # the second time, after a whole run has ended
        events = d.run_all()
        assert ran(events) == ["a", "b"]
        assert not errors(events), "the cell that asked goes on to its end"
        assert completed(events).interrupted is True
        assert d.status("c") == "stale"


def test_a_deleted_cells_source_leaves_the_traceback_cache():
    import linecache

    d = Driver()
    d.cells(("a", "def f():\n    raise ValueError('x')"), ("b", "print('b')"))
    d.run_all()
    assert "<cell a>" in linecache.cache

    d.delete("a")

    assert "<cell a>" not in linecache.cache
