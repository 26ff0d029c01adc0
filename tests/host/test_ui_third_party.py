"""UI elements with the third-party libraries users pass them: pandas, polars, matplotlib.

These live outside tests/runtime because Pyodide's test run has none of these
packages; here (CPython) they are pinned in requirements-dev.txt and always run.
"""

from __future__ import annotations

import base64
import json

import pandas as pd
import polars as pl

from kernels import ui
from kernels.ui import UI_MIME
from tests.runtime.kernel_driver import Driver, outputs, text
from tests.runtime.ui.test_ui_tables import ROWS, transform


def test_pandas_frames_stay_pandas():
    frame = pd.DataFrame(ROWS)
    frame["joined"] = pd.to_datetime(frame["joined"])
    t = ui.table(frame)
    props = t._spec()["props"]
    json.dumps(props, allow_nan=False)
    assert [c["type"] for c in props["columns"]] == ["string", "number", "datetime", "number"]
    assert props["rows"][2] == ["Cy", 52, None, 7.0]
    assert props["rows"][0][2] == "2020-05-01T00:00:00"
    t._update([1, 3])
    assert isinstance(t.value, pd.DataFrame) and list(t.value["name"]) == ["Bo", "Di"]
    df = ui.dataframe(frame)
    df._update(transform(filters=[{"column": "joined", "op": "<", "value": "2021-01-01"}],
                         sort=[{"column": "age", "descending": True}], columns=["name"]))
    assert isinstance(df.value, pd.DataFrame)
    assert list(df.value.columns) == ["name"] and list(df.value["name"]) == ["Ada", "Di"]


def test_polars_frames_stay_polars():
    frame = pl.DataFrame(ROWS)
    t = ui.table(frame)
    props = t._spec()["props"]
    json.dumps(props, allow_nan=False)
    assert [c["type"] for c in props["columns"]] == ["string", "number", "date", "number"]
    t._update([0])
    assert isinstance(t.value, pl.DataFrame) and t.value["name"].to_list() == ["Ada"]
    t._update([])
    assert isinstance(t.value, pl.DataFrame) and t.value.height == 0
    df = ui.dataframe(frame)
    df._update(transform(filters=[{"column": "name", "op": "in", "value": ["Ada", "Cy"]}],
                         columns=["age", "name"]))
    assert isinstance(df.value, pl.DataFrame)
    assert df.value.columns == ["age", "name"] and df.value["age"].to_list() == [36, 52]


def test_figures_render_as_png_in_images_and_layouts():
    d = Driver()
    d.cells(
        ("plot", "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
                 "fig, ax = plt.subplots()\nax.plot([1, 2], [2, 1])"),
        ("show", "from kernels import ui\n"
                 "ui.hstack([ui.image(fig, label='Line'), ax, ui.tabs({'Plot': fig})])"),
    )
    events = d.run_all()
    items = outputs(events)["show"][UI_MIME]["props"]["items"]
    assert items[0][UI_MIME]["props"]["src"].startswith("data:image/png;base64,")
    assert base64.b64decode(items[1]["image/png"]).startswith(b"\x89PNG")
    tab = items[2][UI_MIME]["props"]["tabs"][0]["content"]
    assert base64.b64decode(tab["image/png"]).startswith(b"\x89PNG")
    shown = text(events, "show")
    assert shown.startswith("<image 'Line'>  ") and shown.endswith("  <tabs value='Plot'>")
