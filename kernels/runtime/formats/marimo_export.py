"""Write marimo notebooks: a ``.py`` file in the layout marimo 0.25 writes itself.

Each code cell becomes an ``@app.cell`` function whose parameters are the names it
reads from other cells and whose ``return`` lists the names it defines that some
cell reads, exactly as marimo's code generator lays them out (``marimo._ast.codegen``),
so a file marimo wrote comes back byte for byte, apart from the
``__generated_with`` version and ``marimo.App(...)`` options, which our notebooks
do not keep. The code text is kept as is (indented, never re-printed from the AST).

- markdown cells are ``mo.md(r\"\"\"...\"\"\")`` cells; when no cell defines ``mo``,
  a hidden cell importing it goes first (``marimo.MO_IMPORT_CELL``, which the
  importer drops again, so our notebooks make the round trip unchanged);
- a first cell named ``setup`` that reads nothing from other cells is the
  ``with app.setup:`` block;
- a cell holding one function or class named like the cell, which depends only on
  the setup cell, builtins and other such definitions, is an ``@app.function`` /
  ``@app.class_definition`` (marimo's rule for "reusable" definitions);
- cells marimo cannot hold as a function (syntax errors, ``import *``,
  ``from __future__``) are ``app._unparsable_cell(...)``, as marimo writes them;
- top-level ``await`` makes the function ``async def``.

``marimo.loads(dumps(nb))`` gives back ``nb``'s cells, names (those that are valid
function names), configs, code and markdown; ``docs/format.md`` lists the rest.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from kernels.runtime.analysis import CellAnalysis, analyze_cell, analyze_tree
from kernels.runtime.formats.marimo import (
    MO_IMPORT_CELL,
    SETUP_CELL_NAME,
    _string_interior_lines,
)
from kernels.runtime.formats.pyfile import (
    DEFAULT_HEADER,
    find_comment_block,
    is_marker_line,
    normalize_newlines,
)
from kernels.runtime.graph import BUILTIN_NAMES
from kernels.runtime.notebook import Cell, CellConfig, Notebook

#: Written as ``__generated_with``: the marimo version whose file layout this follows
#: and which the tests load the files with.
MARIMO_VERSION = "0.25.2"

_INDENT = "    "
_MAX_LINE_LENGTH = 80  # marimo wraps signatures and returns at this length
# Names marimo treats as given: builtins plus what a module's globals hold.
_MARIMO_BUILTINS = BUILTIN_NAMES | {"__builtin__", "__file__", "__builtins__", "__class__"}
# Function names that would break the generated module (or marimo's reading of it).
_RESERVED_NAMES = frozenset({"app", "marimo", "__generated_with", "__name__", "_", "__"})
_ANONYMOUS = "_"

_Status = Literal["cell", "toplevel", "unresolved", "unparsable"]
# What marimo sees in a markdown cell: `mo.md(...)`, reading `mo`.
_MARKDOWN_ANALYSIS = analyze_cell("mo")


def dumps(nb: Notebook) -> str:
    """The marimo ``.py`` text for ``nb``."""
    cells = [
        Cell(code=normalize_newlines(c.code), kind=c.kind, name=c.name, config=c.config)
        for c in nb.cells
    ]
    analyses = [analyze_cell(c.code) if c.kind == "code" else None for c in cells]
    setup = _setup_cell(cells, analyses)
    if setup is not None:
        cells, analyses = cells[1:], analyses[1:]
    if _needs_mo(cells, analyses, setup):
        cells.insert(0, Cell(code=MO_IMPORT_CELL, config=CellConfig(hide_code=True)))
        analyses.insert(0, analyze_cell(MO_IMPORT_CELL))
    setup_defs = set(setup[1].defs) if setup is not None else set()
    # The file binds each function name at module level, where reusable definitions
    # look up builtins and the setup cell's names: a cell must not hide those.
    hidden = _MARIMO_BUILTINS | setup_defs
    units = [
        _unit(cell, analysis, hidden) for cell, analysis in zip(cells, analyses, strict=True)
    ]
    allowed = frozenset(_Extraction(units, setup_defs).run())
    used = frozenset().union(*(unit.refs for unit in units if unit.status != "unparsable"))
    blocks = [_render(unit, allowed, used) for unit in units]

    parts: list[str] = []
    preamble = _preamble(nb.header)
    if preamble:
        parts += [preamble, ""]
    parts += ["import marimo", "", f'__generated_with = "{MARIMO_VERSION}"']
    parts += ["app = marimo.App()", "", _setup_block(*setup) if setup is not None else ""]
    parts += ["\n\n\n".join(blocks), "\n", 'if __name__ == "__main__":', _INDENT + "app.run()"]
    parts.append("")
    return "\n".join(parts).lstrip()


# ----------------------------------------------------------------------------- cells


@dataclass
class _Unit:
    """One cell as marimo sees it, and how it will be written."""

    cell: Cell
    name: str  # the function name to write (marimo's cell name)
    analysis: CellAnalysis | None  # None: written as an unparsable cell
    markdown: str | None = None
    status: _Status = "cell"
    # marimo's bookkeeping name: the definition's name for single definitions
    key: str = ""
    definition: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None = None
    definition_refs: frozenset[str] = field(default_factory=frozenset)

    @property
    def defs(self) -> frozenset[str]:
        return self.analysis.defs if self.analysis is not None else frozenset()

    @property
    def refs(self) -> frozenset[str]:
        return self.analysis.refs if self.analysis is not None else frozenset()


def _function_name(name: str | None, hidden: frozenset[str] | set[str]) -> str:
    """The cell's name if it can be a function name in the file, else marimo's ``_``."""
    if (
        name is None
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or name in _RESERVED_NAMES
        or name == SETUP_CELL_NAME
        or name in hidden
    ):
        return _ANONYMOUS
    return name


def _unit(cell: Cell, analysis: CellAnalysis | None, hidden: frozenset[str] | set[str]) -> _Unit:
    name = _function_name(cell.name, hidden)
    if cell.kind == "markdown":
        return _Unit(cell, name, _MARKDOWN_ANALYSIS, markdown=cell.code, key=name)
    assert analysis is not None
    if analysis.error is not None or "\x00" in cell.code:
        return _Unit(cell, name, None, status="unparsable", key=name)
    unit = _Unit(cell, name, analysis, key=name)
    # Valid as a module is not always valid as a function body (`from __future__`).
    # Every name it reads as a parameter: the written function has no more than that.
    if _function_text(unit, frozenset(), frozenset(), check=True) is None:
        unit.analysis, unit.status = None, "unparsable"
    return unit


def _setup_cell(
    cells: list[Cell], analyses: list[CellAnalysis | None]
) -> tuple[Cell, CellAnalysis] | None:
    """The first cell, when it can be marimo's setup block: named ``setup``, code that
    compiles as a module, reading nothing that other cells define."""
    if not cells:
        return None
    first, analysis = cells[0], analyses[0]
    if first.kind != "code" or first.name != SETUP_CELL_NAME or first.config.disabled:
        return None
    if not first.code.strip() or "\x00" in first.code:
        return None
    if analysis is None or analysis.error is not None:
        return None
    if any(analysis.refs & other.defs for other in analyses[1:] if other is not None):
        return None
    return first, analysis


def _needs_mo(
    cells: list[Cell],
    analyses: list[CellAnalysis | None],
    setup: tuple[Cell, CellAnalysis] | None,
) -> bool:
    """Markdown cells call ``mo.md``: something must define ``mo``."""
    if not any(cell.kind == "markdown" for cell in cells):
        return False
    if setup is not None and "mo" in setup[1].defs:
        return False
    return not any(analysis is not None and "mo" in analysis.defs for analysis in analyses)


# ------------------------------------------------------------ reusable definitions


class _Extraction:
    """Which cells are ``@app.function`` / ``@app.class_definition``: marimo's
    ``TopLevelExtraction`` (``marimo/_ast/toplevel.py``), step for step, so the
    same cells are chosen. Returns the names a cell may read without taking them
    as parameters (setup definitions, unshadowed builtins, reusable definitions).
    """

    def __init__(self, units: list[_Unit], setup_defs: set[str]) -> None:
        self.units = units
        self.allowed = set(setup_defs)
        self.by_status: dict[_Status, dict[str, _Unit]] = {
            "cell": {}, "toplevel": {}, "unresolved": {}, "unparsable": {},
        }

    def run(self) -> set[str]:
        defs: set[str] = set()
        for unit in self.units:
            if unit.status != "unparsable":
                _prepare_definition(unit)
                self.update(unit, set(), set(), set())
                defs |= unit.defs
            self.by_status[unit.status][unit.key] = unit
        potential = {unit.key for unit in self.units if unit.status != "toplevel"}
        self.allowed |= _MARIMO_BUILTINS - defs
        unresolved: set[str] = set()
        for unit in self.units:
            if unit.status in ("unresolved", "cell"):
                self.by_status[unit.status].pop(unit.key, None)
                self.update(unit, unresolved, potential, self.by_status["toplevel"])
                # update() has just set unit.status; mypy still narrows it to the test above.
                if unit.status == "toplevel":  # type: ignore[comparison-overlap]
                    self.allowed.add(unit.key)
                elif unit.status == "unresolved":
                    unresolved.add(unit.key)
                self.by_status[unit.status][unit.key] = unit
            else:
                self.allowed.add(unit.key)
        self.resolve_all()
        return self.allowed

    def update(
        self,
        unit: _Unit,
        unresolved: set[str],
        potential: set[str],
        toplevel: dict[str, _Unit] | set[str],
    ) -> None:
        node = unit.definition
        if node is None or node.name.startswith("_") or node.name != unit.name:
            # Only a cell named like its one definition: the name must survive the trip.
            unit.status = "cell"
            return
        unit.key = node.name
        if _has_trailing_comment(unit.cell.code):
            unit.status = "cell"
            return
        own = (node.name, "_lambda")
        order_dependent = {
            ref for ref in unit.definition_refs if ref not in self.allowed and ref not in own
        }
        if order_dependent - unresolved:
            unit.status = "cell"
            return
        dependent = {
            ref
            for ref in unit.refs
            if ref not in self.allowed and ref not in own and ref not in toplevel
        }
        if not dependent:
            unit.status = "toplevel"
        elif not dependent - potential:
            unit.status = "unresolved"
        else:
            unit.status = "cell"

    def resolve_all(self) -> None:
        """Definitions waiting on other definitions: reusable when all they read is.

        marimo's recursive ``_resolve_dependencies``, with a stack of its own so a
        long chain of functions cannot exhaust Python's recursion limit.
        """
        unresolved = self.by_status["unresolved"]
        visited: dict[str, bool] = {}

        def settled(name: str) -> bool:
            if name in visited:
                return visited[name]
            if name in self.by_status["toplevel"]:
                return True
            # A cell or an unparsable one; anything else is a cycle, which marimo accepts.
            return not (name in self.by_status["cell"] or name in self.by_status["unparsable"])

        for start in list(unresolved):
            if start not in unresolved:
                continue
            first = unresolved.pop(start)
            stack: list[tuple[str, _Unit, Iterator[str], list[bool]]] = [
                (start, first, iter(sorted(first.refs)), [True])
            ]
            while stack:
                name, unit, refs, ok = stack[-1]
                ref = next(refs, None)
                if ref is not None:
                    if ref in unresolved:
                        child = unresolved.pop(ref)
                        stack.append((ref, child, iter(sorted(child.refs)), [True]))
                    elif not settled(ref):
                        ok[0] = False
                    continue
                stack.pop()
                unit.status = "toplevel" if ok[0] else "cell"
                if ok[0]:
                    self.allowed.add(name)
                self.by_status[unit.status][name] = unit
                visited[name] = ok[0]
                if stack and not ok[0]:
                    stack[-1][3][0] = False


def _prepare_definition(unit: _Unit) -> None:
    """Find the cell's single function or class and the names its definition reads
    when it runs (decorators, defaults, annotations, bases, the class body)."""
    if unit.markdown is not None or unit.analysis is None:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(unit.cell.code)
    except (SyntaxError, ValueError):
        return
    if len(tree.body) != 1 or len(unit.defs) != 1:
        return
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return
    if {node.name} != set(unit.defs):
        return
    unit.definition = node
    _drop_function_bodies(node)
    unit.definition_refs = analyze_tree(tree).refs


def _drop_function_bodies(node: ast.stmt) -> None:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        node.body = [ast.Pass()]
    elif isinstance(node, ast.ClassDef):
        for child in node.body:
            _drop_function_bodies(child)


def _has_trailing_comment(code: str) -> bool:
    """Whether the last token is a comment at column 0 (marimo keeps such cells as cells)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code.strip()).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    skipped = {tokenize.ENDMARKER, tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT}
    for token in reversed(tokens):
        if token.type in skipped:
            continue
        return token.type == tokenize.COMMENT and token.start[1] == 0
    return False


# --------------------------------------------------------------------------- writing


def _render(unit: _Unit, allowed: frozenset[str], used: frozenset[str]) -> str:
    if unit.status == "unparsable":
        return _unparsable_text(unit.cell, unit.name)
    if unit.status == "toplevel":
        kind = "class_definition" if isinstance(unit.definition, ast.ClassDef) else "function"
        return f"{_decorator(unit.cell.config, kind)}\n{unit.cell.code.strip()}"
    text = _function_text(unit, allowed, used)
    assert text is not None
    return text


def _function_text(
    unit: _Unit, allowed: frozenset[str], used: frozenset[str], *, check: bool = False
) -> str | None:
    """``@app.cell`` and the function; with ``check``, None when Python rejects it."""
    refs = tuple(
        ref
        for ref in sorted(unit.refs)
        if ref not in allowed and ref not in unit.defs and ref.isidentifier()
    )
    defs = tuple(name for name in sorted(unit.defs) if name in used)
    is_async = bool(unit.analysis and unit.analysis.compiled and unit.analysis.compiled.is_async)
    prefix = "async " if is_async else ""
    lines = [
        _decorator(unit.cell.config, "cell"),
        _wrap(f"{prefix}def {unit.name}(...):", refs),
    ]
    if unit.markdown is not None:
        lines.append(_indent(_markdown_call(unit.markdown), set()))
    elif unit.cell.code:
        lines.append(_indent(unit.cell.code, set(_string_interior_lines(unit.cell.code))))
        if _ends_with_definition(unit.cell.code):
            lines.append("")  # marimo follows ruff: a blank line after a last import/def
    lines.append(_wrap("return (...)", defs, indent=True, naked=True))
    text = "\n".join(lines)
    if check:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(text, "<marimo cell>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    return text


def _decorator(config: CellConfig, kind: str) -> str:
    options = [
        f"{key}=True"
        for key, value in (("disabled", config.disabled), ("hide_code", config.hide_code))
        if value
    ]
    return f"@app.{kind}({', '.join(options)})" if options else f"@app.{kind}"


def _wrap(
    template: str, elems: tuple[str, ...], *, indent: bool = False, naked: bool = False
) -> str:
    """marimo's ``format_tuple_elements``: ``(...)`` replaced by the names, on one line
    when that stays under 80 characters, else one name per line."""
    maybe_indent = (lambda text: _indent(text, set())) if indent else (lambda text: text)
    if not elems:
        return maybe_indent(template.replace("(...)", "").rstrip() if naked
                            else template.replace("(...)", "()"))
    if naked and len(elems) == 1:
        naked = False
        elems = (f"{elems[0]},",)
    joined = ", ".join(elems)
    filled = template.replace("(...)", joined if naked else f"({joined})")
    attempt = maybe_indent(filled.rstrip() if naked else filled)
    if len(attempt) < _MAX_LINE_LENGTH:
        return attempt
    if len(elems) == 1:
        elems = (elems[0].strip(","),)
    multiline = "\n".join(["(", _indent(",\n".join(elems), set()) + ",", ")"])
    return maybe_indent(template.replace("(...)", multiline))


def _indent(text: str, keep: set[int]) -> str:
    """Four spaces before every line but empty ones and, by index in ``keep``,
    whitespace-only lines inside multi-line strings (they must stay as they are)."""
    lines = text.split("\n")
    return "\n".join(
        line if not line or (index in keep and not line.strip()) else _INDENT + line
        for index, line in enumerate(lines)
    )


def _ends_with_definition(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    if not tree.body:
        return False
    last = tree.body[-1]
    kinds = ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    return isinstance(last, kinds) and last.end_lineno == code.rstrip().count("\n") + 1


def _markdown_call(text: str) -> str:
    """``mo.md(r\"\"\"...\"\"\")`` holding ``text`` exactly; a plain string with escapes
    when the text cannot sit in a raw one."""
    if '"""' not in text and not any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        return f'mo.md(r"""\n{text}\n""")'
    return f'mo.md("""\n{_escaped(text)}\n""")'


def _escaped(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ord(ch) < 32 and ch not in "\n\t":
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def _unparsable_text(cell: Cell, name: str) -> str:
    """marimo's ``app._unparsable_cell(...)`` for code it cannot hold as a function."""
    code = cell.code
    if '"""' in code or "\x00" in code:
        literal = f'"""\n{_escaped(code)}\n"""'
    else:
        literal = f'r"""\n{code}\n"""'
    flags = []
    if cell.config.disabled or cell.config.hide_code:
        flags += [
            "column=None",
            f"disabled={cell.config.disabled}",
            f"hide_code={cell.config.hide_code}",
            "expand_output=False",
        ]
    flags.append(f'name="{name}"')
    arguments = [_indent(literal + ",", set()), _indent(", ".join(flags), set())]
    return "\n".join(["app._unparsable_cell(", *arguments, ")"])


def _setup_block(cell: Cell, analysis: CellAnalysis) -> str:
    code = cell.code
    if all(not line.strip() or line.strip().startswith("#") for line in code.split("\n")):
        code += "\npass"  # a block of comments only is not valid Python
    prefix = "async " if analysis.compiled is not None and analysis.compiled.is_async else ""
    options = "(hide_code=True)" if cell.config.hide_code else ""
    opening = f"{prefix}with app.setup{options}:"
    return "\n".join([opening, _indent(code, set(_string_interior_lines(code))), "\n"])


def _preamble(header: str | None) -> str:
    """What goes above ``import marimo``: the header's leading comments and docstring
    (a PEP 723 ``# /// script`` block, a licence), never our ``# /// playground`` block
    or code. A header our importer made from a marimo preamble gives that preamble back.
    """
    if not header:
        return ""
    text = normalize_newlines(header).removesuffix(DEFAULT_HEADER)
    lines = text.split("\n")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
        first_code = next(
            (
                node.lineno - 1
                for node in tree.body
                if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str))
            ),
            len(lines),
        )
    except (SyntaxError, ValueError):
        first_code = next(
            (i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")),
            len(lines),
        )
    # A `# %%` line above `import marimo` would make readers take the file for ours.
    kept = "\n".join(line for line in lines[:first_code] if not is_marker_line(line))
    block = find_comment_block(kept, "playground")
    if block is not None:
        kept = kept[: block.start] + kept[block.end :]
    return kept.strip("\n")
