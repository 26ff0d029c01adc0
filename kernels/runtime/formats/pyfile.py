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
_MARKDOWN_TOKENS = frozenset({"[markdown]", "[md]", "[raw]"})
# Characters of a marker token outside quotes and [...] groups.
_PLAIN_RUN_RE = re.compile(r"""[^\s"'\[]+""")
# The version line inside the header's `# /// playground` block.
_VERSION_LINE_RE = re.compile(r"^# version = (\d+)[ \t]*$", re.MULTILINE)
# A future statement; it compiles only before any other statement of the file.
_FUTURE_IMPORT_RE = re.compile(r"^[ \t]*from[ \t]+__future__[ \t]+import\b", re.MULTILINE)
# The body of an `encoded` cell: one str or bytes literal (`repr` writes one-line ones),
# checked before `ast.literal_eval`, as CPython 3.12+ parses f-strings in time quadratic
# in their number of fields (gh-155525).
_PLAIN_LITERAL_RE = re.compile(
    r"\s*[bBrRuU]{0,2}(?:"
    r"'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r")\s*",
    re.DOTALL,
)
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


@dataclass(frozen=True)
class CommentBlock:
    """A ``# /// <name>`` ... ``# ///`` block of comment lines (PEP 723's inline metadata)."""

    start: int  # offset of the opening line
    end: int  # offset just after the closing ``# ///`` (before its newline)
    content: str  # the lines in between, each with its newline


def find_comment_block(text: str, name: str) -> CommentBlock | None:
    """The first ``# /// <name>`` block in ``text``, or ``None``.

    The block is the opening line, then lines that are ``#`` or start with ``# ``,
    up to the first ``# ///`` line. One pass over the lines: a regular expression
    for this retries from every opening line inside a block that never closes, which
    takes time quadratic in the number of lines.
    """
    opening = f"# /// {name}"
    start = content_start = -1  # start: -1 while no block is open
    offset = 0
    for line in text.split("\n"):
        line_end = offset + len(line)
        if start < 0:
            if line == opening and line_end < len(text):
                start, content_start = offset, line_end + 1
        elif line == "# ///":
            return CommentBlock(start, line_end, text[content_start:offset])
        elif line != "#" and not line.startswith("# "):
            # Every opening line since `start` is a comment line, so it would end here too.
            start = -1
        offset = line_end + 1
    return None


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
    if find_comment_block(text, "playground") is not None:
        _check_version(text, source)
        return Notebook(cells=[], header=text)
    return Notebook(cells=[Cell(code=text.removesuffix("\n"))], header="")


def _check_version(header: str, source: str) -> None:
    block = find_comment_block(header, "playground")
    if block is None:
        return
    version = _VERSION_LINE_RE.search(block.content)
    written = version.group(1) if version is not None else ""
    # Compared as text first: int() refuses numbers of over 4300 digits.
    digits = written.lstrip("0")
    if len(digits) > len(str(FORMAT_VERSION)) or (digits and int(digits) > FORMAT_VERSION):
        raise NotebookFormatError(
            f"{source}: written by a newer Playground (file format version "
            f"{written}, this one reads up to {FORMAT_VERSION}); "
            "update Playground to open it"
        )


def _parse_marker(line: str) -> _Marker:
    """Read the tokens after ``# %%``; tokens we do not know are ignored."""
    marker = _Marker()
    for token in marker_tokens(line[len("# %%") :]):
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


def marker_tokens(text: str) -> list[str]:
    """The tokens of a marker line: runs of characters without spaces, where a quoted
    string or a ``[...]`` group may hold spaces (jupytext writes ``title="a b"``,
    ``tags=["a", "b"]``).

    A quote or ``[`` that is never closed ends the token before it and is dropped.
    Scanned by hand: the regular expression for this rescans the rest of the line
    from every unclosed ``[``, which takes time quadratic in the line's length.
    """
    closers = {'"': '"', "'": "'", "[": "]"}
    last_closer = {opener: text.rfind(closer) for opener, closer in closers.items()}
    # Past the last closer of every kind nothing opens a group: plain runs are the tokens.
    groups_end = max(last_closer.values()) + 1
    tokens = []
    token_start = -1  # -1: between tokens
    i = 0
    while i < groups_end:
        char = text[i]
        plain = _PLAIN_RUN_RE.match(text, i)
        if plain is not None:
            token_start = i if token_start < 0 else token_start
            i = plain.end()
            continue
        close = text.find(closers[char], i + 1) if i < last_closer.get(char, -1) else -1
        if close >= 0:  # a group: part of the token
            token_start = i if token_start < 0 else token_start
            i = close + 1
            continue
        if token_start >= 0:  # a space, or a quote or `[` that never closes
            tokens.append(text[token_start:i])
            token_start = -1
        i += 1
    for plain in _PLAIN_RUN_RE.finditer(text, i):
        if token_start >= 0 and plain.start() == i:
            tokens.append(text[token_start : plain.end()])
        else:
            tokens += [text[token_start:i]] if token_start >= 0 else []
            tokens.append(plain.group())
        token_start = -1
    if token_start >= 0:
        tokens.append(text[token_start:i])
    return tokens


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
    if _PLAIN_LITERAL_RE.fullmatch(body) is None:
        return None
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
