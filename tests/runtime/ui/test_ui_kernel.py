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
