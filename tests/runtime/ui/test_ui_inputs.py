"""Single-value inputs: specs, wire values in and out, and clear refusals of bad values."""

from __future__ import annotations

import datetime

import pytest

from kernels import ui
from kernels.ui import UIValueError


def spec(element: ui.UIElement) -> dict:
    data = element._spec()
    assert set(data) == {"id", "kind", "label", "value", "props"}
    return data


def refused(element: ui.UIElement, wire, message: str) -> None:
    before = element._to_wire()
    with pytest.raises(UIValueError, match=message):
        element._update(wire)
    assert element._to_wire() == before, "a refused value changes nothing"


def test_range_slider_value_is_a_tuple_and_a_list_on_the_wire():
    r = ui.range_slider(0, 100, value=(20, 80), label="Price")
    assert r.value == (20, 80)
    assert spec(r) | {"id": None} == {
        "id": None, "kind": "range_slider", "label": "Price", "value": [20, 80],
        "props": {"start": 0, "stop": 100, "step": 1},
    }
    r._update([10, 10])
    assert r.value == (10, 10)
    assert ui.range_slider(0, 1).value == (0, 1)
    assert ui.range_slider(0.0, 1.0)._props()["step"] == 0.01


@pytest.mark.parametrize(("wire", "message"), [
    (5, r"a pair \[low, high\]"),
    ([1, 2, 3], "a pair"),
    ([50, 10], r"low end \(50\) must not be above the high end \(10\)"),
    ([-1, 10], "the low end must be between 0 and 100"),
    ([0, "9"], "the high end must be a number"),
    ([0, float("nan")], "finite"),
])
def test_range_slider_refuses(wire, message):
    refused(ui.range_slider(0, 100), wire, message)


def test_range_slider_bad_arguments():
    with pytest.raises(ValueError, match=r"stop .* is below start"):
        ui.range_slider(10, 0)
    with pytest.raises(ValueError, match="range_slider: the low end"):
        ui.range_slider(0, 10, value=(-5, 5))


def test_number_bounds_optional_and_integral_values():
    n = ui.number(0, 10, value=3, label="Count")
    assert spec(n)["props"] == {"start": 0, "stop": 10, "step": None}
    n._update(7)
    assert n.value == 7 and isinstance(n.value, int)
    n._update(7.6)
    assert n.value == 8, "integral bounds round"
    free = ui.number()
    assert free.value == 0
    free._update(-1e9)
    assert free.value == -1e9
    free._update(2.5)
    assert free.value == 2.5, "with no bounds or step, any number"
    assert ui.number(step=0.5).value == 0
    assert ui.number(stop=-3).value == -3
    refused(ui.number(0, 10), 11, "between 0 and 10")
    refused(ui.number(start=5), 1, "at least 5")
    refused(ui.number(stop=5), 6, "at most 5")
    refused(ui.number(), "3", "must be a number")
    refused(ui.number(), True, "must be a number")
    with pytest.raises(ValueError, match="number: the number must be between"):
        ui.number(0, 1, value=2)


def test_text_and_text_area():
    t = ui.text("hi", placeholder="Name", max_length=5, label="Name")
    assert spec(t)["props"] == {"placeholder": "Name", "max_length": 5}
    t._update("hello")
    assert t.value == "hello"
    refused(t, "toolong", "7 characters long; at most 5 fit")
    refused(t, 3, "must be a string")
    area = ui.text_area(rows=6)
    assert spec(area)["kind"] == "text_area"
    assert spec(area)["props"] == {"placeholder": "", "max_length": None, "rows": 6}
    area._update("a\nb")
    assert area.value == "a\nb"
    with pytest.raises(ValueError, match="rows must be"):
        ui.text_area(rows=0)
    with pytest.raises(ValueError, match="text: the value must be a string"):
        ui.text(None)


@pytest.mark.parametrize("make", [ui.checkbox, ui.switch])
def test_checkbox_and_switch_take_booleans_only(make):
    box = make(label="Grid")
    assert spec(box)["value"] is False and spec(box)["kind"] == make.__name__
    box._update(True)
    assert box.value is True
    refused(box, 1, "must be true or false")
    refused(box, "true", "must be true or false")
    with pytest.raises(ValueError, match="value must be True or False"):
        make(value="yes")


def test_date_is_a_date_in_python_and_iso_on_the_wire():
    d = ui.date("2024-06-01", start="2024-01-01", stop=datetime.date(2024, 12, 31), label="From")
    assert d.value == datetime.date(2024, 6, 1)
    assert spec(d)["value"] == "2024-06-01"
    assert spec(d)["props"] == {"start": "2024-01-01", "stop": "2024-12-31"}
    d._update("2024-02-29")
    assert d.value == datetime.date(2024, 2, 29)
    refused(d, "2025-01-01", "on or before 2024-12-31")
    refused(d, "2023-12-31", "on or after 2024-01-01")
    refused(d, "2024-02-30", "YYYY-MM-DD")
    refused(d, "20240301", "YYYY-MM-DD")
    refused(d, 20240301, "YYYY-MM-DD")
    assert ui.date(datetime.datetime(2020, 1, 2, 3, 4)).value == datetime.date(2020, 1, 2)
    assert ui.date().value == datetime.date.today()
    assert ui.date(stop="2000-01-01").value == datetime.date(2000, 1, 1), "today, kept in range"
    with pytest.raises(ValueError, match=r"stop .* is before start"):
        ui.date(start="2024-02-01", stop="2024-01-01")


def test_every_input_has_a_usage_example_in_its_docstring():
    for name in ("slider", "range_slider", "number", "text", "text_area", "checkbox", "switch",
                 "date", "button", "dropdown", "radio", "multiselect", "file", "table",
                 "dataframe", "array", "dictionary", "form", "tabs", "accordion", "hstack",
                 "vstack", "md", "image", "progress", "refresh", "mermaid"):
        doc = getattr(ui, name).__doc__
        assert doc and f"ui.{name}(" in doc, name


def test_button_click_counts_each_message():
    b = ui.button()
    for _ in range(3):
        b._update(None)
    assert b.value == 3
    assert ui.button._merge_messages is False, "a burst of clicks must not be merged into one"
