"""Module-level bindings and reads of one cell: assignments, imports, annotations,
``del``, loops, ``with``, plain expressions, f-strings, builtins.

Each case is ``case(id, code, defs, refs)`` where ``defs`` and ``refs`` are the
expected names, separated by spaces. ``refs`` includes builtins (``print``,
``len``...), because ``analyze_cell`` reports every global read the cell does
not satisfy itself; the graph is what later drops undefined builtins.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from analysis_cases import case, check

from kernels.runtime.analysis import analyze_cell

ASSIGNMENTS = [
    case("assign-constant", "x = 1", defs="x"),
    case("assign-from-name", "y = x", defs="y", refs="x"),
    case("assign-expression", "total = price * quantity + tax", defs="total", refs="price quantity tax"),
    case("chained-assignment", "a = b = c", defs="a b", refs="c"),
    case("self-referencing-assignment", "x = x + 1", defs="x"),
    case("read-then-define-later", "y = x\nx = 1", defs="x y"),
    case("reassign-twice", "x = 1\nx = 2", defs="x"),
    case("semicolons", "a = 1; b = a; c = d", defs="a b c", refs="d"),
    case("tuple-unpack", "a, b = pair", defs="a b", refs="pair"),
    case("tuple-unpack-parens", "(a, b) = 1, 2", defs="a b"),
    case("list-unpack", "[a, b] = items", defs="a b", refs="items"),
    case("nested-unpack", "(a, b), [c, d] = nested", defs="a b c d", refs="nested"),
    case("starred-unpack", "first, *rest = seq", defs="first rest", refs="seq"),
    case("starred-middle", "head, *middle, tail = seq", defs="head middle tail", refs="seq"),
    case("starred-nested", "[a, [b, *c]] = d", defs="a b c", refs="d"),
    case("swap", "a, b = b, a", defs="a b"),
    case("unicode-identifier", "π = 3.14159\narea = π * r ** 2", defs="π area", refs="r"),
    case("ellipsis-value", "x = ...", defs="x"),
    case("only-constants", "1 + 2", defs="", refs=""),
    case("docstring-only", '"""Just some text mentioning x and y."""'),
    case("empty-cell", ""),
    case("whitespace-only", "\n\n   \n"),
    case("comment-only", "# x = 1\n# print(y)"),
    case("pass-only", "pass"),
    case("names-in-strings-are-not-refs", 'print("x y z")', refs="print"),
]

ATTRIBUTE_AND_SUBSCRIPT_TARGETS = [
    case("attribute-target", "a.b = 1", refs="a"),
    case("deep-attribute-target", "a.b.c.d = value", refs="a value"),
    case("subscript-target", "d[k] = v", refs="d k v"),
    case("slice-target", "a[lo:hi] = b", refs="a lo hi b"),
    case("mixed-target-chain", "a.b[c].d = e", refs="a c e"),
    case("tuple-of-attr-and-subscript", "x[i], y.z = 1, 2", refs="x i y"),
    case("tuple-mixing-names-and-attrs", "n, obj.attr = values", defs="n", refs="obj values"),
    case("starred-subscript-target", "first, *rest[0] = seq", defs="first", refs="rest seq"),
    case("attribute-target-of-own-def", "obj = make()\nobj.x = 1", defs="obj", refs="make"),
    case("augmented-attribute", "obj.count += 1", refs="obj"),
    case("augmented-subscript", "counts[key] += 1", refs="counts key"),
    case("annotated-attribute-with-value", "self.x: int = 1", refs="self int"),
    case("annotated-subscript-without-value", "d[k]: int", refs="d k int"),
    case("attribute-read-is-only-base", "x.y.z", refs="x"),
    case("method-call", "df.groupby(col).sum()", refs="df col"),
]

AUGMENTED = [
    case("augmented-is-def", "x += 1", defs="x"),
    case("augmented-with-rhs-ref", "total += amount", defs="total", refs="amount"),
    case("augmented-after-assign", "x = 0\nx += 1", defs="x"),
    case("augmented-all-operators", "a -= 1\nb *= 2\nc //= 3\nd **= 4\ne |= f", defs="a b c d e", refs="f"),
    case("augmented-matmul", "m @= other", defs="m", refs="other"),
]

ANNOTATIONS = [
    case("annotated-assignment", "x: int = 1", defs="x", refs="int"),
    case("bare-annotation-defines-nothing", "x: int", refs="int"),
    case("bare-annotation-then-assign", "x: int\nx = 1", defs="x", refs="int"),
    case("generic-annotation", "x: list[dict[str, int]] = []", defs="x", refs="list dict str int"),
    case("union-annotation", "x: int | None = None", defs="x", refs="int"),
    case("annotation-refs-own-def", "T = int\nx: T = 1", defs="T x", refs="int"),
    case("annotation-module-attribute", "df: pd.DataFrame = load()", defs="df", refs="pd load"),
    case("string-annotation-not-parsed", 'x: "SomeType" = 1', defs="x"),
    case("string-annotation-bare", 'y: "list[Foo]"'),
    case(
        "future-annotations-still-refs",
        """
        from __future__ import annotations
        x: Foo = 1
        y: Bar
        """,
        defs="x",
        refs="Foo Bar",
    ),
    case("annotation-value-refs", "x: int = compute(y)", defs="x", refs="int compute y"),
    case("annotated-tuple-in-parens", "(x): int = 1", defs="x", refs="int"),
    case("bare-annotation-then-read", "x: int\nprint(x)", refs="int print x"),
]

IMPORTS = [
    case("import", "import os", defs="os"),
    case("import-dotted", "import os.path", defs="os"),
    case("import-deep-dotted", "import a.b.c", defs="a"),
    case("import-as", "import numpy as np", defs="np"),
    case("import-dotted-as", "import a.b as c", defs="c"),
    case("import-several", "import os, sys as system, json", defs="os system json"),
    case("from-import", "from math import pi", defs="pi"),
    case("from-import-as", "from m import x as y", defs="y"),
    case("from-import-several", "from m import (a, b as c,\n    d)", defs="a c d"),
    case("from-dotted-module", "from os.path import join, exists as ex", defs="join ex"),
    case("relative-import-dot", "from . import sibling", defs="sibling"),
    case("relative-import-module", "from .pkg import thing", defs="thing"),
    case("relative-import-parent-as", "from .. import up as u", defs="u"),
    case("relative-import-deep", "from ...a.b import c", defs="c"),
    case("future-import-defines-nothing", "from __future__ import annotations"),
    case(
        "future-import-then-code",
        "from __future__ import annotations\nimport os\nx = os.sep",
        defs="os x",
    ),
    case("import-then-use", "import math\nr = math.sqrt(x)", defs="math r", refs="x"),
    case("import-same-name-twice", "import json\nimport json", defs="json"),
    case("from-import-shadows-builtin", "from os import open", defs="open"),
    case(
        "conditional-import-try",
        """
        try:
            import yaml
        except ImportError:
            yaml = None
        """,
        defs="yaml",
        refs="ImportError",
    ),
    case(
        "conditional-import-version",
        """
        if sys.version_info >= (3, 11):
            import tomllib
        else:
            import tomli as tomllib
        """,
        defs="tomllib",
        refs="sys",
    ),
    case(
        "type-checking-import",
        """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from collections.abc import Sequence
        """,
        defs="TYPE_CHECKING Sequence",
    ),
    case("import-in-function-is-local", "def f():\n    import os\n    return os.sep", defs="f"),
    case("import-in-class-is-not-a-def", "class C:\n    import os\n    sep = os.sep", defs="C"),
    case("import-dotted-as-deep", "import a.b.c as d", defs="d"),
    case("import-two-submodules", "import a.b, a.c", defs="a"),
]

DEL = [
    case("del-undefined-name-is-ref", "del x", refs="x"),
    case("del-after-define", "x = 1\ndel x", defs="x"),
    case("del-then-define", "del x\nx = 1", defs="x"),
    case("del-several", "del a, b", refs="a b"),
    case("del-tuple", "del (a, b)", refs="a b"),
    case("del-list", "del [a, b]", refs="a b"),
    case("del-subscript", "del d[k]", refs="d k"),
    case("del-attribute", "del obj.attr", refs="obj"),
    case("del-in-function-is-local", "def f():\n    x = 1\n    del x", defs="f"),
    case("del-in-function-without-binding-is-local", "def f():\n    del x", defs="f"),
    case("del-in-function-makes-its-reads-local", "def f():\n    print(x)\n    del x", defs="f", refs="print"),
    case("del-then-read", "del x\nprint(x)", refs="x print"),
    case("del-attribute-in-function", "def f():\n    del obj.attr", defs="f", refs="obj"),
]

LOOPS_AND_WITH = [
    case("for-target", "for i in range(10):\n    pass", defs="i", refs="range"),
    case("for-accumulate", "for i in items:\n    total += i", defs="i total", refs="items"),
    case("for-tuple-target", "for k, v in d.items():\n    print(k, v)", defs="k v", refs="d print"),
    case("for-starred-target", "for head, *tail in rows:\n    pass", defs="head tail", refs="rows"),
    case("for-nested-target", "for i, (a, b) in enumerate(pairs):\n    pass", defs="i a b", refs="enumerate pairs"),
    case("for-attribute-target", "for obj.attr in values:\n    pass", refs="obj values"),
    case("for-subscript-target", "for d[k] in values:\n    pass", refs="d k values"),
    case("for-else", "for i in xs:\n    break\nelse:\n    found = False", defs="i found", refs="xs"),
    case("for-body-defs", "for row in rows:\n    last = row", defs="row last", refs="rows"),
    case("nested-for", "for i in a:\n    for j in b:\n        c[i][j] = 0", defs="i j", refs="a b c"),
    case("while-loop", "while n > 0:\n    n -= 1", defs="n"),
    case("while-reads", "while not done():\n    step()", refs="done step"),
    case("while-else", "while cond:\n    pass\nelse:\n    z = 1", defs="z", refs="cond"),
    case("with-as", "with open(path) as f:\n    text = f.read()", defs="f text", refs="open path"),
    case("with-no-as", "with lock:\n    counter = 1", defs="counter", refs="lock"),
    case("with-tuple-target", "with pair() as (a, b):\n    pass", defs="a b", refs="pair"),
    case("with-multiple-items", "with open(p) as f, lock, ctx() as g:\n    pass", defs="f g", refs="open p lock ctx"),
    case(
        "with-parenthesized-items",
        """
        with (
            open(src) as fin,
            open(dst, "w") as fout,
        ):
            fout.write(fin.read())
        """,
        defs="fin fout",
        refs="open src dst",
    ),
    case("with-attribute-target", "with cm as self.resource:\n    pass", refs="cm self"),
    case("with-subscript-target", "with cm as d[k]:\n    pass", refs="cm d k"),
    case("with-second-item-uses-first", "with a() as x, b(x) as y:\n    pass", defs="x y", refs="a b"),
    case("if-branches", "if a:\n    x = 1\nelif b:\n    y = 2\nelse:\n    z = c", defs="x y z", refs="a b c"),
    case("if-nested", "if a:\n    if b:\n        deep = 1", defs="deep", refs="a b"),
    case("if-false-still-defines", "if False:\n    x = 1", defs="x"),
]

EXPRESSIONS = [
    case("call-with-keywords", "f(a=b, c=d)", refs="f b d"),
    case("keyword-names-are-not-refs", "dict(key=value)", refs="dict value"),
    case("star-args", "f(*args, **kwargs)", refs="f args kwargs"),
    case("star-in-list", "x = [*a, *b]", defs="x", refs="a b"),
    case("star-in-set", "x = {a, *b}", defs="x", refs="a b"),
    case("star-in-tuple", "x = (a, *b)", defs="x", refs="a b"),
    case("double-star-in-dict", "x = {k: v, **other}", defs="x", refs="k v other"),
    case("chained-comparison", "ok = a < b <= c != d", defs="ok", refs="a b c d"),
    case("identity-membership", "ok = a is not b in c not in d", defs="ok", refs="a b c d"),
    case("boolean-ops", "x = not a and b or c", defs="x", refs="a b c"),
    case("ternary", "x = a if cond else b", defs="x", refs="a cond b"),
    case("unary-binary", "x = -a ** b // c % d", defs="x", refs="a b c d"),
    case("matmul", "x = a @ b", defs="x", refs="a b"),
    case("slices", "x = a[lo:hi:step, ::2]", defs="x", refs="a lo hi step"),
    case("call-chain", "x = a.b(c)(d)[e]", defs="x", refs="a c d e"),
    case("assert", "assert cond, message", refs="cond message"),
    case("raise-from", "raise Error(msg) from cause", refs="Error msg cause"),
    case("bare-raise-name", "raise exc", refs="exc"),
    case("subscript-with-starred", "x = a[*idx]", defs="x", refs="a idx"),
    case("dict-literal", "x = {a: b, c: d}", defs="x", refs="a b c d"),
    case("nested-calls", "print(len(str(obj)))", refs="print len str obj"),
    case("expression-statement", "data", refs="data"),
    case("repeated-reads", "x = a + a + a", defs="x", refs="a"),
]

FSTRINGS = [
    case("fstring-simple", 'msg = f"{name} is {age}"', defs="msg", refs="name age"),
    case("fstring-conversion", 'msg = f"{value!r}"', defs="msg", refs="value"),
    case("fstring-format-spec-nested", 'msg = f"{value:>{width}.{precision}f}"', defs="msg", refs="value width precision"),
    case("fstring-debug", 'msg = f"{x=}"', defs="msg", refs="x"),
    case("fstring-nested", """msg = f"{'a' + f'{inner}'}" """, defs="msg", refs="inner"),
    case("fstring-expression", 'msg = f"{a + b:.2f} {c[d]}"', defs="msg", refs="a b c d"),
    case("fstring-call", 'print(f"{len(items)} items")', refs="print len items"),
    case("fstring-comprehension", 'msg = f"{[i for i in xs]}"', defs="msg", refs="xs"),
    case("fstring-dict", 'msg = f"{ {k: v} }"', defs="msg", refs="k v"),
    case("fstring-no-fields", 'msg = f"plain text {{x}}"', defs="msg"),
    case("fstring-walrus", 'msg = f"{(w := 3)}"', defs="msg w"),
    case("fstring-multiline", 'msg = f"""\n{first}\n{second}\n"""', defs="msg", refs="first second"),
]

BUILTINS = [
    case("builtin-call-is-ref", 'print("hello")', refs="print"),
    case("several-builtins", "n = len(list(range(3)))", defs="n", refs="len list range"),
    case("builtin-exception", "err = ValueError('bad')", defs="err", refs="ValueError"),
    case("builtin-type-attribute", "sep = str.join", defs="sep", refs="str"),
    case("shadow-builtin-assign", "print = lambda *a: None\nprint(1)", defs="print"),
    case("shadow-builtin-def", "def len(x):\n    return 0\nn = len([])", defs="len n"),
    case("shadow-builtin-self-reference", "list = list(range(3))", defs="list", refs="range"),
    case("shadow-builtin-for-target", "for id in ids:\n    pass", defs="id", refs="ids"),
    case("shadow-builtin-import", "from math import pow\npow(2, 3)", defs="pow"),
    case("shadow-builtin-class", "class dict:\n    pass\nd = dict()", defs="dict d"),
    case("builtin-inside-function", "def f(x):\n    return len(x) + abs(x)", defs="f", refs="len abs"),
    case("builtin-shadowed-locally-in-function", "def f():\n    len = 3\n    return len", defs="f"),
    case("builtin-in-class-body", "class C:\n    n = len([])", defs="C", refs="len"),
    case("type-soft-keyword-as-name", "type = 5\nprint(type)", defs="type", refs="print"),
    case("type-call", "t = type(obj)", defs="t", refs="type obj"),
    case("match-soft-keyword-as-name", "match = 1\ncase = match + 1", defs="match case"),
    case("match-soft-keyword-call", "m = match(pattern, text)", defs="m", refs="match pattern text"),
]

GLOBAL_AT_MODULE_LEVEL = [
    case("global-at-module-level-then-assign", "global x\nx = 1", defs="x"),
    case("global-at-module-level-alone", "global x"),
    case("global-at-module-level-read", "global x\nprint(x)", refs="print x"),
    case("global-at-module-level-several", "global a, b\na = b", defs="a", refs="b"),
]


@pytest.mark.parametrize(("code", "defs", "refs"), ASSIGNMENTS)
def test_assignments(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), ATTRIBUTE_AND_SUBSCRIPT_TARGETS)
def test_attribute_and_subscript_targets(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), AUGMENTED)
def test_augmented_assignment(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), ANNOTATIONS)
def test_annotations(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), IMPORTS)
def test_imports(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), DEL)
def test_del(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), LOOPS_AND_WITH)
def test_loops_with_and_if(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), EXPRESSIONS)
def test_expressions(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), FSTRINGS)
def test_fstrings(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), BUILTINS)
def test_builtins(code, defs, refs):
    check(code, defs, refs)


@pytest.mark.parametrize(("code", "defs", "refs"), GLOBAL_AT_MODULE_LEVEL)
def test_global_statement_at_module_level(code, defs, refs):
    check(code, defs, refs)


def test_result_types():
    result = analyze_cell("import os\nx = os.getcwd() + suffix")
    assert isinstance(result.defs, frozenset)
    assert isinstance(result.refs, frozenset)
    assert result.defs == frozenset({"os", "x"})
    assert result.refs == frozenset({"suffix"})
    assert result.error is None


def test_defs_and_refs_are_disjoint_for_a_busy_cell():
    code = dedent(
        """
        import os
        x = y = os.getenv("A")
        x += len(y)
        for i in range(x):
            y = y + str(i)
        def f():
            return x + z
        """
    ).strip()
    result = analyze_cell(code)
    assert result.error is None
    assert not (result.defs & result.refs)
    assert result.defs == frozenset({"os", "x", "y", "i", "f"})
    assert result.refs == frozenset({"len", "range", "str", "z"})


def test_analysis_is_deterministic():
    code = "a = b + c\nd, *e = f"
    first = analyze_cell(code)
    second = analyze_cell(code)
    assert (first.defs, first.refs) == (second.defs, second.refs)
