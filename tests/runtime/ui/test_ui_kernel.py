"""How the kernel treats UI elements: what re-runs when a value is set, and what does not."""

from __future__ import annotations

from kernels.runtime import protocol as p
from kernels.ui import UI_MIME
from tests.runtime.kernel_driver import Driver, errors, outputs, ran, text


def slider_id(d: Driver, cell_id: str) -> str:
    data = outputs(d.events)[cell_id]
    return data[UI_MIME]["id"]


def notebook() -> Driver:
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\nspeed = ui.slider(1, 10, value=3, label='Speed')\nspeed"),
        ("use", "distance = speed.value * 60\ndistance"),
        ("later", "report = f'{distance} km'\nreport"),
        ("other", "unrelated = 1"),
        ("uses_ui_only", "ui.slider"),
    )
    d.run_all()
    return d


def test_display_spec_describes_the_element():
    d = notebook()
    spec = outputs(d.events)["make"][UI_MIME]
    assert spec == {
        "id": "make:0", "kind": "slider", "label": "Speed", "value": 3,
        "props": {"start": 1, "stop": 10, "step": 1},
    }


def test_setting_a_value_reruns_exactly_the_readers_never_the_creator():
    d = notebook()
    events = d.send(p.SetUIValue(slider_id(d, "make"), 5))
    assert ran(events) == ["use", "later"]
    assert text(events, "later") == "'300 km'"
    assert d.ns["speed"].value == 5


def test_value_survives_unrelated_runs_and_resets_when_its_cell_reruns():
    d = notebook()
    d.send(p.SetUIValue(slider_id(d, "make"), 8))
    d.run("other")
    assert d.ns["speed"].value == 8
    events = d.run("make")
    assert d.ns["speed"].value == 3, "re-created from its arguments"
    assert text(events, "use") == "180"
    assert slider_id(d, "make") == "make:0", "ids are stable across re-runs"


def test_bad_values_are_refused_and_change_nothing():
    d = notebook()
    events = d.send(p.SetUIValue(slider_id(d, "make"), 99))
    assert isinstance(events[0], p.ProtocolError)
    assert "between 1 and 10" in events[0].message
    assert events[0].object_id == slider_id(d, "make"), "the refusal names the element"
    assert not ran(events)
    assert d.ns["speed"].value == 3
    events = d.send(p.SetUIValue("make:7", 1))
    assert isinstance(events[0], p.ProtocolError) and "make:7" in events[0].message


def test_elements_of_a_deleted_cell_are_gone():
    d = notebook()
    element_id = slider_id(d, "make")
    d.delete("make")
    events = d.send(p.SetUIValue(element_id, 4))
    assert isinstance(events[0], p.ProtocolError)


def test_button_counts_clicks_and_on_click_computes_the_value():
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\nclicks = ui.button(label='Add')\n"
                 "tens = ui.button(label='Ten', value=0, on_click=lambda v: v + 10)"),
        ("show", "(clicks.value, tens.value)"),
    )
    d.run_all()
    d.send(p.SetUIValue("make:0", None))
    events = d.send(p.SetUIValue("make:0", None))
    assert text(events, "show") == "(2, 0)"
    events = d.send(p.SetUIValue("make:1", None))
    assert text(events, "show") == "(2, 10)"


def test_run_button_gates_cells_with_stop():
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\ngo = ui.run_button(label='Compute')"),
        ("param", "n = 5"),
        ("work", "ui.stop(not go.value, 'press Compute')\nresult = n * 2\nresult"),
        ("after", "final = result + 1\nfinal"),
    )
    events = d.run_all()
    assert outputs(events)["work"]["text/plain"] == "'press Compute'"
    assert not errors(events), "a stop is not an error"
    assert d.status("after") == "stale"
    assert "result" not in d.ns
    events = d.send(p.SetUIValue("make:0", True))
    assert ran(events) == ["work", "after"]
    assert text(events, "after") == "11"
    assert d.ns["go"].value is False, "the run button resets after its run"
    events = d.update("param", "n = 50") + d.run("param")
    assert outputs(events)["work"]["text/plain"] == "'press Compute'"


def test_on_change_failure_is_reported_and_the_kernel_goes_on():
    d = Driver()
    d.cells(("make", "from kernels import ui\ndef boom(v):\n    raise RuntimeError('no')\n"
                     "s = ui.slider(0, 5, on_change=boom)"), ("use", "s.value"))
    d.run_all()
    events = d.send(p.SetUIValue("make:0", 2))
    assert isinstance(events[0], p.ProtocolError) and "RuntimeError: no" in events[0].message


def test_elements_work_outside_a_kernel_with_initial_values():
    from kernels import ui

    s = ui.slider(0, 1, step=0.25, value=0.5)
    assert s.value == 0.5 and s.id.startswith("script:")


def test_a_merged_burst_runs_once_with_the_latest_value_but_counts_every_click():
    from kernels.runtime.kernel import UIValueBatch

    d = Driver()
    d.cells(
        ("make", "from kernels import ui\nmoves = []\n"
                 "s = ui.slider(0, 50, on_change=moves.append)\nclicks = ui.button()"),
        ("read", "(s.value, clicks.value)"),
    )
    d.run_all()
    batch = UIValueBatch(
        {"make:0": 30, "make:1": None},
        {"make:0": [10, 20, 30], "make:1": [None, None, None, None]},
    )
    events = d.send(batch)
    assert ran(events) == ["read"]
    assert text(events, "read") == "(30, 4)", "latest slider value; all four clicks"
    assert d.ns["moves"] == [30], "a merged slider sees only its latest value"


# -- refusals name the command and the element; the rest of a burst still applies ---------


def test_refusals_name_the_command_and_the_element():
    d = notebook()
    element_id = slider_id(d, "make")

    assert d.send(p.SetUIValue(element_id, 99)) == [p.ProtocolError(
        "<slider 'Speed' value=3>: the slider's value must be between 1 and 10, not 99",
        "set_ui_value", element_id,
    )]
    assert d.send(p.SetUIValue("make:7", 1)) == [p.ProtocolError(
        "there is no UI element with id 'make:7' (its cell may have re-run or been deleted)",
        "set_ui_value", "make:7",
    )]


def test_an_on_change_failure_names_the_command_and_the_element():
    d = Driver()
    d.cells(("make", "from kernels import ui\ndef boom(v):\n    raise RuntimeError('no')\n"
                     "s = ui.slider(0, 5, on_change=boom)"), ("use", "s.value"))
    d.run_all()

    assert d.send(p.SetUIValue("make:0", 2)) == [p.ProtocolError(
        "<slider value=2>: its on_change function raised RuntimeError: no", "set_ui_value", "make:0",
    )]


def test_an_unknown_element_in_a_burst_does_not_stop_the_others():
    from kernels.runtime.kernel import UIValueBatch

    d = notebook()

    events = d.send(UIValueBatch({"gone:0": 1, slider_id(d, "make"): 5}))

    assert isinstance(events[0], p.ProtocolError) and events[0].object_id == "gone:0"
    assert ran(events) == ["use", "later"]
    assert d.ns["speed"].value == 5


def test_a_click_that_fails_does_not_lose_the_clicks_after_it():
    from kernels.runtime.kernel import UIValueBatch

    d = Driver()
    d.cells(
        ("make", "from kernels import ui\ncalls = []\n"
                 "def click(v):\n    calls.append(v)\n    if len(calls) == 1:\n"
                 "        raise RuntimeError('first')\n    return v + 1\n"
                 "b = ui.button(value=0, on_click=click)"),
        ("show", "b.value"),
    )
    d.run_all()

    events = d.send(UIValueBatch({"make:0": None}, {"make:0": [None, None]}))

    assert isinstance(events[0], p.ProtocolError) and "RuntimeError: first" in events[0].message
    assert text(events, "show") == "1"


def test_a_click_its_on_click_refuses_does_not_lose_the_clicks_after_it():
    from kernels.runtime.kernel import UIValueBatch

    d = Driver()
    d.cells(
        ("make", "from kernels import ui\ncalls = []\n"
                 "def click(v):\n    calls.append(v)\n    if len(calls) == 1:\n"
                 "        raise ui.UIValueError('not yet')\n    return v + 1\n"
                 "b = ui.button(value=0, on_click=click)"),
        ("show", "b.value"),
    )
    d.run_all()

    events = d.send(UIValueBatch({"make:0": None}, {"make:0": [None, None]}))

    assert isinstance(events[0], p.ProtocolError) and events[0].message.endswith(": not yet")
    assert text(events, "show") == "1", "the second click still counts"


def test_a_burst_runs_the_readers_of_every_element_it_changed():
    from kernels.runtime.kernel import UIValueBatch

    d = Driver()
    d.cells(
        ("make", "from kernels import ui\nfirst = ui.slider(0, 9)\nsecond = ui.slider(0, 9)"),
        ("reads_first", "first.value"),
        ("reads_second", "second.value"),
    )
    d.run_all()

    events = d.send(UIValueBatch({"make:0": 4, "make:1": 7}))

    assert sorted(ran(events)) == ["reads_first", "reads_second"]
    assert (text(events, "reads_first"), text(events, "reads_second")) == ("4", "7")


def test_every_variable_holding_an_element_has_its_readers_run():
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\nknob = ui.slider(0, 9)\nalias = knob\npanel = [knob]"),
        ("by_name", "knob.value"),
        ("by_alias", "alias.value"),
        ("by_list", "panel[0].value"),
    )
    d.run_all()

    events = d.send(p.SetUIValue("make:0", 6))

    assert sorted(ran(events)) == ["by_alias", "by_list", "by_name"]


def test_an_element_its_cell_no_longer_makes_is_refused():
    d = Driver()
    # `kept` holds on to the second slider after its cell stops making it.
    d.cells(("store", "kept = []"),
            ("make", "from kernels import ui\na = ui.slider(0, 9)\nb = ui.slider(0, 9)\n"
                     "kept.append(b)"))
    d.run_all()
    d.update("make", "from kernels import ui\na = ui.slider(0, 9)")
    d.run("make")

    events = d.send(p.SetUIValue("make:1", 3))

    assert [type(e) for e in events] == [p.ProtocolError]


# -- script mode's --set name=value ---------------------------------------------------------


def test_set_values_are_applied_as_the_element_is_made():
    d = Driver()
    d.kernel.ui_overrides = {"n": 7}
    # Many other names in the same cell: the element is found among them all.
    d.cells(("make", "from kernels import ui\n" + "".join(f"v{i} = {i}\n" for i in range(8))
                     + "n = ui.slider(0, 10)"),
            ("use", "n.value * 2"))

    events = d.run_all()

    assert text(events, "use") == "14"
    assert d.kernel.ui_overrides == {}, "each value is used once"


def test_a_set_value_for_something_that_is_not_an_element_fails_the_cell():
    d = Driver()
    d.kernel.ui_overrides = {"x": 1}
    d.cells(("make", "x = 5"), ("use", "x + 1"))

    events = d.run_all()

    assert errors(events)["make"] == p.CellError(
        "make", "exception", "UIValueError: 'x' is not a UI element, so it cannot be set"
    )
    assert d.status("make") == "errored"
    assert next(e for e in events if isinstance(e, p.RunCompleted)).failed == ["make", "use"]


def test_a_set_value_the_element_refuses_fails_the_cell_and_says_why():
    d = Driver()
    d.kernel.ui_overrides = {"n": 99}
    d.cells(("make", "from kernels import ui\nn = ui.slider(0, 10)"))

    assert errors(d.run_all())["make"] == p.CellError(
        "make", "exception",
        "UIValueError: cannot set 'n' to that value: the slider's value must be between 0 "
        "and 10, not 99",
    )
