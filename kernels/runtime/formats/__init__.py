"""Notebook files: read and write every format the runtime knows, by path or by name.

Formats (``docs/format.md`` describes each):

* ``"playground"`` - our ``.py`` notebook (``pyfile``), read and written;
* ``"marimo"`` - marimo ``.py`` notebooks, read (``marimo``) and written
  (``marimo_export``); a ``.py`` path is still written in our format;
* ``"ipynb"`` - Jupyter nbformat 4 (``ipynb``), read and written;
* ``"script"`` - a flat Python script (``script``), written only;
* ``"py"`` - a ``.py`` path: read as marimo or playground by content,
  written as playground.

Everything here is pure standard library so it also runs under Pyodide.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import stat
import string
from collections.abc import Iterable
from typing import Literal

from kernels.runtime.formats import ipynb, marimo, marimo_export, pyfile, script
from kernels.runtime.formats.errors import NotebookFormatError
from kernels.runtime.notebook import Cell, Notebook

__all__ = [
    "FormatName",
    "NotebookFormatError",
    "dumps_notebook",
    "format_for_path",
    "load_notebook",
    "loads_notebook",
    "new_cell_name",
    "new_notebook",
    "save_notebook",
    "with_cell_names",
]

FormatName = Literal["py", "playground", "marimo", "ipynb", "script"]

#: File extensions (lower case) and the format a path with them is read as.
EXTENSIONS: dict[str, FormatName] = {".py": "py", ".ipynb": "ipynb"}

_PathLike = str | os.PathLike[str]


def format_for_path(path: _PathLike) -> FormatName:
    """The format of ``path`` by its extension: ``"py"`` or ``"ipynb"``."""
    extension = os.path.splitext(os.fspath(path))[1].lower()
    fmt = EXTENSIONS.get(extension)
    if fmt is None:
        shown = repr(extension) if extension else "no extension"
        raise NotebookFormatError(
            f"{os.fspath(path)}: cannot open a notebook with {shown}; "
            "notebooks are .py (Playground or marimo) or .ipynb (Jupyter) files"
        )
    return fmt


def loads_notebook(text: str, fmt: FormatName, *, source: str = "<string>") -> Notebook:
    """Parse ``text`` in format ``fmt``; ``source`` names it in error messages."""
    text = text.removeprefix("\ufeff")
    if fmt == "py":
        fmt = "marimo" if marimo.is_marimo_source(text) else "playground"
    if fmt == "playground":
        return pyfile.loads(text, source=source)
    if fmt == "marimo":
        return marimo.loads(text, source=source)
    if fmt == "ipynb":
        # Rewritten so it runs here as it ran top to bottom in Jupyter (docs/format.md).
        from kernels.runtime.formats.jupyter_rewrite import import_notebook

        return import_notebook(text, source=source)
    raise NotebookFormatError(
        f"{source}: cannot read format {fmt!r}; readable formats are py, playground, "
        "marimo and ipynb"
    )


def dumps_notebook(nb: Notebook, fmt: FormatName) -> str:
    """Serialize ``nb`` in format ``fmt`` (``"py"`` means our playground format)."""
    if fmt in ("py", "playground"):
        return pyfile.dumps(nb)
    if fmt == "ipynb":
        return ipynb.dumps(nb)
    if fmt == "marimo":
        return marimo_export.dumps(nb)
    if fmt == "script":
        return script.dumps(nb)
    raise NotebookFormatError(
        f"cannot write format {fmt!r}; writable formats are py, playground, marimo, ipynb "
        "and script"
    )


def load_notebook(path: _PathLike) -> Notebook:
    """Read the notebook at ``path``, choosing the format by extension and content.

    Raises ``NotebookFormatError`` (with the path in its message) when the
    file is missing, unreadable, not UTF-8, or malformed for its format.
    """
    fmt = format_for_path(path)
    return loads_notebook(_read_text(path), fmt, source=os.fspath(path))


def save_notebook(nb: Notebook, path: _PathLike) -> None:
    """Write ``nb`` to ``path`` atomically, in the format its extension names.

    The text goes to a temporary file in the same directory, is flushed to
    disk, then renamed over ``path``: readers see the old file or the new
    one, never half of one. On failure the old file is left untouched and
    ``OSError`` (or ``NotebookFormatError`` for an unsavable notebook) is
    raised. A ``.py`` path is always written in our playground format.
    """
    text = dumps_notebook(nb, format_for_path(path))
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise NotebookFormatError(
            f"{os.fspath(path)}: the notebook holds text that is not valid Unicode "
            f"({error.reason}); nothing was written"
        ) from None
    write_file_atomically(os.fspath(path), data)


def new_notebook() -> Notebook:
    """An empty notebook: one empty, named code cell and the default header."""
    return Notebook(cells=[Cell(code="", name=new_cell_name(set()))], header=None)


def new_cell_name(existing: Iterable[str]) -> str:
    """A short random name not in ``existing``: four letters, such as ``"kQfz"``.

    Used for cells the user creates. Converters use ``with_cell_names``,
    whose names do not change from one conversion to the next.
    """
    taken = set(existing)
    length = 4
    while True:
        for _ in range(100):
            name = "".join(secrets.choice(string.ascii_letters) for _ in range(length))
            if name not in taken:
                return name
        length += 1


def with_cell_names(nb: Notebook) -> Notebook:
    """A copy of ``nb`` in which every anonymous cell has a name.

    The name is ``cell-<index>``, the label such a cell already shows (see
    ``Notebook.cell_label``), or ``cell-<index>-2`` and so on if another cell
    holds it. Deterministic, so converting the same file twice gives the
    same names; call it when an imported notebook is saved in our format.
    """
    taken = {cell.name for cell in nb.cells if cell.name is not None}
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.name is None:
            name = f"cell-{index}"
            suffix = 2
            while name in taken:
                name = f"cell-{index}-{suffix}"
                suffix += 1
            taken.add(name)
            cell = dataclasses.replace(cell, name=name)
        cells.append(dataclasses.replace(cell, config=dataclasses.replace(cell.config)))
    return Notebook(cells=cells, header=nb.header)


def _read_text(path: _PathLike) -> str:
    shown = os.fspath(path)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        raise NotebookFormatError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise NotebookFormatError(f"{shown}: is a directory, not a notebook file") from None
    except PermissionError:
        raise NotebookFormatError(
            f"{shown}: permission denied; check that you may read this file"
        ) from None
    except OSError as error:
        raise NotebookFormatError(f"{shown}: cannot read it ({error.strerror or error})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotebookFormatError(
            f"{shown}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
            f"{error.start}); convert the file to UTF-8 and try again"
        ) from None


def write_file_atomically(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once; on failure the old file is unchanged."""
    # Through a symlink, replace the file it points to, not the link.
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    temp = os.path.join(directory, f".{os.path.basename(target)}.{secrets.token_hex(4)}.tmp")
    try:
        # Mode 0o666 lets the umask decide, as for any newly created file.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as error:
        raise _save_error(path, error) from error
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(OSError):
            # Keep the permissions of the file being replaced.
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temp, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise _save_error(path, error) from error
        raise
    _fsync_directory(directory)


def _save_error(path: str, error: OSError) -> OSError:
    reason = error.strerror or str(error)
    return OSError(error.errno, f"cannot save {path}: {reason}; the previous file is unchanged")


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
