"""Import marimo notebooks: ``.py`` files written by marimo (or by hand in its style).

A marimo notebook is a module whose cells are functions::

    import marimo

    __generated_with = "0.13.0"
    app = marimo.App(width="medium")

    with app.setup:
        import math

    @app.cell(hide_code=True)
    def _(mo):
        mo.md(r\"\"\"# Title\"\"\")
        return

    @app.cell
    def load_data(math):
        values = [math.pi]
        return (values,)

    if __name__ == "__main__":
        app.run()

Each cell becomes one of our cells: the function body from the source lines
(comments kept), dedented, without the final ``return``. The scaffolding
(``import marimo``, ``__generated_with``, ``app = marimo.App(...)`` and the
``app.run()`` guard) is dropped; any other top-level statement is kept as a
cell so nothing is lost. ``marimo_export`` writes such files; the one cell it
adds (``MO_IMPORT_CELL``, for markdown cells) is dropped here again.
"""

from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
import warnings
from dataclasses import dataclass, field

from kernels.runtime.formats.errors import NotebookFormatError
from kernels.runtime.formats.pyfile import DEFAULT_HEADER, is_marker_line, normalize_newlines
from kernels.runtime.notebook import CELL_NAME_RE, Cell, CellConfig, Notebook

SETUP_CELL_NAME = "setup"

#: The hidden cell ``marimo_export`` adds when markdown cells need ``mo`` and no cell
#: defines it; reading it back drops it, unless another code cell uses ``mo``.
MO_IMPORT_CELL = "# Added by Playground: marimo's markdown cells need mo.\nimport marimo as mo"
_MO_WORD_RE = re.compile(r"\bmo\b")

_IMPORT_RE = re.compile(r"^import marimo(?:[ \t]+as[ \t]+\w+)?[ \t]*(?:#.*)?$", re.MULTILINE)
_APP_RE = re.compile(r"^app[ \t]*=[ \t]*[A-Za-z_]\w*\.App\(", re.MULTILINE)
_MARKER_RE = re.compile(r"^# %%(?: |$)", re.MULTILINE)
_Block = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.With | ast.AsyncWith
# marimo's names for anonymous cells ("__" in files from before 0.10).
_ANONYMOUS_NAMES = frozenset({"_", "__"})
_CELL_DECORATORS = frozenset({"cell", "function", "class_definition"})
# Token types that open and close f-strings (3.12+) and t-strings (3.14+).
_STRING_STARTS = tuple(
    getattr(tokenize, name)
    for name in ("FSTRING_START", "TSTRING_START")
    if hasattr(tokenize, name)
)
_STRING_ENDS = tuple(
    getattr(tokenize, name) for name in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, name)
)


def is_marimo_source(text: str) -> bool:
    """Whether ``text`` looks like a marimo notebook rather than our format.

    It must have ``import marimo`` and ``app = marimo.App(`` at the start of
    lines, with the import before any ``# %%`` marker (a Playground notebook
    may well contain those lines inside a cell).
    """
    text = normalize_newlines(text)
    found = _IMPORT_RE.search(text)
    if found is None or _APP_RE.search(text) is None:
        return False
    marker = _MARKER_RE.search(text)
    return marker is None or found.start() < marker.start()


def loads(text: str, *, source: str = "<string>") -> Notebook:
    """Parse a marimo notebook; raises ``NotebookFormatError`` if it is not valid Python."""
    text = normalize_newlines(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError) as error:
        where = f"line {error.lineno}" if isinstance(error, SyntaxError) else "file"
        message = error.msg if isinstance(error, SyntaxError) else str(error)
        raise NotebookFormatError(
            f"{source}: {where}: {message}; the marimo notebook is not valid Python, "
            "fix it (or open it in marimo) first"
        ) from None
    return _Reader(text, tree).read()


@dataclass
class _Reader:
    """Walks the module's top-level statements and collects cells."""

    text: str
    tree: ast.Module
    lines: list[str] = field(init=False)
    in_strings: dict[int, int] = field(init=False)  # line index -> string id
    cells: list[Cell] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    pending: list[ast.stmt] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lines = self.text.split("\n")
        self.in_strings = _string_interior_lines(self.text)

    def read(self) -> Notebook:
        header = None
        body = self.tree.body
        first_code = next((i for i, node in enumerate(body) if not _is_string(node)), len(body))
        if first_code < len(body):
            header = _header_from_preamble("\n".join(self.lines[: _first_line(body[first_code])]))
        for node in body[first_code:]:
            if _is_scaffolding(node):
                self.flush_pending()
            elif (cell := self.cell_from(node)) is not None:
                self.flush_pending()
                self.add(cell)
            else:
                self.pending.append(node)
        self.flush_pending()
        return Notebook(cells=_without_added_mo_cell(self.cells), header=header)

    def add(self, cell: Cell) -> None:
        if cell.name is not None:
            if cell.name in self.names or not CELL_NAME_RE.fullmatch(cell.name):
                cell.name = None
            else:
                self.names.add(cell.name)
        self.cells.append(cell)

    def flush_pending(self) -> None:
        """Statements marimo does not expect at top level become one cell."""
        if not self.pending:
            return
        start = _first_line(self.pending[0])
        end = _last_line(self.pending[-1])
        self.pending = []
        self.add(Cell(code=_trim_blank_lines(self.lines[start : end + 1])))

    def cell_from(self, node: ast.stmt) -> Cell | None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            decorator = _app_decorator(node)
            if decorator is None:
                return None
            kind = _decorator_attr(decorator)
            if kind == "cell" and not isinstance(node, ast.ClassDef):
                return self.function_cell(node, decorator)
            return self.definition_cell(node, decorator)
        if isinstance(node, ast.With | ast.AsyncWith) and _is_setup(node):
            return self.setup_cell(node)
        if _is_unparsable_cell(node):
            return _unparsable_cell(node)
        return None

    def function_cell(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, decorator: ast.expr
    ) -> Cell:
        start_line, start_col = self.body_start(node)
        last = node.body[-1]
        if isinstance(last, ast.Return):
            end_line, end_col = last.lineno - 1, last.col_offset
            region = self.region(start_line, start_col, end_line, end_col)
            # `x = f(); return (x,)` on one line: drop the `;` before the return.
            region[-1] = region[-1].rstrip().removesuffix(";")
        else:
            region = self.region(start_line, start_col, self.extended_end(node), None)
        code = self.dedent(region, start_line, start_col)
        kwargs = _keyword_constants(decorator)
        config = _config(kwargs)
        name = None if node.name in _ANONYMOUS_NAMES else node.name
        markdown = _markdown_text(code)
        if markdown is not None:
            return Cell(code=markdown, kind="markdown", name=name, config=config)
        return Cell(code=code, name=name, config=config)

    def definition_cell(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, decorator: ast.expr
    ) -> Cell:
        """``@app.function`` / ``@app.class_definition``: the whole definition."""
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        end = self.extended_end(node)
        # The lines of the app decorator go; other decorators stay.
        skip = range(decorator.lineno - 1, (decorator.end_lineno or decorator.lineno))
        kept = [self.lines[i] for i in range(start, end + 1) if i not in skip]
        return Cell(
            code=_trim_blank_lines(kept),
            name=node.name,
            config=_config(_keyword_constants(decorator)),
        )

    def setup_cell(self, node: ast.With | ast.AsyncWith) -> Cell:
        start_line, start_col = self.body_start(node)
        region = self.region(start_line, start_col, self.extended_end(node), None)
        code = self.dedent(region, start_line, start_col)
        # marimo adds `pass` under a setup block that holds only comments.
        code = code.removesuffix("\npass")
        kwargs = _keyword_constants(node.items[0].context_expr)
        return Cell(code=code, name=SETUP_CELL_NAME, config=_config(kwargs))

    def body_start(self, node: _Block) -> tuple[int, int]:
        """Line index and column where the block's body starts, after its ``:``.

        Uses tokens, not the AST, so comments before the first statement are
        part of the body and a colon inside the signature is skipped.
        """
        first = node.lineno - 1
        # Lines on demand, not a copy of the rest of the file: that would cost every cell
        # time proportional to the whole file.
        lines = self.lines
        readline = iter(lines[index] + "\n" for index in range(first, len(lines))).__next__
        depth = 0
        after_colon = False
        try:
            for token in tokenize.generate_tokens(readline):
                if after_colon:
                    if token.type == tokenize.COMMENT:
                        continue
                    if token.type == tokenize.NEWLINE:
                        return first + token.start[0], 0
                    return first + token.start[0] - 1, token.start[1]
                if token.type != tokenize.OP:
                    continue
                if token.string in "([{":
                    depth += 1
                elif token.string in ")]}":
                    depth -= 1
                elif token.string == ":" and depth == 0:
                    after_colon = True
        except (tokenize.TokenError, SyntaxError, StopIteration):
            pass
        return node.body[0].lineno - 1, 0

    def extended_end(self, node: _Block) -> int:
        """Last line index of ``node`` plus trailing comment lines at its body's indent."""
        end = (node.end_lineno or node.lineno) - 1
        body = node.body[0]
        indent = _indent_of(self.lines[body.lineno - 1])
        if not indent or body.lineno == node.lineno:
            return end
        last = end
        for index in range(end + 1, len(self.lines)):
            line = self.lines[index]
            if not line.strip():
                continue
            if not line.startswith(indent):
                break
            last = index
        return last

    def region(self, first: int, first_col: int, last: int, last_col: int | None) -> list[str]:
        lines = self.lines[first : last + 1]
        if not lines:
            return [""]
        if last_col is not None:
            lines[-1] = lines[-1][:last_col]
        lines[0] = lines[0][first_col:]
        return lines

    def dedent(self, region: list[str], first: int, first_col: int) -> str:
        """Remove the body's indentation exactly, leaving string contents alone.

        The indent is that of the first non-blank body line. Lines inside a
        multi-line string lose it too (marimo indents them when it writes the
        cell), unless some line of that string lacks it: then the string was
        written by hand and is kept as is.
        """
        candidates = [
            line
            for offset, line in enumerate(region)
            if line.strip()
            and (first + offset) not in self.in_strings
            and not (offset == 0 and first_col > 0)
        ]
        indent = _indent_of(candidates[0]) if candidates else ""
        kept_strings = {
            self.in_strings[first + offset]
            for offset, line in enumerate(region)
            if (first + offset) in self.in_strings and line.strip() and not line.startswith(indent)
        }
        result = []
        for offset, line in enumerate(region):
            string_id = self.in_strings.get(first + offset)
            if offset == 0 and first_col > 0:
                result.append(line)
            elif string_id is not None and (string_id in kept_strings or not line.strip()):
                result.append(line)
            elif line.startswith(indent):
                result.append(line[len(indent) :])
            elif not line.strip():
                result.append("")
            else:
                result.append(line)
        return _trim_blank_lines(result)


def _without_added_mo_cell(cells: list[Cell]) -> list[Cell]:
    """Drop the ``import marimo as mo`` cell our exporter added for markdown cells."""
    added = [
        index
        for index, cell in enumerate(cells)
        if cell.kind == "code" and cell.name is None and cell.code == MO_IMPORT_CELL
    ]
    if len(added) != 1:
        return cells
    if any(
        cell.kind == "code" and index != added[0] and _MO_WORD_RE.search(cell.code)
        for index, cell in enumerate(cells)
    ):
        return cells
    return cells[: added[0]] + cells[added[0] + 1 :]


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _first_line(node: ast.stmt) -> int:
    """Index of the node's first line, decorators included."""
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)]) - 1


def _last_line(node: ast.stmt) -> int:
    return (node.end_lineno or node.lineno) - 1


def _trim_blank_lines(lines: list[str]) -> str:
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def _header_from_preamble(preamble: str) -> str | None:
    """Comments and docstring above ``import marimo`` (e.g. a PEP 723 block) go on top
    of our default header, so ``uv run`` and friends still see them."""
    if not preamble.strip() or any(is_marker_line(line) for line in preamble.split("\n")):
        return None
    return preamble.strip("\n") + "\n\n" + DEFAULT_HEADER


def _string_interior_lines(text: str) -> dict[int, int]:
    """Line indexes that lie inside a multi-line string (after its first line).

    Maps each such line to an id of its string, so a string's lines can be
    treated together. A string nested in another (f-strings, 3.12+) counts as
    part of the outer one, so each line is visited once however deep the nesting.
    """
    spans: list[tuple[int, int]] = []  # (first line, last line), 1-based
    starts: list[int] = []
    try:
        # Token by token, never all at once: a list of every token of a large file
        # makes the garbage collector's passes grow with it.
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.start[0] != token.end[0]:
                spans.append((token.start[0], token.end[0]))
            elif token.type in _STRING_STARTS:
                starts.append(token.start[0])
            elif token.type in _STRING_ENDS and starts:
                start = starts.pop()
                if start != token.end[0]:
                    spans.append((start, token.end[0]))
    except (tokenize.TokenError, SyntaxError):
        return {}
    interior: dict[int, int] = {}
    covered = 0  # last line already mapped
    for first, last in sorted(spans):
        for line_number in range(max(first, covered) + 1, last + 1):
            interior[line_number - 1] = first
        covered = max(covered, last)
    return interior


def _is_string(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _is_app_attribute(node: ast.expr, attrs: frozenset[str] | set[str]) -> bool:
    if isinstance(node, ast.Call):
        node = node.func
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "app"
        and node.attr in attrs
    )


def _app_decorator(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
) -> ast.expr | None:
    for decorator in node.decorator_list:
        if _is_app_attribute(decorator, _CELL_DECORATORS):
            return decorator
    return None


def _decorator_attr(decorator: ast.expr) -> str:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    assert isinstance(func, ast.Attribute)
    return func.attr


def _is_setup(node: ast.With | ast.AsyncWith) -> bool:
    return len(node.items) == 1 and _is_app_attribute(node.items[0].context_expr, {"setup"})


def _is_unparsable_cell(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and _is_app_attribute(node.value, {"_unparsable_cell"})
        and len(node.value.args) == 1
    )


def _unparsable_cell(node: ast.stmt) -> Cell:
    assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
    argument = node.value.args[0]
    code = ""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        code = _trim_blank_lines(textwrap.dedent(argument.value).split("\n"))
    kwargs = _keyword_constants(node.value)
    name = kwargs.get("name")
    name = name if isinstance(name, str) and name not in _ANONYMOUS_NAMES else None
    return Cell(code=code, name=name, config=_config(kwargs))


def _is_scaffolding(node: ast.stmt) -> bool:
    """``import marimo``, ``__generated_with = ...``, ``app = marimo.App(...)``, the run guard."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names] == ["marimo"]
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "__generated_with":
            return True
        value = node.value
        return (
            isinstance(target, ast.Name)
            and target.id == "app"
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "App"
        )
    if isinstance(node, ast.If):
        test = node.test
        return (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
            and len(node.body) == 1
            and not node.orelse
            and isinstance(node.body[0], ast.Expr)
            and _is_app_attribute(node.body[0].value, {"run"})
        )
    return False


def _keyword_constants(node: ast.expr) -> dict[str, object]:
    if not isinstance(node, ast.Call):
        return {}
    return {
        keyword.arg: keyword.value.value
        for keyword in node.keywords
        if keyword.arg is not None and isinstance(keyword.value, ast.Constant)
    }


def _config(kwargs: dict[str, object]) -> CellConfig:
    return CellConfig(
        disabled=kwargs.get("disabled") is True, hide_code=kwargs.get("hide_code") is True
    )


def _markdown_text(code: str) -> str | None:
    """The text of a cell that is only ``mo.md("...")`` with a plain string.

    Such cells become markdown cells (they need no marimo to render); cells
    with f-strings, comments or other code stay code.
    """
    if "mo.md" not in code:
        return None
    try:
        tree = ast.parse(code)
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (SyntaxError, ValueError, tokenize.TokenError):
        return None
    if len(tree.body) != 1 or any(token.type == tokenize.COMMENT for token in tokens):
        return None
    statement = tree.body[0]
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    if not (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "md"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "mo"
        and len(call.args) == 1
        and not call.keywords
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    ):
        return None
    return _trim_blank_lines(textwrap.dedent(call.args[0].value).split("\n"))
