"""Static analysis of one cell: the global names it defines and the ones it reads.

The analysis follows Python's own scoping rules (functions, lambdas,
comprehensions, class bodies, type-parameter scopes, ``global`` and
``nonlocal``), with the notebook's decisions on top:

* a name bound only by ``except ... as name`` is not a definition, because
  Python unbinds it when the handler ends; reads inside the handler are local;
* a bare annotation (``x: int``) at top level defines nothing;
* ``del x`` reads ``x`` unless the cell defines it, and never defines it;
* a name that a nested function declares ``global`` and assigns is defined by
  the cell; ``from __future__`` imports define nothing;
* names starting with an underscore are private to their cell: they are
  neither definitions nor references.

References include builtins (``print``); the graph decides which of them
matter. The work is one pass over the AST that records bindings and reads per
scope, then a resolution step, because a binding anywhere in a function body
makes the name local to the whole body.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import CodeType
from typing import Any, Literal

ErrorKind = Literal["syntax", "import-star"]


@dataclass(frozen=True, slots=True)
class AnalysisError:
    """Why a cell cannot run as written, with a 1-based position if known."""

    kind: ErrorKind
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True, slots=True)
class CompiledCell:
    """A cell's statements and its trailing expression (its output), compiled."""

    body: CodeType
    last: CodeType | None
    is_async: bool


@dataclass(frozen=True, slots=True)
class CellAnalysis:
    """What a cell defines and reads, and its code compiled once, ready to run.

    A cell the parser or compiler rejects has an ``error`` of kind "syntax",
    no names and no code: it can never run.
    """

    defs: frozenset[str]
    refs: frozenset[str]
    error: AnalysisError | None = None
    compiled: CompiledCell | None = None


_MODULE, _FUNCTION, _CLASS, _COMPREHENSION, _ANNOTATION = range(5)


class _Scope:
    __slots__ = ("bound", "declared_global", "declared_nonlocal", "kind", "loads", "parent")

    def __init__(self, kind: int, parent: _Scope | None) -> None:
        self.kind = kind
        self.parent = parent
        self.bound: set[str] = set()
        self.declared_global: set[str] = set()
        self.declared_nonlocal: set[str] = set()
        # (name, module-level except names active where the read happens)
        self.loads: list[tuple[str, frozenset[str]]] = []


_NO_HANDLERS: frozenset[str] = frozenset()


class _Collector:
    """Walks a cell's AST once, recording bindings and reads for every scope."""

    def __init__(self) -> None:
        self.module = _Scope(_MODULE, None)
        self.scope = self.module
        self.scopes: list[_Scope] = [self.module]
        # names bound by an enclosing `except ... as` at module level
        self.handler_names: frozenset[str] = _NO_HANDLERS
        self.import_star: ast.ImportFrom | None = None
        self.nested_import_star: ast.ImportFrom | None = None

    # -- bookkeeping -------------------------------------------------------

    def push(self, kind: int) -> _Scope:
        scope = _Scope(kind, self.scope)
        self.scopes.append(scope)
        self.scope = scope
        return scope

    def pop(self, previous: _Scope) -> None:
        self.scope = previous

    def bind(self, name: str) -> None:
        scope = self.scope
        if scope.kind != _MODULE:
            if name in scope.declared_global:
                self.module.bound.add(name)
                return
            if name in scope.declared_nonlocal:
                return
        scope.bound.add(name)

    def load(self, name: str) -> None:
        scope = self.scope
        if scope.kind == _CLASS and name in scope.bound and name not in scope.declared_global:
            return  # already bound earlier in the class body
        scope.loads.append((name, self.handler_names))

    # -- traversal ---------------------------------------------------------

    def visit(self, node: ast.AST) -> None:
        method = _DISPATCH.get(type(node))
        if method is not None:
            method(self, node)
        else:
            self.generic(node)

    def generic(self, node: ast.AST) -> None:
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_all(self, nodes: Iterable[ast.AST | None]) -> None:
        for node in nodes:
            if node is not None:
                self.visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        ctx = type(node.ctx)
        if ctx is ast.Load:
            self.load(node.id)
        elif ctx is ast.Store:
            self.bind(node.id)
        else:  # Del: deleting a global reads it and defines nothing
            scope = self.scope
            if scope.kind == _MODULE or node.id in scope.declared_global:
                self.load(node.id)
            else:
                self.bind(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        self.visit_all(node.targets)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        target = node.target
        if isinstance(target, ast.Name):
            self.load(target.id)
            self.bind(target.id)
        else:
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
        target = node.target
        if isinstance(target, ast.Name):
            # A bare annotation binds nothing at module or class level, but
            # makes the name local inside a function.
            if node.value is not None or self.scope.kind == _FUNCTION:
                self.bind(target.id)
        else:
            self.visit(target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        name = node.target.id
        scope = self.scope
        if scope.kind != _COMPREHENSION:
            self.bind(name)
            return
        # A walrus in a comprehension binds in the nearest enclosing
        # function or module scope.
        while scope.kind == _COMPREHENSION:
            assert scope.parent is not None  # a comprehension is always inside another scope
            scope = scope.parent
        saved = self.scope
        self.scope = scope
        self.bind(name)
        self.scope = saved

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.bind(alias.asname or alias.name.partition(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "__future__":
            return
        for alias in node.names:
            if alias.name == "*":
                if self.scope.kind == _MODULE:
                    self.import_star = self.import_star or node
                else:
                    self.nested_import_star = self.nested_import_star or node
                continue
            self.bind(alias.asname or alias.name)

    def visit_Global(self, node: ast.Global) -> None:
        if self.scope.kind != _MODULE:
            self.scope.declared_global.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.declared_nonlocal.update(node.names)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self.visit(node.target)
        self.visit_all(node.body)
        self.visit_all(node.orelse)

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.visit(item.optional_vars)
        self.visit_all(node.body)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        name = node.name
        if name is None:
            self.visit_all(node.body)
            return
        if self.scope.kind != _MODULE:
            self.bind(name)
            self.visit_all(node.body)
            return
        saved = self.handler_names
        self.handler_names = saved | {name}
        self.visit_all(node.body)
        self.handler_names = saved

    # -- definitions and scopes -------------------------------------------

    def visit_arguments_defaults(self, args: ast.arguments) -> None:
        self.visit_all(args.defaults)
        self.visit_all(args.kw_defaults)

    def visit_arguments_annotations(self, args: ast.arguments) -> None:
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)

    def bind_arguments(self, args: ast.arguments) -> None:
        scope = self.scope
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                scope.bound.add(arg.arg)

    def enter_type_params(self, node: ast.AST) -> _Scope | None:
        """Open the annotation scope of PEP 695 type parameters, if any."""
        params = getattr(node, "type_params", None)
        if not params:
            return None
        outer = self.scope
        self.push(_ANNOTATION)
        for param in params:
            self.scope.bound.add(param.name)
        for param in params:
            bound = getattr(param, "bound", None)
            default = getattr(param, "default_value", None)
            for expr in (bound, default):
                if expr is not None:
                    self.visit(expr)
        return outer

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.visit_all(node.decorator_list)
        self.visit_arguments_defaults(node.args)
        outer = self.enter_type_params(node)
        self.visit_arguments_annotations(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        inner_parent = self.scope
        self.push(_FUNCTION)
        self.bind_arguments(node.args)
        self.visit_all(node.body)
        self.pop(inner_parent)
        if outer is not None:
            self.pop(outer)
        self.bind(node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit_arguments_defaults(node.args)
        outer = self.scope
        self.push(_FUNCTION)
        self.bind_arguments(node.args)
        self.visit(node.body)
        self.pop(outer)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.visit_all(node.decorator_list)
        outer = self.enter_type_params(node)
        self.visit_all(node.bases)
        self.visit_all(node.keywords)
        inner_parent = self.scope
        self.push(_CLASS)
        self.visit_all(node.body)
        self.pop(inner_parent)
        if outer is not None:
            self.pop(outer)
        self.bind(node.name)

    if sys.version_info >= (3, 12):  # `type X = ...` statements

        def visit_TypeAlias(self, node: ast.TypeAlias) -> None:
            outer = self.scope
            self.push(_ANNOTATION)
            # getattr, as in enter_type_params: typeshed gives ast.type_param no `name`.
            for param in getattr(node, "type_params", ()):
                self.scope.bound.add(param.name)
            for param in getattr(node, "type_params", ()):
                for expr in (getattr(param, "bound", None), getattr(param, "default_value", None)):
                    if expr is not None:
                        self.visit(expr)
            self.visit(node.value)
            self.pop(outer)
            self.bind(node.name.id)

    def visit_comprehension_node(
        self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
    ) -> None:
        generators = node.generators
        self.visit(generators[0].iter)
        outer = self.scope
        self.push(_COMPREHENSION)
        for index, gen in enumerate(generators):
            if index:
                self.visit(gen.iter)
            self.visit(gen.target)
            self.visit_all(gen.ifs)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.pop(outer)

    # -- match patterns ----------------------------------------------------

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.pattern is not None:
            self.visit(node.pattern)
        if node.name is not None:
            self.bind(node.name)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name is not None:
            self.bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.visit_all(node.keys)
        self.visit_all(node.patterns)
        if node.rest is not None:
            self.bind(node.rest)


# Each handler takes the node type it is keyed by, hence Any for the node.
_DISPATCH: dict[type[ast.AST], Callable[[_Collector, Any], None]] = {
    ast.Name: _Collector.visit_Name,
    ast.Assign: _Collector.visit_Assign,
    ast.AugAssign: _Collector.visit_AugAssign,
    ast.AnnAssign: _Collector.visit_AnnAssign,
    ast.NamedExpr: _Collector.visit_NamedExpr,
    ast.Import: _Collector.visit_Import,
    ast.ImportFrom: _Collector.visit_ImportFrom,
    ast.Global: _Collector.visit_Global,
    ast.Nonlocal: _Collector.visit_Nonlocal,
    ast.For: _Collector.visit_For,
    ast.AsyncFor: _Collector.visit_For,
    ast.With: _Collector.visit_With,
    ast.AsyncWith: _Collector.visit_With,
    ast.ExceptHandler: _Collector.visit_ExceptHandler,
    ast.FunctionDef: _Collector.visit_FunctionDef,
    ast.AsyncFunctionDef: _Collector.visit_FunctionDef,
    ast.Lambda: _Collector.visit_Lambda,
    ast.ClassDef: _Collector.visit_ClassDef,
    ast.ListComp: _Collector.visit_comprehension_node,
    ast.SetComp: _Collector.visit_comprehension_node,
    ast.DictComp: _Collector.visit_comprehension_node,
    ast.GeneratorExp: _Collector.visit_comprehension_node,
    ast.MatchAs: _Collector.visit_MatchAs,
    ast.MatchStar: _Collector.visit_MatchStar,
    ast.MatchMapping: _Collector.visit_MatchMapping,
    # Leaves with nothing to record.
    ast.Constant: lambda self, node: None,
    ast.Pass: lambda self, node: None,
    ast.Break: lambda self, node: None,
    ast.Continue: lambda self, node: None,
}
if sys.version_info >= (3, 12):
    _DISPATCH[ast.TypeAlias] = _Collector.visit_TypeAlias


def _resolves_to_module(scope: _Scope, name: str) -> bool:
    """Whether a read of ``name`` in ``scope`` reaches the cell's global scope."""
    kind = scope.kind
    if kind == _MODULE:
        return True
    if name in scope.declared_global:
        return True
    if name in scope.declared_nonlocal:
        return False
    if kind == _CLASS:
        # A class-body read of a name the class binds later falls back to
        # globals; one bound earlier never reached the load list.
        if name in scope.bound:
            return True
    elif name in scope.bound:
        return False
    # Walk outwards. Class scopes are invisible to nested functions and
    # comprehensions; only an annotation scope directly inside a class sees it.
    parent = scope.parent
    sees_class = kind == _ANNOTATION
    while parent is not None:
        if parent.kind == _MODULE:
            return True
        if parent.kind == _CLASS and not sees_class:
            parent = parent.parent
            continue
        if name in parent.declared_global:
            return True
        if name in parent.bound or name in parent.declared_nonlocal:
            return False
        sees_class = False
        parent = parent.parent
    return True


def _position(node: ast.AST) -> tuple[int | None, int | None]:
    line = getattr(node, "lineno", None)
    col = getattr(node, "col_offset", None)
    return line, (col + 1 if col is not None else None)


def parse_cell(code: str) -> ast.Module | AnalysisError:
    """Parse a cell's source, or describe its syntax error."""
    try:
        return ast.parse(code, "<cell>", "exec")
    except SyntaxError as exc:
        return syntax_error(exc)
    except (ValueError, MemoryError, RecursionError) as exc:  # e.g. null bytes
        return AnalysisError("syntax", f"the cell cannot be parsed: {exc}")


def syntax_error(exc: SyntaxError, source: str | None = None) -> AnalysisError:
    """Turn a ``SyntaxError`` into an :class:`AnalysisError` with line and column.

    The parser counts columns in characters; the compiler, which has no source
    text (``exc.text`` is None), in UTF-8 bytes: those are turned into
    characters when ``source`` is given.
    """
    line, column = exc.lineno, exc.offset
    if exc.text is None and source is not None:
        column = char_column(source, line, column)
    where = f"line {line}" + (f", column {column}" if column else "") if line else "unknown line"
    return AnalysisError("syntax", f"{exc.msg} ({where})", line, column)


def char_column(source: str, line: int | None, column: int | None) -> int | None:
    """A 1-based column counted in UTF-8 bytes (the AST's, the compiler's) in characters."""
    if line is None or column is None or column < 1:
        return column
    lines = _LINE_BREAK_RE.split(source)
    if not 1 <= line <= len(lines):
        return column
    return len(lines[line - 1].encode()[: column - 1].decode(errors="ignore")) + 1


_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_COMPILE_FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def compile_tree(
    tree: ast.Module, filename: str, source: str | None = None
) -> CompiledCell | AnalysisError:
    """Compile a parsed cell, splitting off a trailing expression as its output.

    The compiler finds what the parser cannot: ``return`` outside a function,
    ``nonlocal`` at top level, a walrus in a class-body comprehension, ...
    ``source`` (the cell's code) turns error columns into characters.
    """
    statements = tree.body
    last_expr = None
    if statements and isinstance(statements[-1], ast.Expr):
        last_expr = statements[-1].value
        statements = statements[:-1]
    try:
        body = compile(ast.Module(body=statements, type_ignores=[]), filename, "exec",
                       flags=_COMPILE_FLAGS, dont_inherit=True)
        last = None
        if last_expr is not None:
            last = compile(ast.Expression(body=last_expr), filename, "eval",
                           flags=_COMPILE_FLAGS, dont_inherit=True)
    except SyntaxError as exc:
        return syntax_error(exc, source)
    except (ValueError, RecursionError, MemoryError) as exc:
        return AnalysisError("syntax", f"the cell cannot be compiled: {exc}")
    is_async = bool(body.co_flags & inspect.CO_COROUTINE) or bool(
        last is not None and last.co_flags & inspect.CO_COROUTINE
    )
    return CompiledCell(body, last, is_async)


def analyze_cell(code: str, filename: str = "<cell>") -> CellAnalysis:
    """Return the global names ``code`` defines and reads, any error, and its code.

    ``filename`` is what tracebacks of the compiled code will show.
    """
    tree = parse_cell(code)
    if isinstance(tree, AnalysisError):
        return CellAnalysis(frozenset(), frozenset(), tree)
    names = analyze_tree(tree)
    names_error = names.error
    if names_error is not None:  # the AST's columns count bytes
        names_error = dataclasses.replace(
            names_error, column=char_column(code, names_error.line, names_error.column)
        )
        if names_error.kind == "syntax":
            return CellAnalysis(frozenset(), frozenset(), names_error)
    compiled = compile_tree(tree, filename, code)
    if isinstance(compiled, AnalysisError):
        return CellAnalysis(frozenset(), frozenset(), compiled)
    return CellAnalysis(names.defs, names.refs, names_error, compiled)


def analyze_tree(tree: ast.Module) -> CellAnalysis:
    """The names a parsed cell defines and reads (no compilation)."""
    collector = _Collector()
    try:
        collector.visit_all(tree.body)
    except RecursionError:
        too_deep = AnalysisError("syntax", "the cell is nested too deeply to analyse")
        return CellAnalysis(frozenset(), frozenset(), too_deep)
    module_bound = collector.module.bound
    defs = {name for name in module_bound if name[0] != "_"}
    refs: set[str] = set()
    for scope in collector.scopes:
        for name, handler_names in scope.loads:
            if name[0] == "_" or name in module_bound or name in refs:
                continue
            if name in handler_names and _resolves_to_module(scope, name):
                continue
            if _resolves_to_module(scope, name):
                refs.add(name)
    error = None
    if collector.nested_import_star is not None:
        line, col = _position(collector.nested_import_star)
        error = AnalysisError(
            "syntax", f"import * only allowed at module level (line {line})", line, col
        )
    elif collector.import_star is not None:
        node = collector.import_star
        line, col = _position(node)
        error = AnalysisError(
            "import-star",
            f"`from {node.module or '.'} import *` (line {line}) hides which names the cell "
            "defines; import the names you need explicitly, or import the module",
            line,
            col,
        )
    return CellAnalysis(frozenset(defs), frozenset(refs), error)
