"""``mo.ui``: marimo's UI elements, with marimo's signatures, made of ``kernels.ui`` elements.

Each class takes the arguments marimo documents and builds the matching
``kernels.ui`` element, so values, ``on_change`` and re-running the readers work
exactly as for Playground's own elements. Arguments about looks only
(``debounce``, ``full_width``, ``orientation``, ``show_value``, ``kind``,
``disabled``, ``searchable``...) are accepted and not applied. Every element also
has marimo's ``Html`` methods (``.center()``, ``.callout()``, ``.style()``) and
``.form()``. Elements marimo has and Playground not yet raise ``NotSupported``
naming ``mo.ui.<name>``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kernels import ui as kui
from kernels.marimo_compat._display import Batch, HtmlMethods, Markdown, _shown
from kernels.marimo_compat._unsupported import NotSupported
from kernels.ui._core import UIElement

OnChange = Callable[[Any], object] | None


class _Element(HtmlMethods):
    """marimo's methods of every UI element."""

    def form(
        self,
        label: str = "",
        *,
        submit_button_label: str = "Submit",
        on_change: OnChange = None,
        **_: Any,
    ) -> form:
        # A mixin: every _Element is also a kernels.ui element.
        return form(self, label=label,  # type: ignore[arg-type]
                    submit_button_label=submit_button_label, on_change=on_change)


def _label(label: Any) -> str:
    return "" if label is None else str(label)


class slider(_Element, kui.slider):
    def __init__(
        self,
        start: float | None = None,
        stop: float | None = None,
        step: float | None = None,
        value: float | None = None,
        debounce: bool = False,
        orientation: str = "horizontal",
        show_value: bool = False,
        include_input: bool = False,
        steps: Sequence[float] | None = None,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        self._steps = list(steps) if steps is not None else None
        if self._steps is not None:
            if not self._steps:
                raise ValueError("slider: steps must not be empty")
            index = self._steps.index(value) if value in self._steps else 0
            super().__init__(0, len(self._steps) - 1, 1, index, label=_label(label),
                             on_change=None)
            self._marimo_on_change = on_change
            return
        if start is None or stop is None:
            raise ValueError("slider: give start and stop (or steps)")
        super().__init__(start, stop, step, value, label=_label(label), on_change=on_change)

    @property
    def value(self) -> Any:
        if self._steps is not None:
            return self._steps[int(self._value)]
        return self._value

    def _update(self, wire_value: Any) -> None:
        super()._update(wire_value)
        callback = getattr(self, "_marimo_on_change", None)
        if callback is not None:
            callback(self.value)


class range_slider(_Element, kui.range_slider):
    def __init__(
        self,
        start: float | None = None,
        stop: float | None = None,
        step: float | None = None,
        value: Sequence[float] | None = None,
        debounce: bool = False,
        orientation: str = "horizontal",
        show_value: bool = False,
        steps: Sequence[float] | None = None,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        if steps is not None:
            start, stop = min(steps), max(steps)
        if start is None or stop is None:
            raise ValueError("range_slider: give start and stop")
        # kui.range_slider checks that the value is a pair, with a message that says so.
        pair = tuple(value) if value is not None else None
        super().__init__(start, stop, step, pair,  # type: ignore[arg-type]
                         label=_label(label), on_change=on_change)

    @property
    def value(self) -> list[float]:  # type: ignore[override]
        # marimo's range slider value is a list.
        return list(self._value)


class number(_Element, kui.number):
    def __init__(
        self,
        start: float | None = None,
        stop: float | None = None,
        step: float | None = None,
        value: float | None = None,
        debounce: bool = False,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__(start, stop, step, value, label=_label(label), on_change=on_change)


class text(_Element, kui.text):
    def __init__(
        self,
        value: str = "",
        placeholder: str = "",
        kind: str = "text",
        max_length: int | None = None,
        disabled: bool = False,
        debounce: bool | int = True,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__(value, placeholder=placeholder, max_length=max_length,
                         label=_label(label), on_change=on_change)


class text_area(_Element, kui.text_area):
    def __init__(
        self,
        value: str = "",
        placeholder: str = "",
        max_length: int | None = None,
        disabled: bool = False,
        debounce: bool | int = True,
        rows: int | None = None,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__(value, placeholder=placeholder, max_length=max_length, rows=rows or 4,
                         label=_label(label), on_change=on_change)


class checkbox(_Element, kui.checkbox):
    def __init__(
        self, value: bool = False, *, label: str = "", on_change: OnChange = None, **_: Any
    ) -> None:
        super().__init__(bool(value), label=_label(label), on_change=on_change)


class switch(_Element, kui.switch):
    def __init__(
        self, value: bool = False, *, label: str = "", on_change: OnChange = None, **_: Any
    ) -> None:
        super().__init__(bool(value), label=_label(label), on_change=on_change)


class dropdown(_Element, kui.dropdown):
    def __init__(
        self,
        options: Sequence[Any] | Mapping[str, Any],
        value: str | None = None,
        allow_select_none: bool | None = None,
        searchable: bool = False,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__(options, value, label=_label(label), on_change=on_change)


class radio(_Element, kui.radio):
    def __init__(
        self,
        options: Sequence[Any] | Mapping[str, Any],
        value: str | None = None,
        inline: bool = False,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__(options, value, inline=inline, label=_label(label), on_change=on_change)


class multiselect(_Element, kui.multiselect):
    def __init__(
        self,
        options: Sequence[Any] | Mapping[str, Any],
        value: Sequence[str] | None = None,
        *,
        label: str = "",
        on_change: OnChange = None,
        max_selections: int | None = None,
        **_: Any,
    ) -> None:
        super().__init__(options, value, max_selections=max_selections, label=_label(label),
                         on_change=on_change)


class date(_Element, kui.date):
    def __init__(
        self,
        start: datetime.date | str | None = None,
        stop: datetime.date | str | None = None,
        value: datetime.date | str | None = None,
        *,
        label: str | None = None,
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__(value, start=start, stop=stop, label=_label(label), on_change=on_change)


def _unchanged(value: Any) -> Any:
    return value


class button(_Element, kui.button):
    """marimo's button: its value is ``value`` until ``on_click(value)`` changes it."""

    def __init__(
        self,
        on_click: Callable[[Any], Any] | None = None,
        value: Any = None,
        kind: str = "neutral",
        disabled: bool = False,
        tooltip: str | None = None,
        *,
        label: str = "click here",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__(label=_label(label), value=value, on_click=on_click or _unchanged,
                         on_change=on_change)


class run_button(_Element, kui.run_button):
    def __init__(
        self,
        kind: str = "primary",
        disabled: bool = False,
        tooltip: str | None = None,
        *,
        label: str = "click to run",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__(label=_label(label))
        self._on_change = on_change


class refresh(_Element, kui.refresh):
    """``mo.ui.refresh``: re-runs its readers every interval chosen next to its button.

    Its value is ``""`` before the first refresh, then ``"<interval> (<count>)"``
    (``"5s (3)"``; ``"off (1)"`` for a click with no timer running), as in marimo.
    """

    def __init__(
        self,
        options: Sequence[float | str] | None = None,
        default_interval: float | str | None = None,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        if options is not None and not isinstance(options, list | tuple):
            raise ValueError(
                f"refresh: options must be a list of intervals, not {type(options).__name__}"
            )
        # marimo treats a false default (0, "") as none.
        super().__init__(options, default_interval or None, label=_label(label),
                         on_change=on_change)

    @property
    def value(self) -> str:  # type: ignore[override]  # marimo's value is text, ours a count
        return "" if self._value == 0 else f"{self.interval} ({self._value})"


class file(_Element, kui.file):
    def __init__(
        self,
        filetypes: Sequence[str] | None = None,
        multiple: bool = False,
        kind: str = "button",
        *,
        label: str = "",
        on_change: OnChange = None,
        max_size: int = 100_000_000,
        **_: Any,
    ) -> None:
        super().__init__(accept=filetypes, multiple=multiple, max_size=max_size,
                         label=_label(label), on_change=on_change)

    def name(self, index: int = 0) -> str | None:
        files = self.value
        return files[index].name if index < len(files) else None

    def contents(self, index: int = 0) -> bytes | None:
        files = self.value
        return files[index].contents if index < len(files) else None


class table(_Element, kui.table):
    def __init__(
        self,
        data: Any,
        pagination: bool | None = None,
        selection: str | None = "multi",
        page_size: int = 10,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        if selection not in (None, "single", "multi"):
            selection = "multi" if str(selection).startswith("multi") else "single"
        super().__init__(data, selection=selection, page_size=page_size, label=_label(label),
                         on_change=on_change)


class dataframe(_Element, kui.dataframe):
    def __init__(
        self, df: Any, on_change: OnChange = None, page_size: int = 5, **_: Any
    ) -> None:
        super().__init__(df, page_size=page_size, on_change=on_change)


class array(_Element, kui.array):
    def __init__(
        self, elements: Sequence[UIElement[Any]], *, label: str = "",
        on_change: OnChange = None, **_: Any,
    ) -> None:
        super().__init__(list(elements), label=_label(label), on_change=on_change)


class dictionary(_Element, kui.dictionary):
    def __init__(
        self, elements: Mapping[str, UIElement[Any]], *, label: str = "",
        on_change: OnChange = None, **_: Any,
    ) -> None:
        super().__init__(dict(elements), label=_label(label), on_change=on_change)


def batch(html: Any, elements: Mapping[str, UIElement[Any]], on_change: OnChange = None) -> Batch:
    """``mo.ui.batch(mo.md("{x} {y}"), {"x": ..., "y": ...})``."""
    text_ = html.text if isinstance(html, Markdown) else str(html)
    return Batch(text_, dict(elements), on_change=on_change)


class tabs(_Element, kui.tabs):
    def __init__(
        self,
        tabs: Mapping[str, Any],
        value: str | None = None,
        lazy: bool = False,
        *,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__({str(k): _shown(v) for k, v in tabs.items()}, value,
                         label=_label(label), on_change=on_change)


class form(_Element, kui.form):
    def __init__(
        self,
        element: UIElement[Any],
        *,
        label: str = "",
        submit_button_label: str = "Submit",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        super().__init__(element, submit_label=submit_button_label, label=_label(label),
                         on_change=on_change)


class matrix(_Element, kui.array):
    """``mo.ui.matrix``: a grid of numbers; its value is a list of rows (lists)."""

    def __init__(
        self,
        value: Sequence[Sequence[float]],
        *,
        min_value: float | None = None,
        max_value: float | None = None,
        step: float | None = None,
        label: str = "",
        on_change: OnChange = None,
        **_: Any,
    ) -> None:
        rows = [
            kui.array([kui.number(min_value, max_value, step, cell) for cell in row])
            for row in value
        ]
        super().__init__(rows, label=_label(label), on_change=on_change)


def code_editor(
    value: str = "", language: str = "python", placeholder: str = "", *, label: str = "",
    on_change: OnChange = None, **_: Any,
) -> text_area:
    """``mo.ui.code_editor``: edit text (as a plain text area here, no highlighting)."""
    return text_area(value, placeholder=placeholder, rows=max(4, value.count("\n") + 1),
                     label=label, on_change=on_change)


class _NoSelection:
    """What a chart's value is while nothing in it can be selected yet."""

    def get_mask(self, x: Any, y: Any = None) -> Any:
        try:
            import numpy

            return numpy.zeros(numpy.shape(x), dtype=bool)
        except ImportError:
            return [False] * len(x)

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Any:
        return iter(())

    def __repr__(self) -> str:
        return "<no selection>"


class _Chart(_Element, kui.vstack):
    """A chart shown from its own display; selections are not sent back yet (none selected)."""

    @property
    def value(self) -> Any:
        return _NoSelection()


def altair_chart(chart: Any, *args: Any, label: str = "", **_: Any) -> _Chart:
    """``mo.ui.altair_chart``: shows the chart; selecting in it is not supported yet."""
    return _Chart([chart], gap=0, label=_label(label))


def plotly(figure: Any, *args: Any, label: str = "", **_: Any) -> _Chart:
    """``mo.ui.plotly``: shows the figure; selecting in it is not supported yet."""
    return _Chart([figure], gap=0, label=_label(label))


def matplotlib(axes: Any, *args: Any, label: str = "", **_: Any) -> _Chart:
    """``mo.ui.matplotlib``: shows the figure of ``axes``."""
    figure = getattr(axes, "figure", axes)
    return _Chart([figure], gap=0, label=_label(label))


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotSupported(f"mo.ui.{name}")
