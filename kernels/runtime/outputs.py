"""Turning a cell's last value into a mimebundle, through the ``_repr_*_`` protocols.

The bundle always has ``text/plain``; rich types come from IPython's display
protocol (``_repr_mimebundle_``, ``_repr_html_``, ``_repr_markdown_``,
``_repr_svg_``, ``_repr_png_``, ``_repr_jpeg_``, ``_repr_json_``,
``_repr_latex_``) and from matplotlib figures when matplotlib is loaded.
Binary data is base64 text so the bundle is plain JSON.
"""

from __future__ import annotations

import base64
import inspect
import json
import reprlib
import sys
from typing import Any

MAX_TEXT = 200_000  # characters of text/plain before truncation

_REPR_METHODS = (
    ("text/html", "_repr_html_"),
    ("text/markdown", "_repr_markdown_"),
    ("image/svg+xml", "_repr_svg_"),
    ("image/png", "_repr_png_"),
    ("image/jpeg", "_repr_jpeg_"),
    ("application/json", "_repr_json_"),
    ("text/latex", "_repr_latex_"),
)
_BINARY = {"image/png", "image/jpeg"}


def _text(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not fail the cell
        text = f"<{type(value).__qualname__} object: repr() failed with {exc!r}>"
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + f"\n... ({len(text) - MAX_TEXT} more characters)"
    return text


def _normalise(mime: str, data: Any) -> Any:
    if isinstance(data, tuple) and len(data) == 2:  # (data, metadata)
        data = data[0]
    if mime in _BINARY:
        if isinstance(data, bytes):
            return base64.b64encode(data).decode("ascii")
        return str(data)
    if mime == "application/json" or mime.endswith("+json"):
        if isinstance(data, str):
            data = json.loads(data)
        json.dumps(data)  # must be serialisable
        return data
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data if isinstance(data, str) else str(data)


def _figure_png(value: Any) -> str | None:
    """PNG of a matplotlib Figure, Axes or artist (list), if matplotlib is in use."""
    if "matplotlib" not in sys.modules:
        return None
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

    candidate = value
    if isinstance(candidate, list | tuple) and candidate and isinstance(candidate[0], Artist):
        candidate = candidate[0]
    if isinstance(candidate, Artist) and not isinstance(candidate, Figure):
        candidate = candidate.get_figure()
    if not isinstance(candidate, Figure):
        return None
    import io

    buffer = io.BytesIO()
    candidate.savefig(buffer, format="png", bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def mimebundle(value: Any) -> dict[str, Any]:
    """The display data of ``value``: ``{}`` for ``None``, else at least ``text/plain``."""
    if value is None:
        return {}
    bundle: dict[str, Any] = {}
    if not inspect.isclass(value):
        try:
            png = _figure_png(value)
        except Exception as exc:
            bundle["text/plain"] = f"(the figure could not be rendered: {exc})"
            return bundle
        if png is not None:
            bundle["image/png"] = png
        method = getattr(value, "_repr_mimebundle_", None)
        if callable(method):
            try:
                result = method()
                if isinstance(result, tuple):
                    result = result[0]
                for mime, data in (result or {}).items():
                    bundle[mime] = _normalise(mime, data)
            except Exception:  # fall back to the single-type methods
                pass
        for mime, name in _REPR_METHODS:
            if mime in bundle:
                continue
            method = getattr(value, name, None)
            if not callable(method):
                continue
            try:
                data = method()
                if data is not None:
                    bundle[mime] = _normalise(mime, data)
            except Exception:
                continue
    bundle.setdefault("text/plain", _text(value))
    return bundle


_SUMMARY = reprlib.Repr()
_SUMMARY.maxstring = 60
_SUMMARY.maxother = 60
_SUMMARY.maxlist = _SUMMARY.maxtuple = _SUMMARY.maxset = _SUMMARY.maxdict = 6


def summarise(value: Any) -> tuple[str, str]:
    """(type name, short one-line preview) of a variable, for a variables panel."""
    kind = type(value)
    type_name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        type_name = f"{kind.__module__}.{type_name}"
    try:
        preview = _SUMMARY.repr(value)
    except Exception:
        preview = f"<{kind.__qualname__}>"
    return type_name, preview.replace("\n", " ")
