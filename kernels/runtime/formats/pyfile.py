"""Playground's own notebook file: a plain ``.py`` file that is valid Python.

Cells are separated by jupytext "percent" markers (``# %%``), so VS Code,
PyCharm, Spyder and jupytext see the same cells we do, and ``python file.py``
runs the notebook through the header's ``__main__`` guard. ``docs/format.md``
describes the layout; in short::

    <header, kept verbatim>
    # %% name=load
    <code>

    # %% [markdown] name=intro hide_code
    # <markdown, every line behind "# ">

``loads(dumps(nb))`` gives back ``nb`` exactly, and every file ``dumps``
writes compiles as a module: a cell whose text cannot sit in the file
verbatim is stored wrapped (top-level ``await``) or as a string literal.
"""

from __future__ import annotations

import ast
import functools
import re
import warnings
from dataclasses import dataclass
from typing import Literal

from kernels.runtime.formats.errors import NotebookFormatError
from kernels.runtime.notebook import (
    CELL_NAME_RE,
    Cell,
    CellConfig,
    CellKind,
    Notebook,
    drop_repeated_names,
)

#: The version written in the ``# /// playground`` block; newer files are refused.
FORMAT_VERSION = 1

#: Written at the top of notebooks that have no header yet (``Notebook.header is None``).
DEFAULT_HEADER = (
    "# /// playground\n"
    f"# version = {FORMAT_VERSION}\n"
    "# ///\n"
    'if __name__ == "__main__":\n'
    "    import kernels.runtime.script\n"
    "    raise SystemExit(kernels.runtime.script.main(__file__))\n"
    "\n"
)

#: A line that starts a cell. Tested on single lines (without their newline).
MARKER_RE = re.compile(r"^# %%( |$)")
# The same test over a whole text, to find marker lines with their offsets.
_MARKER_LINE_RE = re.compile(r"^# %%(?: [^\n]*)?$", re.MULTILINE)
# Marker tokens: runs of characters without spaces, where a quoted string or
# a [...] group may hold spaces (jupytext writes `title="a b"`, `tags=["a", "b"]`).
_TOKEN_RE = re.compile(r"""(?:"[^"]*"|'[^']*'|\[[^\]]*\]|[^\s"'\[])+""")
_MARKDOWN_TOKENS = frozenset({"[markdown]", "[md]", "[raw]"})
# PEP 723-style metadata block of our header, and the version line inside it.
_METADATA_BLOCK_RE = re.compile(
    r"^# /// playground$\n(?P<content>(?:^#(?:| .*)$\n)*?)^# ///$", re.MULTILINE
)
_VERSION_LINE_RE = re.compile(r"^# version = (\d+)[ \t]*$", re.MULTILINE)
# A future statement; it compiles only before any other statement of the file.
_FUTURE_IMPORT_RE = re.compile(r"^[ \t]*from[ \t]+__future__[ \t]+import\b", re.MULTILINE)
# PEP 263 source-encoding declaration; Python honours it on line 1 or 2 of a file.
_CODING_RE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")

Encoding = Literal["plain", "async", "encoded"]

#: First line of a cell stored with the ``async`` flag; the code follows indented.
ASYNC_WRAPPER = "async def _cell():"
_INDENT = "    "


@dataclass
class _Marker:
    """What a marker line says about the cell that follows it."""

    kind: CellKind = "code"
    name: str | None = None
    disabled: bool = False
    hide_code: bool = False
    encoding: Encoding = "plain"


def normalize_newlines(text: str) -> str:
    """``text`` with Windows (``\\r\\n``) and old Mac (``\\r``) line ends as ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_marker_line(line: str) -> bool:
    """Whether ``line`` (without its newline) would start a new cell."""
    return MARKER_RE.match(line) is not None


# --------------------------------------------------------------------------- reading


def loads(text: str, *, source: str = "<string>") -> Notebook:
    """Parse our ``.py`` notebook format.

    A Python file without any marker line is a plain script: it loads as one
    code cell holding the whole file (header ``""``), unless it carries our
    ``# /// playground`` block, in which case it is a notebook with no cells.
    An empty file loads as one empty cell with the default header.
    """
    text = normalize_newlines(text)
    markers = list(_MARKER_LINE_RE.finditer(text))
    if not markers:
        return _load_markerless(text, source)

    header = text[: markers[0].start()]
    _check_version(header, source)
    cells: list[Cell] = []
    for index, match in enumerate(markers):
        last = index == len(markers) - 1
        end = len(text) if last else markers[index + 1].start()
        body = text[match.end() + 1 : end]
        # Canonical layout: body + "\n", then one blank line before the next marker.
        body = body.removesuffix("\n")
        if not last:
            body = body.removesuffix("\n")
        cells.append(_decode_cell(_parse_marker(match.group()), body))
    return Notebook(cells=drop_repeated_names(cells), header=header)


def _load_markerless(text: str, source: str) -> Notebook:
    if not text.strip():
        return Notebook(cells=[Cell(code="")], header=None)
    if _METADATA_BLOCK_RE.search(text):
        _check_version(text, source)
        return Notebook(cells=[], header=text)
    return Notebook(cells=[Cell(code=text.removesuffix("\n"))], header="")


def _check_version(header: str, source: str) -> None:
    block = _METADATA_BLOCK_RE.search(header)
    if block is None:
        return
    version = _VERSION_LINE_RE.search(block.group("content"))
    if version is not None and int(version.group(1)) > FORMAT_VERSION:
        raise NotebookFormatError(
            f"{source}: written by a newer Playground (file format version "
            f"{version.group(1)}, this one reads up to {FORMAT_VERSION}); "
            "update Playground to open it"
        )


def _parse_marker(line: str) -> _Marker:
    """Read the tokens after ``# %%``; tokens we do not know are ignored."""
    marker = _Marker()
    for token in _TOKEN_RE.findall(line[len("# %%") :]):
        if token in _MARKDOWN_TOKENS:
            marker.kind = "markdown"
        elif token.startswith("name="):
            name = token[len("name=") :]
            if CELL_NAME_RE.fullmatch(name):
                marker.name = name
        elif token == "disabled":
            marker.disabled = True
        elif token == "hide_code":
            marker.hide_code = True
        elif token in ("async", "encoded"):
            marker.encoding = "async" if token == "async" else "encoded"
    return marker


def _decode_cell(marker: _Marker, body: str) -> Cell:
    text: str | None = None
    if marker.encoding == "encoded":
        text = _string_literal(body)
    elif marker.encoding == "async" and marker.kind == "code":
        text = _unwrap_async(body)
    if text is None:
        # No encoding, or a hand-edited body that no longer matches its flag:
        # read it as written rather than refuse the whole file.
        text = _uncomment_markdown(body) if marker.kind == "markdown" else body
    return Cell(
        code=text,
        kind=marker.kind,
        name=marker.name,
        config=CellConfig(disabled=marker.disabled, hide_code=marker.hide_code),
    )


def _string_literal(body: str) -> str | None:
    try:
        value = ast.literal_eval(body)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return None
    return value if isinstance(value, str) else None


def _unwrap_async(body: str) -> str | None:
    first, _, rest = body.partition("\n")
    if first != ASYNC_WRAPPER:
        return None
    return "\n".join(line.removeprefix(_INDENT) for line in rest.split("\n"))


def _uncomment_markdown(body: str) -> str:
    lines = []
    for line in body.split("\n"):
        if line.startswith("# "):
            line = line[2:]
        elif line.startswith("#"):
            line = line[1:]
        lines.append(line)
    return "\n".join(lines)


# --------------------------------------------------------------------------- writing


def dumps(nb: Notebook) -> str:
    """Serialize ``nb`` in the canonical layout (see the module docstring).

    Raises ``NotebookFormatError`` for what the format cannot hold: invalid or
    duplicate cell names, an unknown cell kind, or a header that does not end
    with a newline or contains a marker line.
    """
    header = DEFAULT_HEADER if nb.header is None else nb.header
    _check_header(header)
    _check_cells(nb)
    blocks = _encode_cells(nb, header, force_encoded=False)
    # Each block compiles on its own and ends at top level, so together they
    # compile too. Future statements are the one way a cell can change how
    # others compile, so with one present check the whole as well, falling
    # back to string literals, which are always safe.
    if any("__future__" in cell.code for cell in nb.cells) and not _compiles("\n".join(blocks)):
        blocks = _encode_cells(nb, header, force_encoded=True)
    return header + "\n".join(blocks)


def _check_header(header: str) -> None:
    if header and not header.endswith("\n"):
        raise NotebookFormatError("the notebook header must end with a newline")
    if "\r" in header:
        raise NotebookFormatError("the notebook header contains a carriage return (\\r)")
    if _MARKER_LINE_RE.search(header):
        raise NotebookFormatError(
            "the notebook header contains a '# %%' line, which would start a cell; "
            "move that text into a cell"
        )


def _check_cells(nb: Notebook) -> None:
    first_index: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        if cell.kind not in ("code", "markdown"):
            raise NotebookFormatError(f"cell {index} has unknown kind {cell.kind!r}")
        if cell.name is None:
            continue
        if not CELL_NAME_RE.fullmatch(cell.name):
            raise NotebookFormatError(
                f"cell {index} has the name {cell.name!r}; a cell name is 1-64 letters, "
                "digits, '_', '.' or '-' and starts with a letter, digit or '_'"
            )
        if cell.name in first_index:
            raise NotebookFormatError(
                f"cells {first_index[cell.name]} and {index} are both named "
                f"{cell.name!r}; rename one of them"
            )
        first_index[cell.name] = index


def _encode_cells(nb: Notebook, header: str, *, force_encoded: bool) -> list[str]:
    # `from __future__` imports only compile before any other statement.
    future_ok = _compiles(header + "from __future__ import annotations\n")
    blocks = []
    for index, cell in enumerate(nb.cells):
        # With an empty header, a cell's first line is line 2 of the file, where
        # Python reads a source-encoding declaration.
        first_line_is_line_2 = index == 0 and header == ""
        encoding, body = _encode_body(
            cell,
            future_ok=future_ok,
            first_line_is_line_2=first_line_is_line_2,
            force_encoded=force_encoded,
        )
        blocks.append(_marker_line(cell, encoding) + "\n" + body + "\n")
        future_ok = future_ok and _has_no_statements(cell, encoding)
    return blocks


def _has_no_statements(cell: Cell, encoding: Encoding) -> bool:
    if encoding != "plain":
        return False
    if cell.kind == "markdown":
        return True
    try:
        return not ast.parse(cell.code).body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False


def _marker_line(cell: Cell, encoding: Encoding) -> str:
    tokens = ["# %%"]
    if cell.kind == "markdown":
        tokens.append("[markdown]")
    if cell.name is not None:
        tokens.append(f"name={cell.name}")
    if cell.config.disabled:
        tokens.append("disabled")
    if cell.config.hide_code:
        tokens.append("hide_code")
    if encoding != "plain":
        tokens.append(encoding)
    return " ".join(tokens)


def _encode_body(
    cell: Cell, *, future_ok: bool, first_line_is_line_2: bool, force_encoded: bool
) -> tuple[Encoding, str]:
    """The most readable form of the cell's text that survives the file."""
    text = cell.code
    if not force_encoded and _is_clean(text):
        if cell.kind == "markdown":
            body = "\n".join(f"# {line}" if line else "#" for line in text.split("\n"))
            lines_ok = not any(is_marker_line(line) for line in body.split("\n"))
            if lines_ok and not (first_line_is_line_2 and _declares_encoding(body)):
                return "plain", body
        else:
            lines_ok = not any(is_marker_line(line) for line in text.split("\n"))
            if (
                lines_ok
                and not (first_line_is_line_2 and _declares_encoding(text))
                and (future_ok or not _FUTURE_IMPORT_RE.search(text))
                and _compiles(text)
            ):
                return "plain", text
            if _compiles(text, top_level_await=True) and not _compiles(text):
                body = _wrap_async(text)
                if _compiles(body):
                    return "async", body
    return "encoded", _literal(text)


def _literal(text: str) -> str:
    """``text`` as one Python literal on one line.

    Text with lone surrogates (not valid Unicode, e.g. from a broken
    notebook) is written as a bytes literal: as a file's first statement a
    str literal would be a docstring, which Python cannot compile for them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return repr(text.encode("utf-8", "surrogatepass"))
    return repr(text)


def _wrap_async(code: str) -> str:
    lines = (_INDENT + line if line else line for line in code.split("\n"))
    return ASYNC_WRAPPER + "\n" + "\n".join(lines)


def _is_clean(text: str) -> bool:
    """No characters that a file line cannot carry unchanged."""
    if "\r" in text or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def _declares_encoding(text: str) -> bool:
    match = _CODING_RE.match(text.split("\n", 1)[0])
    return match is not None and match.group(1).lower().replace("_", "-") not in (
        "utf-8",
        "utf8",
    )


@functools.lru_cache(maxsize=2048)
def _compiles(source: str, *, top_level_await: bool = False) -> bool:
    """Whether ``source`` compiles as a module (compiling runs nothing).

    Cached: saving a notebook again mostly checks cells that did not change.
    """
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. SyntaxWarning for "\d" in a string
        try:
            compile(source, "<cell>", "exec", flags=flags, dont_inherit=True)
        except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
            return False
    return True
