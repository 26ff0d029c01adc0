"""Jupyter notebooks (nbformat 4): import into the notebook model and export.

Import keeps what our model can hold: code and markdown cells (raw cells
become markdown), cell ids as names when they are valid and unique, and the
``playground`` cell metadata written by our own export. Outputs are dropped.
IPython-only syntax (``%magic``, ``%%cell_magic``, ``!shell``, ``obj?``) is
commented out so the cell is Python, or handed to a ``MagicTranslator`` that
turns some of it into Python (``jupyter_rewrite`` does, for imports that must
run the way Jupyter ran them).

Export writes nbformat 4.5 JSON the way Jupyter does (one-space indent,
sorted keys, sources as lists of lines) with empty outputs.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass
from typing import Any, Protocol

from kernels.runtime.formats.errors import NotebookFormatError
from kernels.runtime.formats.pyfile import is_marker_line, normalize_newlines
from kernels.runtime.notebook import (
    CELL_NAME_RE,
    Cell,
    CellConfig,
    CellKind,
    Notebook,
    drop_repeated_names,
)

NBFORMAT = 4
NBFORMAT_MINOR = 5

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}

# nbformat 4.5 cell ids; stricter than our names (no ".").
_CELL_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CELL_KINDS: dict[str, CellKind] = {"code": "code", "markdown": "markdown", "raw": "markdown"}

# Cell magics whose body is Python: only their first line is commented out.
# The body of any other cell magic (%%bash, %%html, %%sql, ...) is commented out too.
_PYTHON_BODY_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "python", "python3"}
)
# `files = !ls`, `t = %timeit -o f()`
_MAGIC_ASSIGNMENT_RE = re.compile(r"^[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]")
# `obj?`, `obj??`, `?obj`, `np.*load*?`
_HELP_RE = re.compile(r"^(?:\?{1,2}[\w.*]+|[\w.*]+\?{1,2})\s*$")


# --------------------------------------------------------------------------- reading


#: The notebook metadata key our export writes (and the cell metadata key it uses).
PLAYGROUND_KEY = "playground"


@dataclass
class JupyterFile:
    """A notebook as Jupyter wrote it: code cells keep their IPython syntax."""

    notebook: Notebook
    #: The file carries our export's mark (notebook ``metadata.playground``): its cells
    #: were a reactive notebook, not a top-to-bottom one.
    written_by_playground: bool


def loads(text: str, *, source: str = "<string>") -> Notebook:
    """Parse an nbformat 4 notebook; raises ``NotebookFormatError`` if malformed.

    IPython syntax in code cells is commented out (``comment_out_magics``).
    """
    nb = read(text, source=source).notebook
    for cell in nb.cells:
        if cell.kind == "code":
            cell.code = comment_out_magics(cell.code)
    return nb


def read(text: str, *, source: str = "<string>") -> JupyterFile:
    """Parse an nbformat 4 notebook, leaving code cells as Jupyter had them."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookFormatError(
            f"{source}: not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}); is this a Jupyter notebook?"
        ) from None
    except RecursionError:
        raise NotebookFormatError(f"{source}: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise NotebookFormatError(
            f"{source}: not a Jupyter notebook (the JSON is {_json_type(data)}, not an object)"
        )
    if "nbformat" not in data:
        raise NotebookFormatError(f"{source}: no 'nbformat' key, so this is not a Jupyter notebook")
    version = data["nbformat"]
    if version != NBFORMAT or isinstance(version, bool):
        raise NotebookFormatError(
            f"{source}: nbformat {version!r} is not supported, only version 4; "
            "open and save it in a current Jupyter to upgrade it"
        )
    raw_cells = data.get("cells")
    if not isinstance(raw_cells, list):
        problem = "no 'cells' list" if raw_cells is None else "'cells' is not a list"
        raise NotebookFormatError(f"{source}: {problem}")

    cells = [_read_cell(raw, f"{source}: cell {index}") for index, raw in enumerate(raw_cells)]
    metadata = data.get("metadata")
    ours = metadata.get(PLAYGROUND_KEY) if isinstance(metadata, dict) else None
    return JupyterFile(
        notebook=Notebook(cells=drop_repeated_names(cells), header=_read_header(metadata)),
        written_by_playground=isinstance(ours, dict),
    )


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a number" if isinstance(value, int | float) else "a boolean"


def _read_cell(raw: object, where: str) -> Cell:
    if not isinstance(raw, dict):
        raise NotebookFormatError(f"{where} is {_json_type(raw)}, not an object")
    for key in ("cell_type", "source"):
        if key not in raw:
            raise NotebookFormatError(f"{where} has no {key!r} key")
    cell_type = raw["cell_type"]
    kind = _CELL_KINDS.get(cell_type) if isinstance(cell_type, str) else None
    if kind is None:
        raise NotebookFormatError(
            f"{where} has unknown cell_type {cell_type!r} (expected code, markdown or raw)"
        )
    text = _read_source(raw["source"], where)

    metadata = raw.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    ours = metadata.get(PLAYGROUND_KEY)
    ours = ours if isinstance(ours, dict) else {}
    # Our own export records the name (possibly null) when the id differs from it.
    candidate = ours["name"] if "name" in ours else raw.get("id")
    name = candidate if isinstance(candidate, str) and CELL_NAME_RE.fullmatch(candidate) else None
    return Cell(code=text, kind=kind, name=name, config=_read_config(metadata, ours))


def _read_source(source: object, where: str) -> str:
    if isinstance(source, str):
        return normalize_newlines(source)
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return normalize_newlines("".join(source))
    raise NotebookFormatError(f"{where}: 'source' must be a string or a list of strings")


def _read_config(metadata: dict[str, Any], ours: dict[str, Any]) -> CellConfig:
    if "hide_code" in ours:
        hide_code = ours["hide_code"] is True
    else:
        # What JupyterLab ("collapse input") and Jupyter Book ("hide-input") write.
        jupyter = metadata.get("jupyter")
        tags = metadata.get("tags")
        hide_code = (isinstance(jupyter, dict) and jupyter.get("source_hidden") is True) or (
            isinstance(tags, list) and "hide-input" in tags
        )
    return CellConfig(disabled=ours.get("disabled") is True, hide_code=hide_code)


def _read_header(metadata: object) -> str | None:
    ours = metadata.get(PLAYGROUND_KEY) if isinstance(metadata, dict) else None
    header = ours.get("header") if isinstance(ours, dict) else None
    if not isinstance(header, str) or "\r" in header:
        return None
    if header and not header.endswith("\n"):
        return None
    if any(is_marker_line(line) for line in header.split("\n")):
        return None
    return header


@dataclass
class _ScanState:
    """Where a line-by-line scan of Python source stands at a line's end."""

    depth: int = 0  # open brackets
    quote: str | None = None  # delimiter of the string still open
    continued: bool = False  # the line ended with a backslash

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued


class MagicTranslator(Protocol):
    """Turns some IPython syntax into Python; what it declines is commented out."""

    #: Cell magics it may translate, on top of those whose body is Python anyway.
    cell_magics: frozenset[str]

    def line(self, indent: str, text: str) -> list[str] | None:
        """Lines (indented) to put in place of the IPython line ``indent + text``, or ``None``."""

    def cell(self, name: str, header: str, body: list[str]) -> list[str] | None:
        """Lines to put in place of ``%%name`` (its ``header`` line) over ``body``, or ``None``.

        ``body`` is already Python for magics whose body is Python; for the others
        it is the cell's text as written.
        """


def comment_out_magics(code: str, translator: MagicTranslator | None = None) -> str:
    """Comment out IPython-only lines so ``code`` becomes Python.

    ``%magic``, ``!shell``, ``x = !cmd`` and ``obj?`` lines become comments at
    their indentation (``# %matplotlib inline``); a ``%%cell_magic`` first
    line too, and the whole cell when the magic's body is not Python
    (``%%bash``, ``%%html``...). Lines inside strings or brackets are left
    alone. No result line is ever a ``# %%`` cell marker. A ``translator``
    gets the first say on each magic.
    """
    lines = code.split("\n")
    # Cell magics stack (`%%time` over `%%capture`); a loop, as recursion on the rest of
    # the cell would copy it once per magic line and overflow the stack on thousands.
    handled = translator.cell_magics if translator is not None else frozenset()
    body = 0
    names = []
    while body < len(lines) and lines[body].startswith("%%"):
        words = lines[body][2:].split()
        if not words or (words[0] not in _PYTHON_BODY_CELL_MAGICS and words[0] not in handled):
            return _comment_all(lines)
        names.append(words[0])
        body += 1
    if body == len(lines):
        return _comment_all(lines)
    if names and names[-1] not in _PYTHON_BODY_CELL_MAGICS:
        result = lines[body:]  # e.g. %%writefile: the body is text
    else:
        result = _comment_out_line_magics(lines[body:], translator)
    # Innermost first: each magic wraps what the ones below it made of the body.
    for index in range(body - 1, -1, -1):
        name = names[index]
        converted = None
        if translator is not None and name in handled:
            converted = translator.cell(name, lines[index], result)
        if converted is not None:
            result = converted
        elif name in _PYTHON_BODY_CELL_MAGICS:
            result = [_comment(lines[index]), *result]
        else:
            return _comment_all(lines)
    return "\n".join(result)


def _comment_all(lines: list[str]) -> str:
    return "\n".join(_comment(line) for line in lines)


def _comment_out_line_magics(
    lines: list[str], translator: MagicTranslator | None = None
) -> list[str]:
    state = _ScanState()
    commented = []
    # `if x:\n    %time f()` would leave an empty block; a `pass` keeps it valid.
    with_pass = []
    for line in lines:
        if state.at_statement_start() and _is_ipython_line(line.strip()):
            stripped = line.lstrip()
            indent = line[: len(line) - len(stripped)]
            converted = translator.line(indent, stripped.rstrip()) if translator else None
            if converted is not None:
                commented += converted
                with_pass += converted
                continue
            commented.append(_comment(line))
            with_pass.append(f"{indent}pass  # {stripped}" if indent else _comment(line))
            continue
        _scan_line(line, state)
        commented.append(line)
        with_pass.append(line)
    if with_pass != commented and not _compiles(commented) and _compiles(with_pass):
        return with_pass
    return commented


def indent_code(lines: list[str], prefix: str) -> list[str]:
    """``lines`` of Python with ``prefix`` before each, except blank lines and lines
    that continue a multi-line string (their text would change)."""
    state = _ScanState()
    indented = []
    for line in lines:
        inside_string = state.quote is not None
        indented.append(line if inside_string or not line.strip() else prefix + line)
        _scan_line(line, state)
    return indented


def comment_line(line: str) -> str:
    """``line`` as a comment at its own indentation, never a ``# %%`` marker."""
    return _comment(line)


def _compiles(lines: list[str]) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(
                "\n".join(lines),
                "<cell>",
                "exec",
                flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                dont_inherit=True,
            )
        except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
            return False
    return True


def _is_ipython_line(stripped: str) -> bool:
    return (
        stripped.startswith(("%", "!"))
        or _MAGIC_ASSIGNMENT_RE.match(stripped) is not None
        or _HELP_RE.match(stripped) is not None
    )


def _comment(line: str) -> str:
    stripped = line.lstrip()
    if not stripped:
        return "#"
    indent = line[: len(line) - len(stripped)]
    commented = f"{indent}# {stripped}"
    # "%% x" would become the marker "# %% x"; a second "#" keeps it a comment.
    return f"#{commented}" if is_marker_line(commented) else commented


def _scan_line(line: str, state: _ScanState) -> None:
    """Advance ``state`` over one line: strings, brackets, comments, backslashes."""
    state.continued = False
    i = 0
    while i < len(line):
        if state.quote is not None:
            if line[i] == "\\":
                i += 2
            elif line.startswith(state.quote, i):
                i += len(state.quote)
                state.quote = None
            else:
                i += 1
            continue
        char = line[i]
        if char == "#":
            break
        if char in "([{":
            state.depth += 1
        elif char in ")]}":
            state.depth = max(0, state.depth - 1)
        elif char in "'\"":
            triple = line[i : i + 3]
            state.quote = triple if triple in ("'''", '"""') else char
            i += len(state.quote)
            continue
        elif char == "\\" and i == len(line) - 1:
            state.continued = True
        i += 1
    if state.quote is not None and len(state.quote) == 1:
        # A one-quote string only spans lines through a trailing backslash.
        if line.endswith("\\"):
            state.continued = True
        else:
            state.quote = None


# --------------------------------------------------------------------------- writing


def dumps(nb: Notebook) -> str:
    """Serialize ``nb`` as nbformat 4.5 JSON, ending with a newline."""
    ids = _cell_ids(nb.cells)
    cells = [_write_cell(cell, cell_id) for cell, cell_id in zip(nb.cells, ids, strict=True)]
    # `playground` also marks the file as ours: importing it again reads a reactive
    # notebook, not one that ran top to bottom (see `read`).
    ours = {} if nb.header is None else {"header": nb.header}
    metadata: dict[str, Any] = {
        "kernelspec": KERNELSPEC,
        "language_info": LANGUAGE_INFO,
        PLAYGROUND_KEY: ours,
    }
    data = {
        "cells": cells,
        "metadata": metadata,
        "nbformat": NBFORMAT,
        "nbformat_minor": NBFORMAT_MINOR,
    }
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates cannot be written as UTF-8; JSON escapes keep them.
        text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    return text


def _cell_ids(cells: list[Cell]) -> list[str]:
    """Names where they are valid, unique ids; ``cell-<index>`` for the rest."""
    ids: list[str | None] = []
    taken: set[str] = set()
    for cell in cells:
        name = cell.name
        if name is not None and _CELL_ID_RE.fullmatch(name) and name not in taken:
            ids.append(name)
            taken.add(name)
        else:
            ids.append(None)
    result = []
    for index, cell_id in enumerate(ids):
        if cell_id is None:
            cell_id = f"cell-{index}"
            suffix = 2
            while cell_id in taken:
                cell_id = f"cell-{index}-{suffix}"
                suffix += 1
            taken.add(cell_id)
        result.append(cell_id)
    return result


def _write_cell(cell: Cell, cell_id: str) -> dict[str, Any]:
    ours: dict[str, Any] = {}
    if cell.name != cell_id:
        ours["name"] = cell.name
    if cell.config.disabled:
        ours["disabled"] = True
    if cell.config.hide_code:
        ours["hide_code"] = True
    metadata: dict[str, Any] = {}
    if ours:
        metadata[PLAYGROUND_KEY] = ours
    if cell.config.hide_code:
        metadata["jupyter"] = {"source_hidden": True}
    written: dict[str, Any] = {
        "cell_type": cell.kind,
        "id": cell_id,
        "metadata": metadata,
        "source": _source_lines(cell.code),
    }
    if cell.kind == "code":
        written["execution_count"] = None
        written["outputs"] = []
    return written


def _source_lines(text: str) -> list[str]:
    """Jupyter's list-of-lines form: every line keeps its ``\\n`` except the last."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines
