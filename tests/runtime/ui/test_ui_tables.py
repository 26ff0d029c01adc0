"""ui.table and ui.dataframe over row dicts, dicts of columns, and pandas/polars when installed."""

from __future__ import annotations

import datetime
import json
import math

import pytest

from kernels import ui
from kernels.runtime import protocol as p
from kernels.ui import UIValueError
from kernels.ui._frames import json_value
from tests.runtime.kernel_driver import Driver, ran, text

ROWS = [
    {"name": "Ada", "age": 36, "joined": datetime.date(2020, 5, 1), "score": 9.5},
    {"name": "Bo", "age": 17, "joined": datetime.date(2021, 1, 9), "score": float("nan")},
    {"name": "Cy", "age": 52, "joined": None, "score": 7.0},
    {"name": "Di", "age": 17, "joined": datetime.date(2019, 3, 3), "score": 8.25},
]
COLUMNS = {key: [row[key] for row in ROWS] for key in ROWS[0]}


def test_table_spec_is_json_safe_with_types_and_a_row_cap():
    t = ui.table(ROWS, page_size=2, max_rows=3, label="People")
    spec = t._spec()
    json.dumps(spec, allow_nan=False)
    props = spec["props"]
    assert props["columns"] == [
        {"name": "name", "type": "string"}, {"name": "age", "type": "number"},
        {"name": "joined", "type": "date"}, {"name": "score", "type": "number"},
    ]
    assert props["rows"][1] == ["Bo", 17, "2021-01-09", None]
    assert len(props["rows"]) == 3
    assert (props["total_rows"], props["truncated"], props["max_rows"]) == (4, True, 3)
    assert (props["page_size"], props["selection"]) == (2, "multi")
    assert spec["value"] == [] and t.value == []


@pytest.mark.parametrize("data", [ROWS, COLUMNS], ids=["rows", "columns"])
def test_table_selection_is_rows_of_the_inputs_type(data):
    t = ui.table(data)
    t._update([2, 0])
    assert t._to_wire() == [0, 2]
    if data is ROWS:
        assert t.value == [ROWS[0], ROWS[2]]
    else:
        assert t.value == {key: [column[0], column[2]] for key, column in COLUMNS.items()}


def test_selection_modes():
    single = ui.table(ROWS, selection="single", initial_selection=[1])
    assert single.value == [ROWS[1]]
    with pytest.raises(UIValueError, match="one row at most may be selected"):
        single._update([0, 1])
    none = ui.table(ROWS, selection=None)
    with pytest.raises(UIValueError, match=r"cannot be selected in this table \(selection=None\)"):
        none._update([0])
    none._update([])
    for wire, message in [([4], "from 0 to 3, not 4"), ([True], "not True"), ([0, 0], "twice"),
                          (0, "a list of row indices")]:
        with pytest.raises(UIValueError, match=message):
            ui.table(ROWS)._update(wire)
    with pytest.raises(ValueError, match="selection must be None, 'single' or 'multi'"):
        ui.table(ROWS, selection="many")
    with pytest.raises(ValueError, match="initial_selection"):
        ui.table(ROWS, initial_selection=[9])


def test_unsupported_data_is_named():
    with pytest.raises(TypeError, match="give a list of row dicts, a dict of columns, or a pandas"):
        ui.table([1, 2, 3])
    with pytest.raises(ValueError, match=r"different lengths \('a': 1, 'b': 2\)"):
        ui.table({"a": [1], "b": [1, 2]})


def transform(filters=(), sort=(), columns=()):
    return {"filters": list(filters), "sort": list(sort), "columns": list(columns)}


def test_dataframe_transform_filters_sorts_and_picks_columns():
    df = ui.dataframe(ROWS, label="People")
    assert df.value is ROWS, "the input itself until a transform is chosen"
    spec = df._spec()
    assert spec["value"] == transform()
    assert spec["props"]["operators"] == ["==", "!=", "<", "<=", ">", ">=", "contains", "in"]
    df._update(transform(
        filters=[{"column": "age", "op": "<", "value": 40}],
        sort=[{"column": "age", "descending": False}, {"column": "name", "descending": True}],
        columns=["name", "age"],
    ))
    assert df.value == [{"name": "Di", "age": 17}, {"name": "Bo", "age": 17},
                        {"name": "Ada", "age": 36}]
    assert df._to_wire()["columns"] == ["name", "age"]


@pytest.mark.parametrize(("flt", "names"), [
    ({"column": "age", "op": "==", "value": 17}, ["Bo", "Di"]),
    ({"column": "age", "op": "!=", "value": 17}, ["Ada", "Cy"]),
    ({"column": "age", "op": ">=", "value": "36"}, ["Ada", "Cy"]),
    ({"column": "name", "op": "contains", "value": "y"}, ["Cy"]),
    ({"column": "name", "op": "in", "value": ["Bo", "Cy", "Zed"]}, ["Bo", "Cy"]),
    ({"column": "joined", "op": ">", "value": "2020-01-01"}, ["Ada", "Bo"]),
    ({"column": "joined", "op": "==", "value": None}, ["Cy"]),
    ({"column": "score", "op": "!=", "value": None}, ["Ada", "Cy", "Di"]),
    ({"column": "score", "op": "<=", "value": 8.25}, ["Cy", "Di"]),
])
def test_dataframe_filter_operators(flt, names):
    df = ui.dataframe(COLUMNS)
    df._update(transform(filters=[flt]))
    assert df.value["name"] == names


def test_dataframe_sort_puts_missing_values_last_both_ways():
    df = ui.dataframe(ROWS)
    for descending, expected in [(False, ["Di", "Ada", "Bo", "Cy"]),
                                 (True, ["Bo", "Ada", "Di", "Cy"])]:
        df._update(transform(sort=[{"column": "joined", "descending": descending}]))
        assert [r["name"] for r in df.value] == expected


@pytest.mark.parametrize(("wire", "message"), [
    ([], "must be a transform"),
    ({"filter": []}, r"unknown transform fields \['filter'\]"),
    (transform(filters=[{"column": "height", "op": "==", "value": 1}]),
     r"filter 0: there is no column 'height'; the columns are \['name', 'age', 'joined', 'score'\]"),
    (transform(filters=[{"column": "age", "op": "~", "value": 1}]), "op must be one of"),
    (transform(filters=[{"column": "age", "op": "<", "value": "old"}]),
     "filter 0 on 'age': expected a number, not 'old'"),
    (transform(filters=[{"column": "age", "op": "in", "value": 3}]), "'in' needs a list"),
    (transform(filters=[{"column": "joined", "op": "<", "value": "May"}]), "YYYY-MM-DD"),
    (transform(sort=[{"column": "age", "descending": "yes"}]), '"descending" must be true or false'),
    (transform(columns=["age", "age"]), "listed twice"),
    (transform(columns=["nope"]), "columns: there is no column 'nope'"),
])
def test_dataframe_refuses_bad_transforms(wire, message):
    df = ui.dataframe(ROWS)
    with pytest.raises(UIValueError, match=message):
        df._update(wire)
    assert df.value is ROWS


def test_table_selection_reruns_its_readers():
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\npeople = ui.table([{'n': i} for i in range(30)], "
                 "selection='single')\npeople"),
        ("read", "picked = people.value\npicked"),
    )
    d.run_all()
    events = d.send(p.SetUIValue("make:0", [12]))
    assert ran(events) == ["read"] and text(events, "read") == "[{'n': 12}]"


def test_json_values():
    assert json_value(float("inf")) is None and json_value(math.nan) is None
    assert json_value(datetime.datetime(2020, 1, 2, 3, 4)) == "2020-01-02T03:04:00"
    assert json_value(b"abc") == "<3 bytes>"
    assert json_value(object).startswith("<class")
