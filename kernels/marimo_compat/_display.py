"""marimo's ``Html`` and the functions that return it, on Playground's own elements.

In marimo almost everything a cell shows is an ``Html`` object (``mo.md``,
``mo.hstack``, ``mo.callout``...), and every UI element is one too: each can be
centred, put in a callout, styled, and formatted into markdown with an f-string.
Here each of those is a ``kernels.ui`` element with :class:`HtmlMethods` mixed in,
so it stays live wherever it is shown (a slider inside a callout inside a stack
still moves and re-runs its readers) and formats into ``mo.md`` text as a live
element. Things that are not elements (a figure, a DataFrame) are wrapped in a
one-item column by :func:`as_html` so they can be embedded the same way.
"""

from __future__ import annotations

import base64
import html as html_text
import inspect
import json
import mimetypes
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kernels import ui as kui
from kernels.ui._core import UIElement

# marimo's callout kinds, and the ones older notebooks still use.
_CALLOUT_KINDS = {"neutral", "info", "success", "warn", "danger", "alert", "warning", "error"}
_CSS_PROPERTY = re.compile(r"^-?[A-Za-z][A-Za-z0-9-]*$")


def _css(style: Mapping[str, Any]) -> str:
    """An inline style from a dict; keys in CSS or Python spelling (``font_size``)."""
    parts = []
    for key, value in style.items():
        name = str(key).replace("_", "-")
        if not _CSS_PROPERTY.match(name):
            raise ValueError(f"style: {key!r} is not a CSS property name")
        text = str(value)
        if any(char in text for char in '";<>{}'):
            raise ValueError(f"style: the value of {key!r} holds a character CSS values cannot")
        parts.append(f"{name}: {text}")
    return "; ".join(parts)


class HtmlMethods:
    """What marimo's ``Html`` (and so every marimo UI element) can do with itself."""

    if TYPE_CHECKING:
        # Mixed into kernels.ui elements, which have it (a real method here would hide theirs).
        def _static_html(self) -> str: ...

    def center(self) -> HtmlMethods:
        return _aligned(self, "center")

    def left(self) -> HtmlMethods:
        return _aligned(self, "start")

    def right(self) -> HtmlMethods:
        return _aligned(self, "end")

    def callout(self, kind: str = "neutral", title: str | None = None) -> Html:
        if kind not in _CALLOUT_KINDS:
            raise ValueError(f"callout: kind is one of {sorted(_CALLOUT_KINDS)}, not {kind!r}")
        kind = {"warning": "warn", "error": "danger", "alert": "danger"}.get(kind, kind)
        heading = (f'<div class="pg-callout-title"><strong>{html_text.escape(title)}</strong>'
                   "</div>" if title else "")
        return Html(f'<div class="pg-callout pg-callout-{kind}">{heading}{self}</div>')

    def style(self, style: Mapping[str, Any] | None = None, **kwargs: Any) -> Html:
        return Html(f'<div style="{html_text.escape(_css({**(style or {}), **kwargs}))}">'
                    f"{self}</div>")

    def _repr_html_(self) -> str:
        return self._static_html()


class Html(HtmlMethods, kui.html):
    """``mo.Html(text)``: HTML as written, with any elements formatted into it live."""

    @property
    def text(self) -> str:
        """The HTML."""
        return self._text


class Markdown(HtmlMethods, kui.md):
    """What ``mo.md`` returns."""

    def batch(self, **elements: UIElement[Any]) -> Batch:
        """This markdown with ``{name}`` replaced by each element, live; one value for all."""
        return Batch(self.text, elements)


class Batch(HtmlMethods, kui.batch):
    """``mo.md(...).batch(x=..., y=...)`` (and ``mo.ui.batch``): its value is a dict."""

    def form(self, **options: Any) -> Any:
        from kernels.marimo_compat.ui import form

        return form(self, **options)


class _Column(HtmlMethods, kui.vstack):
    pass


class _Row(HtmlMethods, kui.hstack):
    pass


class _Accordion(HtmlMethods, kui.accordion):
    pass


class _Image(HtmlMethods, kui.image):
    pass


def _aligned(item: Any, justify: str) -> HtmlMethods:
    return _Row([item], justify=justify)


class _RawHtml:
    """HTML shown in an output frame of its own (it may need links or scripts the page refuses)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_html_(self) -> str:
        return self.text


def md(text: str) -> Markdown:
    """``mo.md``: markdown, dedented, with elements formatted into it live."""
    return Markdown(text)


def as_html(value: Any) -> HtmlMethods:
    """``mo.as_html``: anything, as something that embeds in ``mo.md`` and has Html's methods."""
    if isinstance(value, HtmlMethods):
        return value
    if isinstance(value, str):
        return Html(html_text.escape(value))
    return _Column([value], gap=0)


def plain_text(text: str) -> Html:
    """``mo.plain_text``: text in a fixed-width block, exactly as written."""
    return Html(f"<pre>{html_text.escape(str(text))}</pre>")


def _shown(item: Any) -> Any:
    return md(item) if isinstance(item, str) else item


def hstack(
    items: Sequence[Any],
    *,
    justify: str = "space-between",
    align: str | None = None,
    wrap: bool = False,
    gap: float = 0.5,
    widths: Sequence[float] | str | None = None,
) -> HtmlMethods:
    """``mo.hstack``: items side by side (marimo spreads them apart by default)."""
    return _Row(
        [_shown(item) for item in items], justify=justify, align=align or "stretch",
        wrap=wrap, gap=gap, widths=widths,
    )


def vstack(
    items: Sequence[Any],
    *,
    align: str | None = None,
    justify: str = "start",
    gap: float = 0.5,
    heights: Sequence[float] | str | None = None,
) -> HtmlMethods:
    """``mo.vstack``: items one above another."""
    return _Column(
        [_shown(item) for item in items], align=align or "stretch", justify=justify, gap=gap,
        heights=heights,
    )


def accordion(
    items: Mapping[str, Any], multiple: bool = False, lazy: bool = False
) -> HtmlMethods:
    """``mo.accordion``: collapsible sections (``lazy`` is accepted; content is made at once)."""
    return _Accordion(
        {str(title): _shown(content) for title, content in items.items()}, multiple=multiple
    )


def center(item: Any) -> HtmlMethods:
    return _aligned(_shown(item), "center")


def left(item: Any) -> HtmlMethods:
    return _aligned(_shown(item), "start")


def right(item: Any) -> HtmlMethods:
    return _aligned(_shown(item), "end")


def callout(value: Any, kind: str = "neutral", title: str | None = None) -> Html:
    """``mo.callout``: a box drawing attention to ``value``."""
    return as_html(_shown(value)).callout(kind, title)


def image(
    src: Any,
    alt: str | None = None,
    width: int | str | None = None,
    height: int | str | None = None,
    rounded: bool = False,
    style: Mapping[str, Any] | None = None,
    caption: str | None = None,
) -> Any:
    """``mo.image``: a figure, image bytes, a path, or an ``http(s)`` URL."""
    if isinstance(src, str) and src.startswith(("http://", "https://", "data:")):
        size = "".join(
            f' {name}="{html_text.escape(str(value), quote=True)}"'
            for name, value in (("width", width), ("height", height)) if value is not None
        )
        shown: Any = _Column([_RawHtml(
            f'<img src="{html_text.escape(src, quote=True)}" '
            f'alt="{html_text.escape(alt or "", quote=True)}"{size}>'
        )], gap=0)
    else:
        shown = _Image(
            src,
            width=width if isinstance(width, int) else None,
            height=height if isinstance(height, int) else None,
            label=alt or "",
        )
    if rounded:
        style = {"border-radius": "0.5rem", "overflow": "hidden", **(style or {})}
    if style:
        shown = shown.style(style)
    if caption:
        shown = vstack([shown, md(f"<small>{html_text.escape(caption)}</small>")], align="center")
    return shown


def download(
    data: Any,
    filename: str | None = None,
    mimetype: str | None = None,
    disabled: bool = False,
    label: str = "Download",
) -> HtmlMethods:
    """``mo.download``: a link that downloads ``data`` (bytes, text, a file, or a function)."""
    if callable(data):
        data = data()
    if hasattr(data, "read"):
        data = data.read()
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    name = filename or "download"
    kind = mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if disabled:
        link = f"<span>{html_text.escape(label)}</span>"
    else:
        link = (
            f'<a download="{html_text.escape(name, quote=True)}" '
            f'href="data:{kind};base64,{base64.b64encode(raw).decode("ascii")}">'
            f"{html_text.escape(label)}</a>"
        )
    return _Column([_RawHtml(link)], gap=0)


def icon(name: str, size: int | None = None, color: str | None = None, **_: Any) -> Html:
    """``mo.icon``: marimo draws Iconify icons from the network; here, the icon's name."""
    shown = name.split(":")[-1].replace("-", " ")
    style = "".join(
        part for part in (
            f"font-size:{int(size)}px;" if size else "",
            f"color:{html_text.escape(color, quote=True)};" if color else "",
        )
    )
    return Html(f'<span class="pg-icon" title="{html_text.escape(name, quote=True)}"'
                f' style="{style}">{html_text.escape(shown)}</span>')


def stat(
    value: Any,
    label: str | None = None,
    caption: str | None = None,
    direction: str | None = None,
    bordered: bool = False,
    **_: Any,
) -> Html:
    """``mo.stat``: a number with a label and a caption (arrow up or down for ``direction``)."""
    arrow = {"increase": "▲ ", "decrease": "▼ "}.get(direction or "", "")
    parts = [f'<div class="pg-stat{" pg-stat-bordered" if bordered else ""}">']
    if label:
        parts.append(f'<div class="pg-stat-label">{html_text.escape(str(label))}</div>')
    parts.append(f'<div class="pg-stat-value">{html_text.escape(str(value))}</div>')
    if caption:
        parts.append(f'<div class="pg-stat-caption">{arrow}{html_text.escape(str(caption))}</div>')
    parts.append("</div>")
    return Html("".join(parts))


class _Mermaid(HtmlMethods, kui.mermaid):
    pass


def mermaid(
    diagram: str, theme: str | None = None, theme_variables: Mapping[str, str] | None = None
) -> HtmlMethods:
    """``mo.mermaid``: the diagram drawn by mermaid.js (``theme`` is accepted, not applied)."""
    return _Mermaid(diagram)


def carousel(items: Sequence[Any]) -> HtmlMethods:
    """``mo.carousel``: the items in a row that scrolls sideways."""
    return _Row([_shown(item) for item in items], gap=1)


def lazy(element: Any, show_loading_indicator: bool = False) -> Any:
    """``mo.lazy``: shown at once here (a function is called to make it)."""
    return as_html(element() if callable(element) else element)


def sidebar(item: Any, footer: Any = None, width: str | None = None) -> Html:
    """``mo.sidebar``: shown in place, in a bordered column."""
    items = [_shown(item)] + ([_shown(footer)] if footer is not None else [])
    return vstack(items).style({"border-left": "3px solid #ccc", "padding-left": "0.75rem"})


def doc(obj: Any) -> Markdown:
    """``mo.doc``: an object's signature and docstring."""
    name = getattr(obj, "__name__", type(obj).__name__)
    try:
        signature = f"{name}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        signature = name
    text = inspect.getdoc(obj) or ""
    return md(f"```python\n{signature}\n```\n\n{text}")


def _tree_html(value: Any) -> str:
    if isinstance(value, Mapping):
        items = "".join(
            f"<li><b>{html_text.escape(str(key))}</b>: {_tree_html(item)}</li>"
            for key, item in value.items()
        )
        return f"<ul>{items}</ul>"
    if isinstance(value, list | tuple | set):
        return f"<ul>{''.join(f'<li>{_tree_html(item)}</li>' for item in value)}</ul>"
    return html_text.escape(repr(value))


def tree(items: Any, label: str | None = None) -> Html:
    """``mo.tree``: nested lists and dicts as a nested list."""
    title = f"<b>{html_text.escape(label)}</b>" if label else ""
    return Html(f'<div class="pg-tree">{title}{_tree_html(items)}</div>')


def json_view(data: Any, label: str | None = None) -> Html:
    """``mo.json``: data as indented JSON."""
    text = data if isinstance(data, str) else json.dumps(data, indent=2, default=str)
    return plain_text(text)
