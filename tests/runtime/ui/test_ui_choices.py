"""Dropdown, radio and multiselect: labels on the wire, values in Python."""

from __future__ import annotations

import pytest

from kernels import ui
from kernels.ui import UIValueError


def test_dropdown_of_a_list_and_of_a_dict():
    colours = ui.dropdown(["red", "green"], value="red", label="Colour")
    assert colours.value == "red"
    spec = colours._spec()
    assert spec["kind"] == "dropdown" and spec["value"] == "red"
    assert spec["props"] == {"options": ["red", "green"]}
    sizes = ui.dropdown({"Small": 10, "Large": 100})
    assert sizes.value is None and sizes._to_wire() is None
    sizes._update("Large")
    assert sizes.value == 100 and sizes._to_wire() == "Large"
    sizes._update(None)
    assert sizes.value is None


def test_options_that_are_not_text_keep_their_values():
    numbers = ui.dropdown([1, 2, 3], value="2")
    assert numbers.value == 2
    same = ui.dropdown({"A": 1, "B": 1})
    same._update("B")
    assert same._to_wire() == "B", "the label is kept, not looked up by value"


@pytest.mark.parametrize(("wire", "message"), [
    ("blue", r"expected one of the option labels 'red', 'green' or null, not 'blue'"),
    (0, "not 0"),
    (["red"], "not \\['red'\\]"),
])
def test_dropdown_refuses_unknown_labels(wire, message):
    colours = ui.dropdown(["red", "green"], value="green")
    with pytest.raises(UIValueError, match=message):
        colours._update(wire)
    assert colours.value == "green"


def test_bad_options():
    with pytest.raises(ValueError, match="two options are labelled '1'"):
        ui.dropdown([1, "1"])
    with pytest.raises(TypeError, match=r"labels .* must be strings"):
        ui.dropdown({1: "a"})
    with pytest.raises(TypeError, match="not text"):
        ui.dropdown("abc")
    with pytest.raises(ValueError, match="value= takes an option's label"):
        ui.dropdown(["a"], value="b")


def test_radio():
    choice = ui.radio(["mean", "median"], value="mean", inline=True, label="Statistic")
    assert choice._spec()["props"] == {"options": ["mean", "median"], "inline": True}
    choice._update("median")
    assert choice.value == "median"
    with pytest.raises(UIValueError, match="option labels"):
        choice._update("mode")


def test_multiselect():
    picked = ui.multiselect({"A": 1, "B": 2, "C": 3}, value=["B"], max_selections=2)
    assert picked.value == [2] and picked._to_wire() == ["B"]
    assert picked._spec()["props"] == {"options": ["A", "B", "C"], "max_selections": 2}
    picked._update(["C", "A"])
    assert picked.value == [3, 1], "in the order selected"
    picked._update([])
    assert picked.value == []
    for wire, message in [
        ("A", "must be a list of option labels"),
        (["A", "Z"], "not 'Z'"),
        (["A", "A"], "selected twice"),
        (["A", "B", "C"], "at most 2 options"),
    ]:
        with pytest.raises(UIValueError, match=message):
            picked._update(wire)
    assert picked.value == []
    with pytest.raises(ValueError, match="max_selections"):
        ui.multiselect(["a"], max_selections=0)
