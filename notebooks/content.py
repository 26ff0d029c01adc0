"""Notebook text: checking what a save sends, converting imports, and a summary for previews.

Everything is stored in our own ``.py`` format (docs/format.md). Saves must already be
in it; imports (``.ipynb``, marimo ``.py``, ``/play#code/...`` links) are converted
with the runtime's own readers, so the server reads notebooks exactly as the
browser and the CLI do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from kernels.runtime.formats import (
    FormatName,
    NotebookFormatError,
    dumps_notebook,
    loads_notebook,
    new_notebook,
    with_cell_names,
)
from kernels.runtime.formats.marimo import is_marimo_source
from kernels.runtime.formats.script import TOP_TO_BOTTOM_HEADER
from kernels.runtime.notebook import Notebook
from notebooks.errors import InvalidNotebook, NotebookTooLarge
from notebooks.play_links import PlayLinkError, PlayLinkTooLarge, source_from_play_link

_SUMMARY_LENGTH = 200
# Link targets and tags separate words; emphasis marks (and NUL, which PostgreSQL
# refuses) go without leaving a gap: "**bold**." is "bold.", snake_case stays.
# Neither may contain its own opening character (nor a target a line break): a "<" or
# "(http://" that never closes then costs only the scan to the next opening, not one to
# the end of the text, which made the summary take time quadratic in the cell.
_MARKUP = re.compile(r"\(https?://[^()\n]*\)|<[^<>]+>")
_MARKS = re.compile(r"[#*`>\[\]\x00]|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")


def empty_notebook_text() -> str:
    """A new notebook: one empty code cell."""
    return dumps_notebook(new_notebook(), "playground")


def size_check(data: bytes) -> None:
    limit = settings.NOTEBOOK_MAX_BYTES
    if len(data) > limit:
        raise NotebookTooLarge(
            f"This notebook is {_megabytes(len(data))}, over the limit of {_megabytes(limit)} "
            "per notebook. Move large data out of the code (load it from a file or URL).",
            size=len(data),
            limit=limit,
        )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


def notebook_text_parse(text: str) -> Notebook:
    """Read a notebook in our format, or raise ``InvalidNotebook`` saying what is wrong."""
    if is_marimo_source(text):
        raise InvalidNotebook(
            "This is a marimo notebook, not one in Playground's format: import it instead "
            "(it will be converted)."
        )
    try:
        return loads_notebook(text, "playground", source="the notebook")
    except NotebookFormatError as error:
        raise InvalidNotebook(str(error)) from error


def notebook_summary(notebook: Notebook) -> str:
    """The first prose of a notebook (its first markdown cell), plain, for link previews."""
    for cell in notebook.cells:
        if cell.kind == "markdown" and cell.code.strip():
            text = _MARKS.sub("", _MARKUP.sub(" ", cell.code))
            text = " ".join(text.split())
            if len(text) > _SUMMARY_LENGTH:
                text = text[: _SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"
            return text
    return ""


def notebook_title_guess(notebook: Notebook) -> str:
    """The text of the first markdown heading, or ""."""
    for cell in notebook.cells:
        if cell.kind != "markdown":
            continue
        for line in cell.code.splitlines():
            if line.lstrip().startswith("#"):
                title = line.strip().lstrip("#").strip()
                if title:
                    return title[:200]
    return ""


@dataclass(frozen=True)
class ImportedNotebook:
    text: str  # in our format
    title: str  # from the file name or the first heading; may be ""
    source_format: str  # "playground", "marimo", "ipynb", "play-link"


def notebook_import_convert(*, text: str, filename: str = "") -> ImportedNotebook:
    """Turn pasted or uploaded text (a notebook file or a ``/play#code/`` link) into our format."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InvalidNotebook("There is nothing to import: paste a notebook or choose a file.")
    size_check(text.encode("utf-8", errors="surrogatepass"))
    title = _title_from_filename(filename)
    stripped = text.strip()
    fmt: FormatName
    if _looks_like_play_link(stripped):
        limit = settings.NOTEBOOK_MAX_BYTES
        try:
            # A UTF-16 code unit is at least one byte of UTF-8: this bound refuses nothing
            # size_check would let through.
            text = source_from_play_link(stripped, max_length=limit)
        except PlayLinkTooLarge as error:
            raise NotebookTooLarge(
                f"This link's notebook is over the limit of {_megabytes(limit)} per notebook.",
                limit=limit,
            ) from error
        except PlayLinkError as error:
            raise InvalidNotebook(str(error)) from error
        fmt = "py"
        source_format = "play-link"
    elif filename.lower().endswith(".ipynb") or (not filename and _looks_like_json(stripped)):
        fmt = "ipynb"
        source_format = "ipynb"
    elif filename and not filename.lower().endswith(".py"):
        raise InvalidNotebook(
            f"{filename}: Playground imports .py (Playground or marimo) and .ipynb (Jupyter) "
            "notebooks."
        )
    else:
        fmt = "py"
        source_format = ""
    if fmt == "py":
        detected = "marimo" if is_marimo_source(text) else "playground"
        source_format = source_format or detected
    try:
        notebook = loads_notebook(text, fmt, source=filename or "the pasted notebook")
    except NotebookFormatError as error:
        raise InvalidNotebook(str(error)) from error
    converted = with_cell_names(notebook)
    if source_format != "playground" and converted.header != TOP_TO_BOTTOM_HEADER:
        # Our default header, not the other format's; a Jupyter notebook keeps the mark
        # that it ran top to bottom (docs/format.md, "The header").
        converted.header = None
    return ImportedNotebook(
        text=dumps_notebook(converted, "playground"),
        title=title or notebook_title_guess(converted),
        source_format=source_format,
    )


# What a preview shows of a notebook before it is saved: enough to recognise it.
PREVIEW_CELLS = 20
PREVIEW_LINES = 12


@dataclass(frozen=True)
class CellPreview:
    kind: str  # "code" or "markdown"
    text: str  # the first PREVIEW_LINES lines
    more_lines: int  # lines not shown


@dataclass(frozen=True)
class ImportPreview:
    """What an import will save: its title, how many cells, the first cells' first lines."""

    title: str
    cell_count: int
    cells: tuple[CellPreview, ...]
    source_format: str

    @property
    def more_cells(self) -> int:
        return self.cell_count - len(self.cells)


def notebook_import_preview(*, text: str) -> ImportPreview:
    """What importing ``text`` would save (``notebook_import_convert``'s checks and limits)."""
    imported = notebook_import_convert(text=text)
    cells = notebook_text_parse(imported.text).cells
    shown = []
    for cell in cells[:PREVIEW_CELLS]:
        lines = cell.code.split("\n", PREVIEW_LINES)
        more = lines[PREVIEW_LINES].count("\n") + 1 if len(lines) > PREVIEW_LINES else 0
        shown.append(CellPreview(cell.kind, "\n".join(lines[:PREVIEW_LINES]), more))
    return ImportPreview(imported.title, len(cells), tuple(shown), imported.source_format)


def _title_from_filename(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    for extension in (".ipynb", ".py"):
        if name.lower().endswith(extension):
            name = name[: -len(extension)]
    return name.replace("_", " ").strip()[:200]


def _looks_like_json(text: str) -> bool:
    if not text.startswith("{"):
        return False
    # A Jupyter notebook, even one cut short while copying: say what is wrong with it
    # rather than import the JSON as Python code.
    if '"nbformat"' in text or '"cells"' in text:
        return True
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _looks_like_play_link(text: str) -> bool:
    if "\n" in text or "#code/" not in text:
        return False
    if text.startswith("#code/"):
        return True
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. "http://[x#code/...": an unbalanced IPv6 bracket
        return False
    return parts.scheme in {"http", "https"} and parts.fragment.startswith("code/")
