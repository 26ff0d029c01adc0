"""Cell outputs as mimebundles through the `_repr_*_` display protocols."""

from __future__ import annotations

import base64

from kernels.runtime.outputs import MAX_TEXT, mimebundle, summarise
from tests.runtime.kernel_driver import Driver, outputs


class Rich:
    def _repr_html_(self):
        return "<b>hi</b>"

    def _repr_markdown_(self):
        return "**hi**"

    def _repr_svg_(self):
        return "<svg xmlns='http://www.w3.org/2000/svg'></svg>"

    def _repr_png_(self):
        return b"\x89PNG\r\n"

    def _repr_json_(self):
        return {"a": [1, 2]}

    def __repr__(self):
        return "Rich()"


def test_every_repr_method_lands_under_its_mime_type():
    bundle = mimebundle(Rich())
    assert bundle["text/html"] == "<b>hi</b>"
    assert bundle["text/markdown"] == "**hi**"
    assert bundle["image/svg+xml"].startswith("<svg")
    assert base64.b64decode(bundle["image/png"]) == b"\x89PNG\r\n"
    assert bundle["application/json"] == {"a": [1, 2]}
    assert bundle["text/plain"] == "Rich()"


def test_repr_mimebundle_wins_and_metadata_tuples_are_unwrapped():
    class Bundle:
        def _repr_mimebundle_(self, include=None, exclude=None):
            return {"text/html": "<i>x</i>", "text/plain": "X"}, {"text/html": {}}

        def _repr_html_(self):
            return "<b>ignored</b>"

    class Pair:
        def _repr_html_(self):
            return ("<u>u</u>", {"isolated": True})

    assert mimebundle(Bundle()) == {"text/html": "<i>x</i>", "text/plain": "X"}
    assert mimebundle(Pair())["text/html"] == "<u>u</u>"


def test_broken_repr_methods_fall_back_to_text():
    class Broken:
        def _repr_html_(self):
            raise RuntimeError("nope")

        def __repr__(self):
            raise ValueError("bad repr")

    bundle = mimebundle(Broken())
    assert "text/html" not in bundle
    assert "repr() failed" in bundle["text/plain"]


def test_classes_are_not_asked_for_instance_reprs():
    assert mimebundle(Rich) == {"text/plain": repr(Rich)}


def test_none_has_no_output_and_huge_text_is_truncated():
    assert mimebundle(None) == {}
    bundle = mimebundle("x" * (MAX_TEXT * 2))
    assert len(bundle["text/plain"]) < MAX_TEXT + 100
    assert "more characters" in bundle["text/plain"]


def test_rich_output_reaches_the_output_event():
    d = Driver()
    d.cells(("a", "class Page:\n    def _repr_html_(self):\n        return '<h1>T</h1>'\nPage()"))
    assert outputs(d.run_all())["a"]["text/html"] == "<h1>T</h1>"


def test_summaries_are_short_and_typed():
    kind, preview = summarise(list(range(1000)))
    assert kind == "list" and len(preview) < 80
    kind, preview = summarise(Rich())
    assert kind.endswith("Rich") and preview == "Rich()"
