"""Rewrite an imported Jupyter notebook, which ran top to bottom, so it runs reactively.

Jupyter runs cells in one namespace, in the order they were run (for the notebooks
people share: top to bottom), so notebooks reassign a name from cell to cell, change
objects made earlier, ``import *`` and use IPython magics. Here each global name has
one defining cell and cells run in the order of the names they share. So that an
imported notebook runs, and prints what it printed in Jupyter, the import rewrites
what the reactive model forbids, the way a person would, and says what it did in a
markdown note at the top (after the title cell, when the notebook starts with one):

* **Names assigned in several cells.** Each definition that other cells read gets a
  name of its own (``x``, ``x_2``, ``x_3``...); every later read points at the
  latest definition before it (as Jupyter's order had it). A definition that only
  its own cell uses becomes private to that cell (``_x``). A cell that reads the
  previous value before (or instead of) assigning it (``x += 1``, a loop that may
  not run) starts from it: ``x_2 = x`` then ``x_2 += 1``, so in-place operators keep
  mutating the same object, as they did in Jupyter.
* **Objects changed in place by a later cell** (``df["c"] = ...``,
  ``items.append(...)``, ``df.drop(..., inplace=True)``, ``model.fit(...)``): when a
  later cell reads the object, the changing cell defines a new name for it
  (``df_2 = df`` then ``df_2["c"] = ...``) and later cells read ``df_2``, so they
  run after the change. ``df_2`` is the same object (no copy): outputs stay those of
  the top-to-bottom run and nothing is duplicated in memory.
* **Functions reading a global** keep reading the value of the global their cell
  saw (the kernel gives a function its cell's namespace, and reads in its body
  point at the definition before its cell); when a later cell reassigns that global
  and a cell after it calls the function, where Jupyter would see the new value,
  the note says so.
* **A name read before any cell assigns it** is a builtin (``sum``) or comes from
  ``import *``: when a later cell assigns it, that definition is renamed so the
  earlier reads keep the builtin.
* **Private names read by other cells** (``_data``) become public (``data``):
  names starting with ``_`` stay inside their cell here.
* **``from m import *``** becomes ``from m import a, b`` with the names the
  notebook reads from it: for standard-library modules, the names the module
  exports (imported to find out, which runs no code but the standard library's);
  for others, the names the notebook reads before any cell defines them (plus the
  builtins that numpy and pylab replace), since importing a third-party module here
  would run it.
* **The same import repeated** in a later cell (``import numpy as np`` again) is
  commented out: the name already holds that module.
* **``from __future__``**: features always on in Python 3 are commented out; others
  move to the top of their cell, where Python requires them.
* **Magics**: ``%timeit``/``%%timeit`` time the code with ``timeit`` (the result goes
  to stderr), ``%time``/``%prun`` run the statement, ``%%capture`` becomes
  ``contextlib.redirect_stdout``, ``%%writefile`` writes the file, ``%env`` sets
  ``os.environ``, ``%pylab`` becomes its imports; the rest (``%matplotlib``,
  ``!pip install``, shell commands, ``obj?``) are commented out as
  ``ipynb.comment_out_magics`` does.

Text outside the renamed identifiers is kept (edits go by the parser's positions, not
``ast.unparse``), so comments and formatting survive; ``f"{x=}"`` fields keep printing
``x=``. Cells that do not parse are left alone. Work is linear in the notebook's size
(the per-name scans of a cell are bounded by the cell). A stage that fails on code
nobody foresaw is skipped rather than failing the import.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import dataclasses
import importlib
import keyword
import re
import shlex
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kernels.runtime.analysis import (
    _FUNCTION,
    _MODULE,
    _Collector,
    _resolves_to_module,
    _Scope,
)
from kernels.runtime.formats import ipynb
from kernels.runtime.formats.script import TOP_TO_BOTTOM_HEADER
from kernels.runtime.notebook import Cell, Notebook

__all__ = ["import_notebook", "rewrite_notebook", "runs_in_file_order"]

_BUILTINS = frozenset(dir(builtins))
# Names IPython puts in a notebook's namespace without an import.
_IPYTHON_NAMES = frozenset({"display", "get_ipython", "In", "Out", "exit", "quit"})
# `from __future__` features every Python 3 has on.
_OBSOLETE_FUTURES = frozenset(
    {
        "nested_scopes",
        "generators",
        "division",
        "absolute_import",
        "with_statement",
        "print_function",
        "unicode_literals",
        "generator_stop",
    }
)
# Standard-library modules never imported to list their names (they open windows,
# browsers or print on import).
_NOT_IMPORTED = frozenset(
    {"antigravity", "this", "idlelib", "turtle", "turtledemo", "tkinter", "__hello__",
     "__phello__", "test"}
)
# What `import *` of these third-party modules puts over builtins (numpy 2.x).
_SHADOWED_BUILTINS = {
    "numpy": frozenset(
        {"abs", "all", "any", "bool", "divmod", "max", "min", "pow", "round", "sum"}
    ),
    "pylab": frozenset(
        {"abs", "all", "any", "bool", "bytes", "divmod", "max", "min", "pow", "round", "sum"}
    ),
}
_SHADOWED_BUILTINS["matplotlib.pylab"] = _SHADOWED_BUILTINS["pylab"]
# Methods that change the object they are called on (lists, dicts, sets, deques,
# Counters, numpy arrays, scikit-learn estimators). Any call with `inplace=True`
# counts too.
_MUTATING_METHODS = frozenset(
    {
        "append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse",
        "update", "add", "discard", "setdefault", "popitem", "appendleft", "extendleft",
        "popleft", "rotate", "subtract", "difference_update", "intersection_update",
        "symmetric_difference_update", "fill", "resize", "put", "itemset", "fit",
        "partial_fit", "set_params",
    }
)
# Functions that change their first argument: random.shuffle(x), np.random.shuffle(x).
_MUTATING_FUNCTIONS = frozenset({"shuffle"})
_NOTE_LIST_LIMIT = 8


def import_notebook(text: str, *, source: str = "<string>") -> Notebook:
    """Read a Jupyter notebook for running here: ``ipynb.read`` plus the rewrite.

    A notebook our own export wrote was a reactive notebook already: it is read as
    ``ipynb.loads`` reads it, with IPython syntax commented out and nothing renamed.
    """
    read = ipynb.read(text, source=source)
    if read.written_by_playground:
        nb = read.notebook
        for cell in nb.cells:
            if cell.kind == "code":
                cell.code = ipynb.comment_out_magics(cell.code)
        return nb
    return rewrite_notebook(read.notebook)


def rewrite_notebook(nb: Notebook) -> Notebook:
    """A copy of ``nb`` (code cells as Jupyter had them, magics included) that runs
    here in file order and prints what it printed run top to bottom in Jupyter.

    Code cells stay where they are; a markdown note listing the changes is added
    after a leading markdown cell (or first) when anything but comments changed.
    The header gets the top-to-bottom mark that ``script.export_order`` reads,
    unless the notebook has a header of its own.
    """
    cells = [
        dataclasses.replace(cell, config=dataclasses.replace(cell.config)) for cell in nb.cells
    ]
    rewrite = _Rewrite([cell.code if cell.kind == "code" else None for cell in cells])
    rewrite.run()
    for cell, code in zip(cells, rewrite.codes, strict=True):
        if code is not None:
            cell.code = code
    header = TOP_TO_BOTTOM_HEADER if nb.header is None else nb.header
    if not rewrite.needs_note():
        return Notebook(cells=cells, header=header)
    position = 1 if cells and cells[0].kind == "markdown" else 0
    labels = []
    for index, cell in enumerate(cells):
        final = index + 1 if index >= position else index
        labels.append(cell.name or f"cell-{final}")
    note = Cell(code=rewrite.note(labels), kind="markdown")
    return Notebook(cells=[*cells[:position], note, *cells[position:]], header=header)


def runs_in_file_order(nb: Notebook) -> bool:
    """Whether every name a code cell reads while it runs is defined by an earlier cell
    or by no cell (a builtin, an import's), so the cells run as a script in file order.
    Reads inside function bodies are left out: they happen when the function is called.
    """
    definer: dict[str, int] = {}
    scans = []
    for index, cell in enumerate(nb.cells):
        scan = _scan(cell.code) if cell.kind == "code" else None
        scans.append(scan)
        for name in scan.binds if scan is not None else ():
            definer.setdefault(name, index)
    for index, scan in enumerate(scans):
        if scan is None:
            continue
        for name in scan.reads:
            first = definer.get(name, index)
            if first > index and any(
                use.kind == "load" and not use.deferred for use in scan.uses[name]
            ):
                return False
    return True


# --------------------------------------------------------------------------- changes


@dataclass
class _Change:
    """One line of the note: what changed in which cell."""

    cell: int
    text: str  # markdown; `_cell_ref(i)` stands for cell i's label
    explains_itself: bool = False  # a comment in the code says it already


@dataclass
class _Version:
    """One definition of a name: a cell that assigns it, or changes it in place."""

    cell: int
    mutation: bool
    needs_previous: bool  # the cell starts from the value before it
    exported: bool = False  # another cell reads this value
    name: str = ""


# --------------------------------------------------------------------------- magics


class _PythonMagics:
    """IPython magics that have a Python equivalent, translated for one cell."""

    cell_magics = frozenset({"timeit", "capture", "writefile", "file"})

    def __init__(self) -> None:
        self.changes: list[tuple[str, bool]] = []  # (markdown, explains itself)

    # -- line magics and shell lines ----------------------------------------

    def line(self, indent: str, text: str) -> list[str] | None:
        match = re.match(r"%([A-Za-z_]\w*)(.*)$", text)
        if match is None or text.startswith("%%"):
            self._commented(text)
            return None
        name, args = match.group(1), match.group(2).strip()
        if name in ("time", "prun") and args and not (name == "prun" and args.startswith("-")):
            return self._run_once(indent, name, args)
        if name == "timeit" and args:
            converted = self._timeit_line(indent, text, args)
            if converted is not None:
                return converted
        if name == "env":
            converted = self._env(indent, text, args)
            if converted is not None:
                return converted
        if name == "pylab" and not indent:
            self.changes.append((f"`{text}` became the imports it makes (numpy, pyplot and "
                                 "`from pylab import *`)", False))
            return ["import numpy as np", "import matplotlib.pyplot as plt",
                    f"from pylab import *  # {text}"]
        self._commented(text)
        return None

    def _commented(self, text: str) -> None:
        words = text.lstrip("%!").split()
        first = words[0] if words else ""
        if first in ("pip", "conda") or re.search(r"\b(pip|conda|uv pip) install\b", text):
            why = ("install packages before running the notebook (in the browser, "
                   "imports install pure-Python packages by themselves)")
        elif first == "matplotlib" or first == "config":
            why = "figures show without it"
        elif text.startswith("!"):
            why = "shell commands do not run here"
        elif text.endswith("?") or text.startswith("?"):
            why = "help works with `help(...)`"
        else:
            why = "IPython only"
        self.changes.append((f"`{_short(text)}` is commented out: {why}", True))

    def _run_once(self, indent: str, name: str, args: str) -> list[str] | None:
        if not _compiles(args):
            return None
        self.changes.append((f"`%{name} {_short(args)}` runs the statement once", True))
        return [f"{indent}{args}  # %{name}"]

    def _timeit_line(self, indent: str, text: str, args: str) -> list[str] | None:
        parsed = _timeit_options(args)
        if parsed is None or not parsed[1].strip():
            return None
        number, statement = parsed
        if _compiles(statement, "eval"):
            setup, timer = [], f"_timeit.Timer(lambda: {statement})"
        elif _compiles(statement):
            setup, timer = ["def _timed():", f"    {statement}"], "_timeit.Timer(_timed)"
        else:
            return None
        lines = [f"# {text}", "import sys as _sys, timeit as _timeit", *setup,
                 *_timing_lines(timer, number)]
        if not _compiles("\n".join(lines)):
            return None
        self.changes.append((f"`{_short(text)}` is timed with the `timeit` module "
                             "(the time goes to stderr)", False))
        return [indent + line for line in lines]

    def _env(self, indent: str, text: str, args: str) -> list[str] | None:
        if "=" in args:
            key, _, value = args.partition("=")
        else:
            key, _, value = args.partition(" ")
            if not value.strip():
                return None
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if not key.isidentifier():
            return None
        self.changes.append((f"`{_short(text)}` sets `os.environ`", False))
        return [f"{indent}import os as _os  # {text}", f"{indent}_os.environ[{key!r}] = {value!r}"]

    # -- cell magics -----------------------------------------------------------

    def cell(self, name: str, header: str, body: list[str]) -> list[str] | None:
        if name in ("writefile", "file"):  # %%file is IPython's older name for it
            return self._writefile(header, body)
        if not _has_statements(body):
            return None
        if name == "timeit":
            parsed = _timeit_options(header.split(None, 1)[1] if " " in header.strip() else "")
            if parsed is None:
                return None
            number, setup = parsed
            inner = [setup.strip()] if setup.strip() else []
            lines = [ipynb.comment_line(header), "import sys as _sys, timeit as _timeit",
                     "def _timed():", *ipynb.indent_code([*inner, *body], "    "),
                     *_timing_lines("_timeit.Timer(_timed)", number)]
            what = "is timed with the `timeit` module (the time goes to stderr)"
        elif name == "capture":
            options = header.split()[1:]
            if any(not option.startswith("--") for option in options):
                return None  # `%%capture out` keeps the output in a variable: no equivalent
            streams = [stream for stream in ("stdout", "stderr") if f"--no-{stream}" not in options]
            if not streams:
                return None
            contexts = ", ".join(f"_contextlib.redirect_{s}(_io.StringIO())" for s in streams)
            lines = [ipynb.comment_line(header), "import contextlib as _contextlib, io as _io",
                     f"with {contexts}:", *ipynb.indent_code(body, "    ")]
            what = "runs with its printed output discarded (`contextlib.redirect_stdout`)"
        else:
            return None
        if not _compiles("\n".join(lines)):
            return None
        self.changes.append((f"`{_short(header)}` {what}", False))
        return lines

    def _writefile(self, header: str, body: list[str]) -> list[str] | None:
        try:
            words = shlex.split(header[2:])[1:]
        except ValueError:
            return None
        mode = "w"
        if words and words[0] in ("-a", "--append"):
            mode, words = "a", words[1:]
        if len(words) != 1:
            return None
        path = words[0]
        lines = [ipynb.comment_line(header),
                 f'with open({path!r}, {mode!r}, encoding="utf-8") as _file:',
                 f"    _file.write({_text_literal(chr(10).join(body))})"]
        if not _compiles("\n".join(lines)):
            lines[-1] = f"    _file.write({chr(10).join(body)!r})"
        self.changes.append((f"`{_short(header)}` writes the file with `open()`", False))
        return lines


def _timeit_options(args: str) -> tuple[int | None, str] | None:
    """``(number, statement)`` from ``%timeit`` arguments, or ``None`` if unreadable."""
    number = None
    rest = args.lstrip()
    while rest.startswith("-"):
        match = re.match(r"-([nrp])\s*(\d+)\s*|-([oqct]+)\s*", rest)
        if match is None:
            return None
        if match.group(1) == "n":
            number = max(1, int(match.group(2)))
        rest = rest[match.end():]
    return number, rest


def _timing_lines(timer: str, number: int | None) -> list[str]:
    if number is None:
        measure = f"_loops, _seconds = {timer}.autorange()"
    else:
        measure = f"_loops, _seconds = {number}, {timer}.timeit({number})"
    report = ('print(f"{_seconds / _loops * 1e3:.4g} ms per loop (mean of {_loops} loops)", '
              "file=_sys.stderr)")
    return [measure, report]


def _text_literal(text: str) -> str:
    """A readable literal for ``text``: triple-quoted when that needs no escapes."""
    if "\\" in text or "'''" in text or text.endswith("'") or "\r" in text:
        return repr(text)
    return f"'''{text}'''"


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _compiles(code: str, mode: str = "exec") -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(code, "<cell>", mode, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
            return False
    return True


def _has_statements(lines: list[str]) -> bool:
    try:
        return bool(ast.parse("\n".join(lines)).body)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return True  # let the compile check of the result decide


# --------------------------------------------------------------------------- one cell


class _Text:
    """Offsets into a cell's text from the parser's (line, UTF-8 byte column) positions."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.lines = code.split("\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def offset(self, line: int, byte_column: int) -> int:
        text = self.lines[line - 1]
        if not text.isascii():
            byte_column = len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))
        return self.starts[line - 1] + byte_column

    def span(self, node: ast.AST) -> tuple[int, int]:
        # Every node ast.parse made has a position; typeshed's ast.AST declares none.
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]

    def alone_on_its_lines(self, body: list[ast.stmt], index: int) -> bool:
        """Whether statement ``index`` of ``body`` shares no line with another statement."""
        stmt = body[index]
        before = body[index - 1] if index else None
        after = body[index + 1] if index + 1 < len(body) else None
        # Parsed statements have end positions; typeshed allows None (nodes made by hand).
        return (before is None or before.end_lineno < stmt.lineno) and (  # type: ignore[operator]
            after is None or after.lineno > stmt.end_lineno  # type: ignore[operator]
        )


@dataclass(slots=True)
class _Use:
    """An identifier in a cell that means a global name."""

    name: str
    start: int
    end: int
    kind: str  # "load", "store" or "declaration" (in a `global` statement)
    deferred: bool = False  # in a function or lambda body: runs when called
    origin: str = "value"  # stores: "import", "definition" (def/class) or "value"
    import_name: str | None = None  # an import binding: the alias text is `import_name as x`
    import_key: tuple[object, ...] | None = None  # what the import binds, to spot repeats
    renamable: bool = True


class _UseCollector(_Collector):
    """The analysis' own scope walk, also noting where each global name is written."""

    def __init__(self, text: _Text) -> None:
        super().__init__()
        self.text = text
        self.stack: list[ast.AST] = []
        self.loads_seen: list[tuple[_Use, _Scope, frozenset[str]]] = []
        self.uses: list[_Use] = []

    def visit(self, node: ast.AST) -> None:
        self.stack.append(node)
        try:
            if type(node) is ast.Global and self.scope.kind != _MODULE:
                self._declare(node)
            super().visit(node)
        finally:
            self.stack.pop()

    def load(self, name: str) -> None:
        scope = self.scope
        count = len(scope.loads)
        super().load(name)
        if len(scope.loads) > count:
            for use in self._uses_here(name, "load"):
                self.loads_seen.append((use, scope, scope.loads[-1][1]))

    def bind(self, name: str) -> None:
        scope = self.scope
        is_global = scope.kind == _MODULE or name in scope.declared_global
        super().bind(name)
        if is_global:
            self.uses.extend(self._uses_here(name, "store"))

    def _declare(self, node: ast.Global) -> None:
        start, end = self.text.span(node)
        source = self.text.code[start:end]
        position = len("global")
        for name in node.names:
            match = re.compile(rf"\b{re.escape(name)}\b").search(source, position)
            if match is None:
                continue
            position = match.end()
            self.uses.append(_Use(name, start + match.start(), start + match.end(), "declaration"))

    def _uses_here(self, name: str, kind: str) -> list[_Use]:
        node = self.stack[-1]
        deferred = _is_deferred(self.scope)
        if isinstance(node, ast.Name):
            return [_Use(name, *self.text.span(node), kind, deferred)]
        if isinstance(node, ast.AugAssign | ast.AnnAssign | ast.NamedExpr):
            return [_Use(name, *self.text.span(node.target), kind, deferred)]
        if sys.version_info >= (3, 12) and isinstance(node, ast.TypeAlias):
            return [_Use(name, *self.text.span(node.name), kind, deferred)]
        if isinstance(node, ast.Import | ast.ImportFrom):
            return self._import_uses(node, name, deferred)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            start = self.text.offset(node.lineno, node.col_offset)
            keyword_re = r"class\s+" if isinstance(node, ast.ClassDef) else r"(?:async\s+)?def\s+"
            match = re.compile(keyword_re + re.escape(name) + r"\b").match(self.text.code, start)
            if match is None:
                return [_Use(name, start, start, kind, deferred, "definition", renamable=False)]
            return [_Use(name, match.end() - len(name), match.end(), kind, deferred, "definition")]
        if isinstance(node, ast.MatchAs | ast.MatchStar | ast.MatchMapping):
            start, end = self.text.span(node)
            found = list(re.finditer(rf"\b{re.escape(name)}\b", self.text.code[start:end]))
            if found:
                return [_Use(name, start + found[-1].start(), start + found[-1].end(), kind,
                             deferred)]
        if isinstance(node, ast.ExceptHandler):
            start = self.text.offset(node.lineno, node.col_offset)
            match = re.compile(rf"\bas\s+({re.escape(name)})\b").search(self.text.code, start)
            if match is not None:
                return [_Use(name, match.start(1), match.end(1), kind, deferred)]
        # Every node the walk pushes has a position; typeshed's ast.AST declares none.
        position = self.text.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        return [_Use(name, position, position, kind, deferred, renamable=False)]

    def _import_uses(
        self, node: ast.Import | ast.ImportFrom, name: str, deferred: bool
    ) -> list[_Use]:
        uses = []
        for alias in node.names:
            bound = alias.asname or alias.name.partition(".")[0]
            if bound != name or alias.name == "*":
                continue
            start, end = self.text.span(alias)
            if isinstance(node, ast.Import):
                key: tuple[object, ...] = ("import", alias.name, alias.asname)
            else:
                key = ("from", node.module, node.level, alias.name, alias.asname)
            dotted = isinstance(node, ast.Import) and alias.asname is None and "." in alias.name
            uses.append(_Use(name, start, end, "store", deferred, "import", alias.name, key,
                             renamable=not dotted))
        return uses


def _renamable(code: str, use: _Use) -> bool:
    """Whether ``use`` can be renamed: its text is the name (or the import's alias), as
    the parser's positions say (checked, as f-string positions were not always exact)."""
    if not use.renamable:
        return False
    written = code[use.start : use.end]
    if use.import_name is None:
        return written == use.name
    return written.startswith(use.import_name)


def _is_deferred(scope: _Scope | None) -> bool:
    while scope is not None:
        if scope.kind == _FUNCTION:
            return True
        scope = scope.parent
    return False


@dataclass(frozen=True, slots=True)
class _DebugField:
    """A self-documenting f-string field, ``{x=}``: it prints its own source text."""

    brace: int  # offset of its `{`
    start: int  # its expression
    end: int
    equals_end: int  # just after the `=` and the spaces around it
    implicit_repr: bool  # no `!r`/`:spec` after the `=`: it shows repr()


def _debug_fields(tree: ast.AST, text: _Text) -> list[_DebugField]:
    fields = []
    code = text.code
    for node in ast.walk(tree):
        if not isinstance(node, ast.FormattedValue):
            continue
        start, end = text.span(node.value)
        after = re.compile(r"\s*=\s*(?=[!:}])").match(code, end)
        brace = start - 1
        while brace >= 0 and code[brace] in " \t":
            brace -= 1
        if after is None or brace < 0 or code[brace] != "{":
            continue
        shown = code[brace + 1 : after.end()]
        if any(char in shown for char in "\\'\"\n"):
            continue  # it could not be written back as plain text of the f-string
        fields.append(_DebugField(brace, start, end, after.end(), code[after.end()] == "}"))
    return fields


@dataclass
class _Scan:
    """One parsed code cell: where each global name is used, and what it binds."""

    text: _Text
    tree: ast.Module
    uses: dict[str, list[_Use]]  # by name, in text order
    binds: dict[str, str]  # name -> "import", "definition" or "value" (any value binding)
    reads: set[str]  # global names it reads
    identifiers: set[str]  # every identifier, to pick new names that clash with none
    statement_starts: list[int]  # offset of each top-level statement
    debug_fields: list[_DebugField]  # f"{x=}" fields, whose output shows their text

    def statement_of(self, offset: int) -> int:
        return bisect.bisect_right(self.statement_starts, offset) - 1


def _scan(code: str) -> _Scan | None:
    try:
        tree = ast.parse(code, "<cell>", "exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    text = _Text(code)
    collector = _UseCollector(text)
    try:
        collector.visit_all(tree.body)
    except RecursionError:
        return None
    if collector.nested_import_star is not None:
        return None
    uses: dict[str, list[_Use]] = {}
    binds: dict[str, str] = {}
    for use in collector.uses:
        uses.setdefault(use.name, []).append(use)
        if use.kind == "store":
            previous = binds.get(use.name)
            binds[use.name] = use.origin if previous in (None, use.origin) else "value"
    reads = set()
    for use, scope, handler_names in collector.loads_seen:
        name = use.name
        if not _resolves_to_module(scope, name) or name in handler_names:
            continue
        uses.setdefault(name, []).append(use)
        reads.add(name)
    for name_uses in uses.values():
        name_uses.sort(key=lambda use: use.start)
    statement_starts = [
        text.offset(_first_line(stmt), 0) for stmt in tree.body
    ]
    return _Scan(text, tree, uses, binds, reads, _identifiers(tree), statement_starts,
                 _debug_fields(tree, text) if "=" in code and "{" in code else [])


def _first_line(stmt: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno, *(decorator.lineno for decorator in decorators)])


def _identifiers(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.partition(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            found.update(node.names)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            found.add(node.name)
    return found


def _reads_first(scan: _Scan, name: str) -> tuple[bool, bool]:
    """``(reads_first, always_binds)``: whether the cell may read the value ``name`` had
    before it (the previous cell's, in Jupyter's order) before assigning it, and
    whether every path through the cell assigns it (``if``, ``try`` may not; loops are
    taken to run at least once, as they nearly always do in notebooks)."""
    uses = scan.uses.get(name, [])
    loads = [use.start for use in uses if use.kind == "load"]
    stores = [use.start for use in uses if use.kind == "store" and not use.deferred]
    text = scan.text

    def within(offsets: list[int], node: ast.AST | None) -> bool:
        if node is None:
            return False
        start, end = text.span(node)
        index = bisect.bisect_left(offsets, start)
        return index < len(offsets) and offsets[index] < end

    class ReadFirst(Exception):
        pass

    def check(*nodes: ast.AST | None) -> None:
        if any(within(loads, node) for node in nodes):
            raise ReadFirst

    def walk(statements: list[ast.stmt]) -> bool:
        """Whether ``statements`` bind the name on every path (raising at a read first)."""
        for stmt in statements:
            if not (within(loads, stmt) or within(stores, stmt)):
                continue
            if isinstance(stmt, ast.For | ast.AsyncFor):
                check(stmt.iter)
                if within(stores, stmt.target) or walk(stmt.body) or walk(stmt.orelse):
                    return True
            elif isinstance(stmt, ast.While):
                check(stmt.test)
                if walk(stmt.body) or walk(stmt.orelse):
                    return True
            elif isinstance(stmt, ast.If):
                check(stmt.test)
                if walk(stmt.body) & walk(stmt.orelse):
                    return True
            elif isinstance(stmt, ast.With | ast.AsyncWith):
                check(*(item.context_expr for item in stmt.items))
                if any(within(stores, item.optional_vars) for item in stmt.items):
                    return True
                if walk(stmt.body):
                    return True
            elif isinstance(stmt, ast.Try | getattr(ast, "TryStar", ast.Try)):
                handled = [walk(handler.body) for handler in stmt.handlers]
                body = walk(stmt.body) or walk(stmt.orelse)
                if (body and all(handled)) or walk(stmt.finalbody):
                    return True
            elif isinstance(stmt, ast.Match):
                check(stmt.subject)
                for case in stmt.cases:
                    check(case.guard)
                    walk(case.body)
            else:
                check(stmt)
                if within(stores, stmt):
                    return True
        return False

    try:
        return False, walk(scan.tree.body)
    except ReadFirst:
        return True, False


def _mutated_names(scan: _Scan) -> dict[str, int]:
    """Global names whose object the cell changes in place, with the offset of the first
    change: ``x[i] = ...``, ``x.a = ...``, ``del x[i]``, ``x.append(...)``,
    ``x.drop(..., inplace=True)``, ``random.shuffle(x)``; not inside function bodies."""
    loads = {use.start: use.name for uses in scan.uses.values() for use in uses
             if use.kind == "load" and not use.deferred}
    found: dict[str, int] = {}

    def root(node: ast.AST) -> None:
        while isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        if isinstance(node, ast.Name):
            start = scan.text.offset(node.lineno, node.col_offset)
            name = loads.get(start)
            if name is not None and name not in scan.binds:
                found[name] = min(found.get(name, start), start)

    def targets(node: ast.AST) -> Iterator[ast.AST]:
        if isinstance(node, ast.Tuple | ast.List):
            for element in node.elts:
                yield from targets(element)
        elif isinstance(node, ast.Starred):
            yield from targets(node.value)
        elif isinstance(node, ast.Attribute | ast.Subscript):
            yield node.value

    for node in _walk_now(scan.tree):
        if isinstance(node, ast.Assign):
            changed: list[ast.AST] = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.For | ast.AsyncFor):
            changed = [node.target]
        elif isinstance(node, ast.Delete):
            changed = list(node.targets)
        elif isinstance(node, ast.Call):
            func = node.func
            changed = []
            if isinstance(func, ast.Attribute) and (
                func.attr in _MUTATING_METHODS
                or any(k.arg == "inplace" and isinstance(k.value, ast.Constant)
                       and k.value.value is True for k in node.keywords)
            ):
                root(func.value)
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _MUTATING_FUNCTIONS and node.args:
                root(node.args[0])
        else:
            continue
        for target in changed:
            for base in targets(target):
                root(base)
    return found


_DEFERRED_BODIES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _walk_now(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that runs when the cell runs: not function, lambda or class bodies."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _DEFERRED_BODIES):
                todo.extend(getattr(child, "decorator_list", []))
                continue
            todo.append(child)


def _apply(code: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """``code`` with each ``(start, end, text)`` edit made; insertions go before
    replacements that start at the same offset."""
    pieces = []
    position = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1] > e[0])):
        pieces.append(code[position:start])
        pieces.append(replacement)
        position = max(position, end)
    pieces.append(code[position:])
    return "".join(pieces)


def _comment_statement(text: _Text, stmt: ast.stmt, note: str) -> list[tuple[int, int, str]]:
    """Edits that turn a statement (alone on its lines) into comment lines."""
    edits = []
    # A parsed statement has an end line; typeshed allows None (nodes made by hand).
    for line in range(_first_line(stmt), stmt.end_lineno + 1):  # type: ignore[operator]
        start = text.line_start(line)
        original = text.lines[line - 1]
        commented = ipynb.comment_line(original)
        if line == stmt.end_lineno and note:
            commented += f"  # {note}"
        edits.append((start, start + len(original), commented))
    return edits


# --------------------------------------------------------------------------- the notebook


class _Rewrite:
    """The rewrite of one notebook's code cells (``None`` for markdown cells)."""

    def __init__(self, codes: list[str | None]) -> None:
        self.codes = codes
        self.scans: list[_Scan | None] = [None] * len(codes)
        self.changes: list[_Change] = []
        self.name_notes: list[tuple[int, str]] = []  # (first cell, markdown)
        self.taken: set[str] = set()  # identifiers anywhere in the notebook, and new names

    def needs_note(self) -> bool:
        return bool(self.name_notes) or any(not c.explains_itself for c in self.changes)

    def code_cells(self) -> range:
        return range(len(self.codes))

    def run(self) -> None:
        for stage in (self.translate_magics, self.fix_future_imports, self.expand_star_imports,
                      self.drop_repeated_imports, self.rename):
            codes, changes, notes = list(self.codes), len(self.changes), len(self.name_notes)
            try:
                stage()
            except Exception:  # a bug on some unforeseen code must not stop the import
                self.codes = codes
                del self.changes[changes:], self.name_notes[notes:]
                self.rescan()
            if stage == self.fix_future_imports:
                self.rescan()

    def rescan(self, cells: Iterable[int] | None = None) -> None:
        for index in self.code_cells() if cells is None else cells:
            code = self.codes[index]
            self.scans[index] = _scan(code) if code is not None else None

    # -- magics and future imports ---------------------------------------------

    def translate_magics(self) -> None:
        for index, code in enumerate(self.codes):
            if code is None:
                continue
            magics = _PythonMagics()
            self.codes[index] = ipynb.comment_out_magics(code, magics)
            for text, explains_itself in magics.changes:
                self.changes.append(_Change(index, text, explains_itself))

    def fix_future_imports(self) -> None:
        for index, code in enumerate(self.codes):
            if code is None or "__future__" not in code:
                continue
            try:
                tree = ast.parse(code)
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                continue
            text = _Text(code)
            edits: list[tuple[int, int, str]] = []
            moved: list[str] = []
            for position, stmt in enumerate(tree.body):
                if not (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"):
                    continue
                if not text.alone_on_its_lines(tree.body, position):
                    continue
                features = [alias.name for alias in stmt.names]
                kept = [f for f in features if f not in _OBSOLETE_FUTURES]
                dropped = [f for f in features if f in _OBSOLETE_FUTURES]
                in_place = all(
                    (isinstance(s, ast.ImportFrom) and s.module == "__future__")
                    or (i == 0 and isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                    for i, s in enumerate(tree.body[:position])
                )
                if kept and in_place and not dropped:
                    continue
                edits += _comment_statement(text, stmt, "")
                if dropped:
                    self.changes.append(_Change(
                        index, f"`from __future__ import {', '.join(dropped)}` is commented out: "
                        "always on in Python 3"))
                if kept:
                    moved.append(f"from __future__ import {', '.join(kept)}\n")
                    if not in_place:
                        self.changes.append(_Change(
                            index, f"`from __future__ import {', '.join(kept)}` moved to the "
                            "top of the cell, where Python requires it"))
            if moved:
                edits.append((0, 0, "".join(moved)))
            if edits:
                self.codes[index] = _apply(code, edits)

    # -- import * -------------------------------------------------------------

    def expand_star_imports(self) -> None:
        stars: list[_Star] = []
        for index, scan in enumerate(self.scans):
            if scan is None:
                continue
            for position, stmt in enumerate(scan.tree.body):
                if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
                    module = "." * stmt.level + (stmt.module or "")
                    stars.append(_Star(index, position, module, _star_names(module, stmt.level)))
        if not stars:
            return
        defined: set[str] = set()
        first_of_module: dict[str, _Star] = {}
        available: list[_Star] = []
        pending = list(stars)
        for index, scan in enumerate(self.scans):
            if scan is None:
                continue
            while pending and pending[0].cell == index:
                star = pending.pop(0)
                if star.module not in first_of_module:
                    first_of_module[star.module] = star
                    available.append(star)
            if available:
                for name in sorted(scan.reads):
                    if name in defined or name in _IPYTHON_NAMES or name.startswith("__"):
                        continue
                    if name in scan.binds and not _reads_first(scan, name)[0]:
                        continue
                    read_at = scan.statement_of(
                        next(u.start for u in scan.uses[name] if u.kind == "load"))
                    source = _star_for(name, [s for s in available
                                              if s.cell < index or s.statement <= read_at])
                    if source is not None:
                        source.used.add(name)
            defined |= scan.binds.keys()
        by_cell: dict[int, list[_Star]] = {}
        for star in stars:
            by_cell.setdefault(star.cell, []).append(star)
        for index, cell_stars in by_cell.items():
            scan = self.scans[index]
            assert scan is not None
            edits = []
            for star in cell_stars:
                edits += self._star_edits(scan, star)
            self.codes[index] = _apply(scan.text.code, edits)
            self.rescan([index])

    def _star_edits(self, scan: _Scan, star: _Star) -> list[tuple[int, int, str]]:
        stmt = scan.tree.body[star.statement]
        start, end = scan.text.span(stmt)
        original = scan.text.code[start:end]
        if star.used:
            names = sorted(star.used)
            replacement = f"from {star.module} import {', '.join(names)}"
            if len(replacement) > 88:
                rows = _wrap(names, 84)
                replacement = (f"from {star.module} import (\n"
                               + "".join(f"    {row}\n" for row in rows) + ")")
            self.changes.append(_Change(
                star.cell, f"`{original}` became `from {star.module} import "
                f"{_list_names(names)}`, the names the notebook reads from it"))
            return [(start, end, replacement)]
        self.changes.append(_Change(
            star.cell, f"`{original}` is commented out: the notebook reads none of its names"))
        if scan.text.alone_on_its_lines(scan.tree.body, star.statement):
            return _comment_statement(scan.text, stmt, "the notebook reads none of its names")
        return [(start, end, "pass")]

    # -- repeated imports ------------------------------------------------------

    def drop_repeated_imports(self) -> None:
        # name -> (what its latest binding imported, in which cell); None for other values
        latest: dict[str, tuple[tuple[object, ...], int] | None] = {}
        for index, scan in enumerate(self.scans):
            if scan is None:
                continue
            stores: dict[int, list[_Use]] = {}  # by top-level statement
            store_statements: dict[str, set[int]] = {}
            for name in scan.binds:
                for use in scan.uses[name]:
                    if use.kind == "store":
                        statement = scan.statement_of(use.start)
                        stores.setdefault(statement, []).append(use)
                        store_statements.setdefault(name, set()).add(statement)
            edits: list[tuple[int, int, str]] = []
            dropped: set[int] = set()
            for position, stmt in enumerate(scan.tree.body):
                if not isinstance(stmt, ast.Import | ast.ImportFrom) or (
                    isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
                ):
                    continue
                bound = stores.get(position, [])
                earlier = [latest.get(use.name) for use in bound]
                # A private name is the cell's own: importing it again is not a repeat.
                repeated = bool(bound) and not any(use.name[0] == "_" for use in bound) and all(
                    previous is not None and previous[0] == use.import_key
                    and store_statements[use.name] == {position}
                    for use, previous in zip(bound, earlier, strict=True)
                )
                if not repeated or not scan.text.alone_on_its_lines(scan.tree.body, position):
                    continue
                edits += _comment_statement(scan.text, stmt, "")
                dropped.add(position)
                start, end = scan.text.span(stmt)
                # `repeated`: every earlier binding is known, so earlier[0] is not None.
                source_cell = earlier[0][1]  # type: ignore[index]
                self.changes.append(_Change(
                    index, f"`{_short(scan.text.code[start:end])}` is commented out: "
                    f"{_cell_ref(source_cell)} imports it already"))
            for name, statements in store_statements.items():
                kept = [use for statement in sorted(statements - dropped)
                        for use in stores[statement] if use.name == name]
                if kept:
                    keys = {use.import_key for use in kept}
                    key = keys.pop() if len(keys) == 1 else None
                    latest[name] = (key, index) if key is not None else None
            if edits:
                self.codes[index] = _apply(scan.text.code, edits)
                self.rescan([index])

    # -- renaming ---------------------------------------------------------------

    def rename(self) -> None:
        self.taken = set(_BUILTINS) | set(keyword.kwlist)
        users: dict[str, list[int]] = {}  # name -> cells using it, in order
        for index, scan in enumerate(self.scans):
            if scan is not None:
                self.taken |= scan.identifiers
                for name in scan.uses:
                    users.setdefault(name, []).append(index)
        versions, pre_read = self._versions()
        targets: list[dict[str, str]] = [{} for _ in self.codes]
        aliases: list[dict[str, tuple[str, str]]] = [{} for _ in self.codes]
        for name, name_versions in versions.items():
            if not self._name_versions(name, name_versions, name in pre_read):
                continue
            position = 0
            for index in users.get(name, []):
                while position < len(name_versions) and name_versions[position].cell < index:
                    position += 1
                previous = name_versions[position - 1].name if position else name
                own = (name_versions[position] if position < len(name_versions)
                       and name_versions[position].cell == index else None)
                if own is None:
                    if previous != name:
                        targets[index][name] = previous
                    continue
                if own.name != name:
                    targets[index][name] = own.name
                if own.needs_previous and previous != own.name and (
                    position or name in _BUILTINS
                ):
                    aliases[index][name] = (own.name, previous)
            self._note_versions(name, name_versions)
        self._note_functions(versions, targets)
        for index, scan in enumerate(self.scans):
            if scan is None or not (targets[index] or aliases[index]):
                continue
            self.codes[index] = self._renamed(scan, targets[index], aliases[index])

    def _versions(self) -> tuple[dict[str, list[_Version]], set[str]]:
        """Every definition of every name (by cell), and the names some cell reads as a
        builtin before a cell defines them."""
        candidates: dict[int, dict[str, int]] = {}
        origin: dict[str, str] = {}  # name -> how its latest definition so far bound it
        pre_read: set[str] = set()
        for index, scan in enumerate(self.scans):
            if scan is None:
                continue
            mutated = _mutated_names(scan)
            candidates[index] = {n: o for n, o in mutated.items() if origin.get(n) == "value"}
            for name in scan.reads:
                if name not in origin and name not in scan.binds and name in _BUILTINS:
                    pre_read.add(name)
            for name, how in scan.binds.items():
                origin[name] = how
        versions: dict[str, list[_Version]] = {}
        wanted: dict[str, bool] = {}  # a later cell reads the current value
        for index in range(len(self.scans) - 1, -1, -1):
            scan = self.scans[index]
            if scan is None:
                continue
            for name in scan.binds:
                reads_first, always_binds = _reads_first(scan, name)
                exported = wanted.get(name, False)
                # A cell that may leave the name alone passes the previous value on, if
                # a later cell reads it; one that reads the name first always starts from it.
                needs_previous = reads_first or (exported and not always_binds)
                versions.setdefault(name, []).append(
                    _Version(index, False, needs_previous, exported))
                wanted[name] = needs_previous
            for name in candidates.get(index, {}):
                if wanted.get(name):
                    versions.setdefault(name, []).append(_Version(index, True, True, True))
            for name in scan.reads:
                if name not in scan.binds:
                    wanted[name] = True
        for name, name_versions in versions.items():
            name_versions.reverse()
            if wanted.get(name) and name not in pre_read:
                name_versions[0].exported = True  # read earlier, by a function called later
        return versions, pre_read

    def _name_versions(self, name: str, versions: list[_Version], builtin_read: bool) -> bool:
        """Give each version its name; ``False`` if ``name`` needs no renaming."""
        private = name.startswith("_")
        if private:
            if name.startswith("__") or not name.strip("_") or not any(
                v.exported for v in versions
            ):
                return False
        elif len(versions) < 2 and not builtin_read:
            return False
        base = name.lstrip("_") if private else name
        if private and (keyword.iskeyword(base) or base in _BUILTINS):
            base += "_"
        count = 0 if private else (1 if builtin_read else 0)
        for version in versions:
            scan = self.scans[version.cell]
            assert scan is not None
            if not version.exported:
                version.name = name if private else _private_name(name, scan.identifiers)
                continue
            count += 1
            if count == 1 and not private:
                version.name = name
            else:
                version.name = self._fresh(base if count == 1 else f"{base}_{count}")
        return True

    def _fresh(self, candidate: str) -> str:
        """``candidate``, or ``<stem>_<n>`` with the next free ``n``, never used before."""
        stem, suffix = candidate, 2
        match = re.fullmatch(r"(.+)_(\d+)", candidate)
        if match:
            stem, suffix = match.group(1), int(match.group(2))
        while candidate in self.taken:
            candidate = f"{stem}_{suffix}"
            suffix += 1
        self.taken.add(candidate)
        return candidate

    def _renamed(self, scan: _Scan, targets: dict[str, str],
                 aliases: dict[str, tuple[str, str]]) -> str:
        renames: dict[tuple[int, int], str] = {}  # `x += 1` reads and binds one `x`
        for name, target in targets.items():
            uses = scan.uses.get(name, [])
            if not all(_renamable(scan.text.code, use) for use in uses):
                continue  # e.g. `import a.b` binding `a`: no alias can rename it
            for use in uses:
                if use.import_name is None or use.import_name == target:
                    text = target
                else:
                    text = f"{use.import_name} as {target}"
                renames[use.start, use.end] = text
        edits = [(start, end, text) for (start, end), text in renames.items()]
        if renames and scan.debug_fields:
            starts = sorted(renames)
            for debug in scan.debug_fields:
                # f"{x=}" prints "x=...": keep that text when `x` is renamed.
                index = bisect.bisect_left(starts, (debug.start, debug.start))
                if index < len(starts) and starts[index][0] < debug.end:
                    shown = scan.text.code[debug.brace + 1 : debug.equals_end]
                    shown = shown.replace("{", "{{").replace("}", "}}")
                    edits.append((debug.brace, debug.brace, shown))
                    edits.append((debug.end, debug.equals_end,
                                  "!r" if debug.implicit_repr else ""))
        body = scan.tree.body
        for name, (own, previous) in sorted(aliases.items()):
            # Before the first statement using the name (and any sharing its line).
            statement = scan.statement_of(scan.uses[name][0].start)
            while statement > 0 and body[statement - 1].end_lineno == _first_line(body[statement]):
                statement -= 1
            offset = scan.statement_starts[statement]
            edits.append((offset, offset, f"{own} = {previous}\n"))
        return _apply(scan.text.code, edits)

    # -- the note ---------------------------------------------------------------

    def _note_versions(self, name: str, versions: list[_Version]) -> None:
        read = [v for v in versions if v.exported]
        own = [v for v in versions if not v.exported]
        parts = []
        for version in read[:_NOTE_LIST_LIMIT]:
            changes = ", changes it in place" if version.mutation else ""
            parts.append(f"`{version.name}` ({_cell_ref(version.cell)}{changes})")
        if len(read) > _NOTE_LIST_LIMIT:
            parts.append(f"and {len(read) - _NOTE_LIST_LIMIT} more")
        if name.startswith("_"):
            text = (f"`{name}` is read outside its cell, but names starting with `_` are "
                    f"private to their cell: other cells read {_join(parts)}")
        else:
            assigned = sum(not v.mutation for v in versions)
            changed = len(versions) - assigned
            text = f"`{name}` is assigned in {_count(assigned, 'cell')}"
            if changed:
                text += f" and changed in place in {_count(changed, 'other')}"
            if parts:
                text += f"; later cells read {_join(parts)}"
            if own:
                where = _cell_ref(own[0].cell) if len(own) == 1 else f"{len(own)} cells"
                names = sorted({v.name for v in own})
                shown = f"`{names[0]}`" if len(names) == 1 else "private names"
                text += (f"; {where} only {'uses its' if len(own) == 1 else 'use their'} own "
                         f"value, now {shown}")
        self.name_notes.append((versions[0].cell, text))

    def _note_functions(self, versions: dict[str, list[_Version]],
                        targets: list[dict[str, str]]) -> None:
        later_readers: dict[str, int] = {}  # name -> last cell reading it
        for index, scan in enumerate(self.scans):
            if scan is not None:
                for name in scan.reads:
                    later_readers[name] = index
        for index, scan in enumerate(self.scans):
            if scan is None:
                continue
            functions = [n for n, how in scan.binds.items() if how == "definition"]
            if not functions:
                continue
            for name, uses in scan.uses.items():
                if not any(use.kind == "load" and use.deferred for use in uses):
                    continue
                redefined = [v for v in versions.get(name, []) if v.cell > index and v.name]
                if not redefined:
                    continue
                called_after = [f for f in functions
                                if later_readers.get(f, -1) > redefined[0].cell]
                if called_after:
                    seen = targets[index].get(name, name)
                    self.name_notes.append((index,
                        f"`{called_after[0]}` ({_cell_ref(index)}) reads `{name}` when called: "
                        f"here it keeps reading `{seen}`, the value its cell saw, also after "
                        f"{_cell_ref(redefined[0].cell)} assigns `{redefined[0].name}`"))

    def note(self, labels: list[str]) -> str:
        def label(match: re.Match[str]) -> str:
            index = int(match.group(1))
            return labels[index] if index < len(labels) else match.group(0)

        lines = [
            "**Imported from Jupyter.** Jupyter ran these cells top to bottom in one "
            "namespace; here each name has one defining cell and cells run in the order of "
            "the names they share. So that every cell runs and prints what it printed in "
            "Jupyter, the import changed the code:",
            "",
        ]
        entries = [*self.name_notes,
                   *((change.cell, f"{_cell_ref(change.cell)}: {change.text}")
                     for change in self.changes)]
        for _, text in sorted(entries, key=lambda entry: entry[0]):
            lines.append(f"- {text}")
        return _CELL_REF.sub(label, "\n".join(lines))


# A cell's place in the note's text until the cells' labels are known: private-use
# characters that notebook text quoted in the note (a magic line) will not hold.
_CELL_REF = re.compile("\ue000(\\d+)\ue001")


def _cell_ref(index: int) -> str:
    return f"\ue000{index}\ue001"


@dataclass
class _Star:
    """A ``from module import *`` statement and the names attributed to it."""

    cell: int
    statement: int
    module: str
    names: frozenset[str] | None  # what it provides, if known
    used: set[str] = field(default_factory=set)


def _star_for(name: str, candidates: list[_Star]) -> _Star | None:
    """The star import a read of ``name`` gets its value from: the latest that provides
    it (or may: a module not inspected), as Python's later imports win."""
    for star in reversed(candidates):
        if star.names is not None:
            if name in star.names:
                return star
            continue
        if name in _BUILTINS and name not in _SHADOWED_BUILTINS.get(star.module, ()):
            continue
        return star
    return None


_star_cache: dict[str, frozenset[str] | None] = {}


def _star_names(module: str, level: int) -> frozenset[str] | None:
    """The names ``from module import *`` binds, for standard-library modules; else ``None``.

    Importing runs the module's code, so only the standard library's is run.
    """
    if level or module.partition(".")[0] not in sys.stdlib_module_names:
        return None
    if module.partition(".")[0] in _NOT_IMPORTED:
        return None
    if module not in _star_cache:
        try:
            loaded = importlib.import_module(module)
        except Exception:  # a module this Python lacks (Pyodide leaves some out)
            _star_cache[module] = None
        else:
            exported = getattr(loaded, "__all__", None)
            if exported is None:
                exported = [n for n in dir(loaded) if not n.startswith("_")]
            _star_cache[module] = frozenset(n for n in exported if isinstance(n, str))
    return _star_cache[module]


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if noun == "other" else (
        f"{number} {noun}" + ("" if number == 1 else "s"))


def _private_name(name: str, identifiers: set[str]) -> str:
    """``_name``, private to its cell, or ``_name_2``... if the cell uses that already."""
    candidate, suffix = f"_{name}", 2
    while candidate in identifiers:
        candidate = f"_{name}_{suffix}"
        suffix += 1
    return candidate


def _wrap(names: list[str], width: int) -> list[str]:
    rows, row = [], ""
    for name in names:
        piece = f"{name},"
        if row and len(row) + 1 + len(piece) > width:
            rows.append(row)
            row = piece
        else:
            row = f"{row} {piece}" if row else piece
    if row:
        rows.append(row)
    return rows


def _list_names(names: list[str]) -> str:
    if len(names) <= _NOTE_LIST_LIMIT:
        return ", ".join(names)
    return ", ".join(names[:_NOTE_LIST_LIMIT]) + f", ... ({len(names)} names)"

