"""File upload: the browser reads the files and sends their bytes as base64.

A file element's value is a list of :class:`UploadedFile`. The size limit is
checked on the base64 text before it is decoded, so an oversized upload is
refused without ever holding the decoded bytes.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kernels.ui._core import UIElement, UIValueError

DEFAULT_MAX_SIZE = 10 * 1024 * 1024  # bytes, for all the files of one element together


@dataclass(frozen=True)
class UploadedFile:
    """One uploaded file: its ``name``, ``contents`` (bytes) and MIME ``type``."""

    name: str
    contents: bytes
    type: str = ""

    @property
    def size(self) -> int:
        """The size in bytes."""
        return len(self.contents)

    def text(self, encoding: str = "utf-8") -> str:
        """The contents decoded as text."""
        return self.contents.decode(encoding)

    def __repr__(self) -> str:
        return f"UploadedFile(name={self.name!r}, type={self.type!r}, size={self.size})"


def _size_text(size: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"


def _accept_patterns(kind: str, accept: str | Sequence[str] | None) -> list[str]:
    if accept is None:
        return []
    patterns = [accept] if isinstance(accept, str) else list(accept)
    for pattern in patterns:
        if not isinstance(pattern, str) or not (pattern.startswith(".") or "/" in pattern):
            raise ValueError(
                f"{kind}: accept takes extensions like '.csv' or MIME types like 'image/*', "
                f"not {pattern!r}"
            )
    return [p.lower() for p in patterns]


def _accepted(patterns: list[str], name: str, mime: str) -> bool:
    if not patterns:
        return True
    extension = os.path.splitext(name)[1].lower()
    mime = mime.lower()
    for pattern in patterns:
        if pattern.startswith("."):
            if extension == pattern:
                return True
        elif pattern.endswith("/*"):
            if mime.startswith(pattern[:-1]):
                return True
        elif mime == pattern:
            return True
    return False


class file(UIElement[list[UploadedFile]]):
    """A file upload: ``ui.file(accept=[".csv"], label="Data")``.

    Its ``value`` is a list of :class:`UploadedFile` (``.name``,
    ``.contents`` bytes, ``.type``, ``.size``, ``.text()``): empty until the
    user picks a file, at most one unless ``multiple=True``. ``accept``
    filters by extension (``".csv"``) or MIME type (``"image/*"``);
    ``max_size`` (bytes, 10 MB by default) caps all the files together.
    Uploading re-runs the cells that read the variable holding it.
    """

    kind = "file"

    def __init__(
        self,
        *,
        accept: str | Sequence[str] | None = None,
        multiple: bool = False,
        max_size: int = DEFAULT_MAX_SIZE,
        label: str = "",
        on_change: Callable[[list[UploadedFile]], object] | None = None,
    ) -> None:
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size <= 0:
            raise ValueError("file: max_size must be a positive number of bytes")
        self._accept = _accept_patterns("file", accept)
        self._multiple = bool(multiple)
        self._max_size = max_size
        super().__init__([], label=label, on_change=on_change)

    def _from_wire(self, wire_value: Any) -> list[UploadedFile]:
        if not isinstance(wire_value, list):
            raise UIValueError(
                'the value must be a list of files {"name", "type", "size", "contents"}, '
                f"not {type(wire_value).__name__}"
            )
        if len(wire_value) > 1 and not self._multiple:
            raise UIValueError(
                f"{len(wire_value)} files were sent but this element takes one "
                "(use multiple=True for several)"
            )
        files = []
        total = 0
        for index, entry in enumerate(wire_value):
            if not isinstance(entry, dict):
                raise UIValueError(f"file {index} must be an object, not {entry!r}")
            unknown = set(entry) - {"name", "type", "size", "contents"}
            if unknown:
                raise UIValueError(f"file {index} has unknown fields {sorted(unknown)}")
            name, mime, encoded = entry.get("name"), entry.get("type", ""), entry.get("contents")
            if not isinstance(name, str) or not name:
                raise UIValueError(f"file {index} needs a non-empty \"name\" string")
            if not isinstance(mime, str):
                raise UIValueError(f"file {name!r}: \"type\" must be a string")
            if not isinstance(encoded, str):
                raise UIValueError(f"file {name!r}: \"contents\" must be base64 text")
            if not _accepted(self._accept, name, mime):
                raise UIValueError(
                    f"file {name!r} is not accepted here: expected {', '.join(self._accept)}"
                )
            # Refuse oversized uploads before decoding them.
            estimate = len(encoded) * 3 // 4 - encoded[-2:].count("=")
            if total + estimate > self._max_size:
                raise UIValueError(
                    f"file {name!r} is too large: the upload would be "
                    f"{_size_text(total + estimate)}, over this element's limit of "
                    f"{_size_text(self._max_size)} (raise it with max_size=)"
                )
            try:
                contents = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise UIValueError(f"file {name!r}: \"contents\" is not valid base64") from None
            size = entry.get("size")
            if size is not None and size != len(contents):
                raise UIValueError(
                    f"file {name!r}: \"size\" says {size} bytes but the contents have "
                    f"{len(contents)}"
                )
            total += len(contents)
            files.append(UploadedFile(name, contents, mime))
        return files

    def _to_wire(self) -> list[dict[str, Any]]:
        # The contents stay in Python: outputs would otherwise carry every upload back.
        return [{"name": f.name, "type": f.type, "size": f.size} for f in self._value]

    def _props(self) -> dict[str, Any]:
        return {"accept": self._accept, "multiple": self._multiple, "max_size": self._max_size}
