"""Errors reported by ``analyze_cell``: syntax errors and ``import *``.

Positions are 1-based. For parser errors the expected position is whatever
Python's own parser reports for the cell (``SyntaxError.lineno``/``.offset``
are already 1-based), so the expectations hold on every Python version.
"""

from __future__ import annotations

import ast
import sys
from textwrap import dedent

import pytest

from kernels.runtime.analysis import (
    AnalysisError,
    analyze_cell,
    analyze_tree,
    char_column,
    syntax_error,
)


def python_syntax_error(code: str) -> SyntaxError:
    try:
        compile(code, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as exc:
        return exc
    raise AssertionError(f"Python compiles {code!r}; the case is wrong")


def assert_syntax_error(code: str):
    result = analyze_cell(code)
    assert result.error is not None, "expected a syntax error"
    assert result.error.kind == "syntax"
    assert isinstance(result.error.message, str) and result.error.message
    assert result.defs == frozenset()
    assert result.refs == frozenset()
    return result.error


PARSER_ERRORS = [
    pytest.param("x = (", id="unclosed-paren"),
    pytest.param("x = 1\ny = )", id="unmatched-paren-line-2"),
    pytest.param("a = 1\nb = 2\n\nz = (\n", id="unclosed-paren-line-4"),
    pytest.param("def f(:\n    pass", id="bad-def"),
    pytest.param("if x\n    pass", id="missing-colon"),
    pytest.param("class C\n    pass", id="class-missing-colon"),
    pytest.param("for in x:\n    pass", id="for-without-target"),
    pytest.param("x = 1 +", id="dangling-operator"),
    pytest.param("a = 1\nb = 2\nc = 1 + * 2", id="bad-operator-line-3"),
    pytest.param("x === 1", id="triple-equals"),
    pytest.param("x = [1, 2", id="unclosed-bracket"),
    pytest.param("x = 'abc", id="unterminated-string"),
    pytest.param("print 'hello'", id="python2-print"),
    pytest.param("f(x for x in y, 1)", id="unparenthesized-generator"),
    pytest.param("1 = x", id="assign-to-literal"),
    pytest.param("f() = 1", id="assign-to-call"),
    pytest.param("a + 1 = 2", id="assign-to-expression"),
    pytest.param("del f()", id="delete-call"),
    pytest.param("x := 1", id="unparenthesized-walrus-statement"),
    pytest.param("a = 1 if b", id="ternary-without-else"),
    pytest.param("import", id="bare-import"),
    pytest.param("from m import", id="from-import-nothing"),
    pytest.param("  x = 1", id="unexpected-indent"),
    pytest.param("def f():\nreturn 1", id="expected-indent"),
    pytest.param("for x in range(3):\n    pass\n  y = 1", id="bad-dedent"),
    pytest.param("match v:\n    case 1 + 1:\n        pass", id="bad-match-pattern"),
    pytest.param("def f(x):\n    pass\n)", id="stray-paren-after-def"),
    pytest.param("from os import *\nx = (", id="syntax-error-wins-over-import-star"),
    pytest.param("lambda: (yield", id="unclosed-lambda"),
    pytest.param("x = 1\n\n\n\n\n\n\n\n\ny = 2 2", id="error-on-line-10"),
]


@pytest.mark.parametrize("code", PARSER_ERRORS)
def test_parser_syntax_errors(code):
    error = assert_syntax_error(code)
    expected = python_syntax_error(code)
    assert error.line == expected.lineno
    assert error.column == expected.offset


@pytest.mark.parametrize(
    ("code", "line", "column"),
    [
        pytest.param("x = (", 1, 5, id="unclosed-paren"),
        pytest.param("x = 1\ny = )", 2, 5, id="unmatched-paren"),
        pytest.param("a = 1\nb = 2\nc = 1 + * 2", 3, 9, id="bad-operator"),
        pytest.param("if x\n    pass", 1, 5, id="missing-colon"),
    ],
)
def test_syntax_error_positions_are_one_based(code, line, column):
    error = assert_syntax_error(code)
    assert (error.line, error.column) == (line, column)


def test_syntax_error_message_is_informative():
    error = assert_syntax_error("x = (")
    assert "(" in error.message or "never closed" in error.message or "syntax" in error.message.lower()


# Cells that parse but that Python refuses to compile: the scoping rules (the
# symbol table) reject them, so they have no meaningful defs/refs and running
# them raises SyntaxError. They are syntax errors of the cell.
SCOPING_ERRORS = [
    pytest.param("nonlocal x", id="nonlocal-at-module-level"),
    pytest.param("def f():\n    nonlocal x\n    x = 1", id="nonlocal-without-binding"),
    pytest.param("def f():\n    x = 1\n    def g():\n        global x\n        nonlocal x", id="nonlocal-and-global"),
    pytest.param("def f(x):\n    global x", id="parameter-and-global"),
    pytest.param("x = 1\ndef f():\n    x = 2\n    global x", id="assigned-before-global-in-function"),
    pytest.param("x = 1\nglobal x", id="assigned-before-global-at-module-level"),
    pytest.param("def f():\n    global x\n    x: int = 1", id="annotated-global"),
    pytest.param("def f(a, a):\n    pass", id="duplicate-argument"),
    pytest.param("f = lambda a, a: a", id="duplicate-lambda-argument"),
    pytest.param("class C:\n    ys = [(y := x) for x in range(3)]", id="walrus-in-class-comprehension"),
    pytest.param("ys = [x for x in (zs := [1])]", id="walrus-in-comprehension-iterable"),
    pytest.param("ys = [x := 1 for x in y]", id="walrus-rebinds-comprehension-variable"),
    pytest.param("from __future__ import braces", id="future-braces"),
    pytest.param("from __future__ import no_such_feature", id="future-unknown-feature"),
]


@pytest.mark.parametrize("code", SCOPING_ERRORS)
def test_scoping_syntax_errors(code):
    error = assert_syntax_error(code)
    assert error.line == python_syntax_error(code).lineno


# Cells that parse but that the compiler rejects, so they can never run.
COMPILER_ERRORS = [
    pytest.param("return 1", id="return-outside-function"),
    pytest.param("x = 1\nyield x", id="yield-outside-function"),
    pytest.param("y = yield from gen()", id="yield-from-outside-function"),
    pytest.param("break", id="break-outside-loop"),
    pytest.param("if flag:\n    continue", id="continue-outside-loop"),
    pytest.param("class C:\n    yield 1", id="yield-in-class-body"),
    pytest.param("def f():\n    await g()", id="await-in-sync-function"),
    pytest.param("def f():\n    async for x in y:\n        pass", id="async-for-in-sync-function"),
    pytest.param("def f():\n    async with a:\n        pass", id="async-with-in-sync-function"),
    pytest.param("f = lambda: await x", id="await-in-lambda"),
    pytest.param("x = 1\nfrom __future__ import annotations", id="late-future-import"),
]


@pytest.mark.parametrize("code", COMPILER_ERRORS)
def test_compiler_syntax_errors(code):
    error = assert_syntax_error(code)
    assert error.line == python_syntax_error(code).lineno


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("def f():\n    from os import *", id="in-function"),
        pytest.param("class C:\n    from os import *", id="in-class"),
    ],
)
def test_import_star_outside_module_level_is_an_error(code):
    # Python: "import * only allowed at module level" (a SyntaxError). Either
    # kind is acceptable, but the cell must not analyse as clean.
    result = analyze_cell(code)
    assert result.error is not None
    assert result.error.kind in {"syntax", "import-star"}


def test_import_star_in_a_function_says_so_with_its_line_and_column():
    error = assert_syntax_error("def f():\n    from os import *")
    assert error == AnalysisError("syntax", "import * only allowed at module level (line 2)", 2, 5)


def star(case_id: str, code: str, line: int, defs: str = "", refs: str = ""):
    return pytest.param(dedent(code).strip("\n"), line, defs, refs, id=case_id)


IMPORT_STAR = [
    star("alone", "from os import *", 1),
    star("rest-still-analysed", "x = 1\nfrom os import *\ny = x + z", 2, defs="x y", refs="z"),
    star("with-other-imports", "import sys\nfrom math import *\nr = sqrt(2)", 2, defs="sys r", refs="sqrt"),
    star("relative", "from . import *", 1),
    star("relative-module", "from .mod import *", 1),
    star("conditional", "if c:\n    from os import *", 2, refs="c"),
    star(
        "in-try",
        "try:\n    from fast import *\nexcept ImportError:\n    fallback = True",
        2,
        defs="fallback",
        refs="ImportError",
    ),
    star("after-function", "def f():\n    return g\n\nfrom pkg import *", 4, defs="f", refs="g"),
]


@pytest.mark.parametrize(("code", "line", "defs", "refs"), IMPORT_STAR)
def test_import_star(code, line, defs, refs):
    result = analyze_cell(code)
    assert result.error is not None
    assert result.error.kind == "import-star"
    assert isinstance(result.error.message, str) and result.error.message
    assert result.error.line == line
    assert result.error.column is None or result.error.column >= 1
    got = {"defs": sorted(result.defs), "refs": sorted(result.refs)}
    assert got == {"defs": sorted(defs.split()), "refs": sorted(refs.split())}


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        pytest.param("from os import *", "`from os import *` (line 1)", id="module"),
        pytest.param("x = 1\nfrom . import *", "`from . import *` (line 2)", id="package"),
    ],
)
def test_import_star_message_names_the_import_and_what_to_do(code, shown):
    assert analyze_cell(code).error.message == (
        f"{shown} hides which names the cell defines; import the names you need "
        "explicitly, or import the module"
    )


def test_two_import_stars_report_an_import_star_error():
    result = analyze_cell("from os import *\nx = 1\nfrom sys import *")
    assert result.error is not None
    assert result.error.kind == "import-star"
    assert result.defs == frozenset({"x"})


def test_import_star_column_is_one_based():
    result = analyze_cell("from os import *")
    assert result.error is not None
    assert result.error.column in (None, 1)


@pytest.mark.parametrize(
    "code",
    [
        "x = 1",
        "await thing()",
        "async for x in y:\n    pass",
        "async with a as b:\n    pass",
        "result = [x async for x in gen()]",
        "from os import path",
        "from __future__ import annotations\nx: int = 1",
        '"""Docstring."""\nfrom __future__ import annotations',
        "def f():\n    return 1",
        "",
    ],
)
def test_valid_cells_have_no_error(code):
    assert analyze_cell(code).error is None


# Cells Python cannot take in at all: each is a syntax error of the cell, never a crash.


def _frames() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


def test_a_cell_nested_deeper_than_the_analysis_can_follow_is_a_syntax_error():
    # 300 additions parse on any Python; the analysis recurses once or twice per level,
    # so a recursion limit 150 frames above here stops it the same way everywhere.
    code = "x = 1" + " + 1" * 300
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_frames() + 150)
    try:
        result = analyze_cell(code)
    finally:
        sys.setrecursionlimit(limit)
    assert result.error == AnalysisError("syntax", "the cell is nested too deeply to analyse")
    assert result.defs == frozenset() and result.refs == frozenset()


def test_a_tree_too_deep_to_analyse_on_its_own_has_no_names():
    # analyze_tree is also called without analyze_cell (the marimo export reads its refs).
    tree = ast.parse("x = 1" + " + 1" * 300)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_frames() + 150)
    try:
        result = analyze_tree(tree)
    finally:
        sys.setrecursionlimit(limit)
    assert result.error == AnalysisError("syntax", "the cell is nested too deeply to analyse")
    assert result.defs == frozenset() and result.refs == frozenset()


def test_a_syntax_error_with_a_line_but_no_column_names_only_the_line():
    error = syntax_error(SyntaxError("bad thing", ("<cell>", 3, None, "x\n")))
    assert error == AnalysisError("syntax", "bad thing (line 3)", 3, None)


@pytest.mark.parametrize(
    ("line", "column"),
    [(1, None), (None, 5), (None, None), (1, 0)],
)
def test_a_position_without_a_line_or_a_column_is_given_back_as_it_is(line, column):
    assert char_column("é = (", line, column) == column


def test_a_byte_column_after_wide_characters_becomes_a_character_column():
    # "é" is two bytes in UTF-8: byte column 5 of "é = (" is character column 4.
    assert char_column("x\né = (", 2, 6) == 5


def test_a_cell_too_deeply_nested_to_parse_is_a_syntax_error():
    error = assert_syntax_error("x = " + "-" * 100_000 + "1")  # the parser's stack overflows
    assert error.message.startswith("the cell cannot be parsed: ")
    assert (error.line, error.column) == (None, None)


def test_a_null_byte_is_a_syntax_error_that_names_no_line():
    error = assert_syntax_error("x = 1\x00")
    assert error.message in {
        "source code string cannot contain null bytes (unknown line)",  # SyntaxError, 3.12+
        "the cell cannot be parsed: source code string cannot contain null bytes",  # ValueError, 3.11
    }
