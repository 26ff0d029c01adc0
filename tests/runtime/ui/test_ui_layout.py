"""Stacks, tabs, accordion, markdown with live elements, and images."""

from __future__ import annotations

import base64
import json

import pytest

from kernels import ui
from kernels.runtime import protocol as p
from kernels.runtime.outputs import mimebundle
from kernels.ui import UI_MIME, UIValueError
from tests.runtime.kernel_driver import Driver, outputs, ran

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


def test_stack_items_carry_their_own_mimebundles():
    speed = ui.slider(0, 10, label="Speed")
    row = ui.hstack([speed, "**km/h**", 42], gap=1, justify="space-between", label="Controls")
    bundle = mimebundle(row)
    spec = bundle[UI_MIME]
    json.dumps(spec)
    assert spec["kind"] == "hstack" and spec["label"] == "Controls" and spec["value"] is None
    props = spec["props"]
    assert (props["direction"], props["gap"], props["justify"], props["wrap"]) == (
        "row", 1, "space-between", False)
    first, second, third = props["items"]
    assert first[UI_MIME]["id"] == speed.id
    assert second[UI_MIME]["kind"] == "markdown", "text in a layout is markdown"
    assert second["text/markdown"] == "**km/h**"
    assert third == {"text/plain": "42"}
    assert "Speed" in bundle["text/html"], "a static rendering for exports"
    column = ui.vstack([row, None])
    assert column._spec()["props"]["direction"] == "column"
    assert column._spec()["props"]["items"][1] == {"text/plain": ""}


def test_static_renderings_for_terminals_and_exports():
    speed = ui.slider(0, 9, value=4, label="Speed")
    column = ui.vstack([ui.hstack([speed, "km/h"]), ui.md(f"**Now** {speed} <b>")])
    assert mimebundle(column)["text/plain"] == "<slider 'Speed' value=4>  km/h\n**Now** 4 <b>"
    page = mimebundle(column)["text/html"]
    assert "**Now** <span class=\"pg-ui pg-ui-slider\"><label>Speed</label> <code>4</code></span>" in page
    assert "&lt;b&gt;" in page, "markdown text is escaped in the static rendering"


def test_layouts_have_no_value_to_set():
    for element in (ui.hstack([]), ui.vstack([]), ui.md("x"), ui.image(PNG)):
        with pytest.raises(UIValueError, match="no value to set"):
            element._update(1)


def test_bad_layout_arguments():
    with pytest.raises(ValueError, match="align must be one of"):
        ui.hstack([], align="middle")
    with pytest.raises(TypeError, match="a list of things to show"):
        ui.vstack("abc")
    with pytest.raises(TypeError, match="non-empty dict"):
        ui.tabs({})


def test_tabs_value_is_the_selected_title():
    t = ui.tabs({"Plot": PNG, "Data": ui.slider(0, 1)}, value="Data", label="View")
    assert t.value == "Data"
    spec = t._spec()
    assert [tab["label"] for tab in spec["props"]["tabs"]] == ["Plot", "Data"]
    assert spec["props"]["tabs"][1]["content"][UI_MIME]["kind"] == "slider"
    t._update("Plot")
    assert t.value == "Plot"
    with pytest.raises(UIValueError, match=r"expected a tab title from \['Plot', 'Data'\]"):
        t._update("Nope")
    assert ui.tabs({"A": 1, "B": 2}).value == "A"


def test_accordion_value_lists_open_sections():
    a = ui.accordion({"One": "first", "Two": "second"})
    assert a.value == [] and a._spec()["props"]["multiple"] is False
    a._update(["Two"])
    assert a.value == ["Two"]
    with pytest.raises(UIValueError, match="only one section may be open"):
        a._update(["One", "Two"])
    many = ui.accordion({"One": 1, "Two": 2}, value=["One"], multiple=True)
    many._update(["One", "Two"])
    assert many.value == ["One", "Two"]
    with pytest.raises(UIValueError, match="section titles"):
        many._update(["Three"])
    assert "<details open>" in many._static_html()


def test_markdown_embeds_live_elements():
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\nspeed = ui.slider(1, 10, value=3, label='Speed')"),
        ("text", "note = ui.md(f'''\n    # Trip\n    Speed: {speed} km/h\n    ''')\nnote"),
        ("read", "speed.value * 2"),
    )
    events = d.run_all()
    bundle = outputs(events)["text"]
    spec = bundle[UI_MIME]
    assert spec["kind"] == "markdown"
    assert spec["props"]["text"] == '# Trip\nSpeed: <pg-ui data-id="make:0"></pg-ui> km/h'
    assert [e["id"] for e in spec["props"]["elements"]] == ["make:0"]
    assert spec["props"]["elements"][0]["value"] == 3
    assert "<pg-ui" not in bundle["text/markdown"] and "Speed" in bundle["text/markdown"]
    assert bundle["text/plain"] == "# Trip\nSpeed: 3 km/h"
    # Moving the embedded slider re-runs the readers of `speed`: here the markdown's
    # own cell too, since it reads `speed`, so it shows the new value.
    events = d.send(p.SetUIValue("make:0", 5))
    assert ran(events) == ["text", "read"]
    assert outputs(events)["text"][UI_MIME]["props"]["elements"][0]["value"] == 5


def test_markdown_made_in_the_same_cell_is_not_a_reader():
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\ns = ui.slider(0, 9)\nview = ui.md(f'value {s}')\nview"),
        ("read", "s.value"),
        ("read_view", "view.text"),
    )
    d.run_all()
    events = d.send(p.SetUIValue("make:0", 2))
    assert ran(events) == ["read"]


def test_markdown_in_a_plain_script_finds_its_elements():
    s = ui.slider(0, 3, value=2)
    note = ui.md(f"value: {s}")
    assert note._spec()["props"]["elements"][0]["id"] == s.id
    assert mimebundle(note)["text/plain"] == "value: 2"
    unknown = ui.md('<pg-ui data-id="gone:1"></pg-ui>')
    assert unknown._spec()["props"]["elements"] == []


def test_image_from_bytes_path_and_svg(tmp_path):
    png = ui.image(PNG, width=20, label="A dot")
    spec = png._spec()
    assert spec["kind"] == "image" and spec["label"] == "A dot"
    assert spec["props"]["mime"] == "image/png" and spec["props"]["width"] == 20
    assert spec["props"]["src"].startswith("data:image/png;base64,iVBOR")
    bundle = mimebundle(png)
    assert base64.b64decode(bundle["image/png"]) == PNG
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    assert ui.image(path)._props()["mime"] == "image/png"
    assert ui.image(str(path))._props()["mime"] == "image/png"
    svg = ui.image(SVG)
    assert svg._props()["mime"] == "image/svg+xml"
    assert mimebundle(svg)["image/svg+xml"] == SVG
    jpeg = ui.image(b"\xff\xd8\xff\xe0" + b"\0" * 10)
    assert jpeg._props()["mime"] == "image/jpeg"


def test_image_errors_say_what_it_takes(tmp_path):
    with pytest.raises(ValueError, match="not a PNG, JPEG, GIF, WebP or SVG"):
        ui.image(b"hello")
    with pytest.raises(ValueError, match="cannot read"):
        ui.image(tmp_path / "missing.png")
    with pytest.raises(TypeError, match="matplotlib figure; got int"):
        ui.image(3)
    with pytest.raises(ValueError, match="width must be"):
        ui.image(PNG, width=0)


def test_mermaid_carries_its_source_for_the_front_end_and_shows_it_where_none_draws():
    diagram = ui.mermaid("graph TD\n  A[<b>start</b>] --> B", label="Pipeline")
    bundle = mimebundle(diagram)
    spec = bundle[UI_MIME]
    json.dumps(spec)
    assert spec | {"id": None} == {
        "id": None, "kind": "mermaid", "label": "Pipeline", "value": None,
        "props": {"diagram": "graph TD\n  A[<b>start</b>] --> B"},
    }
    # HTML export and terminals get the source, escaped: no mermaid.js there.
    assert bundle["text/html"] == (
        '<pre class="pg-ui pg-ui-mermaid">graph TD\n  A[&lt;b&gt;start&lt;/b&gt;] --&gt; B</pre>'
    )
    assert bundle["text/plain"] == diagram.diagram
    with pytest.raises(UIValueError, match="no value to set"):
        diagram._update("x")
    with pytest.raises(TypeError, match="mermaid: give the diagram as text, not int"):
        ui.mermaid(3)
