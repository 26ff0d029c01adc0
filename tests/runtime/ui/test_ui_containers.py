"""array, dictionary and form: children re-run the container's readers; forms wait for submit."""

from __future__ import annotations

import re

import pytest

from kernels import ui
from kernels.runtime import protocol as p
from kernels.ui import UI_MIME, UIValueError
from tests.runtime.kernel_driver import Driver, outputs, ran, text


def protocol_errors(events: list) -> list[str]:
    return [e.message for e in events if isinstance(e, p.ProtocolError)]


def containers() -> Driver:
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\n"
                 "params = ui.array([ui.slider(0, 10, value=1), ui.text('a')], label='Params')\n"
                 "person = ui.dictionary({'name': ui.text('Ada'), 'age': ui.number(0, 120, value=36)})\n"
                 "params"),
        ("read_params", "seen_params = params.value\nseen_params"),
        ("read_person", "seen_person = person.value\nseen_person"),
        ("other", "unrelated = 1"),
    )
    d.run_all()
    return d


def test_container_specs_carry_their_children():
    d = containers()
    spec = outputs(d.events)["make"][UI_MIME]
    assert spec["kind"] == "array" and spec["label"] == "Params"
    assert spec["value"] == [1, "a"]
    assert [c["kind"] for c in spec["props"]["elements"]] == ["slider", "text"]
    assert [c["id"] for c in spec["props"]["elements"]] == ["make:0", "make:1"]
    person = d.ns["person"]._spec()
    assert person["value"] == {"name": "Ada", "age": 36}
    assert [(e["key"], e["element"]["kind"]) for e in person["props"]["elements"]] == [
        ("name", "text"), ("age", "number")]


def test_setting_a_child_reruns_the_readers_of_its_container_only():
    d = containers()
    events = d.send(p.SetUIValue("make:0", 7))
    assert ran(events) == ["read_params"]
    assert text(events, "read_params") == "[7, 'a']"
    events = d.send(p.SetUIValue(d.ns["person"]["age"].id, 40))
    assert ran(events) == ["read_person"]
    assert d.ns["seen_person"] == {"name": "Ada", "age": 40}


def test_setting_the_whole_container_sets_each_child():
    d = containers()
    events = d.send(p.SetUIValue(d.ns["params"].id, [3, "b"]))
    assert ran(events) == ["read_params"] and d.ns["seen_params"] == [3, "b"]
    events = d.send(p.SetUIValue(d.ns["person"].id, {"name": "Bo"}))
    assert d.ns["seen_person"] == {"name": "Bo", "age": 36}, "a dict may set some names only"


@pytest.mark.parametrize(("target", "wire", "message"), [
    ("params", [3], "a list of 2 values"),
    ("params", [99, "b"], r"item 0 \(slider\): the slider's value must be between 0 and 10"),
    ("person", {"height": 2}, "no element named 'height'"),
    ("person", {"age": "x"}, r"'age' \(number\): the number must be a number"),
    ("person", [1], "an object of name -> value"),
])
def test_bad_container_values_change_nothing(target, wire, message):
    d = containers()
    before = d.ns[target].value
    events = d.send(p.SetUIValue(d.ns[target].id, wire))
    assert not ran(events)
    [error] = protocol_errors(events)
    assert error.startswith(f"<{type(d.ns[target]).__name__}")
    assert re.search(message, error), error
    assert d.ns[target].value == before


def test_values_survive_unrelated_runs_and_reset_with_their_cell():
    d = containers()
    d.send(p.SetUIValue("make:1", "changed"))
    d.run("other")
    assert d.ns["params"].value == [1, "changed"]
    d.run("make")
    assert d.ns["params"].value == [1, "a"]


def test_nested_containers_reach_the_outermost_readers():
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\n"
                 "grid = ui.array([ui.dictionary({'x': ui.slider(0, 5)}), ui.checkbox()])"),
        ("read", "grid.value"),
    )
    d.run_all()
    inner = d.ns["grid"][0]["x"]
    events = d.send(p.SetUIValue(inner.id, 4))
    assert ran(events) == ["read"]
    assert text(events, "read") == "[{'x': 4}, False]"


def test_an_element_from_another_cell_keeps_its_own_readers():
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\nspeed = ui.slider(0, 10)"),
        ("wrap", "both = ui.array([speed, ui.text()])"),
        ("read_speed", "speed.value"),
        ("read_both", "both.value"),
    )
    d.run_all()
    events = d.send(p.SetUIValue("make:0", 3))
    # The cell making the array reads `speed`, so it re-runs: a new array, same ids.
    assert ran(events) == ["wrap", "read_speed", "read_both"]
    assert text(events, "read_both") == "[3, '']"


def test_on_change_runs_for_the_element_and_its_container():
    seen = []
    inner = ui.slider(0, 5, on_change=lambda v: seen.append(("inner", v)))
    outer = ui.array([inner], on_change=lambda v: seen.append(("outer", v)))
    inner._update(2)
    assert seen == [("inner", 2), ("outer", [2])]
    assert outer.value == [2]


def test_constructor_errors():
    with pytest.raises(TypeError, match="array: item 1 is int, not a UI element"):
        ui.array([ui.text(), 3])
    with pytest.raises(TypeError, match=r"ui\.dictionary takes a dict"):
        ui.array({"a": ui.text()})
    with pytest.raises(TypeError, match="names must be strings"):
        ui.dictionary({1: ui.text()})
    with pytest.raises(TypeError, match="form: give a UI element"):
        ui.form(3)


def form_notebook() -> Driver:
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\n"
                 "signup = ui.form({'name': ui.text(), 'age': ui.number(0, 120)}, "
                 "submit_label='Join')\nsignup"),
        ("greet", "ui.stop(signup.value is None, 'fill in the form')\n"
                  "greeting = f\"hi {signup.value['name']}\"\ngreeting"),
    )
    d.run_all()
    return d


def test_form_value_is_none_until_submitted_then_the_whole_inner_value():
    d = form_notebook()
    spec = outputs(d.events)["make"][UI_MIME]
    assert spec["kind"] == "form" and spec["value"] is None
    assert spec["props"]["submit_label"] == "Join"
    assert spec["props"]["element"]["kind"] == "dictionary"
    assert text(d.events, "greet") == "'fill in the form'"
    events = d.send(p.SetUIValue(d.ns["signup"].id, {"name": "Ada", "age": 36}))
    assert ran(events) == ["greet"]
    assert text(events, "greet") == "'hi Ada'"
    assert d.ns["signup"].value == {"name": "Ada", "age": 36}
    assert d.ns["signup"]._to_wire() == {"name": "Ada", "age": 36}


def test_inputs_inside_a_form_do_not_run_anything_themselves():
    d = form_notebook()
    name = d.ns["signup"].element["name"]
    events = d.send(p.SetUIValue(name.id, "Eve"))
    assert not ran(events)
    [error] = protocol_errors(events)
    assert "inside form" in error and "on submit" in error
    assert name.value == ""


def test_a_bad_submit_changes_nothing():
    d = form_notebook()
    events = d.send(p.SetUIValue(d.ns["signup"].id, {"name": "Ada", "age": 500}))
    assert not ran(events)
    [error] = protocol_errors(events)
    assert "the form's dictionary: 'age' (number)" in error
    assert d.ns["signup"].value is None


def test_form_of_one_element():
    f = ui.form(ui.slider(0, 9))
    assert f.value is None
    f._update(4)
    assert f.value == 4
    with pytest.raises(UIValueError, match="inside form"):
        f.element._update(5)
