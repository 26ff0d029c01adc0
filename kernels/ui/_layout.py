"""Elements that arrange and show other things: stacks, tabs, accordion, markdown, images,
diagrams.

Layouts hold any displayable value: elements stay live (the front end draws
them from their specs and sends their values by their own ids), text is
markdown (``ui.md``), everything else is shown from its mimebundle, so a
matplotlib figure in a stack is a PNG.
Layouts do not adopt the elements they show: setting one re-runs the readers
of that element, not of the layout.
"""

from __future__ import annotations

import base64
import html
import inspect
import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kernels.runtime.outputs import mimebundle
from kernels.ui._core import (
    UI_MIME,
    UIElement,
    UIValueError,
    checked_argument,
    find_element,
)


def _bundle(item: Any) -> dict[str, Any]:
    bundle = mimebundle(item)
    return bundle if bundle else {"text/plain": ""}


def _bundle_html(bundle: dict[str, Any]) -> str:
    """A static rendering of one mimebundle, for places with no live front end."""
    if "text/html" in bundle:
        return str(bundle["text/html"])
    if "image/svg+xml" in bundle:
        return str(bundle["image/svg+xml"])
    for mime in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        if mime in bundle:
            return f'<img alt="" src="data:{mime};base64,{bundle[mime]}">'
    for mime in ("text/markdown", "text/plain"):
        if mime in bundle:
            return f"<pre>{html.escape(str(bundle[mime]))}</pre>"
    return ""


def _item_html(item: Any) -> str:
    if isinstance(item, UIElement):
        return item._static_html()
    return _bundle_html(_bundle(item))


class _Layout(UIElement[None]):
    """A value-less element that shows other things."""

    def __init__(self, *, label: str) -> None:
        super().__init__(None, label=label)

    def _from_wire(self, wire_value: Any) -> Any:
        raise UIValueError(
            f"a {self.kind} has no value to set; set the elements inside it by their own ids"
        )

    def _to_wire(self) -> None:
        return None

    def __repr__(self) -> str:
        label = f" {self._label!r}" if self._label else ""
        return f"<{type(self).__name__}{label}>"


_ALIGN = ("start", "center", "end", "stretch")
_JUSTIFY = ("start", "center", "end", "space-between", "space-around")


def _finite(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _choice(kind: str, name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{kind}: {name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _shown(item: Any) -> Any:
    """Text in a layout is markdown (with live elements formatted into it)."""
    return md(item) if isinstance(item, str) else item


def _items(kind: str, items: Sequence[Any]) -> list[Any]:
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Sequence):
        raise TypeError(f"{kind}: give a list of things to show, not {type(items).__name__}")
    return [_shown(item) for item in items]


def _sizes(kind: str, name: str, sizes: Sequence[float] | str | None, count: int) -> list[float]:
    """Relative sizes of a stack's items (``"equal"``: all the same); [] when not given."""
    if sizes is None:
        return []
    if sizes == "equal":
        return [1.0] * count
    # Sequence first: mypy drops the str narrowing when the Sequence test comes second.
    if not isinstance(sizes, Sequence) or isinstance(sizes, str):
        raise ValueError(f'{kind}: {name} must be a list of numbers or "equal"')
    if len(sizes) != count or not all(_finite(size) and size >= 0 for size in sizes):
        raise ValueError(
            f"{kind}: {name} must give one number >= 0 per item ({count}), not {list(sizes)!r}"
        )
    return [float(size) for size in sizes]


class _Stack(_Layout):
    direction = "row"

    def __init__(
        self, items: Sequence[Any], *, gap: float, align: str, justify: str, wrap: bool,
        label: str, sizes: Sequence[float] | str | None = None,
    ) -> None:
        self._items = _items(self.kind, items)
        if not _finite(gap) or gap < 0:
            raise ValueError(f"{self.kind}: gap must be a number >= 0 (in rem)")
        self._gap = gap
        self._align = _choice(self.kind, "align", align, _ALIGN)
        self._justify = _choice(self.kind, "justify", justify, _JUSTIFY)
        self._wrap = bool(wrap)
        name = "widths" if self.direction == "row" else "heights"
        self._sizes = _sizes(self.kind, name, sizes, len(self._items))
        super().__init__(label=label)

    @property
    def items(self) -> list[Any]:
        """The things shown, in order."""
        return list(self._items)

    def _props(self) -> dict[str, Any]:
        return {
            "items": [_bundle(item) for item in self._items],
            "direction": self.direction,
            "gap": self._gap,
            "align": self._align,
            "justify": self._justify,
            "wrap": self._wrap,
            # Relative sizes (flex-grow) of the items along the stack, or [] for natural sizes.
            "sizes": self._sizes,
        }

    def _plain_text(self) -> str:
        texts = [str(_bundle(item).get("text/plain", "")) for item in self._items]
        return ("  " if self.direction == "row" else "\n").join(texts)

    def _static_html(self) -> str:
        inner = "".join(f"<div>{_item_html(item)}</div>" for item in self._items)
        style = (f"display:flex;flex-direction:{self.direction};gap:{self._gap}rem;"
                 f"flex-wrap:{'wrap' if self._wrap else 'nowrap'}")
        label = html.escape(self._label, quote=True)
        return f'<div class="pg-ui pg-ui-{self.kind}" aria-label="{label}" style="{style}">' \
               f"{inner}</div>"


class hstack(_Stack):
    """Things side by side: ``ui.hstack([speed, ui.md("km/h"), fig], gap=1)``.

    Items are elements (they stay live), text (markdown), or anything a cell
    can show. ``gap`` is in rem; ``align`` (cross axis: start, center, end, stretch) and
    ``justify`` (main axis: start, center, end, space-between, space-around)
    place them; ``wrap=True`` lets them flow onto more rows; ``widths`` gives the
    items' relative widths (``[1, 2]``, or ``"equal"``). It has no value.
    """

    kind = "hstack"
    direction = "row"

    def __init__(
        self,
        items: Sequence[Any],
        *,
        gap: float = 0.5,
        align: str = "start",
        justify: str = "start",
        wrap: bool = False,
        widths: Sequence[float] | str | None = None,
        label: str = "",
    ) -> None:
        super().__init__(
            items, gap=gap, align=align, justify=justify, wrap=wrap, label=label, sizes=widths
        )


class vstack(_Stack):
    """Things one above another: ``ui.vstack([ui.md("## Inputs"), speed, angle])``.

    Like :class:`hstack` in a column (``align`` defaults to stretch; ``heights`` are
    the items' relative heights). It has no value.
    """

    kind = "vstack"
    direction = "column"

    def __init__(
        self,
        items: Sequence[Any],
        *,
        gap: float = 0.5,
        align: str = "stretch",
        justify: str = "start",
        heights: Sequence[float] | str | None = None,
        label: str = "",
    ) -> None:
        super().__init__(
            items, gap=gap, align=align, justify=justify, wrap=False, label=label, sizes=heights
        )


def _sections(kind: str, sections: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(sections, Mapping) or not sections:
        raise TypeError(f"{kind}: give a non-empty dict of title -> content")
    for key in sections:
        if not isinstance(key, str):
            raise TypeError(f"{kind}: titles (the dict's keys) must be strings, not {key!r}")
    return {title: _shown(content) for title, content in sections.items()}


class tabs(UIElement[str]):
    """Tabs: ``ui.tabs({"Plot": fig, "Data": ui.table(rows)}, value="Data")``.

    Each tab's content is an element, text (markdown) or anything a cell can show. Its
    ``value`` is the selected tab's title (the first one unless ``value=``
    says otherwise). Switching tabs re-runs the cells that read the
    variable holding it (usually none: the front end switches by itself).
    """

    kind = "tabs"

    def __init__(
        self,
        tabs: Mapping[str, Any],
        value: str | None = None,
        *,
        label: str = "",
        on_change: Callable[[str], object] | None = None,
    ) -> None:
        self._tabs = _sections("tabs", tabs)
        initial = next(iter(self._tabs)) if value is None else value
        checked = checked_argument("tabs", self._check, initial)
        super().__init__(checked, label=label, on_change=on_change)

    def _check(self, title: Any) -> str:
        if not isinstance(title, str) or title not in self._tabs:
            raise UIValueError(f"expected a tab title from {list(self._tabs)}, not {title!r}")
        return title

    def _from_wire(self, wire_value: Any) -> str:
        return self._check(wire_value)

    def _props(self) -> dict[str, Any]:
        return {"tabs": [{"label": t, "content": _bundle(c)} for t, c in self._tabs.items()]}

    def _static_html(self) -> str:
        parts = [
            f"<section><h4>{html.escape(t)}</h4>{_item_html(c)}</section>"
            for t, c in self._tabs.items()
        ]
        return f'<div class="pg-ui pg-ui-tabs">{"".join(parts)}</div>'


class accordion(UIElement[list[str]]):
    """Collapsible sections: ``ui.accordion({"Details": table, "Notes": ui.md(text)})``.

    Its ``value`` is the list of open sections' titles (none open at first
    unless ``value=`` lists some); with ``multiple=False`` at most one is
    open at a time. Opening or closing a section re-runs the cells that read
    the variable holding it (usually none).
    """

    kind = "accordion"

    def __init__(
        self,
        sections: Mapping[str, Any],
        value: Sequence[str] | None = None,
        *,
        multiple: bool = False,
        label: str = "",
        on_change: Callable[[list[str]], object] | None = None,
    ) -> None:
        self._sections = _sections("accordion", sections)
        self._multiple = bool(multiple)
        checked = checked_argument("accordion", self._check, list(value or []))
        super().__init__(checked, label=label, on_change=on_change)

    def _check(self, titles: Any) -> list[str]:
        if not isinstance(titles, list):
            raise UIValueError(f"the value must be a list of section titles, not {titles!r}")
        for title in titles:
            if not isinstance(title, str) or title not in self._sections:
                raise UIValueError(
                    f"expected section titles from {list(self._sections)}, not {title!r}"
                )
        if len(set(titles)) != len(titles):
            raise UIValueError(f"a section is listed twice in {titles!r}")
        if not self._multiple and len(titles) > 1:
            raise UIValueError("only one section may be open (multiple=False)")
        return titles

    def _from_wire(self, wire_value: Any) -> list[str]:
        return self._check(wire_value)

    def _to_wire(self) -> list[str]:
        return list(self._value)

    def _props(self) -> dict[str, Any]:
        return {
            "sections": [{"label": t, "content": _bundle(c)} for t, c in self._sections.items()],
            "multiple": self._multiple,
        }

    def _static_html(self) -> str:
        parts = [
            f"<details{' open' if t in self._value else ''}><summary>{html.escape(t)}</summary>"
            f"{_item_html(c)}</details>"
            for t, c in self._sections.items()
        ]
        return f'<div class="pg-ui pg-ui-accordion">{"".join(parts)}</div>'


_EMBED = re.compile(r'<pg-ui data-id="([^"]*)"></pg-ui>')
_TAG = re.compile(r"<[^<>]*>")


def _plain(element: UIElement[Any]) -> str:
    if isinstance(element, _Layout):
        return element._plain_text()
    wire = element._to_wire()
    return wire if isinstance(wire, str) else json.dumps(wire, default=str)


class md(_Layout):
    """Markdown that can hold live elements: ``ui.md(f"Speed: {speed} km/h")``.

    Elements put into the text with an f-string (or ``format``) are drawn
    live inside it. The text is dedented (``inspect.cleandoc``), so triple
    quoted strings can be indented with the code. It has no value; moving an
    embedded element re-runs the readers of that element (including this
    cell when it reads the element's variable).
    """

    kind = "markdown"

    def __init__(self, text: str, *, label: str = "") -> None:
        if not isinstance(text, str):
            raise TypeError(f"md: give markdown text, not {type(text).__name__}")
        self._text = inspect.cleandoc(text)
        found: dict[str, UIElement[Any]] = {}
        for match in _EMBED.finditer(self._text):
            element_id = html.unescape(match.group(1))
            element = find_element(element_id)
            if element is not None:
                found[element_id] = element
        self._embedded = list(found.values())
        super().__init__(label=label)

    @property
    def text(self) -> str:
        """The markdown, with ``<pg-ui data-id="...">`` tags where elements go."""
        return self._text

    def _props(self) -> dict[str, Any]:
        return {"text": self._text, "elements": [e._spec() for e in self._embedded]}

    def _replace_tags(self, render: Callable[[UIElement[Any]], str]) -> str:
        by_id = {e.id: e for e in self._embedded}

        def replace(match: re.Match[str]) -> str:
            element = by_id.get(html.unescape(match.group(1)))
            return match.group(0) if element is None else render(element)

        return _EMBED.sub(replace, self._text)

    def _plain_text(self) -> str:
        return self._replace_tags(_plain)

    def _static_html(self) -> str:
        # No markdown renderer in the standard library: the text as written.
        by_id = {e.id: e for e in self._embedded}
        parts = []
        last = 0
        for match in _EMBED.finditer(self._text):
            parts.append(html.escape(self._text[last:match.start()]))
            element = by_id.get(html.unescape(match.group(1)))
            parts.append("" if element is None else element._static_html())
            last = match.end()
        parts.append(html.escape(self._text[last:]))
        return (f'<div class="pg-ui pg-ui-markdown" style="white-space:pre-wrap">'
                f'{"".join(parts)}</div>')

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            UI_MIME: self._spec(),
            "text/markdown": self._replace_tags(lambda e: e._static_html()),
            "text/plain": self._plain_text(),
        }

    def _repr_markdown_(self) -> str:
        return self._replace_tags(lambda e: e._static_html())


class html_(md):  # exported as ui.html (the module `html` is taken here)
    """HTML that can hold live elements: ``ui.html(f"<b>Speed</b> {speed}")``.

    Like :class:`md` without the markdown: the text is HTML as written (shown in the
    page through the same sanitiser as markdown, so no scripts or event handlers).
    """

    def __init__(self, text: str, *, label: str = "") -> None:
        if not isinstance(text, str):
            raise TypeError(f"html: give HTML text, not {type(text).__name__}")
        super().__init__(text, label=label)
        self._text = text  # as written: not dedented like markdown

    def _props(self) -> dict[str, Any]:
        return {**super()._props(), "html": True}

    def _static_html(self) -> str:
        return self._replace_tags(lambda e: e._static_html())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            UI_MIME: self._spec(),
            "text/html": self._static_html(),
            "text/plain": self._plain_text(),
        }

    def _repr_markdown_(self) -> str:
        return self._static_html()

    def _plain_text(self) -> str:
        return html.unescape(_TAG.sub("", super()._plain_text()))


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_EXTENSIONS = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml",
}


def _sniff(data: bytes) -> str | None:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:1000].lstrip()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return None


def _image_data(src: Any) -> tuple[str, bytes]:
    """(mime type, bytes) of an image given as bytes, a path, SVG text or a figure."""
    if isinstance(src, bytes | bytearray | memoryview):
        data = bytes(src)
        mime = _sniff(data)
        if mime is None:
            raise ValueError("image: these bytes are not a PNG, JPEG, GIF, WebP or SVG image")
        return mime, data
    if isinstance(src, str) and src.lstrip().startswith("<svg"):
        return "image/svg+xml", src.encode("utf-8")
    if isinstance(src, str | os.PathLike):
        path = os.fspath(src)
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError as exc:
            raise ValueError(f"image: cannot read {path!r}: {exc.strerror or exc}") from None
        mime = _sniff(data) or _EXTENSIONS.get(os.path.splitext(path)[1].lower())
        if mime is None:
            raise ValueError(f"image: {path!r} is not a PNG, JPEG, GIF, WebP or SVG image")
        return mime, data
    bundle = mimebundle(src)
    for mime in ("image/png", "image/jpeg"):
        if mime in bundle:
            return mime, base64.b64decode(bundle[mime])
    if "image/svg+xml" in bundle:
        return "image/svg+xml", str(bundle["image/svg+xml"]).encode("utf-8")
    raise TypeError(
        "image: give PNG/JPEG/GIF/WebP/SVG bytes, a path to an image file, or a matplotlib "
        f"figure; got {type(src).__name__}"
    )


class image(_Layout):
    """An image: ``ui.image(fig, label="Sales by month", width=400)``.

    ``src`` is a matplotlib figure or axes (drawn as PNG when ``ui.image`` is
    called), image bytes (PNG, JPEG, GIF, WebP or SVG), a path to an image
    file, or SVG text. ``label`` is the alternative text read by screen
    readers. ``width``/``height`` are CSS pixels (``None``: natural size).
    It has no value.
    """

    kind = "image"

    def __init__(
        self,
        src: Any,
        *,
        width: int | None = None,
        height: int | None = None,
        label: str = "",
    ) -> None:
        for name, size in (("width", width), ("height", height)):
            if size is not None and (not _finite(size) or size <= 0):
                raise ValueError(f"image: {name} must be a positive number of pixels")
        self._mime, data = _image_data(src)
        self._data = base64.b64encode(data).decode("ascii")
        self._width, self._height = width, height
        super().__init__(label=label)

    def _props(self) -> dict[str, Any]:
        return {
            "src": f"data:{self._mime};base64,{self._data}",
            "mime": self._mime,
            "width": self._width,
            "height": self._height,
        }

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {UI_MIME: self._spec(), "text/plain": repr(self)}
        if self._mime == "image/svg+xml":
            bundle[self._mime] = base64.b64decode(self._data).decode("utf-8", "replace")
        else:
            bundle[self._mime] = self._data
        return bundle

    def _static_html(self) -> str:
        size = "".join(
            f' {name}="{value}"' for name, value in (("width", self._width),
                                                    ("height", self._height)) if value
        )
        alt = html.escape(self._label, quote=True)
        return f'<img alt="{alt}"{size} src="data:{self._mime};base64,{self._data}">'


class mermaid(_Layout):
    """A diagram drawn by mermaid.js: ``ui.mermaid("graph TD; A-->B", label="Pipeline")``.

    ``diagram`` is Mermaid's text (flowcharts, sequence diagrams, ...). The front end
    draws it as SVG in a sandboxed output frame (mermaid.js loads only when a diagram
    is shown); text in the diagram is never run as script. Where it cannot be drawn
    (a syntax error, or no front end: HTML export, ``playground run``), the source is
    shown instead. ``label`` names the diagram for screen readers. It has no value.
    """

    kind = "mermaid"

    def __init__(self, diagram: str, *, label: str = "") -> None:
        if not isinstance(diagram, str):
            raise TypeError(f"mermaid: give the diagram as text, not {type(diagram).__name__}")
        self._diagram = diagram
        super().__init__(label=label)

    @property
    def diagram(self) -> str:
        """The diagram's Mermaid source."""
        return self._diagram

    def _props(self) -> dict[str, Any]:
        return {"diagram": self._diagram}

    def _plain_text(self) -> str:
        return self._diagram

    def _static_html(self) -> str:
        return f'<pre class="pg-ui pg-ui-mermaid">{html.escape(self._diagram)}</pre>'


html_.__name__ = html_.__qualname__ = "html"
