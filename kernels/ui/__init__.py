"""UI elements whose values live in Python: ``from kernels import ui``.

Create an element in one cell and read its ``.value`` in others::

    speed = ui.slider(1, 10, value=3, label="Speed")   # cell 1: shows the slider
    distance = speed.value * 60                        # cell 2: re-runs when it moves

Moving the slider re-runs exactly the cells that read ``speed``, never the
cell that created it. An element keeps its value while unrelated cells run;
when the cell that created it runs again, it is created anew from its
arguments (so its value goes back to ``value=``). Values cross to the front
end as JSON. In ``playground run`` an element has its initial value, or the
one given with ``--set name=value``.

Inputs: slider, range_slider, number, text, text_area, checkbox, switch,
dropdown, radio, multiselect, date, file, button, run_button, refresh (a button
with a timer). Data: table, dataframe. Several at once: array, dictionary, batch,
form. Layout and display: hstack, vstack, tabs, accordion, md, html, image,
mermaid, progress. The user guide is docs/ui.md.
"""

from __future__ import annotations

from typing import Any

from kernels.ui._choices import dropdown, multiselect, radio
from kernels.ui._containers import array, batch, dictionary, form
from kernels.ui._core import UI_MIME, StopCell, UIElement, UIValueError
from kernels.ui._files import UploadedFile, file
from kernels.ui._inputs import (
    button,
    checkbox,
    date,
    number,
    range_slider,
    run_button,
    slider,
    switch,
    text,
    text_area,
)
from kernels.ui._layout import accordion, hstack, image, md, mermaid, tabs, vstack
from kernels.ui._layout import html_ as html
from kernels.ui._progress import progress
from kernels.ui._refresh import refresh
from kernels.ui._tables import dataframe, table


def stop(when: bool = True, output: Any = None) -> None:
    """End the running cell quietly when ``when`` is true, showing ``output``.

    The cell then defines nothing and the cells depending on it wait (stale)
    instead of failing: ``if not run.value: ui.stop()``.
    """
    if when:
        raise StopCell(output)
    return None


__all__ = [
    "UI_MIME",
    "UIElement",
    "UIValueError",
    "UploadedFile",
    "accordion",
    "array",
    "batch",
    "button",
    "checkbox",
    "dataframe",
    "date",
    "dictionary",
    "dropdown",
    "file",
    "form",
    "hstack",
    "html",
    "image",
    "md",
    "mermaid",
    "multiselect",
    "number",
    "progress",
    "radio",
    "range_slider",
    "refresh",
    "run_button",
    "slider",
    "stop",
    "switch",
    "table",
    "tabs",
    "text",
    "text_area",
    "vstack",
]
